"""Counter-offers over the Dataspace Protocol (docs/dataspace.md, "Counter-offers"): a consumer's
``ContractRequestMessage`` with another price or other terms than the catalog's offer becomes a private offer the
buyer proposes to the seller (``deals.services.private_offers.private_offer_propose``, via ``dsp``), and the
negotiation waits in REQUESTED for the seller's answer, which moves it (``negotiations_on_private_offer_changed``,
subscribed to ``deals.hooks``):

- the seller accepts: the deal's trade concludes the contract, which is the agreement (``negotiation_agree``: AGREED,
  the ``ContractAgreementMessage`` queued);
- the seller counters: OFFERED, and a ``ContractOfferMessage`` to ``<callback>/negotiations/<consumerPid>/offers``
  carrying the revision as a DSP ``Offer`` (``@id`` naming the revision, ``target`` the dataset);
- the seller declines, or the offer expires: TERMINATED (``declined``, ``expired``).

On an OFFERED negotiation the consumer accepts (``ACCEPTED`` event: ``counter_offer_accept``, the private offer
accepted as the buyer: ACCEPTED, then AGREED with the deal's trade) or counters (``counter_offer_counter``:
REQUESTED again, the seller's turn). A consumer's termination declines the open private offer
(``counter_offer_terminate``). The buyer's organisation may also answer on the web or through the partner API: the
negotiation follows the private offer whichever way it moves.

Refusals: an offer Ichiba cannot read into its terms is a 400 ``terms-not-negotiable`` naming the rule, and terms
the template refuses a 400 ``terms-invalid``; both raise, so the request leaves nothing behind (the caller's
transaction holds the negotiation it stored). A proposal the market's rules refuse (the buyer unverified or outside
the territory, an exclusive licence in the way, the dataset withdrawn) terminates the negotiation with a code, as a
fill-or-kill that cannot fill does.

Lock order: the private offer, then the negotiation (the deals services lock the offer first and announce under
it); the entry points here take them in that order. The negotiation's own services (``negotiation_agree``,
``negotiation_terminate``) belong to the negotiation slice (``dataspace.services.negotiations``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.api.principal import Principal
from config.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from dataspace.dsp import CONTEXT
from dataspace.dsp.errors import DspError
from dataspace.dsp.offers import Basis, ConsumerOffer, offer_read, revision_offer
from dataspace.models import Callback, Negotiation, NegotiationEvent, Party
from dataspace.selectors import best_asks

# The negotiation services import this module (a counter-offer is handed over inside their transaction); this one
# calls back into them only at run time, through the module, so the cycle is harmless.
from dataspace.services import negotiations
from dataspace.services.callbacks import callback_queue
from dataspace.states import negotiation_check
from deals import hooks as deal_hooks
from deals.models import PrivateOffer, PrivateOfferRevision
from deals.services.private_offers import (
    private_offer_accept,
    private_offer_counter,
    private_offer_decline,
    private_offer_propose,
)

# How long a counter-offer waits for the seller (a DSP offer states no expiry; the seller's counter keeps it).
PROPOSAL_VALIDITY = timedelta(days=14)
NOTE = "Counter-offer over the Dataspace Protocol (negotiation {pid})."
ERROR = "ContractNegotiationError"


def _named(error: DspError, negotiation: Negotiation) -> DspError:
    error.message_type = ERROR
    error.provider_pid, error.consumer_pid = negotiation.provider_pid, negotiation.consumer_pid
    return error


def _refused(negotiation: Negotiation, status: int, code: str, *reason: str) -> DspError:
    return _named(DspError(status, code, *reason), negotiation)


def _invalid(negotiation: Negotiation, error: InvalidInput) -> DspError:
    details = [f"{field}: {'; '.join(problems)}" for field, problems in error.errors.items()]
    return _refused(negotiation, 400, "terms-invalid", error.detail, *details)


# Codes of a termination for a proposal the market refuses (the DomainError's own code otherwise).
_CODES = {Forbidden: "not-allowed", NotFound: "not-offered"}


def _termination_code(error: DomainError) -> str:
    return next((code for kind, code in _CODES.items() if isinstance(error, kind)), error.code)


def offering_basis(negotiation: Negotiation) -> Basis:
    """The catalog's offer a first request answers: the offering's terms at its best ask now (0 when nothing rests
    on the book: then any price is a counter-offer)."""
    offering = negotiation.offering
    ask = best_asks(offering_ids=[offering.id]).get(offering.id, 0)
    return Basis(
        template_code=offering.template_code,
        template_version=offering.template_version,
        terms=offering.terms,
        data_class=negotiation.dataset.data_class,
        currency=offering.currency,
        price=ask,
        seller_id=offering.seller_id,
        dataset_id=offering.dataset_id,
    )


def revision_basis(offer: PrivateOffer, latest: PrivateOfferRevision) -> Basis:
    """The seller's latest revision, which a consumer's counter answers."""
    return Basis(
        template_code=offer.template_code,
        template_version=offer.template_version,
        terms=latest.terms,
        data_class=offer.dataset.data_class,
        currency=offer.currency,
        price=latest.price,
        seller_id=offer.seller_id,
        dataset_id=offer.dataset_id,
    )


def counter_offer_read(*, negotiation: Negotiation, offer: dict[str, Any]) -> ConsumerOffer:
    """The consumer's first offer read against the catalog's (``is_counter``: it changes the terms or the price), or
    a 400 ``terms-not-negotiable`` naming the rule it cannot state."""
    try:
        return offer_read(offer, basis=offering_basis(negotiation))
    except DspError as error:
        raise _named(error, negotiation) from None


def _revision_message(negotiation: Negotiation, offer: PrivateOffer, revision: PrivateOfferRevision) -> dict[str, Any]:
    return revision_offer(
        private_offer_id=offer.id,
        number=revision.number,
        seller_id=offer.seller_id,
        dataset_id=offer.dataset_id,
        template_code=offer.template_code,
        template_version=offer.template_version,
        terms=revision.terms,
        terms_sha256=revision.terms_sha256,
        data_class=negotiation.dataset.data_class,
        price=revision.price,
        currency=offer.currency,
    )


def _move(negotiation: Negotiation, target: str, *, by: str, message_type: str = "", reason: str = "") -> None:
    """``negotiation`` (locked) to ``target``, recorded as an event; the caller saves its other fields."""
    negotiation_check(negotiation.state, target)
    NegotiationEvent.objects.create(
        negotiation=negotiation,
        from_state=negotiation.state,
        to_state=target,
        by=by,
        message_type=message_type,
        reason=reason[:500],
    )
    negotiation.state = target


# --- the consumer's messages ----------------------------------------------------------------------------------


@transaction.atomic
def counter_offer_open(*, negotiation: Negotiation, principal: Principal, offer: dict[str, Any]) -> None:
    """The consumer's first counter-offer (``offer``, as received, in DSP terms), on a negotiation just stored in
    REQUESTED: proposed to the seller as a private offer by the buyer (one seat, the offering's template, currency
    and dataset), and the negotiation waits in REQUESTED. Raises ``DspError`` for an offer that cannot be read into
    the market's terms or whose terms are invalid; a proposal the market's rules refuse terminates the
    negotiation."""
    offering = negotiation.offering
    if offering.kind != "licence":
        raise _refused(
            negotiation,
            400,
            "terms-not-negotiable",
            "A subscription is sold at the catalog's terms and price: send its offer unchanged.",
        )
    read = counter_offer_read(negotiation=negotiation, offer=offer)
    try:
        proposal = private_offer_propose(
            principal=principal,
            dataset_id=offering.dataset_id,
            template_code=offering.template_code,
            template_version=offering.template_version,
            terms=read.terms,
            price=read.price,
            currency=offering.currency,
            expires_at=timezone.now() + PROPOSAL_VALIDITY,
            via=PrivateOffer.Via.DSP,
            note=NOTE.format(pid=negotiation.provider_pid),
        )
    except InvalidInput as error:
        raise _invalid(negotiation, error) from None
    except DomainError as error:  # the market refuses the proposal (its savepoint rolled back): as a fill-or-kill
        negotiations.negotiation_terminate(
            negotiation_id=negotiation.id, code=_termination_code(error), reason=error.detail, by=Party.PROVIDER
        )
        return
    Negotiation.objects.filter(pk=negotiation.pk).update(
        private_offer=proposal, price=read.price, currency=offering.currency, updated_at=timezone.now()
    )
    negotiation.private_offer = proposal
    negotiation.price, negotiation.currency = read.price, offering.currency


def _locked(negotiation: Negotiation) -> tuple[PrivateOffer, Negotiation]:
    """The negotiation's private offer, then the negotiation, under their row locks (the one lock order)."""
    if negotiation.private_offer_id is None:
        raise _refused(negotiation, 400, "no-counter-offer", "This negotiation has no offer of the seller's to answer.")
    offer = (
        PrivateOffer.objects.select_for_update(of=("self",))
        .select_related("dataset")
        .get(pk=negotiation.private_offer_id)
    )
    locked = Negotiation.objects.select_for_update(of=("self",)).select_related("dataset").get(pk=negotiation.pk)
    return offer, locked


def _answer_refused(negotiation: Negotiation, error: DomainError) -> DspError:
    if isinstance(error, InvalidInput):
        return _invalid(negotiation, error)
    if isinstance(error, Conflict) and "expired" in error.errors.get("status", []):
        return _refused(negotiation, 400, "expired", error.detail)
    return _refused(negotiation, 400, _termination_code(error), error.detail)


@transaction.atomic
def counter_offer_counter(*, negotiation: Negotiation, principal: Principal, offer: dict[str, Any]) -> None:
    """The consumer's counter to the seller's latest revision (the negotiation is OFFERED): its offer read against
    that revision and countered as the buyer (``private_offer_counter``); the negotiation is REQUESTED again (by the
    announcement of the counter), the seller's turn. An offer that changes nothing is refused: accept it with the
    ``ACCEPTED`` event instead."""
    private, locked = _locked(negotiation)
    negotiation_check(locked.state, Negotiation.State.REQUESTED)
    latest = PrivateOfferRevision.objects.get(private_offer=private, number=private.revision)
    try:
        read = offer_read(offer, basis=revision_basis(private, latest))
    except DspError as error:
        raise _named(error, locked) from None
    if not read.is_counter:
        raise _refused(
            locked,
            400,
            "offer-unchanged",
            "This is the seller's latest offer unchanged: accept it with a ContractNegotiationEventMessage ACCEPTED.",
        )
    try:
        private_offer_counter(
            principal=principal,
            private_offer_id=private.id,
            terms=read.terms,
            price=read.price,
            note=NOTE.format(pid=locked.provider_pid),
        )
    except DomainError as error:
        raise _answer_refused(locked, error) from None


@transaction.atomic
def counter_offer_accept(*, negotiation: Negotiation, principal: Principal) -> None:
    """The consumer accepts the seller's latest offer (``ACCEPTED`` event on an OFFERED negotiation): ACCEPTED, and
    the private offer accepted as the buyer (``private_offer_accept``, naming the revision it was sent), which
    concludes the contract; its announcement makes the negotiation AGREED. Refused (the negotiation stays OFFERED)
    when the offer expired or the market refuses the deal now."""
    private, locked = _locked(negotiation)
    latest = PrivateOfferRevision.objects.get(private_offer=private, number=private.revision)
    _move(locked, Negotiation.State.ACCEPTED, by=Party.CONSUMER, message_type="ContractNegotiationEventMessage")
    locked.save(update_fields=["state", "updated_at"])
    try:
        private_offer_accept(
            principal=principal,
            private_offer_id=private.id,
            accepted_terms_sha256=latest.terms_sha256,
            revision=latest.number,
        )
    except DomainError as error:
        raise _answer_refused(locked, error) from None


@transaction.atomic
def counter_offer_terminate(*, negotiation: Negotiation, principal: Principal, reason: str = "") -> None:
    """The consumer terminated the negotiation (call after ``negotiation_terminate``, in its transaction): its open
    private offer is declined as the buyer. Nothing to do without one, or once it is closed."""
    if negotiation.private_offer_id is None:
        return
    offer = PrivateOffer.objects.select_for_update(of=("self",)).get(pk=negotiation.private_offer_id)
    if offer.status != PrivateOffer.Status.OPEN or offer.expires_at <= timezone.now():
        return
    private_offer_decline(principal=principal, private_offer_id=offer.id, reason=reason[:200])


# --- the private offer's changes -------------------------------------------------------------------------------


def negotiations_on_private_offer_changed(event: deal_hooks.PrivateOfferChanged) -> None:
    """Move the negotiation of a private offer proposed over the protocol, in the change's transaction (the offer is
    locked by it; the negotiation is locked here): a seller's counter → OFFERED with a ``ContractOfferMessage``; a
    buyer's counter (on the web or by the protocol) → REQUESTED; an acceptance → AGREED with the deal's trade (through
    ACCEPTED when the buyer accepted on the web); a decline → TERMINATED ``declined``; an expiry → ``expired``. A
    negotiation already over is left as it is (the private offer lives on by itself)."""
    negotiation = (
        Negotiation.objects.select_for_update(of=("self",))
        .select_related("dataset")
        .filter(private_offer_id=event.private_offer_id)
        .first()
    )
    if negotiation is None or negotiation.state in Negotiation.TERMINAL:
        return
    if event.kind == "countered":
        _countered(negotiation, event)
    elif event.kind == "accepted":
        if negotiation.state == Negotiation.State.OFFERED:  # the buyer accepted on the web or through the API
            _move(negotiation, Negotiation.State.ACCEPTED, by=Party.CONSUMER, reason="accepted on the market")
            negotiation.save(update_fields=["state", "updated_at"])
        assert event.trade_id is not None, "an accepted private offer has its trade"
        negotiations.negotiation_agree(negotiation_id=negotiation.id, trade_id=event.trade_id)
    elif event.kind == "declined":
        by = Party.CONSUMER if event.by == "buyer" else Party.PROVIDER
        reason = event.reason or f"The {event.by} declined the offer."
        negotiations.negotiation_terminate(negotiation_id=negotiation.id, code="declined", reason=reason, by=by)
    elif event.kind == "expired":
        negotiations.negotiation_terminate(
            negotiation_id=negotiation.id,
            code="expired",
            reason="The offer expired before it was accepted.",
            by=Party.PROVIDER,
        )


def _countered(negotiation: Negotiation, event: deal_hooks.PrivateOfferChanged) -> None:
    offer = PrivateOffer.objects.get(pk=event.private_offer_id)
    revision = PrivateOfferRevision.objects.get(private_offer=offer, number=event.revision)
    message = _revision_message(negotiation, offer, revision)
    if event.author == "seller":
        _move(negotiation, Negotiation.State.OFFERED, by=Party.PROVIDER, message_type="ContractOfferMessage")
        negotiation.offer_by = Party.PROVIDER
    else:
        _move(negotiation, Negotiation.State.REQUESTED, by=Party.CONSUMER, message_type="ContractRequestMessage")
        negotiation.offer_by = Party.CONSUMER
    negotiation.offer, negotiation.price, negotiation.currency = message, revision.price, offer.currency
    negotiation.save(update_fields=["state", "offer", "offer_by", "price", "currency", "updated_at"])
    if event.author == "seller":
        callback_queue(
            negotiation=negotiation,
            path=f"negotiations/{negotiation.consumer_pid}/offers",
            message={
                "@context": [CONTEXT],
                "@type": "ContractOfferMessage",
                "providerPid": negotiation.provider_pid,
                "consumerPid": negotiation.consumer_pid,
                "offer": message,
            },
        )


def counter_offer_given_up(callback: Callback) -> None:
    """A ``ContractOfferMessage`` the consumer's connector never took: the negotiation is terminated (the private
    offer stays open to its buyer on the market until it expires), unless the consumer moved it on meanwhile (it
    countered or accepted: it evidently has the offer), which only an OFFERED negotiation has not."""
    if callback.negotiation_id is None:
        return
    state = Negotiation.objects.filter(pk=callback.negotiation_id).values_list("state", flat=True).first()
    if state != Negotiation.State.OFFERED:
        return
    negotiations.negotiation_terminate(
        negotiation_id=callback.negotiation_id,
        code="undeliverable",
        reason=f"The offer could not be delivered: {callback.last_error or callback.last_status_code}",
        by=Party.SYSTEM,
    )
