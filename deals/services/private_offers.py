"""Private offers with counter-offers (docs/domain.md#private-offers): a seller offers a licence to one buyer (or a
buyer proposes one to the seller of a published dataset: ``private_offer_propose``), the two negotiate it revision by
revision, and the party that did not write the latest revision accepts it (by its
hash) or either party declines; an acceptance sells it at once through a private offering of its own
(``marketplace.services.offerings.deal_offering_open`` and ``marketplace.services.orders.deal_execute``: the same
contract, settlement, entitlement, ledger and fee as a trade on the book).

Every action runs under the private offer's row lock (``select_for_update``), taken first: an accept racing a
counter, a decline or another accept is judged after it, sees its outcome and answers 409. Then, where terms are
judged, the dataset's row lock (exclusivity), then the private offering's. Every revision is validated and hashed
as an offering's terms are (``contracts.terms.terms_resolve`` with ``license_seats`` = its quantity), so the market
rules hold for each: the territory, the anonymised-data clauses (always added, and covered by the hash), an
exclusive licence of one seat, and exclusivity as a publication is judged.

Every counter, acceptance, decline and expiry is announced to higher apps (``deals.hooks.on_private_offer_changed``,
in the same transaction): the Dataspace Protocol's negotiations follow the offers proposed through them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Dataset
from config.api.principal import Principal
from config.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from config.text import text_refusal
from contracts.eligibility import OUTSIDE_TERRITORY, Buyer, buyer_refusal
from contracts.registry import Template, template_get
from contracts.terms import ResolvedTerms, terms_resolve
from deals import hooks as deal_hooks
from deals.models import DataRequest, DealEvent, PrivateOffer, PrivateOfferRevision
from deals.services.data_requests import currency_clean, data_request_answered, data_request_for_answer
from marketplace import hooks
from marketplace.models import Organization, Trade
from marketplace.services.exclusivity import exclusivity_check, exclusivity_lock, is_exclusive
from marketplace.services.offerings import SellerAcceptance, deal_offering_close, deal_offering_open
from marketplace.services.orders import MAX_PRICE, MAX_QUANTITY, DealLeg, deal_execute
from settlement.services.webhooks import webhook_publish

SELLER = PrivateOfferRevision.Author.SELLER
BUYER = PrivateOfferRevision.Author.BUYER

MAX_VALIDITY = timedelta(days=90)  # an offer expires at most this long after it is made or countered
NOTE_MAX_LENGTH = PrivateOfferRevision._meta.get_field("note").max_length or 1000
REASON_MAX_LENGTH = 200
EXPIRE_BATCH = 500

# Nested terms a counter changes key by key (as the template's defaults fill them); any other term is replaced whole.
_MERGED_TERMS = ("derived_data", "warranties")


@dataclass(frozen=True)
class Accepted:
    """An accepted private offer with its trade (one contract, one settlement) and the rows the trade's subscribers
    wrote with it (its settlement, read without a query by ``hooks.settlements_of_trades``)."""

    private_offer: PrivateOffer
    trade: Trade
    subscriber_rows: tuple[models.Model, ...] = ()


# --- checks ------------------------------------------------------------------------------------------------


def _check_amounts(*, price: int, quantity: int) -> None:
    errors: dict[str, list[str]] = {}
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        errors["price"] = [f"an integer from 1 to {MAX_PRICE}"]
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        errors["quantity"] = [f"an integer from 1 to {MAX_QUANTITY}"]
    if errors:
        raise InvalidInput(
            f"price is per seat in minor units, 1 to {MAX_PRICE:,}; quantity is seats, 1 to {MAX_QUANTITY:,}.",
            errors=errors,
        )


def _check_expiry(expires_at: datetime, now: datetime) -> None:
    if timezone.is_naive(expires_at):
        raise InvalidInput("expires_at needs its offset (ISO 8601).", errors={"expires_at": ["no offset"]})
    if expires_at <= now:
        raise InvalidInput("expires_at must be in the future.", errors={"expires_at": ["in the past"]})
    if expires_at > now + MAX_VALIDITY:
        raise InvalidInput(
            f"An offer is valid for at most {MAX_VALIDITY.days} days: expires_at is too far ahead.",
            errors={"expires_at": [f"at most {MAX_VALIDITY.days} days ahead"]},
        )


def _check_text(value: str, *, field: str, max_length: int) -> str:
    if len(value) > max_length:
        raise InvalidInput(f"{field} is at most {max_length} characters.", errors={field: ["too long"]})
    refusal = text_refusal(value, multiline=True)
    if refusal is not None:
        raise InvalidInput(f"{field}: {refusal}", errors={field: [str(refusal)]})
    return value


def _check_seller(principal: Principal) -> None:
    if not principal.is_seller:
        raise Forbidden("Only organisations with the seller role may make private offers.")
    if not principal.verified:
        raise Forbidden("Only organisations verified by the market operator may make private offers.")


def _buyer_facts(organization: Organization) -> Buyer:
    return Buyer(
        organization_id=organization.id,
        verified=organization.verified,
        is_buyer=organization.is_buyer,
        country=organization.country,
    )


@dataclass(frozen=True)
class _Offer:
    """The terms of a revision, as ``contracts.eligibility`` reads an offering."""

    seller_id: uuid.UUID
    terms: Mapping[str, Any]
    terms_sha256: str


def _check_buyer(
    *, buyer: Organization, seller_id: uuid.UUID, terms: Mapping[str, Any], sha256: str, field: str
) -> None:
    """The buyer must be one that may buy these terms (``contracts.eligibility.buyer_refusal``, the one rule): a
    verified organisation with the buyer role, not the seller, inside the licensed territory. An offer it could
    never accept is refused when it is made or countered, and an acceptance when the buyer no longer qualifies is
    refused in these words (the trade would refuse it too, in words meant for the buyer)."""
    refusal = buyer_refusal(
        buyer=_buyer_facts(buyer),
        offering=_Offer(seller_id=seller_id, terms=terms, terms_sha256=sha256),
        accepted_terms_sha256=sha256,
    )
    if refusal is None:
        return
    if refusal.code == OUTSIDE_TERRITORY:
        raise RuleViolation(
            f"The buyer's country ({buyer.country}) is outside the licensed territory "
            f"({', '.join(terms['territory'])}): it could not accept.",
            errors={"terms.territory": [f"does not include the buyer's country {buyer.country}"]},
        )
    reasons = {
        "unverified": "not verified by the market operator",
        "not-a-buyer": "does not have the buyer role",
        "own-offering": "is the seller itself",
    }
    reason = reasons.get(refusal.code, refusal.message)
    raise RuleViolation(
        f"A private offer goes to a verified buyer; this organisation {reason}.", errors={field: [reason]}
    )


def _resolve(
    *, template: Template, terms: Mapping[str, Any], quantity: int, dataset: Dataset, seller_id: uuid.UUID
) -> ResolvedTerms:
    """A revision's terms validated and hashed as an offering's would be, and judged for exclusivity as a publication
    is, under the dataset's row lock (the caller holds it)."""
    resolved = terms_resolve(
        template=template, terms=terms, license_seats=quantity, data_class=dataset.data_class, subscription=None
    )
    exclusivity_lock(dataset.id)
    exclusivity_check(
        dataset_id=dataset.id,
        territory=resolved.terms["territory"],
        exclusive=is_exclusive(resolved.terms),
        organization_id=seller_id,
    )
    return resolved


def _revision_add(
    offer: PrivateOffer,
    *,
    number: int,
    author: str,
    principal: Principal,
    resolved: ResolvedTerms,
    price: int,
    quantity: int,
    note: str,
    now: datetime,
) -> PrivateOfferRevision:
    """Store a revision of ``offer``: its terms as resolved (validated and hashed), its price and seats, by the
    caller for ``author``'s side."""
    return PrivateOfferRevision.objects.create(
        private_offer=offer,
        number=number,
        author=author,
        author_user_id=principal.user_id,
        author_api_key_id=principal.api_key_id,
        terms=resolved.terms,
        terms_sha256=resolved.sha256,
        mandatory_clauses=list(resolved.mandatory_clauses),
        price=price,
        quantity=quantity,
        note=note,
        created_at=now,
    )


def _dataset_locked(*, dataset_id: uuid.UUID, seller_id: uuid.UUID | None) -> Dataset:
    """The dataset under its row lock: the seller's own (``seller_id``), or, for a buyer's proposal (None), any
    published one (a draft or a withdrawn dataset of someone else's is not found: nothing leaks)."""
    found = Dataset.objects.select_for_update().filter(pk=dataset_id)
    if seller_id is not None:
        found = found.filter(seller_id=seller_id)
    else:
        found = found.filter(status=Dataset.Status.PUBLISHED)
    dataset = found.first()
    if dataset is None:
        what = "No such dataset of yours." if seller_id is not None else "No such published dataset."
        raise NotFound(what, errors={"dataset": ["not found"]})
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Conflict(
            f"The dataset is {dataset.status}; only a published dataset (with a published version) can be offered.",
            errors={"dataset": [str(dataset.status)]},
        )
    return dataset


# --- what each party sees ------------------------------------------------------------------------------------


def buyer_hidden(offer: PrivateOffer, organization_id: uuid.UUID | None) -> bool:
    """Whether the buyer's identity is hidden from ``organization_id``: from the seller, while an offer answering a
    data request whose author did not make its name public is not accepted (the contract then names both parties)."""
    return (
        organization_id == offer.seller_id
        and offer.data_request_id is not None
        and offer.data_request is not None
        and not offer.data_request.public_identity
        and offer.status != PrivateOffer.Status.ACCEPTED
    )


def effective_status(offer: PrivateOffer, now: datetime | None = None) -> str:
    """``expired`` as soon as ``expires_at`` has passed, before the beat has marked it so."""
    if offer.status == PrivateOffer.Status.OPEN and offer.expires_at <= (now or timezone.now()):
        return PrivateOffer.Status.EXPIRED
    return offer.status


def party_of(offer: PrivateOffer, organization_id: uuid.UUID) -> str:
    return SELLER if organization_id == offer.seller_id else BUYER


def revision_facts(revision: PrivateOfferRevision) -> dict[str, Any]:
    """A revision as the contract records it (``Contract.negotiation``)."""
    return {
        "revision": revision.number,
        "author": revision.author,
        "terms_sha256": revision.terms_sha256,
        "price": revision.price,
        "quantity": revision.quantity,
        "created_at": revision.created_at.isoformat(),
    }


def _webhook_data(offer: PrivateOffer, latest: PrivateOfferRevision, organization_id: uuid.UUID) -> dict[str, Any]:
    hidden = buyer_hidden(offer, organization_id)
    data: dict[str, Any] = {
        "id": str(offer.id),
        "status": offer.status,
        "revision": latest.number,
        "author": latest.author,
        "terms_sha256": latest.terms_sha256,
        "price": latest.price,
        "quantity": latest.quantity,
        "currency": offer.currency,
        "dataset": str(offer.dataset_id),
        "seller": str(offer.seller_id),
        "buyer": None if hidden else str(offer.buyer_id),
        "data_request": str(offer.data_request_id) if offer.data_request_id else None,
        "proposed_by": offer.proposed_by,
        "proposed_via": offer.proposed_via,
        "expires_at": offer.expires_at.isoformat(),
    }
    if offer.status == PrivateOffer.Status.ACCEPTED and offer.trade is not None:
        data["trade"] = str(offer.trade.id)
        data["contract"] = str(offer.trade.contract_id) if offer.trade.contract_id else None
    if offer.status == PrivateOffer.Status.DECLINED:
        data["declined_by"] = offer.declined_by
    return data


def _publish(
    offer: PrivateOffer, latest: PrivateOfferRevision, event_type: str, to: Sequence[uuid.UUID], kind: str
) -> None:
    for organization_id in to:
        webhook_publish(
            organization_id=organization_id,
            event_type=event_type,
            data=_webhook_data(offer, latest, organization_id),
            # One event per offer, action and revision, whatever repeats it.
            event_id=uuid.uuid5(offer.id, f"{kind}:{latest.number}:{organization_id}"),
        )


def _event(
    offer: PrivateOffer, kind: str, *, principal: Principal | None, payload: Mapping[str, Any] | None = None
) -> None:
    DealEvent.objects.create(
        private_offer=offer,
        kind=kind,
        actor_organization_id=principal.organization_id if principal else None,
        actor_user_id=principal.user_id if principal else None,
        payload=dict(payload or {}),
    )


def _opened(
    offer: PrivateOffer,
    *,
    principal: Principal,
    template: Template,
    terms: Mapping[str, Any],
    price: int,
    quantity: int,
    note: str,
    now: datetime,
    field: str,
) -> PrivateOffer:
    """Store a new ``offer`` (unsaved, its dataset locked) with its revision 1 of ``terms`` (resolved, and judged for
    exclusivity and for its buyer: ``field`` names the buyer in a refusal), written by the party that proposes it
    (``offer.proposed_by``), and tell the other party (``private_offer.received``)."""
    resolved = _resolve(
        template=template, terms=terms, quantity=quantity, dataset=offer.dataset, seller_id=offer.seller_id
    )
    _check_buyer(
        buyer=offer.buyer, seller_id=offer.seller_id, terms=resolved.terms, sha256=resolved.sha256, field=field
    )
    offer.template_code, offer.template_version = template.code, template.version
    author = offer.proposed_by
    offer.revision = 1
    offer.save(force_insert=True)
    latest = _revision_add(
        offer,
        number=1,
        author=author,
        principal=principal,
        resolved=resolved,
        price=price,
        quantity=quantity,
        note=note,
        now=now,
    )
    payload: dict[str, Any] = {"revision": 1, "terms_sha256": resolved.sha256}
    if author == BUYER:
        payload["via"] = offer.proposed_via
    _event(offer, "created" if author == SELLER else "proposed", principal=principal, payload=payload)
    _publish(
        offer, latest, "private_offer.received", [offer.buyer_id if author == SELLER else offer.seller_id], "received"
    )
    return offer


# --- use cases -----------------------------------------------------------------------------------------------


@transaction.atomic
def private_offer_create(
    *,
    principal: Principal,
    dataset_id: uuid.UUID,
    template_code: str,
    terms: Mapping[str, Any],
    price: int,
    quantity: int,
    expires_at: datetime,
    currency: str = "JPY",
    buyer_id: uuid.UUID | None = None,
    data_request_id: uuid.UUID | None = None,
    note: str = "",
) -> PrivateOffer:
    """A seller's offer of a licence of its published dataset to one buyer: named (``buyer_id``), or the author of an
    open data request it answers (``data_request_id``); exactly one of the two. Revision 1 is the seller's, its terms
    validated and hashed as an offering's. Tells the buyer (``private_offer.received``) and, for a request,
    its author that it was answered (``data_request.answered``, through ``data_request_answered``)."""
    _check_seller(principal)
    if (buyer_id is None) == (data_request_id is None):
        raise InvalidInput(
            "Name exactly one of buyer (an organisation id) or data_request (a request you answer).",
            errors={"buyer": ["exactly one of buyer or data_request"], "data_request": ["exactly one"]},
        )
    _check_amounts(price=price, quantity=quantity)
    now = timezone.now()
    _check_expiry(expires_at, now)
    currency = currency_clean(currency)
    note = _check_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    request: DataRequest | None = None
    if data_request_id is not None:
        # The data requests' own rule (deals.services.data_requests): locked until this offer commits, open, not the
        # seller's own; its author is the buyer.
        request = data_request_for_answer(principal=principal, data_request_id=data_request_id)
        buyer = request.buyer
        field = "data_request"
    else:
        found = Organization.objects.filter(pk=str(buyer_id)).first()
        if found is None:
            raise NotFound("No such organisation.", errors={"buyer": ["not found"]})
        buyer = found
        field = "buyer"
    template = template_get(template_code)
    dataset = _dataset_locked(dataset_id=dataset_id, seller_id=principal.organization_id)
    offer = _opened(
        PrivateOffer(
            seller_id=principal.organization_id,
            buyer=buyer,
            dataset=dataset,
            data_request=request,
            currency=currency,
            expires_at=expires_at,
        ),
        principal=principal,
        template=template,
        terms=terms,
        price=price,
        quantity=quantity,
        note=note,
        now=now,
        field=field,
    )
    if request is not None:
        data_request_answered(data_request=request, private_offer=offer, principal=principal)
    return offer


def _check_proposer(principal: Principal) -> None:
    if not principal.is_buyer:
        raise Forbidden("Only organisations with the buyer role may propose a private offer.")
    if not principal.verified:
        raise Forbidden("Only organisations verified by the market operator may propose private offers.")


def _check_one_seat(via: str, quantity: int) -> None:
    """A negotiation over the Dataspace Protocol is for one licence: the protocol's offers state no seats."""
    if via == PrivateOffer.Via.DSP and quantity != 1:
        raise InvalidInput(
            "A private offer proposed over the Dataspace Protocol is for one seat: its offers state no quantity.",
            errors={"quantity": ["one seat over the Dataspace Protocol"]},
        )


@transaction.atomic
def private_offer_propose(
    *,
    principal: Principal,
    dataset_id: uuid.UUID,
    template_code: str,
    terms: Mapping[str, Any],
    price: int,
    expires_at: datetime,
    template_version: int | None = None,
    currency: str = "JPY",
    quantity: int = 1,
    via: str = PrivateOffer.Via.MARKET,
    note: str = "",
) -> PrivateOffer:
    """A buyer's proposal of a licence of someone's published dataset: revision 1 is the buyer's, so the seller
    answers first (accepts it, counters it or declines it). The rules are an offer's, seen from the other side: the
    buyer verified, with the buyer role, not the seller, inside the territory it proposes (the buyer rule); the terms
    validated and hashed as an offering's (``template_version``: the version of the offering it starts from, else the
    current one), exclusivity judged under the dataset's lock; the price, seats, currency and expiry within the same
    bounds. ``via`` records where it was proposed (``dsp``: one seat, as the protocol states none). Tells the seller
    (``private_offer.received``)."""
    _check_proposer(principal)
    if via not in PrivateOffer.Via.values:
        raise InvalidInput(f"via is one of {', '.join(PrivateOffer.Via.values)}.", errors={"via": ["unknown"]})
    _check_amounts(price=price, quantity=quantity)
    _check_one_seat(via, quantity)
    now = timezone.now()
    _check_expiry(expires_at, now)
    currency = currency_clean(currency)
    note = _check_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    template = template_get(template_code, template_version)
    dataset = _dataset_locked(dataset_id=dataset_id, seller_id=None)
    return _opened(
        PrivateOffer(
            seller_id=dataset.seller_id,
            buyer=Organization.objects.get(pk=principal.organization_id),
            dataset=dataset,
            currency=currency,
            expires_at=expires_at,
            proposed_by=BUYER,
            proposed_via=via,
        ),
        principal=principal,
        template=template,
        terms=terms,
        price=price,
        quantity=quantity,
        note=note,
        now=now,
        field="buyer",
    )


def _announce(
    offer: PrivateOffer,
    latest: PrivateOfferRevision,
    kind: deal_hooks.PrivateOfferChange,
    *,
    by: str,
    reason: str = "",
) -> None:
    deal_hooks.on_private_offer_changed(
        deal_hooks.PrivateOfferChanged(
            private_offer_id=offer.id,
            kind=kind,
            revision=latest.number,
            author=latest.author,
            by=by,
            trade_id=offer.trade_id,
            reason=reason,
        )
    )


def _locked(private_offer_id: uuid.UUID | str, principal: Principal) -> PrivateOffer:
    """The offer under its row lock, if the caller is one of its two parties (anyone else: 404)."""
    organization_id = principal.organization_id
    try:
        offer_id = uuid.UUID(str(private_offer_id))
    except ValueError as exc:
        raise NotFound("No such private offer.") from exc
    offer = (
        PrivateOffer.objects.select_for_update(of=("self",))
        .select_related("data_request")
        .filter(Q(seller_id=organization_id) | Q(buyer_id=organization_id), pk=offer_id)
        .first()
    )
    if offer is None:
        raise NotFound("No such private offer.")
    return offer


def _check_open(offer: PrivateOffer, now: datetime) -> None:
    status = effective_status(offer, now)
    if status == PrivateOffer.Status.EXPIRED:
        raise Conflict(
            f"The private offer expired at {offer.expires_at.isoformat()}: it can no longer be accepted, countered "
            "or declined.",
            errors={"status": ["expired"]},
        )
    if status != PrivateOffer.Status.OPEN:
        raise Conflict(f"The private offer is {status}: nothing more can happen to it.", errors={"status": [status]})


def _check_party_role(party: str, principal: Principal) -> None:
    if party == SELLER and not principal.is_seller:
        raise Forbidden("Only an organisation with the seller role acts as a seller.")
    if party == BUYER and not principal.is_buyer:
        raise Forbidden("Only an organisation with the buyer role acts as a buyer.")
    if not principal.verified:
        raise Forbidden("Only organisations verified by the market operator may negotiate private offers.")


def _latest(offer: PrivateOffer) -> PrivateOfferRevision:
    return PrivateOfferRevision.objects.get(private_offer=offer, number=offer.revision)


def _check_turn(latest: PrivateOfferRevision, party: str, action: str) -> None:
    if latest.author == party:
        raise Conflict(
            f"Revision {latest.number} is yours: the other party {action} it, or counters it. You may decline.",
            errors={"revision": [f"revision {latest.number} is your own"]},
        )


def _merged_terms(latest: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(latest)
    for key, value in changes.items():
        if key in _MERGED_TERMS and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


@transaction.atomic
def private_offer_counter(
    *,
    principal: Principal,
    private_offer_id: uuid.UUID | str,
    terms: Mapping[str, Any] | None = None,
    price: int | None = None,
    quantity: int | None = None,
    expires_at: datetime | None = None,
    note: str = "",
) -> PrivateOffer:
    """A counter-offer on the other party's latest revision: a new revision with the ``terms`` that change (merged
    onto the latest revision's; nested ``derived_data`` and ``warranties`` key by key), and/or another ``price`` or
    ``quantity``; at least one of them must differ. The same rules as the offer's apply; the mandatory clauses of
    anonymised data are added whatever the terms say, so no counter removes them. ``expires_at`` (optional) moves
    the offer's expiry. Tells the other party (``private_offer.countered``)."""
    if terms is not None and not isinstance(terms, Mapping):
        raise InvalidInput("terms must be an object.", errors={"terms": ["must be an object"]})
    now = timezone.now()
    offer = _locked(private_offer_id, principal)
    party = party_of(offer, principal.organization_id)
    _check_open(offer, now)
    _check_party_role(party, principal)
    latest = _latest(offer)
    _check_turn(latest, party, "accepts")
    new_price = latest.price if price is None else price
    new_quantity = latest.quantity if quantity is None else quantity
    _check_amounts(price=new_price, quantity=new_quantity)
    _check_one_seat(offer.proposed_via, new_quantity)
    if expires_at is not None:
        _check_expiry(expires_at, now)
    note = _check_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    template = template_get(offer.template_code, offer.template_version)
    dataset = _dataset_locked(dataset_id=offer.dataset_id, seller_id=offer.seller_id)
    resolved = _resolve(
        template=template,
        terms=_merged_terms(latest.terms, terms or {}),
        quantity=new_quantity,
        dataset=dataset,
        seller_id=offer.seller_id,
    )
    if (resolved.sha256, new_price, new_quantity) == (latest.terms_sha256, latest.price, latest.quantity):
        raise InvalidInput(
            f"A counter-offer changes the terms, the price or the quantity of revision {latest.number}; this one "
            "changes nothing. Accept it instead.",
            errors={"_": ["nothing changed"]},
        )
    _check_buyer(
        buyer=offer.buyer, seller_id=offer.seller_id, terms=resolved.terms, sha256=resolved.sha256, field="buyer"
    )
    number = offer.revision + 1
    revision = _revision_add(
        offer,
        number=number,
        author=party,
        principal=principal,
        resolved=resolved,
        price=new_price,
        quantity=new_quantity,
        note=note,
        now=now,
    )
    offer.revision = number
    fields = ["revision", "updated_at"]
    if expires_at is not None:
        offer.expires_at = expires_at
        fields.append("expires_at")
    offer.save(update_fields=fields)
    _event(
        offer,
        "countered",
        principal=principal,
        payload={"revision": number, "author": party, "terms_sha256": resolved.sha256},
    )
    other = offer.buyer_id if party == SELLER else offer.seller_id
    _publish(offer, revision, "private_offer.countered", [other], "countered")
    _announce(offer, revision, "countered", by=party)
    return offer


@transaction.atomic
def private_offer_accept(
    *,
    principal: Principal,
    private_offer_id: uuid.UUID | str,
    accepted_terms_sha256: str,
    revision: int | None = None,
) -> Accepted:
    """The party that did not write the latest revision accepts it, naming its ``terms_sha256`` (and, optionally, its
    number ``revision``: the terms hash does not cover the price and seats, so a counter of the price alone keeps
    it; naming the revision refuses an acceptance of a price that has changed since it was read). A private offering
    with its terms is opened for the buyer (the seller's acceptance is its latest revision's, or this one's) and
    sold to it at once (``deal_execute``: one trade, one contract recording every revision, one settlement), then
    closed. Tells both parties (``private_offer.accepted``)."""
    now = timezone.now()
    offer = _locked(private_offer_id, principal)
    party = party_of(offer, principal.organization_id)
    _check_open(offer, now)
    _check_party_role(party, principal)
    latest = _latest(offer)
    _check_turn(latest, party, "accepts")
    if accepted_terms_sha256 != latest.terms_sha256 or (revision is not None and revision != latest.number):
        raise Conflict(
            f"The latest revision is {latest.number} (terms_sha256 {latest.terms_sha256}, price {latest.price}, "
            f"quantity {latest.quantity}): read the offer again and accept exactly its latest revision.",
            errors={"accepted_terms_sha256": [f"not revision {latest.number}'s"], "revision": [str(latest.number)]},
        )
    _check_buyer(
        buyer=offer.buyer, seller_id=offer.seller_id, terms=latest.terms, sha256=latest.terms_sha256, field="buyer"
    )
    if party == SELLER:
        seller_acceptance = SellerAcceptance(
            seller_id=offer.seller_id, accepted_at=now, user_id=principal.user_id, api_key_id=principal.api_key_id
        )
        buyer_user_id, buyer_api_key_id = latest.author_user_id, latest.author_api_key_id
    else:
        seller_acceptance = SellerAcceptance(
            seller_id=offer.seller_id,
            accepted_at=latest.created_at,
            user_id=latest.author_user_id,
            api_key_id=latest.author_api_key_id,
        )
        buyer_user_id, buyer_api_key_id = principal.user_id, principal.api_key_id
    offering = deal_offering_open(
        channel="private",
        dataset_id=offer.dataset_id,
        acceptance=seller_acceptance,
        template_code=offer.template_code,
        template_version=offer.template_version,
        terms=latest.terms,
        license_seats=latest.quantity,
        currency=offer.currency,
        buyer_id=offer.buyer_id,
    )
    if offering.terms_sha256 != latest.terms_sha256:
        # The template hashes these terms otherwise than when they were offered: never sell other terms than agreed.
        raise Conflict(
            "The agreed terms no longer resolve to the hash both parties saw; counter with fresh terms.",
            errors={"accepted_terms_sha256": ["terms changed meaning"]},
        )
    revisions = PrivateOfferRevision.objects.filter(private_offer=offer).order_by("number")
    dealt = deal_execute(
        offering_id=offering.id,
        legs=[
            DealLeg(
                buyer_id=offer.buyer_id,
                price=latest.price,
                quantity=latest.quantity,
                accepted_terms_sha256=latest.terms_sha256,
                user_id=buyer_user_id,
                api_key_id=buyer_api_key_id,
            )
        ],
        negotiation=tuple(revision_facts(revision) for revision in revisions),
    )
    [trade] = dealt.trades
    deal_offering_close(offering_id=offering.id, reason="private offer accepted: sold to its buyer")
    offer.status = PrivateOffer.Status.ACCEPTED
    offer.offering = offering
    offer.trade = trade
    offer.closed_at = now
    offer.save(update_fields=["status", "offering", "trade", "closed_at", "updated_at"])
    _event(
        offer,
        "accepted",
        principal=principal,
        payload={"revision": latest.number, "by": party, "trade": str(trade.id), "offering": str(offering.id)},
    )
    _publish(offer, latest, "private_offer.accepted", [offer.seller_id, offer.buyer_id], "accepted")
    _announce(offer, latest, "accepted", by=party)
    return Accepted(private_offer=offer, trade=trade, subscriber_rows=dealt.subscriber_rows)


@transaction.atomic
def private_offer_decline(*, principal: Principal, private_offer_id: uuid.UUID | str, reason: str = "") -> PrivateOffer:
    """Either party ends an open offer without a deal, whoever wrote the latest revision (the seller withdraws its
    offer this way). Tells both parties (``private_offer.declined``)."""
    now = timezone.now()
    reason = _check_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    offer = _locked(private_offer_id, principal)
    party = party_of(offer, principal.organization_id)
    _check_open(offer, now)
    offer.status = PrivateOffer.Status.DECLINED
    offer.declined_by = party
    offer.closed_at = now
    offer.save(update_fields=["status", "declined_by", "closed_at", "updated_at"])
    _event(offer, "declined", principal=principal, payload={"by": party, "reason": reason})
    latest = _latest(offer)
    _publish(offer, latest, "private_offer.declined", [offer.seller_id, offer.buyer_id], "declined")
    _announce(offer, latest, "declined", by=party, reason=reason)
    return offer


def private_offers_expire(*, now: datetime | None = None, batch: int = EXPIRE_BATCH) -> int:
    """Mark the open offers past their ``expires_at`` expired (they already answer 409 to every action), and tell
    both parties (``private_offer.expired``). Batches under ``SKIP LOCKED``: an offer an action holds is left to the
    next run (the action itself refuses it). Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            offers = list(
                PrivateOffer.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("data_request")
                .filter(status=PrivateOffer.Status.OPEN, expires_at__lte=now)
                .order_by("expires_at", "id")[:batch]
            )
            for offer in offers:
                offer.status = PrivateOffer.Status.EXPIRED
                offer.closed_at = now
                offer.save(update_fields=["status", "closed_at", "updated_at"])
                _event(offer, "expired", principal=None, payload={"expires_at": offer.expires_at.isoformat()})
                latest = _latest(offer)
                _publish(offer, latest, "private_offer.expired", [offer.seller_id, offer.buyer_id], "expired")
                _announce(offer, latest, "expired", by="")
        expired += len(offers)
        if len(offers) < batch:
            return expired


def private_offers_on_trade_voided(event: hooks.TradeVoided) -> None:
    """A private offer's trade voided (its payment declined): recorded on the offer, which stays accepted; its
    contract is void, and the buyer sees why on its purchase. Runs in the void's transaction; never raises for a
    business reason (that would roll the void back)."""
    if event.channel != "private":
        return
    try:
        offer = PrivateOffer.objects.filter(trade_id=event.trade_id).first()
        if offer is None:
            return
        DealEvent.objects.create(
            private_offer=offer,
            kind="trade_voided",
            actor_organization_id=None,
            payload={"trade": str(event.trade_id), "reason": event.reason[:REASON_MAX_LENGTH]},
        )
    except DomainError:
        return
