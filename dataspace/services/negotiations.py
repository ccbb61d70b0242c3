"""Contract negotiations over the Dataspace Protocol, provider side (docs/dataspace.md, "Contract negotiation").

The market's meaning of the protocol:

- A consumer's initial ``ContractRequestMessage`` for a catalog offer as it is (its rules unchanged, its price the
  current best ask or none stated) is a buy of one seat at that price that must fill at once (``order_place`` with
  ``time_in_force="fok"``, under the consumer's principal, accepting the offering's terms). Filled: the trade's
  contract is the agreement, the negotiation AGREED and the ``ContractAgreementMessage`` queued. Not filled: the
  negotiation is TERMINATED with a code (``sold-out``, ``price-moved``, ``not-eligible``, ``not-filled``) and the
  ``ContractNegotiationTerminationMessage`` queued. Other rules or another price make a counter-offer
  (``dataspace.services.counter_offers``), decided inside the same transaction: a refusal leaves nothing behind.
- The consumer's verification makes it VERIFIED; FINALIZED follows (the ``FINALIZED`` event sent) once the buyer's
  payment is authorised and its entitlement active, whichever of the two comes second. A payment that fails
  terminates it (``payment-failed``).
- A negotiation terminated before FINALIZED (by the consumer, or because its agreement could not be delivered)
  releases its trade: the authorisation is voided, the seat back on the book (``settlement_release``). FINALIZED is
  final: the contract stands.

Invariants: every change of state goes through ``dataspace.states.negotiation_check`` under the negotiation's row
lock and is recorded as a ``NegotiationEvent``; a message to the consumer is queued in the transaction that decided
it (``callback_queue``). Locks are taken negotiation first, then the settlement (``settlement_release``); what
settlement announces under its own lock is handled after its commit, by a task (``negotiation_payment_update``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from config.api.principal import Principal
from config.errors import DomainError, Forbidden, InvalidInput, RuleViolation
from config.outbound import outbound_url_clean
from contracts.eligibility import Buyer, buyer_refusal
from contracts.odrl import minor_units, pay_amount
from dataspace import selectors, states, tasks
from dataspace.dsp import negotiations as messages
from dataspace.dsp.catalog import offer_message, offering_of
from dataspace.models import Callback, Negotiation, NegotiationEvent, Party
from dataspace.services import counter_offers
from dataspace.services.callbacks import callback_path, callback_queue, on_given_up
from deals.models import PrivateOffer
from marketplace.models import Offering, Order, Trade
from marketplace.services.orders import order_place
from settlement import hooks as settlement_hooks
from settlement.models import Entitlement, Settlement
from settlement.services.settlements import settlement_release

logger = logging.getLogger(__name__)

State = Negotiation.State

# Termination codes (the ``code`` of the termination message; docs/dataspace.md lists them).
SOLD_OUT = "sold-out"
PRICE_MOVED = "price-moved"
NOT_ELIGIBLE = "not-eligible"
NOT_FILLED = "not-filled"
PAYMENT_FAILED = "payment-failed"
CONSUMER_UNREACHABLE = "consumer-unreachable"
CONSUMER_PID_MAX = Negotiation._meta.get_field("consumer_pid").max_length or 300


@dataclass(frozen=True)
class Requested:
    negotiation: Negotiation
    created: bool  # False: an identical repeat of a request already made, answered with its negotiation


# --- the consumer's messages -----------------------------------------------------------------------------------------


def negotiation_request(*, principal: Principal, message: dict[str, Any]) -> Requested:
    """An initial ``ContractRequestMessage`` (schema-checked by the caller). The callback address is checked first,
    outside the transaction (it may resolve a host name); the rest is ``_request``."""
    consumer_pid = message["consumerPid"]
    if not consumer_pid or len(consumer_pid) > CONSUMER_PID_MAX:
        raise messages.error(400, "malformed", f"consumerPid is 1 to {CONSUMER_PID_MAX} characters.")
    if "providerPid" in message:
        raise messages.error(
            400,
            "malformed",
            "An initial request has no providerPid: send a request on an existing negotiation to "
            "/negotiations/{providerPid}/request.",
            consumer_pid=consumer_pid,
        )
    try:
        address = outbound_url_clean(message["callbackAddress"], field="callbackAddress", max_length=500)
    except InvalidInput as refused:
        raise messages.error(400, "bad-callback-address", refused.detail, consumer_pid=consumer_pid) from None
    return _request(principal=principal, message=message, callback_address=address)


@transaction.atomic
def _request(*, principal: Principal, message: dict[str, Any], callback_address: str) -> Requested:
    consumer_pid: str = message["consumerPid"]
    offer: dict[str, Any] = message["offer"]
    offering = _offering(offer, consumer_pid=consumer_pid)
    try:
        with transaction.atomic():  # a savepoint: a concurrent identical request loses here, not the transaction
            negotiation = Negotiation.objects.create(
                consumer_id=principal.organization_id,
                consumer_pid=consumer_pid,
                callback_address=callback_address,
                offering=offering,
                dataset_id=offering.dataset_id,
                offer=offer,
                offer_by=Party.CONSUMER,
                created_by_api_key_id=principal.api_key_id,
            )
    except IntegrityError:
        return Requested(_repeated(principal, consumer_pid, offer, callback_address), created=False)
    _record(negotiation, "", State.REQUESTED, by=Party.CONSUMER, message_type="ContractRequestMessage")

    ask = selectors.best_ask(offering_id=offering.id)
    catalog_offer = offer_message(offering, ask=ask or 0, data_class=offering.dataset.data_class)
    priced = messages.offer_price(offer)
    as_it_is = messages.offer_rules(offer) == messages.offer_rules(catalog_offer) and (
        ask is None or messages.same_price(priced, ask=ask, currency=offering.currency)
    )
    if not as_it_is:
        negotiation.price = _minor_units(priced, offering.currency)
        negotiation.currency = offering.currency if negotiation.price is not None else ""
        negotiation.save(update_fields=["price", "currency", "updated_at"])
        # A refusal there (a DspError) rolls this transaction back: no negotiation is left behind.
        counter_offers.counter_offer_open(negotiation=negotiation, principal=principal, offer=offer)
        return Requested(negotiation, created=True)
    _fill_or_kill(negotiation, principal=principal, offering=offering, ask=ask)
    negotiation.refresh_from_db()
    return Requested(negotiation, created=True)


def _offering(offer: dict[str, Any], *, consumer_pid: str) -> Offering:
    """The open order-book offering the offer's ``@id`` names (locked by nobody: ``order_place`` locks it)."""
    offering_id = offering_of(offer["@id"])
    offering = (
        Offering.objects.select_related("dataset").filter(pk=offering_id).first() if offering_id is not None else None
    )
    if offering is None or not offering.on_book:
        raise messages.error(400, "unknown-offer", "No offer of this catalog has this @id.", consumer_pid=consumer_pid)
    if offering.status != Offering.Status.ACTIVE:
        raise messages.error(
            400, "offer-withdrawn", "The offering was withdrawn: it is no longer offered.", consumer_pid=consumer_pid
        )
    target = offer.get("target")
    if target is not None and target != messages.dataset_iri(offering.dataset_id):
        raise messages.error(
            400,
            "wrong-target",
            f"The offer's target is its dataset, {messages.dataset_iri(offering.dataset_id)}.",
            consumer_pid=consumer_pid,
        )
    return offering


def _repeated(principal: Principal, consumer_pid: str, offer: dict[str, Any], callback_address: str) -> Negotiation:
    """The negotiation an identical repeated request made (a connector retrying a request it lost the answer of);
    a different request under a consumerPid already used is refused."""
    existing = Negotiation.objects.get(consumer_id=principal.organization_id, consumer_pid=consumer_pid)
    if existing.offer != offer or existing.callback_address != callback_address:
        raise messages.error(
            400,
            "consumer-pid-taken",
            "This consumerPid names another negotiation of your organisation: use a new one for a new request.",
            negotiation=existing,
        )
    return existing


def _minor_units(priced: messages.Priced, currency: str) -> int | None:
    if priced.amount is None:
        return None
    minor = minor_units(f"{priced.amount:f}", currency)
    return minor if minor is not None and 0 < minor < 2**62 else None


def _fill_or_kill(negotiation: Negotiation, *, principal: Principal, offering: Offering, ask: int | None) -> None:
    """Buy one seat at ``ask`` at once, or terminate the negotiation saying why not."""
    if ask is None:
        _terminate(negotiation, SOLD_OUT, "Nothing of this offer is for sale now.", by=Party.PROVIDER)
        return
    refusal = buyer_refusal(buyer=Buyer.of(principal), offering=offering, accepted_terms_sha256=offering.terms_sha256)
    if refusal is not None:
        _terminate(negotiation, NOT_ELIGIBLE, refusal.message, by=Party.PROVIDER)
        return
    try:
        placed = order_place(
            principal=principal,
            offering_id=offering.id,
            side=Order.Side.BUY,
            type=Order.Type.LIMIT,
            price=ask,
            quantity=1,
            time_in_force=Order.TimeInForce.FOK,
            accepted_terms_sha256=offering.terms_sha256,
        )
    except (Forbidden, RuleViolation) as refused:  # a rule of the market refused the buyer (a savepoint undid it)
        _terminate(negotiation, NOT_ELIGIBLE, refused.detail, by=Party.PROVIDER)
        return
    except DomainError as refused:
        _terminate(negotiation, NOT_FILLED, refused.detail, by=Party.PROVIDER)
        return
    if placed.trades:
        negotiation_agree(negotiation_id=negotiation.id, trade_id=placed.trades[0].id)
        return
    now = selectors.best_ask(offering_id=offering.id)
    if now is None:
        _terminate(negotiation, SOLD_OUT, "The offer sold out before this request could fill.", by=Party.PROVIDER)
    elif now > ask:
        _terminate(
            negotiation,
            PRICE_MOVED,
            f"The price moved to {pay_amount(now, offering.currency)} {offering.currency}: read the catalog again.",
            by=Party.PROVIDER,
        )
    else:
        reason = placed.order.status_reason or "the order could not fill"
        _terminate(negotiation, NOT_FILLED, f"The buy did not fill: {reason}.", by=Party.PROVIDER)


@transaction.atomic
def negotiation_counter(*, principal: Principal, provider_pid: str, message: dict[str, Any]) -> Negotiation:
    """The consumer's ``ContractRequestMessage`` on an existing negotiation: a counter to the seller's offer (the
    negotiation must be OFFERED), REQUESTED again and handed to the counter-offers."""
    negotiation = _mine(principal, provider_pid, message, offer_first=True)
    _move(negotiation, State.REQUESTED, by=Party.CONSUMER, message_type="ContractRequestMessage")
    negotiation.offer, negotiation.offer_by = message["offer"], Party.CONSUMER
    negotiation.save(update_fields=["offer", "offer_by", "updated_at"])
    counter_offers.counter_offer_counter(negotiation=negotiation, principal=principal, offer=message["offer"])
    return negotiation


@transaction.atomic
def negotiation_accept(*, principal: Principal, provider_pid: str, message: dict[str, Any]) -> Negotiation:
    """The consumer's ``ContractNegotiationEventMessage`` ``ACCEPTED``: it accepts the seller's latest offer."""
    negotiation = _mine(principal, provider_pid, message, offer_first=True)
    if message["eventType"] != "ACCEPTED":
        raise messages.error(
            400,
            "bad-event",
            "A consumer sends only the ACCEPTED event (FINALIZED is the provider's).",
            negotiation=negotiation,
        )
    # The latest offer is the consumer's while it waits for the seller's answer (REQUESTED after a counter-offer).
    if negotiation.state in (State.REQUESTED, State.OFFERED) and negotiation.offer_by != Party.PROVIDER:
        raise messages.error(
            400,
            "own-offer",
            "The latest offer is your own: only the provider's can be accepted.",
            negotiation=negotiation,
        )
    _move(negotiation, State.ACCEPTED, by=Party.CONSUMER, message_type="ContractNegotiationEventMessage")
    counter_offers.counter_offer_accept(negotiation=negotiation, principal=principal)
    return negotiation


@transaction.atomic
def negotiation_verify(*, principal: Principal, provider_pid: str, message: dict[str, Any]) -> Negotiation:
    """The consumer's ``ContractAgreementVerificationMessage``: VERIFIED, and FINALIZED at once if the payment is
    already authorised with the entitlement active."""
    negotiation = _mine(principal, provider_pid, message)
    _move(negotiation, State.VERIFIED, by=Party.CONSUMER, message_type="ContractAgreementVerificationMessage")
    _finalize_if_paid(negotiation)
    return negotiation


@transaction.atomic
def negotiation_terminate_by_consumer(
    *, principal: Principal, provider_pid: str, message: dict[str, Any]
) -> Negotiation:
    """The consumer's ``ContractNegotiationTerminationMessage``: TERMINATED from any state but a final one; a
    counter-offer still open with the seller is declined as the buyer."""
    negotiation = _mine(principal, provider_pid, message, offer_first=True)
    reason = "; ".join(str(item) for item in message.get("reason", []))
    code = str(message.get("code", "")) or "terminated-by-consumer"
    _terminate(negotiation, code, reason or "Terminated by the consumer.", by=Party.CONSUMER)
    counter_offers.counter_offer_terminate(negotiation=negotiation, principal=principal, reason=reason)
    return negotiation


def _mine(
    principal: Principal, provider_pid: str, message: dict[str, Any], *, offer_first: bool = False
) -> Negotiation:
    """The consumer's negotiation, locked; a 404 for another organisation's or an unknown one (the binding), a 400
    when the message names other pids than the path's. ``offer_first``: its counter-offer's private offer is locked
    before it, the order a change of the private offer takes (the offer, then its negotiation), so a consumer's
    message and a seller's answer arriving together cannot deadlock."""
    negotiation = selectors.negotiation_of(consumer_id=principal.organization_id, provider_pid=provider_pid)
    if negotiation is None:
        raise messages.error(404, "not-found", "No such negotiation.", consumer_pid=message.get("consumerPid", ""))
    if offer_first and negotiation.private_offer_id is not None:
        list(PrivateOffer.objects.select_for_update().filter(pk=negotiation.private_offer_id).values_list("pk"))
    negotiation = Negotiation.objects.select_for_update().get(pk=negotiation.pk)
    if message.get("providerPid") != negotiation.provider_pid or message.get("consumerPid") != negotiation.consumer_pid:
        raise messages.error(
            400,
            "pid-mismatch",
            "The message's providerPid and consumerPid must name this negotiation.",
            negotiation=negotiation,
        )
    return negotiation


# --- Ichiba's decisions ----------------------------------------------------------------------------------------------


@transaction.atomic
def negotiation_agree(*, negotiation_id: uuid.UUID, trade_id: uuid.UUID) -> Negotiation:
    """A trade was concluded for the negotiation (its fill-or-kill buy filled, or the seller accepted or the
    consumer accepted a private offer of it): its contract is the agreement. AGREED from REQUESTED or ACCEPTED,
    and the ``ContractAgreementMessage`` queued."""
    negotiation = Negotiation.objects.select_for_update().get(pk=negotiation_id)
    trade = Trade.objects.select_related("contract").get(pk=trade_id)
    if trade.contract is None:
        raise ValueError(f"trade {trade_id} has no contract")
    negotiation.trade, negotiation.contract = trade, trade.contract
    negotiation.price, negotiation.currency = trade.price, trade.currency
    _move(negotiation, State.AGREED, by=Party.PROVIDER, message_type="ContractAgreementMessage")
    callback_queue(
        negotiation=negotiation,
        path=_path(negotiation, "agreement"),
        message=messages.agreement_message(negotiation, trade.contract),
    )
    return negotiation


@transaction.atomic
def negotiation_terminate(*, negotiation_id: uuid.UUID, code: str, reason: str, by: str) -> Negotiation:
    """Terminate a negotiation (for the counter-offers: the seller declined, the private offer expired), telling
    the consumer; one already terminated stays as it is, a finalized one refuses (InvalidTransition)."""
    negotiation = Negotiation.objects.select_for_update().get(pk=negotiation_id)
    if negotiation.state != State.TERMINATED:
        _terminate(negotiation, code, reason, by=by)
    return negotiation


def _terminate(negotiation: Negotiation, code: str, reason: str, *, by: str) -> None:
    """TERMINATED (the caller holds the row lock), the consumer told unless it asked, and the trade made for the
    negotiation, if any, released."""
    negotiation.termination_code, negotiation.termination_reason = code[:64], reason[:500]
    message_type = "ContractNegotiationTerminationMessage"
    _move(negotiation, State.TERMINATED, by=by, message_type=message_type, reason=f"{code}: {reason}")
    if by != Party.CONSUMER:
        callback_queue(
            negotiation=negotiation,
            path=_path(negotiation, "termination"),
            message=messages.termination_message(negotiation),
        )
    if negotiation.trade_id is not None:
        settlement = Settlement.objects.filter(trade_id=negotiation.trade_id, period=1).first()
        if settlement is not None:
            released = settlement_release(
                settlement_id=settlement.id, reason=f"DSP negotiation {negotiation.provider_pid} terminated: {code}"
            )
            if released.status == Settlement.Status.CAPTURED:  # delivered already: the contract stands, paid
                _record(
                    negotiation,
                    State.TERMINATED,
                    State.TERMINATED,
                    by=Party.SYSTEM,
                    reason="the data was delivered before the termination: the contract stands and is paid",
                )


def _finalize_if_paid(negotiation: Negotiation) -> None:
    """A VERIFIED negotiation becomes FINALIZED once its trade's payment is authorised and the entitlement active
    (the ``FINALIZED`` event queued); a payment that failed terminates it. Otherwise it waits (the caller holds the
    row lock; what settlement decided is read as committed)."""
    if negotiation.trade_id is None:
        return
    settlement = Settlement.objects.filter(trade_id=negotiation.trade_id, period=1).first()
    if settlement is None:
        return
    if settlement.status in (Settlement.Status.FAILED, Settlement.Status.VOIDED):
        reason = settlement.failure_message or settlement.failure_code or "The payment was not authorised."
        _terminate(negotiation, PAYMENT_FAILED, reason, by=Party.PROVIDER)
        return
    active = Entitlement.objects.filter(settlement=settlement, status=Entitlement.Status.ACTIVE).exists()
    paid = settlement.status in (Settlement.Status.AUTHORIZED, Settlement.Status.CAPTURED)
    if negotiation.state == State.VERIFIED and paid and active:
        _move(negotiation, State.FINALIZED, by=Party.PROVIDER, message_type="ContractNegotiationEventMessage")
        callback_queue(
            negotiation=negotiation,
            path=_path(negotiation, "events"),
            message=messages.event_message(negotiation, "FINALIZED"),
        )


@transaction.atomic
def negotiation_payment_update(*, trade_id: uuid.UUID) -> Negotiation | None:
    """Settlement announced a change of the trade's payment (authorised with access granted, or failed): move the
    negotiation made for the trade, if any (a task after settlement's commit; safe to run twice)."""
    negotiation = Negotiation.objects.select_for_update().filter(trade_id=trade_id).first()
    if negotiation is None or negotiation.state in Negotiation.TERMINAL:
        return negotiation
    _finalize_if_paid(negotiation)
    return negotiation


def _payment_changed(trade_id: uuid.UUID) -> None:
    """Settlement's hooks (under the settlement's row lock): nothing is read or written there; after commit, the
    trade's negotiation, if there is one, is moved by a task."""

    def later() -> None:
        if Negotiation.objects.filter(trade_id=trade_id).exclude(state__in=Negotiation.TERMINAL).exists():
            tasks.negotiation_payment_update.delay(str(trade_id))

    transaction.on_commit(later, robust=True)


def _access_granted(event: settlement_hooks.TradeAccessGranted) -> None:
    _payment_changed(event.trade_id)


def _unpaid(event: settlement_hooks.TradeUnpaid) -> None:
    _payment_changed(event.trade_id)


def _agreement_given_up(callback: Callback) -> None:
    """The agreement could not be delivered: the negotiation is TERMINATED (``consumer-unreachable``) and its
    trade released, unless the consumer verified meanwhile (it did get the agreement, then)."""
    if callback.negotiation_id is None:
        return
    negotiation = Negotiation.objects.select_for_update().filter(pk=callback.negotiation_id).first()
    if negotiation is None or negotiation.state != State.AGREED:
        return
    _terminate(
        negotiation,
        CONSUMER_UNREACHABLE,
        f"The agreement could not be delivered to the callback address ({callback.last_error or 'no answer'}).",
        by=Party.SYSTEM,
    )


def negotiations_subscribe() -> None:
    """From ``DataspaceConfig.ready()``: settlement's announcements of a trade's payment, and the agreement's
    delivery given up."""
    settlement_hooks.subscribe_trade_access_granted(_access_granted)
    settlement_hooks.subscribe_trade_unpaid(_unpaid)
    on_given_up("ContractAgreementMessage", _agreement_given_up)


# --- the one place a state changes -----------------------------------------------------------------------------------


def _move(negotiation: Negotiation, target: str, *, by: str, message_type: str = "", reason: str = "") -> None:
    states.negotiation_check(negotiation.state, target)
    previous = negotiation.state
    negotiation.state = target
    negotiation.save()
    _record(negotiation, previous, target, by=by, message_type=message_type, reason=reason)


def _record(
    negotiation: Negotiation, from_state: str, to_state: str, *, by: str, message_type: str = "", reason: str = ""
) -> None:
    NegotiationEvent.objects.create(
        negotiation=negotiation,
        from_state=from_state,
        to_state=to_state,
        by=by,
        message_type=message_type,
        reason=reason[:500],
    )


def _path(negotiation: Negotiation, leaf: str) -> str:
    return callback_path("negotiations", negotiation.consumer_pid, leaf)
