"""Live streams: the MQTT clients the market keeps on the broker, and the messages it counted on each feed.

The rows are the truth; the broker (Mosquitto's dynamic-security plugin) is made to match them by
``streams/services/clients.py``, and a sweeper re-applies them after a lost command or a broker that lost its state.
No password is stored: the broker keeps its salted hash, the holder the password it was shown once.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class StreamClient(models.Model):
    """One client on the broker: a dataset's publisher (held by its seller, one per dataset) or a subscription's
    reader (held by its buyer, one per subscription). Its username derives from the dataset's or the subscription's
    id, and the broker binds it to a client id of the same name."""

    class Role(models.TextChoices):
        PUBLISHER = "publisher", _("Publisher")
        SUBSCRIBER = "subscriber", _("Subscriber")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(max_length=80, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="stream_clients")
    # Who holds the credentials: the dataset's seller, or the subscription's buyer.
    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.PROTECT, related_name="stream_clients"
    )
    # A subscriber's subscription (settlement's); none for a publisher.
    subscription = models.OneToOneField(
        "settlement.Subscription", null=True, blank=True, on_delete=models.PROTECT, related_name="stream_client"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Bumped by every change the broker must learn (a status, a new password); the broker is known to match the
    # row when applied_generation has caught up (services/clients.py::stream_client_apply).
    generation = models.PositiveBigIntegerField(default=1)
    applied_generation = models.PositiveBigIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)
    # When a password was last handed out (none yet: the client need not exist on the broker).
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(role="publisher"), name="stream_one_publisher_per_dataset"
            ),
            models.CheckConstraint(
                condition=Q(role="publisher", subscription_id__isnull=True, status="active")
                | Q(role="subscriber", subscription_id__isnull=False),
                name="stream_client_role_shape",
            ),
            models.CheckConstraint(
                condition=Q(applied_generation__lte=F("generation")), name="stream_client_applied_not_ahead"
            ),
        ]

    def __str__(self) -> str:
        return self.username


class StreamClientEvent(models.Model):
    """Append-only: every change of a client's status, and every password handed out."""

    client = models.ForeignKey(StreamClient, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.client_id} {self.from_status}→{self.to_status}"


class StreamMessageCount(models.Model):
    """Messages the market's counter received on one dataset's feed in one minute (``minute``: its start, UTC).

    The counter adds to these rows once a second (``F()`` increments), so a restart loses at most its unflushed
    second, and a period's count is the sum of the minutes that start within it."""

    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.PROTECT, related_name="+")
    minute = models.DateTimeField()
    messages = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "minute"], name="stream_count_one_row_per_minute"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.minute:%Y-%m-%dT%H:%M} {self.messages}"
