"""Use cases of a dataset's metadata: create, edit, withdraw, list again, and the operator's take-down."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog import search, states
from catalog.models import (
    TAKEDOWN_REASON_MAX,
    CatalogEvent,
    Category,
    DataClass,
    Dataset,
    SearchWord,
    Tag,
    TakedownCategory,
    UpdateFrequency,
)
from config.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from config.text import text_refusal

PERSONAL_DATA_REFUSAL = (
    "Personal data cannot be listed on Ichiba. The market trades anonymously processed information "
    "(匿名加工情報) and non-personal data such as IoT sensing only; personal data moves under the data "
    "subject's own control through an information bank (情報銀行) or a PDS. Anonymise it under the APPI "
    'and list it as data_class "anonymized".'
)
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_DISCLOSURE_ITEMS = 100

EDITABLE_FIELDS = ("title", "description", "category", "tags", "region", "update_frequency", "anonymization")


def _clean_tags(tags: Iterable[Any]) -> list[str]:
    cleaned: dict[str, None] = {}
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidInput("Tags are non-empty strings.", errors={"tags": ["each tag is a non-empty string"]})
        name = search.normalize(tag.strip())
        if len(name) > MAX_TAG_LENGTH:
            raise InvalidInput(f"A tag has at most {MAX_TAG_LENGTH} characters.", errors={"tags": ["too long"]})
        cleaned.setdefault(name, None)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"A dataset has at most {MAX_TAGS} tags.", errors={"tags": ["too many"]})
    return list(cleaned)


def _string_list(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > MAX_DISCLOSURE_ITEMS:
        raise InvalidInput(
            f"anonymization.{field} is a non-empty list of at most {MAX_DISCLOSURE_ITEMS} names.",
            errors={f"anonymization.{field}": ["a non-empty list is required"]},
        )
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > 200:
            raise InvalidInput(
                f"anonymization.{field} holds non-empty names.",
                errors={f"anonymization.{field}": ["invalid item"]},
            )
        if item.strip() not in items:
            items.append(item.strip())
    return items


def clean_anonymization(data_class: str, anonymization: Mapping[str, Any] | None) -> dict[str, Any]:
    """The APPI disclosure an anonymised dataset must publish; IoT data carries none."""
    if data_class == DataClass.IOT:
        if anonymization:
            raise InvalidInput(
                "anonymization is declared only for anonymized data.",
                errors={"anonymization": ["not allowed for iot data"]},
            )
        return {}
    if not isinstance(anonymization, Mapping) or not anonymization:
        raise InvalidInput(
            "Anonymised data must declare its quasi-identifiers, the items of personal information it "
            "contains and the processing method (APPI): anonymization = {quasi_identifiers, "
            "personal_info_items, method}.",
            errors={"anonymization": ["required for anonymized data"]},
        )
    unknown = set(anonymization) - {"quasi_identifiers", "personal_info_items", "method"}
    if unknown:
        raise InvalidInput(
            f"Unknown anonymization fields: {', '.join(sorted(unknown))}.",
            errors={f"anonymization.{name}": ["unknown field"] for name in sorted(unknown)},
        )
    method = anonymization.get("method")
    if not isinstance(method, str) or not method.strip() or len(method) > 2000:
        raise InvalidInput(
            "anonymization.method describes how the data was anonymised (at most 2000 characters).",
            errors={"anonymization.method": ["required"]},
        )
    return {
        "quasi_identifiers": _string_list(anonymization.get("quasi_identifiers"), "quasi_identifiers"),
        "personal_info_items": _string_list(anonymization.get("personal_info_items"), "personal_info_items"),
        "method": method.strip(),
    }


def check_data_class(data_class: str) -> None:
    if data_class == "personal":
        raise RuleViolation(
            PERSONAL_DATA_REFUSAL,
            errors={"data_class": ["personal data is refused"]},
            code="personal-data-refused",
        )
    if data_class not in DataClass.values:
        raise InvalidInput(
            f"data_class must be one of: {', '.join(DataClass.values)}.",
            errors={"data_class": ["invalid choice"]},
        )


def _check_choice(value: str, choices: list[str], field: str) -> None:
    if value not in choices:
        raise InvalidInput(f"{field} must be one of: {', '.join(choices)}.", errors={field: ["invalid choice"]})


def _set_tags(dataset: Dataset, names: list[str]) -> None:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    dataset.tags.set([existing[name] for name in names])


def _refresh_search_text(dataset: Dataset, tag_names: list[str]) -> None:
    """The dataset's search tokens, and their English words added to the vocabulary typos are corrected against. The
    seller's name is among the tokens, so a buyer finds a seller's datasets by its name (weighed as the description
    is: ``search_text`` only)."""
    dataset.search_text = search.document_tokens(
        dataset.title, dataset.description, " ".join(tag_names), dataset.region, dataset.seller.name
    )
    dataset.search_title = search.title_tokens(dataset.title)
    dataset.search_tags = search.tag_tokens(tag_names, dataset.region)
    words = search.vocabulary_words(dataset.search_text)
    if words:
        SearchWord.objects.bulk_create([SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True)


def _owned(dataset: Dataset, seller_id: uuid.UUID) -> None:
    if dataset.seller_id != seller_id:
        raise Forbidden("Only the seller who owns this dataset may change it.")


def event_record(
    *,
    dataset: Dataset,
    to_status: str,
    from_status: str = "",
    version: Any = None,
    actor_organization_id: uuid.UUID | None = None,
    actor_user_id: int | None = None,
    reason: str = "",
    payload: Mapping[str, Any] | None = None,
) -> CatalogEvent:
    return CatalogEvent.objects.create(
        dataset=dataset,
        version=version,
        from_status=from_status,
        to_status=to_status,
        actor_organization_id=actor_organization_id,
        actor_user_id=actor_user_id,
        reason=reason,
        payload=dict(payload or {}),
    )


@transaction.atomic
def dataset_create(
    *,
    seller_id: uuid.UUID,
    actor_user_id: int | None = None,
    title: str,
    description: str = "",
    data_class: str,
    category: str = Category.OTHER,
    tags: Iterable[str] = (),
    region: str = "",
    update_frequency: str = UpdateFrequency.ONCE,
    anonymization: Mapping[str, Any] | None = None,
) -> Dataset:
    check_data_class(data_class)
    _check_choice(category, Category.values, "category")
    _check_choice(update_frequency, UpdateFrequency.values, "update_frequency")
    if not title.strip():
        raise InvalidInput("A dataset needs a title.", errors={"title": ["required"]})
    tag_names = _clean_tags(tags)
    dataset = Dataset(
        seller_id=seller_id,
        title=title.strip(),
        description=description.strip(),
        data_class=data_class,
        category=category,
        region=region.strip(),
        update_frequency=update_frequency,
        anonymization=clean_anonymization(data_class, anonymization),
    )
    _refresh_search_text(dataset, tag_names)
    dataset.save()
    _set_tags(dataset, tag_names)
    event_record(
        dataset=dataset,
        to_status=dataset.status,
        actor_organization_id=seller_id,
        actor_user_id=actor_user_id,
        reason="created",
    )
    return dataset


@transaction.atomic
def dataset_update(
    *,
    dataset_id: uuid.UUID,
    seller_id: uuid.UUID,
    actor_user_id: int | None = None,
    changes: Mapping[str, Any],
) -> Dataset:
    """Edit metadata. The APPI disclosure is fixed once a version is published: buyers relied on it."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
    _owned(dataset, seller_id)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"These fields cannot be changed: {', '.join(sorted(unknown))}.",
            errors={name: ["read-only"] for name in sorted(unknown)},
        )
    if "title" in changes:
        if not str(changes["title"]).strip():
            raise InvalidInput("A dataset needs a title.", errors={"title": ["required"]})
        dataset.title = str(changes["title"]).strip()
    if "description" in changes:
        dataset.description = str(changes["description"]).strip()
    if "region" in changes:
        dataset.region = str(changes["region"]).strip()
    if "category" in changes:
        _check_choice(changes["category"], Category.values, "category")
        dataset.category = changes["category"]
    if "update_frequency" in changes:
        _check_choice(changes["update_frequency"], UpdateFrequency.values, "update_frequency")
        dataset.update_frequency = changes["update_frequency"]
    if "anonymization" in changes:
        if dataset.versions.filter(status="published").exists():
            raise Conflict(
                "The anonymisation disclosure cannot change once a version is published; buyers relied on it. "
                "Create a new dataset for data processed differently.",
                errors={"anonymization": ["fixed after publication"]},
            )
        dataset.anonymization = clean_anonymization(dataset.data_class, changes["anonymization"])
    tag_names = _clean_tags(changes["tags"]) if "tags" in changes else list(dataset.tags.values_list("name", flat=True))
    if "tags" in changes:
        _set_tags(dataset, tag_names)
    _refresh_search_text(dataset, tag_names)
    dataset.save()
    event_record(
        dataset=dataset,
        from_status=dataset.status,
        to_status=dataset.status,
        actor_organization_id=seller_id,
        actor_user_id=actor_user_id,
        reason="metadata changed",
        payload={"fields": sorted(changes)},
    )
    return dataset


@transaction.atomic
def dataset_withdraw(
    *, dataset_id: uuid.UUID, seller_id: uuid.UUID, actor_user_id: int | None = None, reason: str = ""
) -> Dataset:
    """Take a dataset off the market. Licences already concluded are untouched (market rules)."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
    _owned(dataset, seller_id)
    states.dataset_check(dataset.status, Dataset.Status.WITHDRAWN)
    previous, dataset.status = dataset.status, Dataset.Status.WITHDRAWN
    dataset.save(update_fields=["status", "updated_at"])
    event_record(
        dataset=dataset,
        from_status=previous,
        to_status=dataset.status,
        actor_organization_id=seller_id,
        actor_user_id=actor_user_id,
        reason=reason[:200] or "withdrawn by the seller",
    )
    return dataset


@transaction.atomic
def dataset_relist(*, dataset_id: uuid.UUID, seller_id: uuid.UUID, actor_user_id: int | None = None) -> Dataset:
    dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
    _owned(dataset, seller_id)
    if dataset.taken_down_at is not None:
        raise Conflict("The market's operator took this dataset down; it cannot be listed again.")
    states.dataset_check(dataset.status, Dataset.Status.PUBLISHED)
    if not dataset.versions.filter(status="published").exists():
        raise Conflict("A dataset is listed again only once it has a published version.")
    previous, dataset.status = dataset.status, Dataset.Status.PUBLISHED
    dataset.save(update_fields=["status", "updated_at"])
    event_record(
        dataset=dataset,
        from_status=previous,
        to_status=dataset.status,
        actor_organization_id=seller_id,
        actor_user_id=actor_user_id,
        reason="listed again by the seller",
    )
    return dataset


def takedown_clean(*, category: str, reason: str) -> tuple[str, str]:
    """A take-down's category and reason, checked: one of ``TakedownCategory`` and one readable line the seller and
    the buyers are shown (at most ``TAKEDOWN_REASON_MAX`` characters). Used for datasets and offerings alike."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if category not in TakedownCategory.values:
        errors["category"] = [f"One of: {', '.join(TakedownCategory.values)}."]
    refusal = text_refusal(reason)
    if not reason or refusal is not None:
        errors["reason"] = [str(refusal) if refusal else "This field is required."]
    elif len(reason) > TAKEDOWN_REASON_MAX:
        errors["reason"] = [f"Ensure this field has no more than {TAKEDOWN_REASON_MAX} characters."]
    if errors:
        raise InvalidInput(
            "A take-down needs a category and a reason the seller and the buyers can read.", errors=errors
        )
    return category, reason


@transaction.atomic
def dataset_take_down(*, dataset_id: uuid.UUID, category: str, reason: str, actor: str) -> tuple[Dataset, bool]:
    """The market's operator takes a dataset down: it is withdrawn (off the catalog, search and the DCAT and DSP
    catalogs, which list published datasets only) and can never be listed again by its seller. Returns the dataset
    and whether this call took it down; a dataset already taken down keeps its first category and reason
    (idempotent). Its offerings are the marketplace's (``offering_take_down``), its buyers' access settlement's: the
    caller (oversight.services.takedowns) takes them down in the order of their locks."""
    category, reason = takedown_clean(category=category, reason=reason)
    dataset = Dataset.objects.select_for_update().filter(pk=dataset_id).first()
    if dataset is None:
        raise InvalidInput("No such dataset.", errors={"dataset": ["not found"]})
    if dataset.taken_down_at is not None:
        return dataset, False
    previous = dataset.status
    if previous != Dataset.Status.WITHDRAWN:
        states.dataset_check(previous, Dataset.Status.WITHDRAWN)
        dataset.status = Dataset.Status.WITHDRAWN
    dataset.taken_down_at = timezone.now()
    dataset.takedown_category, dataset.takedown_reason = category, reason
    dataset.save(update_fields=["status", "taken_down_at", "takedown_category", "takedown_reason", "updated_at"])
    event_record(
        dataset=dataset,
        from_status=previous,
        to_status=dataset.status,
        reason=f"taken down by the market's operator ({category})"[:200],
        payload={"takedown_category": category, "takedown_reason": reason, "actor": actor[:150]},
    )
    return dataset, True


def dataset_mark_published(*, dataset: Dataset) -> None:
    """A draft becomes published with its first published version (called under the dataset lock)."""
    if dataset.status != Dataset.Status.DRAFT:
        return
    states.dataset_check(dataset.status, Dataset.Status.PUBLISHED)
    dataset.status = Dataset.Status.PUBLISHED
    dataset.published_at = timezone.now()
    dataset.save(update_fields=["status", "published_at", "updated_at"])
    event_record(dataset=dataset, from_status="draft", to_status=dataset.status, reason="first version published")


@transaction.atomic
def datasets_reindex_seller(*, seller_id: uuid.UUID) -> int:
    """Recompute the search tokens of every dataset of a seller whose name changed (they hold its name); returns how
    many. Locks the datasets in id order, as a dataset's own edit locks it."""
    datasets = list(
        Dataset.objects.select_for_update(of=("self",))
        .select_related("seller")
        .filter(seller_id=seller_id)
        .order_by("id")
        .prefetch_related("tags")
    )
    for dataset in datasets:
        _refresh_search_text(dataset, [tag.name for tag in dataset.tags.all()])
    Dataset.objects.bulk_update(datasets, ["search_text", "search_title", "search_tags"], batch_size=500)
    return len(datasets)
