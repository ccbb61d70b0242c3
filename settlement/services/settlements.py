"""The settlement pipeline: every trade ends paid-and-delivered, or unpaid with its seat back on the book.

    trade (hook, same transaction) → pending ─authorise─► authorized ─capture─► captured ─refund─► refunded
                                          └─declined─► failed        └─void─► voided

Provider calls happen outside any database transaction (the provider is an external system whose effect
survives our rollback or a killed worker) and carry an idempotency key derived from the settlement id, so a
repeated call returns the first outcome instead of charging again. The outcome is then applied under the
settlement's row lock by ``settlement_apply_provider_state``, which is idempotent: the same provider state
applied twice (a retried task, a replayed webhook, reconciliation) changes nothing the second time.
Tasks are enqueued after commit; ``settlements_sweep`` re-drives anything a lost message left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from redis.exceptions import RedisError

from config import metrics
from config.errors import Conflict, InvalidInput, NotFound, RuleViolation
from config.logging import log_after_commit
from config.market import market_settings
from config.request_id import request_id_bound, request_id_get
from config.text import text_refusal
from contracts.models import Contract
from contracts.services.contracts import contract_transition
from marketplace import hooks
from marketplace.models import Offering, Trade
from marketplace.services.trades import trade_void
from marketplace.tax import consumption_tax, fee_tax
from settlement import hooks as settlement_hooks
from settlement import states, tasks
from settlement.models import (
    Entitlement,
    PaymentMethod,
    Settlement,
    SettlementEvent,
    Subscription,
    SubscriptionPeriod,
    WebhookEndpoint,
)
from settlement.providers import PaymentResult, ProviderUnavailable, provider_get
from settlement.services import ledger, subscriptions
from settlement.services.entitlements import entitlement_grant, entitlement_revoke
from settlement.services.webhooks import (
    webhook_listeners,
    webhook_listeners_learned,
    webhook_listeners_memo,
    webhook_publish,
)

logger = logging.getLogger(__name__)

BACKOFF_CAP_SECONDS = 600
# How long a version whose file was hashed and matched counts as verified before a capture (same size
# and modification time required).
VERIFIED_FOR_SECONDS = 6 * 3600


def platform_fee(*, amount: int, rate: Decimal) -> int:
    """The market's fee on an amount: rounded down, so it never exceeds the published rate."""
    return int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_DOWN))


def published_fee_rate() -> Decimal:
    return market_settings().platform_fee_rate


def idempotency_key(settlement_id: uuid.UUID, step: str) -> str:
    return f"ichiba-settlement-{settlement_id}-{step}"


def backoff_seconds(attempts: int) -> float:
    """Delay before retry #attempts of a transient provider failure: base, 2×base, 4×base ... (capped)."""
    first = market_settings().provider_retry_base.total_seconds()
    base: float = min(BACKOFF_CAP_SECONDS, first * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


def _after_commit(task: Any, *args: str) -> None:
    """Enqueue a settlement task once the transaction commits. A broker outage is logged, not raised
    (``robust``: kombu raises a zoo of connection errors, and none may undo a committed trade); the rows
    are the truth and the sweeper re-drives them when the broker is back."""
    transaction.on_commit(lambda: task.delay(*args), robust=True)


def _event(
    settlement: Settlement, *, from_status: str, to_status: str, reason: str = "", actor: str = "system"
) -> None:
    SettlementEvent.objects.create(
        settlement=settlement, from_status=from_status, to_status=to_status, reason=reason[:500], actor=actor[:100]
    )


# What a move writes besides the fields it is given (the payment ids may arrive with the move).
_MOVE_FIELDS = ("status", "closed_at", "next_attempt_at", "payment_ref", "payment_method", "updated_at")


def _move(settlement: Settlement, target: str, *, reason: str, actor: str = "system", **fields: Any) -> None:
    """The one place a settlement's status changes (under its row lock, held by the caller)."""
    states.settlement_check(settlement.status, target)
    previous = settlement.status
    settlement.status = target
    for name, value in fields.items():
        setattr(settlement, name, value)
    if target not in states.SETTLEMENT_OPEN:
        settlement.closed_at = settlement.closed_at or timezone.now()
    settlement.next_attempt_at = None
    settlement.save(update_fields=[*_MOVE_FIELDS, *fields])
    _event(settlement, from_status=previous, to_status=target, reason=reason, actor=actor)
    log_after_commit(
        logger,
        f"settlement {settlement.id} {previous} -> {target}: {reason[:200]}",
        event=f"settlement.{target}",
        settlement=str(settlement.id),
        trade=str(settlement.trade_id),
        contract=str(settlement.contract_id),
        period=settlement.period,
        from_status=previous,
        status=target,
        amount=settlement.amount,
        currency=settlement.currency,
        actor=actor,
    )
    metrics.count_after_commit(metrics.SETTLEMENT_TRANSITIONS.labels(target).inc)
    listeners = webhook_listeners(organization_ids=(settlement.buyer_id, settlement.seller_id))
    for organization_id in listeners:
        webhook_publish(
            organization_id=organization_id, event_type="settlement.updated", data=settlement_webhook_data(settlement)
        )


def settlement_webhook_data(settlement: Settlement) -> dict[str, Any]:
    return {
        "id": str(settlement.id),
        "trade": str(settlement.trade_id),
        "contract": str(settlement.contract_id),
        "period": settlement.period,
        "status": settlement.status,
        "amount": settlement.amount,
        "currency": settlement.currency,
        "amount_excl_tax": settlement.amount_excl_tax,
        "tax_treatment": settlement.tax_treatment,
        "tax_rate": str(settlement.tax_rate),
        "tax_amount": settlement.tax_amount,
        "amount_incl_tax": settlement.amount,
        "platform_fee": settlement.platform_fee,
        "platform_fee_tax": settlement.platform_fee_tax,
        "seller_proceeds": settlement.seller_proceeds,
        "failure_code": settlement.failure_code,
        "refund_reason": settlement.refund_reason,
    }


# --- opening: the trade hook ---------------------------------------------------------------------------------


def settlement_open(event: hooks.TradeExecuted) -> list[models.Model]:
    """The settlement of a trade and its first event, unsaved: the trade hook's subscriber hands them back and
    the matching transaction inserts them with the trade (``hooks.on_trade_executed``). Its authorisation is
    enqueued for when that transaction commits. A trade of a subscription offering also opens the subscription,
    with its first period, which this settlement pays (``subscriptions.subscription_rows``)."""
    settlement, opened = _pending(
        trade_id=event.trade_id,
        contract_id=event.contract_id,
        period=1,
        buyer_id=event.buyer_id,
        seller_id=event.seller_id,
        amount_excl_tax=event.amount,
        currency=event.currency,
        tax_treatment=event.tax_treatment,
        reason="trade executed",
    )
    # Its authorisation is enqueued once the trade commits, with the unit of work's others (_trades_committed).
    if event.subscription is None:
        return [settlement, opened]
    return [settlement, opened, *subscriptions.subscription_rows(event, settlement)]


def settlement_period_open(
    *, subscription: Subscription, period: SubscriptionPeriod, trade_id: uuid.UUID, tax_treatment: str
) -> tuple[Settlement, SettlementEvent]:
    """The settlement of a later period of a subscription whose delivery commitment was met, and its first event,
    unsaved (the close pass writes a batch of them at once); its charge is enqueued for when that commits. The fee
    and the tax rate are those in force now, as for a trade; ``tax_treatment``: the trade's (the first period's
    settlement's), the same two parties selling the same contract."""
    settlement, opened = _pending(
        trade_id=trade_id,
        contract_id=subscription.contract_id,
        period=period.number,
        buyer_id=subscription.buyer_id,
        seller_id=subscription.seller_id,
        amount_excl_tax=subscription.amount,
        currency=subscription.currency,
        tax_treatment=tax_treatment,
        reason=f"period {period.number} delivered ({period.versions_delivered} new versions)",
    )
    _after_commit(tasks.settlement_authorize, str(settlement.id))
    return settlement, opened


def _pending(
    *,
    trade_id: uuid.UUID,
    contract_id: uuid.UUID,
    period: int,
    buyer_id: uuid.UUID,
    seller_id: uuid.UUID,
    amount_excl_tax: int,
    currency: str,
    tax_treatment: str,
    reason: str,
) -> tuple[Settlement, SettlementEvent]:
    """A new pending settlement at the fee and tax rates in force now, and its first event, both unsaved. The buyer
    pays the tax-inclusive total; the fee is the rate of the tax-exclusive amount, and the seller receives the total
    less the fee and the fee's own tax (marketplace/tax.py)."""
    market = market_settings()
    rate = published_fee_rate()
    tax = consumption_tax(amount_excl_tax=amount_excl_tax, treatment=tax_treatment, rate=market.consumption_tax_rate)
    fee = platform_fee(amount=amount_excl_tax, rate=rate)
    on_fee = fee_tax(fee=fee, treatment=tax_treatment, rate=market.consumption_tax_rate)
    settlement = Settlement(
        trade_id=trade_id,
        contract_id=contract_id,
        period=period,
        buyer_id=buyer_id,
        seller_id=seller_id,
        amount=tax.amount_incl_tax,
        amount_excl_tax=amount_excl_tax,
        tax_treatment=tax.treatment,
        tax_rate=tax.rate,
        tax_amount=tax.tax_amount,
        currency=currency,
        fee_rate=rate,
        platform_fee=fee,
        platform_fee_tax=on_fee,
        seller_proceeds=tax.amount_incl_tax - fee - on_fee,
        provider=market.payment_provider,
        # The trade's request (or the close pass's task): every later step of this payment logs it.
        request_id=request_id_get(),
    )
    opened = SettlementEvent(settlement=settlement, from_status="", to_status=Settlement.Status.PENDING, reason=reason)
    return settlement, opened


# Stable ids of the trade's announcements: announcing twice (a retried task) sends each event once.
_ANNOUNCEMENTS = uuid.UUID("1f0c6f0e-5b8e-4d0a-9a57-3c1d2b7e9a11")


def _announce_trade(settlement: Settlement) -> None:
    """Tell the parties' webhook endpoints of the trade and its contract. Done by the first settlement step
    rather than inside the matching transaction, which stays short; the sweeper guarantees it runs."""
    listeners = webhook_listeners(organization_ids=(settlement.buyer_id, settlement.seller_id))
    if listeners:
        _announce_to(settlement, listeners)


@transaction.atomic
def _announce_to(settlement: Settlement, listeners: set[uuid.UUID]) -> None:
    trade = Trade.objects.get(pk=settlement.trade_id)
    trade_data = {
        "id": str(trade.id),
        "offering": str(trade.offering_id),
        "price": trade.price,
        "quantity": trade.quantity,
        "amount": settlement.amount,
        "currency": trade.currency,
        "executed_at": trade.executed_at.isoformat(),
        "contract": str(settlement.contract_id),
        "settlement": str(settlement.id),
    }
    contract_data = {"id": str(settlement.contract_id), "trade": str(trade.id), "status": "concluded"}
    for organization_id in listeners:
        for event_type, data in (("trade.executed", trade_data), ("contract.concluded", contract_data)):
            event_id = uuid.uuid5(_ANNOUNCEMENTS, f"{trade.id}:{event_type}")
            webhook_publish(organization_id=organization_id, event_type=event_type, data=data, event_id=event_id)


# --- authorise --------------------------------------------------------------------------------------------------


def settlement_authorize(*, settlement_id: uuid.UUID) -> Settlement:
    """Authorise the buyer's default payment method for the amount (manual capture). Idempotent.

    Raises ``ProviderUnavailable`` on a transient failure, after recording the attempt and when to try again.
    """
    with webhook_listeners_memo():  # the parties are asked about once, not at every event of the step
        return _authorize(settlement_id)


def _listens(party: str) -> Exists:
    return Exists(WebhookEndpoint.objects.filter(organization_id=OuterRef(party), active=True))


def _authorize(settlement_id: uuid.UUID) -> Settlement:
    # The settlement with what its authorisation needs besides, in one query outside any transaction: the buyer's
    # default payment method (at most one, by constraint) and whether either party has an active webhook endpoint.
    default_method = PaymentMethod.objects.filter(organization_id=OuterRef("buyer_id"), is_default=True)
    settlement = (
        Settlement.objects.annotate(
            default_token=Subquery(default_method.order_by("id").values("token")[:1]),
            buyer_listens=_listens("buyer_id"),
            seller_listens=_listens("seller_id"),
        )
        .filter(pk=settlement_id)
        .first()
    )
    if settlement is None:
        raise NotFound("No such settlement.")
    with request_id_bound(settlement.request_id):  # the trade's id, whoever re-drives it (docs/operations.md#logs)
        return _authorize_loaded(settlement)


def _authorize_loaded(settlement: Any) -> Settlement:
    """``settlement``: as ``_authorize`` read it, with its annotations (``default_token``, ``*_listens``)."""
    if settlement.status != Settlement.Status.PENDING:
        return settlement
    token: str | None = settlement.default_token
    webhook_listeners_learned(
        {settlement.buyer_id: settlement.buyer_listens, settlement.seller_id: settlement.seller_listens}
    )
    if settlement.attempts == 0 and settlement.period == 1:  # later attempts announced it already (idempotent)
        _announce_trade(settlement)
    if settlement.period > 1 and _period_given_up(settlement):
        # Declined through the grace period (or the subscription ended unpaid): not tried again.
        result = PaymentResult(
            status="declined",
            failure_code=settlement.failure_code or "unpaid",
            failure_message=settlement.failure_message or "The period was not paid within the grace period.",
        )
        return settlement_apply_provider_state(settlement_id=settlement.id, result=result, source="authorise")
    if token is None:
        result = PaymentResult(
            status="declined",
            failure_code="no_payment_method",
            failure_message="The buyer has no saved payment method.",
        )
        return settlement_apply_provider_state(settlement_id=settlement.id, result=result, source="authorise")
    provider = provider_get(settlement.provider)
    result = _call(
        settlement,
        lambda: provider.authorize(
            amount=settlement.amount,
            currency=settlement.currency,
            payment_method=token,
            customer_ref=str(settlement.buyer_id),
            idempotency_key=idempotency_key(settlement.id, _authorize_step(settlement)),
            description=_description(settlement),
            metadata={"settlement": str(settlement.id), "trade": str(settlement.trade_id)},
        ),
        step="authorise",
    )
    return settlement_apply_provider_state(
        settlement_id=settlement.id, result=result, source="authorise", payment_method=token
    )


def _authorize_step(settlement: Settlement) -> str:
    """The authorisation's step in its idempotency key: a transient failure retries the same authorisation under the
    same key; a declined period charge is tried again as a new one, under a key of its own."""
    return "authorize" if settlement.declines == 0 else f"authorize-{settlement.declines + 1}"


def _description(settlement: Settlement) -> str:
    if settlement.period == 1:
        return f"Ichiba trade {settlement.trade_id}"
    return f"Ichiba subscription, trade {settlement.trade_id}, period {settlement.period}"


def _period_given_up(settlement: Settlement) -> bool:
    """A later period's charge that has been declined through the grace period, or whose subscription ended in a
    way that leaves nothing to charge for: one query, for a declined period charge only."""
    if settlement.declines == 0:
        return False
    subscription = Subscription.objects.filter(contract_id=settlement.contract_id).first()
    return subscription is not None and subscriptions.subscription_grace_over(subscription, now=timezone.now())


# --- capture / void ---------------------------------------------------------------------------------------------


def settlement_capture(*, settlement_id: uuid.UUID, reason: str) -> Settlement:
    """Take the authorised money, once the data reached the buyer or the acceptance window passed.

    If the data cannot be delivered (the stored file is missing or no longer matches its checksum), the
    authorisation is voided instead: the buyer is never charged for data it cannot get.
    """
    settlement = _get(settlement_id)
    if settlement.status != Settlement.Status.AUTHORIZED:
        return settlement
    if settlement.release_requested_at is not None:  # the buyer gave it up: never captured
        return _void(settlement, problem=f"released: {settlement.release_reason}")
    problem = deliverability_problem(settlement)
    if problem:
        return _void(settlement, problem=problem)
    provider = provider_get(settlement.provider)
    result = _call(
        settlement,
        lambda: provider.capture(
            payment_ref=settlement.payment_ref,
            amount=settlement.amount,
            idempotency_key=idempotency_key(settlement.id, "capture"),
        ),
        step="capture",
    )
    return settlement_apply_provider_state(settlement_id=settlement.id, result=result, source=f"capture: {reason}")


def settlement_void_if_undeliverable(*, settlement_id: uuid.UUID) -> Settlement:
    """Void an authorised payment whose data cannot be delivered; otherwise leave it as it is."""
    settlement = _get(settlement_id)
    if settlement.status != Settlement.Status.AUTHORIZED:
        return settlement
    problem = deliverability_problem(settlement, fresh=True)
    return _void(settlement, problem=problem) if problem else settlement


def _void(settlement: Settlement, *, problem: str) -> Settlement:
    """Release an authorisation whose data cannot be delivered: the buyer is never charged."""
    provider = provider_get(settlement.provider)
    result = _call(
        settlement,
        lambda: provider.void(
            payment_ref=settlement.payment_ref, idempotency_key=idempotency_key(settlement.id, "void")
        ),
        step="void",
    )
    return settlement_apply_provider_state(settlement_id=settlement.id, result=result, source=f"void: {problem}")


# --- release (the buyer gives the trade up before its data is delivered) -------------------------------------------


@transaction.atomic
def settlement_release(*, settlement_id: uuid.UUID, reason: str, actor: str = "buyer") -> Settlement:
    """The buyer gives a trade up before its data was delivered (a Dataspace Protocol negotiation terminated before
    it was finalized): its payment must end voided, never captured, and its seat go back on the book.

    Runs in the caller's transaction and records the request under the settlement's row lock; the provider's void
    happens after commit (``settlement_release_void``, a task, re-driven by the sweeper). Authorised: the entitlement
    is revoked at once (no download from now on) and the authorisation voided. Pending (its authorisation may be in
    flight right now): once authorised it is voided without granting anything; declined, it fails as any other
    (seat back, contract void). Already captured, failed or voided: nothing to release, returned as it is (the
    caller reads its status). Idempotent. ``actor``: who asked (the buyer; "operator" for a take-down of unlawful
    data, oversight.services.takedowns)."""
    settlement, _, _ = _locked(settlement_id, with_contract=False)
    if settlement.status not in states.SETTLEMENT_OPEN or settlement.period != 1:
        return settlement
    if settlement.release_requested_at is None:
        settlement.release_requested_at = timezone.now()
        settlement.release_reason = reason[:500]
        settlement.save(update_fields=["release_requested_at", "release_reason", "updated_at"])
        _event(
            settlement,
            from_status=settlement.status,
            to_status=settlement.status,
            reason=f"release asked by the {actor}: {reason}",
            actor=actor,
        )
    if settlement.status == Settlement.Status.AUTHORIZED:
        _revoke_entitlement(settlement, reason=f"released: {reason}")
        _after_commit(tasks.settlement_release, str(settlement.id))
    return settlement


def settlement_release_void(*, settlement_id: uuid.UUID) -> Settlement:
    """Void the authorisation of a released settlement at the provider (outside any transaction), then apply the
    outcome (``_released``). Anything else is left as it is; safe to run any number of times."""
    settlement = _get(settlement_id)
    if settlement.status != Settlement.Status.AUTHORIZED or settlement.release_requested_at is None:
        return settlement
    return _void(settlement, problem=f"released: {settlement.release_reason}")


def deliverability_problem(settlement: Settlement, *, fresh: bool = False) -> str:
    """Why the contracted version cannot be delivered, or "" when it can (or the seller delivers it)."""
    entitlement = Entitlement.objects.select_related("dataset_version").filter(settlement=settlement).first()
    if entitlement is None or entitlement.delivery == Entitlement.Delivery.PROVIDER:
        return ""
    version = entitlement.dataset_version
    storage = version.file.storage
    name = version.file.name
    if not name or not storage.exists(name):
        return "the data file is missing"
    if storage.size(name) != version.size_bytes:
        return "the data file's size no longer matches"
    # Hashing a large file for every capture of a popular version would be wasteful: a version verified
    # recently (same size, same modification time) counts as verified; a download that finds it unreadable
    # asks for a fresh check.
    try:
        modified = storage.get_modified_time(name).isoformat()
    except (NotImplementedError, OSError):
        modified = ""
    key = f"settlement:verified:{version.pk}:{version.size_bytes}:{modified}"
    if not fresh and modified and _cache_get(key) == version.sha256:
        return ""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != version.sha256:
        return "the data file no longer matches its checksum"
    if modified:
        with contextlib.suppress(RedisError):  # only a shortcut is lost: the next capture hashes again
            cache.set(key, version.sha256, timeout=VERIFIED_FOR_SECONDS)
    return ""


def _cache_get(key: str) -> object:
    """The cache's value, or None when Redis is down: the file is then hashed, as if never verified."""
    try:
        return cache.get(key)
    except RedisError:
        return None


# --- refund (operator) ------------------------------------------------------------------------------------------


# The longest reason a refund is given for (``Settlement.refund_reason``).
REFUND_REASON_MAX = 500


def settlement_refund(*, settlement_id: uuid.UUID, reason: str, actor: str = "operator") -> Settlement:
    """Give a captured payment back: provider refund, entitlement revoked, contract terminated. ``reason`` is
    what the buyer reads on the purchase (its page, the API, the webhook): required, one line of text; it is
    recorded before the provider is asked, so a refund the provider completes later still carries it."""
    reason = _refund_reason(reason)
    settlement = _get(settlement_id)
    if settlement.status == Settlement.Status.REFUNDED:
        return settlement
    if settlement.status != Settlement.Status.CAPTURED:
        raise Conflict(f"Only a captured payment can be refunded; this one is {settlement.status}.")
    settlement = _refund_reason_record(settlement.id, reason=reason)
    if settlement.status != Settlement.Status.CAPTURED:  # refunded meanwhile (another operator, the provider)
        return settlement
    provider = provider_get(settlement.provider)
    result = _call(
        settlement,
        lambda: provider.refund(
            payment_ref=settlement.payment_ref,
            amount=settlement.amount,
            idempotency_key=idempotency_key(settlement.id, "refund"),
        ),
        step="refund",
    )
    if result.status == "processing":
        return _refund_pending(settlement.id, actor=actor)
    if result.status != "refunded":
        raise RuleViolation(
            f"The payment provider did not refund it ({result.failure_code or result.status}): "
            f"{result.failure_message or 'no reason given'}."
        )
    return settlement_apply_provider_state(
        settlement_id=settlement.id, result=result, source=f"refund: {reason}", actor=actor
    )


def _refund_reason(reason: str) -> str:
    reason = (reason or "").strip()
    refusal = text_refusal(reason)
    if not reason or refusal is not None:
        raise InvalidInput(
            "A refund needs a reason the buyer can read.",
            errors={"reason": [str(refusal) if refusal else "This field is required."]},
        )
    if len(reason) > REFUND_REASON_MAX:
        raise InvalidInput(
            f"A refund's reason is at most {REFUND_REASON_MAX} characters.",
            errors={"reason": [f"Ensure this field has no more than {REFUND_REASON_MAX} characters."]},
        )
    return reason


@transaction.atomic
def _refund_reason_record(settlement_id: uuid.UUID, *, reason: str) -> Settlement:
    """The reason of the refund about to be asked for, under the settlement's row lock; a refund already made
    keeps the reason it was made for."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
    if settlement.status == Settlement.Status.CAPTURED and settlement.refund_reason != reason:
        settlement.refund_reason = reason
        settlement.save(update_fields=["refund_reason", "updated_at"])
    return settlement


@transaction.atomic
def _refund_pending(settlement_id: uuid.UUID, *, actor: str) -> Settlement:
    """The provider accepted the refund but has not completed it: note it; its webhook or reconciliation
    completes the refund here (access revoked, ledger reversed) once the provider reports it refunded."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
    if settlement.refund_requested_at is None and settlement.status == Settlement.Status.CAPTURED:
        settlement.refund_requested_at = timezone.now()
        settlement.save(update_fields=["refund_requested_at", "updated_at"])
        _event(
            settlement,
            from_status=settlement.status,
            to_status=settlement.status,
            reason="refund requested; pending at the payment provider",
            actor=actor,
        )
    return settlement


# --- applying a provider state (tasks, webhooks, reconciliation) -------------------------------------------------


@transaction.atomic
def settlement_apply_provider_state(
    *, settlement_id: uuid.UUID, result: PaymentResult, source: str, actor: str = "system", payment_method: str = ""
) -> Settlement:
    """Bring our settlement to the provider's state; applying a state already reached changes nothing. A state
    that does not match the settlement (``settlement_provider_mismatch``) changes nothing either: it flags the
    settlement for the operator's review."""
    settlement, delivery_url, subscription = _locked(settlement_id, with_contract=result.status == "authorized")
    # The trade's request id, whoever brings the provider's word (a worker, a webhook, reconciliation): the lines and
    # webhook events of this step carry it.
    with request_id_bound(settlement.request_id):
        return _apply(
            settlement,
            delivery_url,
            subscription,
            result=result,
            source=source,
            actor=actor,
            payment_method=payment_method,
        )


def _apply(
    settlement: Settlement,
    delivery_url: str | None,
    subscription: Subscription | None,
    *,
    result: PaymentResult,
    source: str,
    actor: str,
    payment_method: str,
) -> Settlement:
    problem = settlement_provider_mismatch(settlement, result)
    if problem:
        _flag(settlement, problem=problem, source=source, actor=actor)
        return settlement
    # A declined period charge is tried again as a new payment: the newest try's payment is the settlement's.
    retried = settlement.declines > 0 and settlement.status == Settlement.Status.PENDING
    repeated = bool(result.payment_ref) and result.payment_ref == settlement.payment_ref
    if retried and repeated and result.status in ("declined", "voided"):
        return settlement  # the decline of the try already recorded (a replayed answer or event)
    new_try = retried and bool(result.payment_ref) and result.payment_ref != settlement.payment_ref
    learned = bool(result.payment_ref and (not settlement.payment_ref or new_try))
    if learned:
        settlement.payment_ref = result.payment_ref
    if payment_method and (not settlement.payment_method or new_try):
        settlement.payment_method = payment_method[:255]
        learned = True
    before = settlement.status
    S = Settlement.Status
    later = settlement.period > 1  # a subscription's later period: charged at once, declines retried
    if result.status in ("authorized", "captured", "refunded") and settlement.status == S.PENDING:
        if later:
            _period_authorized(settlement, reason=source, capture=result.status == "authorized")
        elif settlement.release_requested_at is not None:
            _authorized_released(settlement, reason=source)
        else:
            subscribed = settlement.subscription_ref is not None  # type: ignore[attr-defined]  # _locked's annotation
            _authorized(settlement, reason=source, delivery_url=delivery_url, subscription=subscribed)
    if result.status in ("captured", "refunded") and settlement.status == S.AUTHORIZED:
        _captured(settlement, reason=source, subscription=subscription)
    if result.status == "refunded" and settlement.status == S.CAPTURED:
        _refunded(settlement, reason=source, actor=actor, subscription=subscription)
    elif result.status in ("declined", "voided") and settlement.status == S.PENDING:
        if later:
            _period_declined(settlement, result=result, reason=source, subscription=subscription)
        else:
            _failed(settlement, result=result, reason=source, subscription=subscription)
    elif result.status == "voided" and settlement.status == S.AUTHORIZED and settlement.release_requested_at:
        _released(settlement, reason=source, subscription=subscription)
    elif result.status == "voided" and settlement.status == S.AUTHORIZED:
        _voided(settlement, reason=source, subscription=subscription)
    elif result.status == "authorized" and settlement.status == S.FAILED and later and result.payment_ref:
        # A retry the provider authorised after the period was given up (the grace ran out meanwhile): never
        # captured, so it lapses; the operator releases it sooner.
        _flag(
            settlement,
            problem=f"authorised after the charge was given up: release {result.payment_ref}",
            source=source,
            actor=actor,
        )
    if settlement.status == before and learned:  # nothing moved, but the provider told us its ids
        settlement.save(update_fields=["payment_ref", "payment_method", "updated_at"])
    return settlement


# --- what the provider says must match the payment we asked for ---------------------------------------------------


def settlement_provider_mismatch(
    settlement: Settlement, result: PaymentResult, *, provider: str = "", stated: bool = False
) -> str:
    """Why ``result`` cannot be about this settlement's payment, or "" when it can be applied.

    A provider's word moves money only when it speaks of the payment we asked for: the settlement's provider
    (``provider``: who spoke, when the caller knows), its amount and its currency. ``stated``: the answer must
    state amount and currency (an incoming event, which whoever holds the signing secret could have written);
    our own calls' answers are checked where they state them. A capture of less than the amount (Stripe's
    ``amount_received``) is not this settlement's capture: booking it would credit the seller with money never
    taken, so it is reconciled by the operator instead (the settlement stays authorised, nothing is booked).
    Amount, currency and provider never change on a settlement, so no lock is needed to check them.
    """
    problems: list[str] = []
    if provider and provider != settlement.provider:
        problems.append(f"provider {provider}, not {settlement.provider}")
    expected = f"{settlement.amount} {settlement.currency}"
    if result.amount is None:
        if stated:
            problems.append("no amount stated")
    elif result.amount != settlement.amount:
        problems.append(f"amount {result.amount}, not {settlement.amount}")
    if not result.currency:
        if stated:
            problems.append("no currency stated")
    elif result.currency.upper() != settlement.currency.upper():
        problems.append(f"currency {result.currency.upper()}, not {settlement.currency}")
    taken = result.status in ("captured", "refunded")
    if taken and result.amount_received is not None and result.amount_received != settlement.amount:
        problems.append(f"partial capture: {result.amount_received} of {expected} received")
    return "; ".join(problems)


@transaction.atomic
def settlement_flag_for_review(
    *, settlement_id: uuid.UUID, problem: str, source: str, actor: str = "system"
) -> Settlement:
    """Flag a settlement for the operator's review: something the provider said does not match it."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
    _flag(settlement, problem=problem, source=source, actor=actor)
    return settlement


def _flag(settlement: Settlement, *, problem: str, source: str, actor: str) -> None:
    """Under the settlement's row lock: the flag the operator sees, an event the parties see, a log line to alert
    on. The same problem reported again (a re-driven capture, reconciliation) is recorded once."""
    problem = problem[:500]
    if settlement.review_reason == problem:
        return
    settlement.review_reason = problem
    settlement.review_flagged_at = timezone.now()
    settlement.save(update_fields=["review_reason", "review_flagged_at", "updated_at"])
    _event(
        settlement,
        from_status=settlement.status,
        to_status=settlement.status,
        reason=f"{source}: does not match this payment ({problem}); nothing changed, the market operator reviews it",
        actor=actor,
    )
    logger.warning(
        "settlement flagged for review: settlement=%s status=%s source=%r problem=%r",
        settlement.id,
        settlement.status,
        source,
        problem,
        extra={
            "event": "settlement.flagged_for_review",
            "settlement": str(settlement.id),
            "status": settlement.status,
            "source": source,
            "problem": problem,
        },
    )


@transaction.atomic
def settlement_review_clear(*, settlement_id: uuid.UUID, actor: str) -> Settlement:
    """The operator reviewed a flagged settlement: the sweeper and reconciliation take it up again."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
    if settlement.review_reason:
        reason = f"review closed by the operator (was: {settlement.review_reason})"
        settlement.review_reason = ""
        settlement.save(update_fields=["review_reason", "updated_at"])
        _event(settlement, from_status=settlement.status, to_status=settlement.status, reason=reason, actor=actor)
    return settlement


def _locked(settlement_id: uuid.UUID, *, with_contract: bool) -> tuple[Settlement, str | None, Subscription | None]:
    """The settlement, its row locked until the transaction ends, None, and the subscription it pays a period of
    (None for a licence's), its row locked after the settlement's. ``settlement.subscription_ref`` says whether
    there is a subscription, in every case.

    ``with_contract``: its contract too (``settlement.contract``), in the same statement, and instead of None the
    offering's delivery URL, which granting the entitlement needs. For an "authorized" answer only: the one move
    it can cause is the authorisation, which locks the contract next anyway, and touches no subscription (so it is
    not locked then: a subscription's row is taken after the settlement's and before the contract's, and this
    statement has taken the contract). PostgreSQL locks a result row's rows in the order ``OF`` names them
    (settlement, then contract: the order every step takes). Other answers lock the contract later or not at all
    (a refund locks the entitlement before the contract, as expiry does, so the contract must not be taken first
    there). Whether there is a subscription is read in the same statement.
    """
    subscription_id = Subscription.objects.filter(contract_id=OuterRef("contract_id")).values("id")[:1]
    if not with_contract:
        settlement = (
            Settlement.objects.annotate(subscription_ref=Subquery(subscription_id))
            .select_for_update(of=("self",))
            .get(pk=settlement_id)
        )
        subscription = None
        if settlement.subscription_ref is not None:
            subscription = Subscription.objects.select_for_update().get(pk=settlement.subscription_ref)
        return settlement, None, subscription
    # An offering that is gone reads as "": the grant then delivers from our storage, as it does for no URL.
    delivery_url = Offering.objects.filter(pk=OuterRef("contract__offering_id")).values("delivery_url")[:1]
    settlement = (
        Settlement.objects.select_related("contract")
        .annotate(delivery_url=Coalesce(Subquery(delivery_url), Value("")), subscription_ref=Subquery(subscription_id))
        .select_for_update(of=("self", "contract"))
        .get(pk=settlement_id)
    )
    url: str = settlement.delivery_url
    # Not locked nor read (see above): whether there is one is ``settlement.subscription_ref``.
    return settlement, url, None


def _authorized(settlement: Settlement, *, reason: str, delivery_url: str | None, subscription: bool = False) -> None:
    """``delivery_url``: as ``_locked(with_contract=True)`` read it, with ``settlement.contract`` locked; None when
    the settlement was locked alone (the contract is then locked, and the URL read, here)."""
    contract_locked = delivery_url is not None
    now = timezone.now()
    window = market_settings().acceptance_window
    _move(settlement, Settlement.Status.AUTHORIZED, reason=reason, authorized_at=now, capture_due_at=now + window)
    contract = contract_transition(
        contract_id=settlement.contract_id,
        target=Contract.Status.ACTIVE,
        reason="payment authorised",
        locked=settlement.contract if contract_locked else None,
    )
    # Under the settlement's row lock and just moved from pending, which no entitlement exists for.
    entitlement = entitlement_grant(
        settlement=settlement, contract=contract, first=True, delivery_url=delivery_url, subscription=subscription
    )
    # The settlement was opened in the trade's own transaction: its creation is the trade's execution.
    opened = settlement.created_at
    metrics.count_after_commit(lambda: metrics.settlement_lag_observe(executed_at=opened, granted_at=now))
    settlement_hooks.on_trade_access_granted(
        settlement_hooks.TradeAccessGranted(
            trade_id=settlement.trade_id,
            settlement_id=settlement.id,
            contract_id=settlement.contract_id,
            entitlement_id=entitlement.id,
        )
    )


def _authorized_released(settlement: Settlement, *, reason: str) -> None:
    """Authorised after the buyer released the trade: nothing is granted (the contract stays concluded) and the
    authorisation is voided next."""
    _move(
        settlement,
        Settlement.Status.AUTHORIZED,
        reason=f"{reason}; released: voided next",
        authorized_at=timezone.now(),
    )
    _after_commit(tasks.settlement_release, str(settlement.id))


def _unpaid(settlement: Settlement, *, reason: str, released: bool = False) -> None:
    settlement_hooks.on_trade_unpaid(
        settlement_hooks.TradeUnpaid(
            trade_id=settlement.trade_id,
            settlement_id=settlement.id,
            contract_id=settlement.contract_id,
            status=settlement.status,
            reason=reason,
            released=released,
        )
    )


def _period_authorized(settlement: Settlement, *, reason: str, capture: bool) -> None:
    """A later period's charge is authorised: the delivery already happened, so it is captured at once (no
    acceptance window). ``capture``: enqueue the capture (the caller is not about to apply one)."""
    now = timezone.now()
    _move(settlement, Settlement.Status.AUTHORIZED, reason=reason, authorized_at=now, capture_due_at=now)
    if capture:
        _after_commit(tasks.settlement_capture, str(settlement.id), "period delivered")


def _captured(settlement: Settlement, *, reason: str, subscription: Subscription | None = None) -> None:
    now = timezone.now()
    _move(settlement, Settlement.Status.CAPTURED, reason=reason, captured_at=now)
    ledger.ledger_post_capture(settlement=settlement)
    if subscription is not None:
        subscriptions.subscription_period_paid(subscription=subscription, settlement=settlement, now=now)
    settlement_hooks.on_settlement_captured(
        settlement_hooks.SettlementMoved(settlement_id=settlement.id, status=settlement.status, at=now)
    )


def _period_declined(
    settlement: Settlement, *, result: PaymentResult, reason: str, subscription: Subscription | None
) -> None:
    """A later period's charge was declined: tried again later as a new authorisation (its own idempotency key),
    the subscription past due meanwhile; declined through the grace period, the period is unpaid and the
    subscription ends. (Never the trade's failure: the trade stands, its first period paid.)"""
    code = result.failure_code or "payment_failed"
    message = result.failure_message or "The payment was not authorised."
    now = timezone.now()
    if subscription is None:  # a later period always has its subscription (PROTECT): only a broken row lands here
        _move(settlement, Settlement.Status.FAILED, reason=f"{reason}: {code}: {message}", failure_code=code[:64])
        return
    if subscriptions.subscription_grace_over(subscription, now=now):
        _move(
            settlement,
            Settlement.Status.FAILED,
            reason=f"{reason}: {code}: {message}; unpaid after the grace period",
            failure_code=code[:64],
            failure_message=message[:500],
        )
        subscriptions.subscription_period_unpaid(
            subscription=subscription, settlement=settlement, now=now, reason=f"period {settlement.period} unpaid"
        )
        return
    subscriptions.subscription_charge_declined(
        subscription=subscription, settlement=settlement, failure_code=code, now=now
    )
    settlement.declines += 1
    settlement.failure_code, settlement.failure_message = code[:64], message[:500]
    settlement.next_attempt_at = subscriptions.subscription_retry_at(
        subscription, declines=settlement.declines, now=now
    )
    settlement.save(
        update_fields=[
            "declines",
            "failure_code",
            "failure_message",
            "next_attempt_at",
            "payment_ref",
            "payment_method",
            "updated_at",
        ]
    )
    _event(
        settlement,
        from_status=settlement.status,
        to_status=settlement.status,
        reason=f"{reason}: {code}: {message}; new try #{settlement.declines + 1} at "
        f"{settlement.next_attempt_at.isoformat()}",
    )


@transaction.atomic
def settlement_period_give_up(*, settlement_id: uuid.UUID, now: datetime) -> Settlement:
    """The close pass: a later period's charge still declined when the grace period ran out (``now``, the pass's
    instant) fails for good, the period unpaid, the subscription ended. Anything else is left as it is."""
    settlement, _, subscription = _locked(settlement_id, with_contract=False)
    if (
        settlement.status != Settlement.Status.PENDING
        or settlement.period == 1
        or subscription is None
        or not subscriptions.subscription_grace_over(subscription, now=now)
    ):
        return settlement
    _move(
        settlement,
        Settlement.Status.FAILED,
        reason=f"unpaid after the grace period (last decline: {settlement.failure_code or 'none'})",
        failure_code=(settlement.failure_code or "unpaid")[:64],
    )
    subscriptions.subscription_period_unpaid(
        subscription=subscription, settlement=settlement, now=now, reason=f"period {settlement.period} unpaid"
    )
    return settlement


def _failed(
    settlement: Settlement, *, result: PaymentResult, reason: str, subscription: Subscription | None = None
) -> None:
    code = result.failure_code or "payment_failed"
    message = result.failure_message or "The payment was not authorised."
    _move(
        settlement,
        Settlement.Status.FAILED,
        reason=f"{reason}: {code}: {message}",
        failure_code=code[:64],
        failure_message=message[:500],
    )
    contract_transition(
        contract_id=settlement.contract_id, target=Contract.Status.VOID, reason=f"payment failed: {code}"
    )
    trade_void(trade_id=settlement.trade_id, reason=f"payment failed ({code})")
    if subscription is not None:
        subscriptions.subscription_period_unpaid(
            subscription=subscription, settlement=settlement, now=timezone.now(), reason=f"payment failed: {code}"
        )
    _unpaid(settlement, reason=f"payment failed: {code}: {message}")


def _voided(settlement: Settlement, *, reason: str, subscription: Subscription | None = None) -> None:
    if settlement.period > 1:
        # A later period's authorisation released at the provider before its capture: nothing was charged for it.
        _move(settlement, Settlement.Status.VOIDED, reason=reason, failure_code="voided", failure_message=reason[:500])
        if subscription is not None:
            subscriptions.subscription_period_voided(
                subscription=subscription, settlement=settlement, now=timezone.now(), reason=reason
            )
        return
    _move(
        settlement, Settlement.Status.VOIDED, reason=reason, failure_code="undeliverable", failure_message=reason[:500]
    )
    if subscription is not None:
        subscriptions.subscription_period_voided(
            subscription=subscription, settlement=settlement, now=timezone.now(), reason=reason
        )
    _revoke_entitlement(settlement, reason=reason)
    _terminate_contract(settlement, reason=reason)
    trade_void(
        trade_id=settlement.trade_id, reason="the data could not be delivered; nothing was charged", seats_back=False
    )
    _unpaid(settlement, reason=reason)


def _released(settlement: Settlement, *, reason: str, subscription: Subscription | None = None) -> None:
    """The authorisation of a released trade is voided: nothing was charged, the contract ends (void if it never
    took effect), any access is revoked, a subscription ends (``released``), and the seat goes back on the book."""
    _move(settlement, Settlement.Status.VOIDED, reason=reason, failure_code="released", failure_message=reason[:500])
    _revoke_entitlement(settlement, reason=reason)
    contract = Contract.objects.filter(pk=settlement.contract_id).values_list("status", flat=True).first()
    if contract == Contract.Status.CONCLUDED:
        contract_transition(contract_id=settlement.contract_id, target=Contract.Status.VOID, reason=reason)
    elif contract == Contract.Status.ACTIVE:
        contract_transition(contract_id=settlement.contract_id, target=Contract.Status.TERMINATED, reason=reason)
    if subscription is not None:
        subscriptions.subscription_released(
            subscription=subscription, settlement=settlement, now=timezone.now(), reason=reason
        )
    trade_void(trade_id=settlement.trade_id, reason=f"released: {settlement.release_reason}")
    _unpaid(settlement, reason=reason, released=True)


def _refunded(settlement: Settlement, *, reason: str, actor: str, subscription: Subscription | None = None) -> None:
    _move(settlement, Settlement.Status.REFUNDED, reason=reason, actor=actor)
    ledger.ledger_post_refund(settlement=settlement)
    settlement_hooks.on_settlement_refunded(
        settlement_hooks.SettlementMoved(settlement_id=settlement.id, status=settlement.status, at=timezone.now())
    )
    if subscription is not None:  # ends it, its access revoked and its contract terminated
        subscriptions.subscription_refunded(subscription=subscription, now=timezone.now(), reason=reason)
    _revoke_entitlement(settlement, reason=reason)
    _terminate_contract(settlement, reason=reason)


def _terminate_contract(settlement: Settlement, *, reason: str) -> None:
    """End the contract early, unless it already ended (a short contract may have expired before the
    acceptance window closed): its history stays as it was."""
    contract = Contract.objects.filter(pk=settlement.contract_id).values_list("status", flat=True).first()
    if contract in (Contract.Status.CONCLUDED, Contract.Status.ACTIVE):
        contract_transition(contract_id=settlement.contract_id, target=Contract.Status.TERMINATED, reason=reason)


def _revoke_entitlement(settlement: Settlement, *, reason: str) -> None:
    # By contract: a subscription's entitlement is its first period's settlement's, whichever period is refunded.
    entitlement = Entitlement.objects.filter(
        contract_id=settlement.contract_id, status=Entitlement.Status.ACTIVE
    ).first()
    if entitlement is not None:
        entitlement_revoke(entitlement_id=entitlement.id, reason=reason, actor="system")


# --- transient failures, sweeping -------------------------------------------------------------------------------


def _call(settlement: Settlement, call: Callable[[], PaymentResult], *, step: str) -> PaymentResult:
    """Run a provider call; on a transient failure record the attempt and when to retry, then re-raise."""
    try:
        return call()
    except ProviderUnavailable as error:
        attempts = settlement.attempts + 1
        retry_at = timezone.now() + timedelta(seconds=backoff_seconds(attempts))
        with transaction.atomic():
            Settlement.objects.filter(pk=settlement.pk).update(
                attempts=attempts, next_attempt_at=retry_at, updated_at=timezone.now()
            )
            _event(
                settlement,
                from_status=settlement.status,
                to_status=settlement.status,
                reason=f"{step}: provider unavailable ({error}); retry #{attempts} at {retry_at.isoformat()}",
            )
        settlement.attempts, settlement.next_attempt_at = attempts, retry_at
        raise


def settlements_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Re-drive open settlements a lost message or a crashed worker left behind, and capture authorised ones
    whose data reached the buyer (the first complete download's capture task was lost) or whose acceptance
    window passed. Each re-drive is idempotent, so sweeping one already in flight is harmless; sweepers running
    at once claim disjoint rows (``_claim``), so each settlement is re-driven once per lease."""
    now = now or timezone.now()
    stuck_before = now - market_settings().settlement_stuck_after
    due_retry = Q(next_attempt_at__isnull=False, next_attempt_at__lte=now)
    quiet = Q(next_attempt_at__isnull=True, updated_at__lte=stuck_before)
    # Overdue captures respect the backoff of a failing provider (next_attempt_at) like everything else.
    not_backing_off = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    # The first complete download enqueues its capture at once: still authorised this long after it, that
    # message was lost (a killed worker), and the seller must not wait for the acceptance window.
    downloaded = Q(entitlement__first_download_at__lte=stuck_before)
    window_passed = Q(capture_due_at__lte=now)
    # Oldest first: under a backlog, the longest-waiting settlements are re-driven first.
    pending = Settlement.objects.filter(Q(status=Settlement.Status.PENDING) & (due_retry | quiet)).order_by(
        "updated_at"
    )
    # One flagged for the operator's review (its provider reported a partial capture) waits for the operator.
    # A released one is never captured: its void is re-driven instead (its task was lost or the provider failed).
    capture = Settlement.objects.filter(
        Q(status=Settlement.Status.AUTHORIZED, review_reason="", release_requested_at__isnull=True)
        & (downloaded | window_passed)
        & not_backing_off
    ).order_by("capture_due_at")
    release = Settlement.objects.filter(
        Q(status=Settlement.Status.AUTHORIZED, review_reason="", release_requested_at__isnull=False)
        & (Q(next_attempt_at__isnull=True, updated_at__lte=stuck_before) | due_retry)
    ).order_by("updated_at")
    lease_until = now + market_settings().settlement_stuck_after
    authorize_ids = [settlement_id for settlement_id, _ in _claim(pending, lease_until=lease_until)]
    captures = _claim(capture, lease_until=lease_until)
    release_ids = [settlement_id for settlement_id, _ in _claim(release, lease_until=lease_until)]
    for settlement_id in authorize_ids:
        tasks.settlement_authorize.delay(str(settlement_id))
    for settlement_id, due_at in captures:
        reason = "acceptance window passed" if due_at and due_at <= now else "first download (re-driven)"
        tasks.settlement_capture.delay(str(settlement_id), reason)
    for settlement_id in release_ids:
        tasks.settlement_release.delay(str(settlement_id))
    return {"authorize": len(authorize_ids), "capture": len(captures), "release": len(release_ids)}


@transaction.atomic
def _claim(
    candidates: models.QuerySet[Settlement], *, lease_until: datetime
) -> list[tuple[uuid.UUID, datetime | None]]:
    """Lease up to 1,000 ``candidates``, as ``(id, capture_due_at)``. A row another sweeper is claiming right now
    is skipped (``SKIP LOCKED``); a claimed one is not due again until ``lease_until`` (a task that fails
    transiently sets its own next attempt; one that succeeds moves the settlement on). The caller enqueues after
    this commits, so of two sweepers at once, one enqueues each settlement."""
    # ``of=("self",)``: only the settlement rows; an entitlement a filter joins is not locked.
    claimed = list(
        candidates.select_for_update(skip_locked=True, of=("self",)).values_list("id", "capture_due_at")[:1000]
    )
    Settlement.objects.filter(pk__in=[settlement_id for settlement_id, _ in claimed]).update(
        next_attempt_at=lease_until
    )
    return claimed


def settlements_reconcile(*, older_than_seconds: int = 3600) -> int:
    """Compare the provider's view of long-open settlements with ours and apply what it says."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    count = 0
    # Open ones, and captured ones whose refund the provider has not completed yet; oldest first.
    open_or_refunding = Q(status__in=states.SETTLEMENT_OPEN) | Q(
        status=Settlement.Status.CAPTURED, refund_requested_at__isnull=False
    )
    # A settlement flagged for review waits for the operator (its provider's state is what needs the review).
    for settlement in (
        Settlement.objects.filter(open_or_refunding, updated_at__lte=cutoff, review_reason="")
        .exclude(payment_ref="")
        .order_by("updated_at")[:500]
    ):
        try:
            result = provider_get(settlement.provider).retrieve(payment_ref=settlement.payment_ref)
        except ProviderUnavailable:
            logger.warning("reconciliation: provider unavailable for %s", settlement.id)
            continue
        before = settlement.status
        after = settlement_apply_provider_state(settlement_id=settlement.id, result=result, source="reconciliation")
        count += after.status != before
    return count


def _get(settlement_id: uuid.UUID) -> Settlement:
    settlement = Settlement.objects.filter(pk=settlement_id).first()
    if settlement is None:
        raise NotFound("No such settlement.")
    return settlement


def _subscriber(event: hooks.TradeExecuted) -> Sequence[models.Model]:
    return settlement_open(event)


def _trades_committed(rows: Sequence[models.Model]) -> None:
    """Enqueue the authorisation of the settlements opened with trades that just committed: one message for a
    trade, one for a batch of them (a matcher's batch, an auction's legs), which a worker fans out. A broker
    outage is logged, not raised (as ``_after_commit``): the sweeper re-drives pending settlements."""
    ids = [str(row.pk) for row in rows if isinstance(row, Settlement)]
    try:
        if len(ids) == 1:
            tasks.settlement_authorize.delay(ids[0])
        elif ids:
            tasks.settlement_authorize_many.delay(ids)
    except Exception:
        logger.exception("the authorisation of %d settlement(s) was not enqueued; the sweeper will", len(ids))


def settlement_subscribe() -> None:
    """Called from ``SettlementConfig.ready()``: every trade opens its settlement, authorised once it commits."""
    hooks.subscribe_trade_executed(_subscriber)
    hooks.subscribe_trades_committed(_trades_committed)
