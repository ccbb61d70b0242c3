"""The Dataspace Protocol's processes on the provider side (docs/dataspace.md, "Dataspace Protocol"): contract
negotiations, transfer processes, and the messages Ichiba sends to the consumers' connectors (``Callback``, an
outbox delivered by Celery with retries).

A process is identified by the pair of ids each side chose: ``providerPid`` is ``urn:uuid:<id>`` of the row here,
``consumerPid`` the consumer's own (unique per consumer organisation, so a repeated request is recognised). The
states are the protocol's; every change is recorded as an event, with who caused it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Dataset
from contracts.models import Contract
from deals.models import PrivateOffer
from marketplace.models import Offering, Organization, Trade
from settlement.models import DownloadToken, Entitlement

PID_PREFIX = "urn:uuid:"


class Party(models.TextChoices):
    """Who caused a change: the consumer's connector (a message it sent), the provider (Ichiba's own decision, on
    the seller's behalf or by a rule of the market), or the system (a callback that could not be delivered)."""

    CONSUMER = "consumer", _("Consumer")
    PROVIDER = "provider", _("Provider")
    SYSTEM = "system", _("System")


class Negotiation(models.Model):
    """A contract negotiation for one offer of the DSP catalog (an open order-book offering).

    A request at the offer's price is a fill-or-kill buy of one seat: filled, the concluded METI contract is the
    agreement (``contract``) and the negotiation is AGREED; not filled, TERMINATED with a code. A request with
    other terms or another price is a counter-offer: it becomes a private offer to the seller (``private_offer``)
    and the negotiation waits in REQUESTED for the seller's answer."""

    class State(models.TextChoices):
        REQUESTED = "REQUESTED", _("Requested")
        OFFERED = "OFFERED", _("Offered")
        ACCEPTED = "ACCEPTED", _("Accepted")
        AGREED = "AGREED", _("Agreed")
        VERIFIED = "VERIFIED", _("Verified")
        FINALIZED = "FINALIZED", _("Finalized")
        TERMINATED = "TERMINATED", _("Terminated")

    TERMINAL = (State.FINALIZED, State.TERMINATED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consumer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dsp_negotiations")
    consumer_pid = models.CharField(_("consumer's process id"), max_length=300)
    callback_address = models.CharField(_("callback address"), max_length=500)
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="dsp_negotiations")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="dsp_negotiations")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REQUESTED)
    # The latest offer of the negotiation as the message carried it (DSP terms), and who made it: the consumer's
    # own offer may not be accepted by the consumer (the protocol's ACCEPTED needs the provider's).
    offer = models.JSONField(default=dict)
    offer_by = models.CharField(max_length=16, choices=Party.choices, default=Party.CONSUMER)
    # The price the latest offer states, in minor units of ``currency`` (None: it states none).
    price = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    private_offer = models.OneToOneField(
        PrivateOffer, on_delete=models.PROTECT, null=True, blank=True, related_name="dsp_negotiation"
    )
    trade = models.OneToOneField(Trade, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="dsp_negotiation"
    )
    termination_code = models.CharField(max_length=64, blank=True)
    termination_reason = models.CharField(max_length=500, blank=True)
    created_by_api_key_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["consumer", "-created_at"], name="dsp_negotiation_consumer_idx")]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "consumer_pid"], name="dsp_negotiation_consumer_pid_unique"),
            models.CheckConstraint(
                condition=Q(contract__isnull=True) | Q(state__in=["AGREED", "VERIFIED", "FINALIZED", "TERMINATED"]),
                name="dsp_negotiation_agreed_has_contract_only",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["AGREED", "VERIFIED", "FINALIZED"]) | Q(contract__isnull=False),
                name="dsp_negotiation_agreement_is_a_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_pid} ({self.state})"

    @property
    def provider_pid(self) -> str:
        return f"{PID_PREFIX}{self.id}"


class ProcessEvent(models.Model):
    """One change of a process's state (or a message that changed none, such as a repeated request): from, to, who
    caused it, by which message, why. Append-only."""

    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    by = models.CharField(max_length=16, choices=Party.choices)
    message_type = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state}→{self.to_state}"


class NegotiationEvent(ProcessEvent):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        pass


class Transfer(models.Model):
    """A transfer process under a finalized negotiation's agreement: the consumer pulls the contracted version
    (``HttpData-PULL``) from the data address Ichiba sends it, with a short-lived download token
    (``download_token``, the one the latest TransferStartMessage carried)."""

    class State(models.TextChoices):
        REQUESTED = "REQUESTED", _("Requested")
        STARTED = "STARTED", _("Started")
        SUSPENDED = "SUSPENDED", _("Suspended")
        COMPLETED = "COMPLETED", _("Completed")
        TERMINATED = "TERMINATED", _("Terminated")

    TERMINAL = (State.COMPLETED, State.TERMINATED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consumer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dsp_transfers")
    consumer_pid = models.CharField(_("consumer's process id"), max_length=300)
    callback_address = models.CharField(_("callback address"), max_length=500)
    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="transfers")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="dsp_transfers")
    format = models.CharField(max_length=64)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REQUESTED)
    download_token = models.ForeignKey(
        DownloadToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="dsp_transfers"
    )
    termination_code = models.CharField(max_length=64, blank=True)
    termination_reason = models.CharField(max_length=500, blank=True)
    created_by_api_key_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["consumer", "-created_at"], name="dsp_transfer_consumer_idx")]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "consumer_pid"], name="dsp_transfer_consumer_pid_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_pid} ({self.state})"

    @property
    def provider_pid(self) -> str:
        return f"{PID_PREFIX}{self.id}"


class TransferEvent(ProcessEvent):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        pass


class Callback(models.Model):
    """A message to a consumer's connector, posted to ``url`` (below the process's callback address) after the
    transaction that decided it commits, by a Celery task, retried with backoff (dataspace.services.callbacks).

    The messages of one process go out in the order they were decided: a callback is attempted only when every
    earlier one of its process has been delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, null=True, blank=True, related_name="callbacks"
    )
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, null=True, blank=True, related_name="callbacks")
    url = models.CharField(max_length=800)
    message_type = models.CharField(max_length=64)
    message = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    in_flight_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The id of the request (or task) that decided the message (config/request_id.py): logged with every attempt,
    # however much later the sweeper sends it, and sent to the connector as X-Request-Id.
    request_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="dsp_callback_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(negotiation__isnull=False, transfer__isnull=True)
                | Q(negotiation__isnull=True, transfer__isnull=False),
                name="dsp_callback_one_process",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} → {self.url} ({self.status})"
