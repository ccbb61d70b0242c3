"""Transfer processes of the Dataspace Protocol, provider side (docs/dataspace.md, "Transfer process").

A consumer whose negotiation is FINALIZED (its contract concluded, its payment authorised, its entitlement active)
asks for a transfer under the agreement; Ichiba answers with the process and sends a ``TransferStartMessage`` whose
data address is the market's download endpoint with a fresh short-lived download token. The consumer then downloads
as any buyer does (Range, checksums; the first complete download captures the payment).

Invariants:

- Every state change is checked against ``dataspace.states.TRANSFER`` and recorded as a ``TransferEvent``, under
  the transfer's row lock; the message telling the consumer (if Ichiba decided it) is queued in the same
  transaction (``callbacks.callback_queue``).
- At most one download token of a transfer works: the one the latest ``TransferStartMessage`` carried
  (``Transfer.download_token``). A new one withdraws the previous; suspension, completion and termination withdraw
  it, so the data address stops working at once (a seller-hosted offering's JWT excepted: it is verified offline
  and lives out its 15 minutes).
- A transfer is never STARTED under an entitlement that is not active: the request locks the entitlement, and the
  end of an entitlement (``settlement.hooks.on_entitlement_ended``, under the same lock) terminates its transfers.
  Lock order: the entitlement, then its transfers (a change that mints a token takes both in that order).
- A message that cannot be delivered terminates the process (``consumer-unreachable``), without another message.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from config.api.principal import Principal
from config.errors import DomainError
from dataspace.dsp import transfers as messages
from dataspace.models import Callback, Negotiation, Party, Transfer, TransferEvent
from dataspace.services import callbacks
from dataspace.states import transfer_check
from marketplace.models import Organization
from marketplace.services.participants import principal_for
from settlement import hooks
from settlement.models import Entitlement
from settlement.services.delivery import token_issue, token_withdraw


def _event(transfer: Transfer, *, from_state: str, by: str, message_type: str = "", reason: str = "") -> None:
    TransferEvent.objects.create(
        transfer=transfer,
        from_state=from_state,
        to_state=transfer.state,
        by=by,
        message_type=message_type,
        reason=reason[:500],
    )


def _move(transfer: Transfer, target: str, *, by: str, message_type: str = "", reason: str = "") -> None:
    """Change the locked ``transfer``'s state (InvalidTransition when the table forbids it) and record it."""
    transfer_check(transfer.state, target)
    previous = transfer.state
    transfer.state = target
    transfer.save(update_fields=["state", "updated_at"])
    _event(transfer, from_state=previous, by=by, message_type=message_type, reason=reason)


def _withdraw_token(transfer: Transfer) -> None:
    if transfer.download_token_id is not None:
        token_withdraw(token_id=transfer.download_token_id)


def _send_start(transfer: Transfer, *, principal: Principal, origin: str) -> None:
    """Mint a fresh token for the locked, STARTED ``transfer`` (the previous one stops working) and queue the
    ``TransferStartMessage`` carrying it. ``origin``: the market's public origin, for the download endpoint."""
    _withdraw_token(transfer)
    try:
        issued = token_issue(principal=principal, entitlement_id=transfer.entitlement_id)
    except DomainError as error:  # the entitlement ended between the check and now: nothing is sent
        raise messages.transfer_error(400, "entitlement-not-active", error.detail, transfer=transfer) from error
    transfer.download_token_id = issued.id
    transfer.save(update_fields=["download_token", "updated_at"])
    endpoint = issued.delivery_url or f"{origin}{reverse('download-bearer')}"
    callbacks.callback_queue(
        transfer=transfer,
        path=_callback_path(transfer, "start"),
        message=messages.start_message(transfer, endpoint=endpoint, token=issued.token),
    )


def _callback_path(transfer: Transfer, step: str) -> str:
    return callbacks.callback_path("transfers", transfer.consumer_pid, step)


def _locked(transfer_id: uuid.UUID, *, entitlement_first: bool = False) -> Transfer:
    """The transfer, row-locked. ``entitlement_first``: its entitlement locked before it, for a change that mints a
    token (whose row references the entitlement): the end of an entitlement locks the entitlement, then its
    transfers, and the same order here keeps the two from deadlocking."""
    if entitlement_first:
        entitlement_id = Transfer.objects.filter(pk=transfer_id).values_list("entitlement_id", flat=True).get()
        list(Entitlement.objects.select_for_update().filter(pk=entitlement_id).values_list("pk", flat=True))
    return Transfer.objects.select_for_update().get(pk=transfer_id)


def _repeat(
    transfer: Transfer, *, negotiation: Negotiation, format: str, principal: Principal, origin: str
) -> Transfer:
    """A ``TransferRequestMessage`` repeated with a ``consumerPid`` already used: the same request answers the
    existing process (and, STARTED, sends a start message with a fresh data address); another one is refused."""
    if transfer.negotiation_id != negotiation.id or transfer.format != format:
        raise messages.transfer_error(
            400,
            "consumer-pid-in-use",
            "This consumerPid names a transfer process for another agreement or format: choose a new one.",
            transfer=transfer,
        )
    transfer = _locked(transfer.id, entitlement_first=True)
    if transfer.state == Transfer.State.STARTED:
        _send_start(transfer, principal=principal, origin=origin)
        _event(
            transfer,
            from_state=transfer.state,
            by=Party.CONSUMER,
            message_type="TransferRequestMessage",
            reason="repeated request: the data address sent again with a fresh token",
        )
    return transfer


@transaction.atomic
def transfer_request(
    *,
    principal: Principal,
    consumer_pid: str,
    agreement_id: str,
    format: str,
    callback_address: str,
    push_address: bool,
    origin: str,
) -> tuple[Transfer, bool]:
    """A consumer's ``TransferRequestMessage`` (its ``callback_address`` already through the outbound guard): the
    transfer, REQUESTED then STARTED with the start message queued, and whether it is new (False: the consumer
    repeated a request, answered with the existing process)."""
    if format != messages.FORMAT_PULL:
        raise messages.transfer_error(
            400,
            "unsupported-format",
            f"Ichiba serves {messages.FORMAT_PULL} only (the catalog's distributions); {format!r} is not served.",
            consumer_pid=consumer_pid,
        )
    if push_address:
        raise messages.transfer_error(
            400,
            "unexpected-data-address",
            f"{messages.FORMAT_PULL} is a pull: Ichiba sends the data address, the request carries none.",
            consumer_pid=consumer_pid,
        )
    contract_id = messages.contract_of(agreement_id)
    negotiation = (
        None
        if contract_id is None
        else Negotiation.objects.filter(contract_id=contract_id, consumer_id=principal.organization_id).first()
    )
    if negotiation is None or contract_id is None:
        raise messages.transfer_error(
            404, "agreement-not-found", "No such agreement of yours.", consumer_pid=consumer_pid
        )
    existing = Transfer.objects.filter(consumer_id=principal.organization_id, consumer_pid=consumer_pid).first()
    if existing is not None:
        return _repeat(existing, negotiation=negotiation, format=format, principal=principal, origin=origin), False
    if negotiation.state != Negotiation.State.FINALIZED:
        raise messages.transfer_error(
            400,
            "agreement-not-finalized",
            f"The agreement's negotiation is {negotiation.state}: a transfer needs it FINALIZED.",
            consumer_pid=consumer_pid,
        )
    # Locked: its end (settlement.hooks.on_entitlement_ended, under this lock) then sees this transfer.
    entitlement = Entitlement.objects.select_for_update().filter(contract_id=contract_id).first()
    now = timezone.now()
    if (
        entitlement is None
        or entitlement.status != Entitlement.Status.ACTIVE
        or not entitlement.valid_from <= now < entitlement.valid_until
    ):
        state = entitlement.status if entitlement is not None else "not granted"
        raise messages.transfer_error(
            400,
            "entitlement-not-active",
            f"The agreement's entitlement is {state} or outside its term: the data can no longer be transferred.",
            consumer_pid=consumer_pid,
        )
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                consumer_id=principal.organization_id,
                consumer_pid=consumer_pid,
                callback_address=callback_address,
                negotiation=negotiation,
                entitlement=entitlement,
                format=format,
                state=Transfer.State.REQUESTED,
                created_by_api_key_id=principal.api_key_id,
            )
    except IntegrityError:
        # The same consumerPid by a request running alongside: answer that one's process.
        existing = Transfer.objects.get(consumer_id=principal.organization_id, consumer_pid=consumer_pid)
        return _repeat(existing, negotiation=negotiation, format=format, principal=principal, origin=origin), False
    _event(transfer, from_state="", by=Party.CONSUMER, message_type="TransferRequestMessage")
    _move(transfer, Transfer.State.STARTED, by=Party.PROVIDER, message_type="TransferStartMessage")
    _send_start(transfer, principal=principal, origin=origin)
    return transfer, True


@transaction.atomic
def transfer_start(*, transfer_id: uuid.UUID, by: str, origin: str, principal: Principal | None = None) -> Transfer:
    """Resume a SUSPENDED transfer (the consumer's ``TransferStartMessage``, or the provider's decision): STARTED,
    and a ``TransferStartMessage`` with a fresh data address sent to the consumer."""
    transfer = _locked(transfer_id, entitlement_first=True)
    _move(transfer, Transfer.State.STARTED, by=by, message_type="TransferStartMessage")
    consumer = principal or principal_for(Organization.objects.get(pk=transfer.consumer_id))
    _send_start(transfer, principal=consumer, origin=origin)
    return transfer


@transaction.atomic
def transfer_suspend(*, transfer_id: uuid.UUID, by: str, code: str = "", reason: str = "") -> Transfer:
    """SUSPENDED, by the consumer (its message) or the provider (then the consumer is told): the data address stops
    working at once; a start (``transfer_start``) sends a fresh one."""
    transfer = _locked(transfer_id)
    _move(transfer, Transfer.State.SUSPENDED, by=by, message_type="TransferSuspensionMessage", reason=reason or code)
    _withdraw_token(transfer)
    if by == Party.PROVIDER:
        callbacks.callback_queue(
            transfer=transfer,
            path=_callback_path(transfer, "suspension"),
            message=messages.coded_message("TransferSuspensionMessage", transfer, code=code, reason=reason),
        )
    return transfer


@transaction.atomic
def transfer_complete(*, transfer_id: uuid.UUID, by: str) -> Transfer:
    """COMPLETED (the consumer's ``TransferCompletionMessage``): the data address stops working. The payment is
    captured by the first complete download, or when the acceptance window passes, not by this message."""
    transfer = _locked(transfer_id)
    _move(transfer, Transfer.State.COMPLETED, by=by, message_type="TransferCompletionMessage")
    _withdraw_token(transfer)
    if by == Party.PROVIDER:
        callbacks.callback_queue(
            transfer=transfer,
            path=_callback_path(transfer, "completion"),
            message=messages.coded_message("TransferCompletionMessage", transfer, code="", reason=""),
        )
    return transfer


def _terminate(transfer: Transfer, *, by: str, code: str, reason: str, tell: bool) -> None:
    _move(transfer, Transfer.State.TERMINATED, by=by, message_type="TransferTerminationMessage", reason=reason or code)
    transfer.termination_code = code[:64]
    transfer.termination_reason = reason[:500]
    transfer.save(update_fields=["termination_code", "termination_reason", "updated_at"])
    _withdraw_token(transfer)
    if tell:
        callbacks.callback_queue(
            transfer=transfer,
            path=_callback_path(transfer, "termination"),
            message=messages.coded_message("TransferTerminationMessage", transfer, code=code, reason=reason),
        )


@transaction.atomic
def transfer_terminate(*, transfer_id: uuid.UUID, by: str, code: str = "", reason: str = "") -> Transfer:
    """TERMINATED, by the consumer (its message) or the provider (then the consumer is told): final, and the data
    address stops working."""
    transfer = _locked(transfer_id)
    _terminate(transfer, by=by, code=code, reason=reason, tell=by == Party.PROVIDER)
    return transfer


def transfers_on_entitlement_ended(event: hooks.EntitlementEnded) -> None:
    """An entitlement was revoked or expired (in that transaction, under its lock): every open transfer under it is
    TERMINATED and its consumer told."""
    code = "entitlement-expired" if event.status == Entitlement.Status.EXPIRED else "entitlement-revoked"
    reason = (
        "The agreement's term has ended: the data is no longer available."
        if code == "entitlement-expired"
        else "The entitlement was revoked: the data is no longer available."
    )
    open_ones = (
        Transfer.objects.select_for_update()
        .filter(entitlement_id=event.entitlement_id)
        .exclude(state__in=Transfer.TERMINAL)
        .order_by("created_at", "id")
    )
    for transfer in open_ones:
        _terminate(transfer, by=Party.PROVIDER, code=code, reason=reason, tell=True)


def transfer_on_given_up(callback: Callback) -> None:
    """A message to the consumer was given up (in the callbacks service's transaction): the consumer cannot be
    reached, the process is TERMINATED, unless the consumer has moved it on since the message was decided (a
    suspension, a completion: its connector evidently works). No termination message follows: it would go to the same
    dead address."""
    if callback.transfer_id is None:
        return
    transfer = _locked(callback.transfer_id)
    if transfer.state in Transfer.TERMINAL:
        return
    moved_on = (
        TransferEvent.objects.filter(transfer=transfer, by=Party.CONSUMER, created_at__gte=callback.created_at)
        .exclude(from_state=models.F("to_state"))
        .exists()
    )
    if moved_on:  # the consumer moved the process since: its connector is there (ADR 13)
        return
    _terminate(
        transfer,
        by=Party.SYSTEM,
        code="consumer-unreachable",
        reason=f"The {callback.message_type} could not be delivered to the callback address.",
        tell=False,
    )
