"""Datasets, their immutable versions, and the catalog's audit trail."""

from __future__ import annotations

import uuid

from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataClass(models.TextChoices):
    ANONYMIZED = "anonymized", _("Anonymously processed information")
    IOT = "iot", _("IoT / non-personal sensing data")


class Category(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    WEATHER = "weather", _("Weather and environment")
    MOBILITY = "mobility", _("Mobility and people flow")
    RETAIL = "retail", _("Retail and consumption")
    ENERGY = "energy", _("Energy")
    AGRICULTURE = "agriculture", _("Agriculture")
    HEALTHCARE = "healthcare", _("Healthcare")
    OTHER = "other", _("Other")


class UpdateFrequency(models.TextChoices):
    ONCE = "once", _("One-off")
    REALTIME = "realtime", _("Real time")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"
    PARQUET = "parquet", "Parquet"


class TakedownCategory(models.TextChoices):
    """Why the market's operator took a dataset or an offering down (docs/domain.md#take-downs). Only ``unlawful``
    revokes what buyers hold and refunds them; the others take it off the market and leave purchases as they are."""

    UNLAWFUL = "unlawful", _("Unlawful content")
    RIGHTS = "rights", _("Infringes another's rights")
    POLICY = "policy", _("Breaks the market's rules")
    SELLER_REQUEST = "seller_request", _("At the seller's request")


# The longest reason a take-down is given for (shown to the seller and the buyers).
TAKEDOWN_REASON_MAX = 500


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Referenced lazily, like AUTH_USER_MODEL: catalog stores who owns a dataset but never imports
    # marketplace (dependencies point settlement → marketplace → contracts → catalog).
    seller = models.ForeignKey("marketplace.Organization", on_delete=models.PROTECT, related_name="datasets")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass)
    category = models.CharField(_("category"), max_length=32, choices=Category, default=Category.OTHER)
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    region = models.CharField(_("region"), max_length=100, blank=True)
    update_frequency = models.CharField(
        _("update frequency"), max_length=16, choices=UpdateFrequency, default=UpdateFrequency.ONCE
    )
    # APPI disclosure of anonymously processed information, published on the dataset page:
    # {"quasi_identifiers": [...], "personal_info_items": [...], "method": "..."}; {} for IoT data.
    anonymization = models.JSONField(_("anonymisation disclosure"), default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Normalised search tokens (words and CJK bigrams) of title, description, tags; see catalog/search.py.
    search_text = models.TextField(blank=True, editable=False)
    # The title's tokens and the tags' and region's, weighted above the rest when results are ranked; a query whose
    # tokens equal search_title names the title exactly and ranks first (docs/adr/0014).
    search_title = models.TextField(blank=True, editable=False)
    search_tags = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Taken down by the market's operator (catalog.services.datasets.dataset_take_down): withdrawn for good, the
    # seller cannot list it again; the category and reason are shown to the seller and in the API.
    taken_down_at = models.DateTimeField(_("taken down at"), null=True, blank=True)
    takedown_category = models.CharField(
        _("take-down category"), max_length=16, choices=TakedownCategory.choices, blank=True
    )
    takedown_reason = models.CharField(_("take-down reason"), max_length=TAKEDOWN_REASON_MAX, blank=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="dataset_status_created_idx"),
            models.Index(fields=["seller", "-created_at"], name="dataset_seller_created_idx"),
            models.Index(fields=["data_class", "category"], name="dataset_class_category_idx"),
            models.Index(fields=["search_title"], name="dataset_search_title_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_class__in=[c.value for c in DataClass]), name="dataset_data_class_allowed"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SearchWord(models.Model):
    """An English word of some dataset's title, description, tags or region: a misspelt query word is corrected to
    the most similar of these (pg_trgm on PostgreSQL, difflib elsewhere). Words are only ever added; a word no
    dataset holds any more costs nothing but an alternative that matches nothing."""

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word


def dataset_storage() -> Storage:
    """Where dataset files live: a local folder, or S3-compatible storage (settings ``STORAGES``)."""
    return storages["datasets"]


def version_upload_to(version: DatasetVersion, filename: str) -> str:
    # The stored name never comes from the uploader; the original name is kept in its own column.
    return f"{version.dataset_id}/v{version.number}-{uuid.uuid4().hex[:12]}.{version.file_format}"


class DatasetVersion(models.Model):
    """One uploaded file of a dataset. Immutable once published: a change is a new version."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALIDATING)
    file = models.FileField(upload_to=version_upload_to, storage=dataset_storage, max_length=300)
    file_format = models.CharField(max_length=8, choices=FileFormat)
    original_filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    row_count = models.BigIntegerField(null=True, blank=True)
    schema = models.JSONField(default=list, blank=True)
    checks = models.JSONField(default=list, blank=True)
    sample = models.JSONField(default=dict, blank=True)
    time_range = models.JSONField(null=True, blank=True)
    # What a buyer can judge the data by (catalog.quality.Quality), measured when the version is published;
    # {} until then, and for a rejected version.
    quality = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    # Deliveries of the validation that started, and when the last one did: a worker killed mid-task (the OOM
    # killer) leaves them counted, so a file that kills every worker is rejected instead of redelivered forever.
    validation_attempts = models.PositiveIntegerField(default=0)
    validation_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="unique_version_number_per_dataset"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(condition=Q(size_bytes__gte=0), name="version_size_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.number}"


def rendition_upload_to(rendition: VersionRendition, filename: str) -> str:
    version = rendition.version
    return f"{version.dataset_id}/v{version.number}-{uuid.uuid4().hex[:12]}.{rendition.file_format}"


class VersionRendition(models.Model):
    """A published version's data in another format than the one uploaded (CSV of a Parquet file, Parquet of a
    CSV file...), converted when the version was published and stored beside the original: a download in that
    format is an ordinary file whose size and checksum are known before its body. Immutable, like its version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="renditions")
    file_format = models.CharField(max_length=8, choices=FileFormat)
    file = models.FileField(upload_to=rendition_upload_to, storage=dataset_storage, max_length=300)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "file_format"]
        constraints = [
            models.UniqueConstraint(fields=["version", "file_format"], name="unique_rendition_format_per_version"),
            models.CheckConstraint(condition=Q(size_bytes__gte=0), name="rendition_size_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.version} as {self.file_format}"


class CatalogEvent(models.Model):
    """Append-only record of every state change of a dataset or version (who, when, from, to, why)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(DatasetVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    actor_organization_id = models.UUIDField(null=True, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.from_status}→{self.to_status}"
