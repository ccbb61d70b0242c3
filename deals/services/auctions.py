"""Sealed-bid auctions of licence seats (docs/domain.md#sealed-bid-auctions, docs/api.md#auctions).

A seller opens an auction on its published dataset: the terms (validated, hashed and judged for exclusivity as
any offering's, through the auction's own offering, ``Offering.channel`` "auction"), the seats (one for an
exclusive licence), a reserve price and a closing time. Verified buyers place one sealed bid each, which they may
raise or withdraw until the close; nobody sees another's bid, nor how many there are, before it.

At ``closes_at`` (``auctions_close_due``, on Celery beat) the ``seats`` highest bids at or above the reserve win,
ties to the earlier bid (a raise takes the time of the raise), and every winner pays the uniform price: the
highest of the reserve and the best bid left without a seat (second price for one seat). The winners' trades are
made in one ``deal_execute``, each with its contract and settlement as a fill on the book, and the auction's
offering is closed, which frees the dataset's exclusivity (the winners' contracts then hold it while in force).

A winner whose payment is declined forfeits its seat (``auction_on_trade_voided``, subscribed to
``marketplace.hooks.on_trade_voided``): the seat passes to the next bid at or above the reserve, at the price
computed again by the same rule over the bids that remain; the other winners keep the price they were charged.
A bid whose bidder may no longer buy when its seat is awarded (unverified since, moved out of the territory) is
forfeited the same way and the award goes on down the bids.

Lock order: the auction's offering, then the auction (the close and the void take both, in this order: a void
arrives holding the offering's lock); a bid takes only the auction's lock.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.api.principal import Principal
from config.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from contracts.eligibility import Buyer, buyer_check, buyer_refusal
from contracts.registry import template_get
from deals.models import Auction, AuctionBid, DealEvent
from marketplace import hooks as market_hooks
from marketplace.models import Offering, Organization, Trade
from marketplace.services.exclusivity import EXCLUSIVITY_CONFLICT
from marketplace.services.offerings import SellerAcceptance, deal_offering_close, deal_offering_open
from marketplace.services.orders import MAX_PRICE, DealLeg, deal_execute
from settlement.services.webhooks import webhook_listeners, webhook_listeners_memo, webhook_publish

logger = logging.getLogger(__name__)

MAX_SEATS = 1_000  # seats of one auction: past any sealed-bid sale of a licence
MAX_OPEN_DAYS = 90  # an auction closes at most this long after it opens
DUE_BATCH = 100  # auctions closed per run of the close pass
AUCTION_CLOSED = "auction-closed"  # the problem type of a bid, raise or withdrawal after the closing time

# Event ids of auction.closed webhooks: one per auction, organisation and outcome, so a re-run sends nothing twice.
_ANNOUNCEMENTS = uuid.UUID("6a4f5a9e-3d0b-4c8e-9a51-2f7d2c1b8e40")

# The statuses of bids still in the running when seats are awarded (at the close, or when one is forfeited).
_IN_RUNNING = (AuctionBid.Status.ACTIVE, AuctionBid.Status.WON, AuctionBid.Status.LOST)


# --- opening -----------------------------------------------------------------------------------------------


def auction_open(
    *,
    principal: Principal,
    dataset_id: uuid.UUID,
    template_code: str,
    terms: Mapping[str, Any],
    reserve_price: int,
    closes_at: datetime,
    seats: int = 1,
    currency: str = "JPY",
) -> Auction:
    """Open a sealed-bid auction of ``seats`` licence seats of the seller's published dataset, its own offering
    holding the terms (and, for an exclusive licence, the dataset's exclusivity) until the close. The seller
    accepts the terms by opening it. Licences only: an auction sells no subscription."""
    if not principal.is_seller:
        raise Forbidden("Only organisations with the seller role may open auctions.")
    if not principal.verified:
        raise Forbidden("Only organisations verified by the market operator may open auctions.")
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not isinstance(reserve_price, int) or not 1 <= reserve_price <= MAX_PRICE:
        errors["reserve_price"] = [f"must be from 1 to {MAX_PRICE}"]
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        errors["seats"] = [f"must be from 1 to {MAX_SEATS}"]
    if closes_at <= now:
        errors["closes_at"] = ["must be in the future"]
    elif closes_at > now + timedelta(days=MAX_OPEN_DAYS):
        errors["closes_at"] = [f"at most {MAX_OPEN_DAYS} days ahead"]
    if isinstance(terms, Mapping) and "subscription" in terms:
        errors["terms.subscription"] = ["auctions sell licences only"]
    if errors:
        field, reasons = next(iter(errors.items()))
        raise InvalidInput(f"{field}: {reasons[0]}.", errors=errors)
    template = template_get(template_code)
    with transaction.atomic():
        offering = _offering_open(
            channel=Offering.Channel.AUCTION,
            dataset_id=dataset_id,
            acceptance=SellerAcceptance(
                seller_id=principal.organization_id,
                accepted_at=now,
                user_id=principal.user_id,
                api_key_id=principal.api_key_id,
            ),
            template_code=template.code,
            template_version=template.version,
            terms=terms,
            license_seats=seats,
            currency=currency,
        )
        auction = Auction.objects.create(
            seller_id=principal.organization_id,
            dataset_id=offering.dataset_id,
            offering=offering,
            seats=seats,
            reserve_price=reserve_price,
            currency=offering.currency,
            closes_at=closes_at,
        )
        _event(
            auction,
            "auction.opened",
            principal=principal,
            payload={"terms_sha256": offering.terms_sha256, "seats": seats, "reserve_price": reserve_price},
        )
    return auction


def _offering_open(**arguments: Any) -> Offering:
    """``deal_offering_open``; its refusal of the seats (an exclusive licence has one) names the auction's field."""
    try:
        return deal_offering_open(**arguments)
    except DomainError as exc:
        if "license_seats" not in exc.errors:
            raise
        errors = {("seats" if key == "license_seats" else key): reasons for key, reasons in exc.errors.items()}
        raise type(exc)(
            "An exclusive licence is sold once: an exclusive auction has exactly one seat (seats must be 1).",
            errors=errors,
            code=exc.code,
        ) from exc


# --- bidding -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidPlaced:
    bid: AuctionBid
    created: bool  # the bidder's first bid in this auction (or its first since it withdrew)


def _locked_open(auction_id: Any) -> Auction:
    """The auction under its row lock, if it still takes bids: open, and its closing time not yet come (read after
    the lock is held, so a bid that waited for the close's lock is refused, never counted after it)."""
    auction = Auction.objects.select_for_update().filter(pk=_uuid(auction_id, "auction")).first()
    if auction is None:
        raise NotFound("No such auction.")
    if auction.status != Auction.Status.OPEN or timezone.now() >= auction.closes_at:
        raise Conflict("The auction has closed: it takes no more bids, raises or withdrawals.", code=AUCTION_CLOSED)
    return auction


def auction_bid_place(*, principal: Principal, auction_id: Any, price: int, accepted_terms_sha256: str) -> BidPlaced:
    """Place the caller's sealed bid, or raise it. The bidder must be allowed to buy on the auction's offering
    (verified, a buyer, not its seller, in its territory) and name the terms' hash; the price is per seat, at
    least the reserve. A bid is only ever raised (a lower price is refused: withdraw and bid again, which takes
    a new time); a raise takes the time of the raise, and the same price again changes nothing."""
    if not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        reason = f"must be from 1 to {MAX_PRICE}"
        raise InvalidInput(f"price: {reason}.", errors={"price": [reason]})
    with transaction.atomic():
        auction = _locked_open(auction_id)
        offering = Offering.objects.get(pk=auction.offering_id)
        if offering.taken_down_at is not None:
            raise Conflict("The market's operator took this auction's offering down; it takes no more bids.")
        buyer_check(buyer=Buyer.of(principal), offering=offering, accepted_terms_sha256=accepted_terms_sha256)
        if price < auction.reserve_price:
            raise RuleViolation(
                f"The bid is below the auction's reserve price ({auction.reserve_price} {auction.currency} a seat).",
                errors={"price": ["below the reserve price"]},
            )
        now = timezone.now()
        bid = AuctionBid.objects.filter(auction=auction, bidder_id=principal.organization_id).first()
        created = bid is None or bid.status == AuctionBid.Status.WITHDRAWN
        if bid is None:
            bid = AuctionBid(auction=auction, bidder_id=principal.organization_id)
        elif not created:
            if price < bid.price:
                raise RuleViolation(
                    f"A bid can only be raised (yours is {bid.price} {auction.currency} a seat); withdraw it and "
                    "bid again to bid lower, which takes a new time.",
                    errors={"price": ["lower than your bid"]},
                )
            if price == bid.price:
                return BidPlaced(bid=bid, created=False)
        previous = None if created else bid.price
        bid.price = price
        bid.accepted_terms_sha256 = accepted_terms_sha256
        bid.status = AuctionBid.Status.ACTIVE
        bid.placed_at = now
        bid.placed_by_user_id = principal.user_id
        bid.placed_by_api_key_id = principal.api_key_id
        bid.save()
        _event(
            auction,
            "auction.bid_placed" if created else "auction.bid_raised",
            principal=principal,
            payload={"bid": str(bid.id), "price": price, **({"from": previous} if previous else {})},
        )
    return BidPlaced(bid=bid, created=created)


def auction_bid_withdraw(*, principal: Principal, auction_id: Any) -> AuctionBid:
    """Withdraw the caller's bid before the close; idempotent. 404 if it never bid."""
    with transaction.atomic():
        auction = _locked_open(auction_id)
        bid = AuctionBid.objects.filter(auction=auction, bidder_id=principal.organization_id).first()
        if bid is None:
            raise NotFound("You have no bid in this auction.")
        if bid.status == AuctionBid.Status.WITHDRAWN:
            return bid
        bid.status = AuctionBid.Status.WITHDRAWN
        bid.save(update_fields=["status", "updated_at"])
        _event(auction, "auction.bid_withdrawn", principal=principal, payload={"bid": str(bid.id)})
    return bid


# --- the award: who wins, at what price ----------------------------------------------------------------------


@dataclass(frozen=True)
class Award:
    """The bids that hold a seat (best first) and the uniform price every newly seated one pays."""

    winners: tuple[AuctionBid, ...]
    price: int | None  # None when nobody wins


def award_compute(*, bids: Sequence[AuctionBid], seats: int, reserve_price: int) -> Award:
    """The ``seats`` highest bids at or above the reserve win, ties to the earlier ``placed_at`` (then the id, for
    a total order); the price is the highest of the reserve and the best bid left without a seat. Pure: the
    caller passes the bids still in the running (neither withdrawn nor forfeited)."""
    ranked = sorted(bids, key=lambda bid: (-bid.price, bid.placed_at, str(bid.id)))
    winners = tuple(bid for bid in ranked if bid.price >= reserve_price)[:seats]
    if not winners:
        return Award(winners=(), price=None)
    losing = [bid.price for bid in ranked if bid not in winners]
    return Award(winners=winners, price=max([reserve_price, *losing]))


def _refusal(bid: AuctionBid, bidders: Mapping[uuid.UUID, Organization], offering: Offering) -> str:
    """Why the bidder may no longer buy on the offering, as it is now ("" if it may)."""
    organization = bidders[bid.bidder_id]
    refusal = buyer_refusal(
        buyer=Buyer(
            organization_id=organization.id,
            verified=organization.verified,
            is_buyer=organization.is_buyer,
            country=organization.country,
        ),
        offering=offering,
        accepted_terms_sha256=bid.accepted_terms_sha256,
    )
    return refusal.message if refusal else ""


@dataclass(frozen=True)
class _Seated:
    trades: dict[uuid.UUID, Trade]  # bid id -> its trade
    settlements: Mapping[uuid.UUID, uuid.UUID]  # trade id -> settlement id
    price: int | None
    forfeited: tuple[AuctionBid, ...]


def _seat(auction: Auction, offering: Offering, bids: list[AuctionBid], now: datetime) -> _Seated:
    """Award the seats free among ``bids`` (every bid in the running, the already-seated ones included) and make
    the new winners' trades at the uniform price, in one ``deal_execute``. A bidder that may no longer buy is
    forfeited and the award computed again without it; so is one whose trade alone the market refuses, found by
    trying each new winner's trade alone in a savepoint rolled back afterwards. A refusal that holds whoever buys
    (another licence in force keeps an exclusive one out: ``exclusivity-conflict``) sells nothing and forfeits
    nobody; so does a take-down of the auction's offering by the market's operator (docs/domain.md#take-downs)."""
    if offering.taken_down_at is not None:
        _event(auction, "auction.unsellable", principal=None, payload={"reason": "taken down by the market's operator"})
        return _Seated(trades={}, settlements={}, price=None, forfeited=())
    bidders = {o.id: o for o in Organization.objects.filter(pk__in={bid.bidder_id for bid in bids})}
    forfeited: list[AuctionBid] = []
    while True:
        running = [bid for bid in bids if bid not in forfeited]
        award = award_compute(bids=running, seats=auction.seats, reserve_price=auction.reserve_price)
        new = [bid for bid in award.winners if bid.status != AuctionBid.Status.WON]
        refusals = ((bid, _refusal(bid, bidders, offering)) for bid in new)
        refused = next(((bid, why) for bid, why in refusals if why), None)
        if refused is None and new:
            assert award.price is not None
            try:
                # No ``negotiation``: an auction's contract is not negotiated; its channel says how it came about.
                dealt = deal_execute(offering_id=offering.id, legs=[_leg(bid, award.price) for bid in new])
            except DomainError as exc:
                if exc.code == EXCLUSIVITY_CONFLICT:
                    # Another licence in force keeps this one out, whoever buys it: no seat can be sold now.
                    _event(auction, "auction.unsellable", principal=None, payload={"reason": exc.detail[:500]})
                    return _Seated(trades={}, settlements={}, price=None, forfeited=tuple(forfeited))
                refused = _first_refused(offering, new, award.price)
                if refused is None:
                    raise  # no one bid's trade is refused alone: not the bidders' doing, so the whole step rolls back
        if refused is not None:
            _forfeit(auction, refused[0], reason=refused[1], now=now)
            forfeited.append(refused[0])
            continue
        if not new:
            return _Seated(trades={}, settlements={}, price=award.price, forfeited=tuple(forfeited))
        trades = {bid.id: trade for bid, trade in zip(new, dealt.trades, strict=True)}
        settlements = market_hooks.settlements_of_trades([t.id for t in dealt.trades], written=dealt.subscriber_rows)
        for bid in new:
            bid.status = AuctionBid.Status.WON
            bid.trade = trades[bid.id]
            bid.save(update_fields=["status", "trade", "updated_at"])
        return _Seated(trades=trades, settlements=settlements, price=award.price, forfeited=tuple(forfeited))


def _first_refused(offering: Offering, new: list[AuctionBid], price: int) -> tuple[AuctionBid, str] | None:
    """The first of ``new`` whose trade alone the market refuses, with why: each tried in a savepoint that is
    rolled back whatever happens. None if each would trade alone."""
    for bid in new:
        savepoint = transaction.savepoint()
        try:
            deal_execute(offering_id=offering.id, legs=[_leg(bid, price)])
        except DomainError as exc:
            transaction.savepoint_rollback(savepoint)
            return (bid, exc.detail)
        transaction.savepoint_rollback(savepoint)
    return None


def _leg(bid: AuctionBid, price: int) -> DealLeg:
    return DealLeg(
        buyer_id=bid.bidder_id,
        price=price,
        quantity=1,
        accepted_terms_sha256=bid.accepted_terms_sha256,
        user_id=bid.placed_by_user_id,
        api_key_id=bid.placed_by_api_key_id,
    )


def _forfeit(auction: Auction, bid: AuctionBid, *, reason: str, now: datetime) -> None:
    bid.status = AuctionBid.Status.FORFEITED
    bid.save(update_fields=["status", "updated_at"])
    _event(auction, "auction.bid_forfeited", principal=None, payload={"bid": str(bid.id), "reason": reason[:500]})


# --- the close ---------------------------------------------------------------------------------------------


def auction_close(*, auction_id: uuid.UUID, now: datetime | None = None) -> Auction:
    """Close one auction whose time has come: award its seats, make the winners' trades, mark every bid won or
    lost, record the clearing price and the number of bids, close its offering (freeing the dataset's
    exclusivity) and tell each bidder and the seller (``auction.closed``). Idempotent: a closed auction, or one not
    yet due, is left as it is."""
    return _close(auction_id, now)[0]


def _close(auction_id: uuid.UUID, now: datetime | None) -> tuple[Auction, bool]:
    """``auction_close``, and whether this call closed it."""
    offering_id = Auction.objects.filter(pk=auction_id).values_list("offering_id", flat=True).first()
    if offering_id is None:
        raise NotFound("No such auction.")
    with transaction.atomic():
        offering = Offering.objects.select_for_update().get(pk=offering_id)
        auction = Auction.objects.select_for_update().get(pk=auction_id)
        now = now or timezone.now()
        if auction.status != Auction.Status.OPEN or auction.closes_at > now:
            return auction, False
        bids = list(AuctionBid.objects.filter(auction=auction, status=AuctionBid.Status.ACTIVE))
        seated = _seat(auction, offering, bids, now)
        # Every bid the award did not seat or forfeit lost: one statement, however many there are.
        AuctionBid.objects.filter(auction=auction, status=AuctionBid.Status.ACTIVE).update(
            status=AuctionBid.Status.LOST, updated_at=now
        )
        for bid in bids:
            if bid.status == AuctionBid.Status.ACTIVE:
                bid.status = AuctionBid.Status.LOST
        auction.bids_received = len(bids)
        auction.closed_at = now
        if seated.trades:
            auction.status = Auction.Status.CLOSED
            auction.clearing_price = seated.price
        else:
            auction.status = Auction.Status.NO_SALE
        auction.save(update_fields=["status", "bids_received", "clearing_price", "closed_at"])
        deal_offering_close(
            offering_id=offering.id,
            reason="the auction closed" if seated.trades else "the auction closed without a sale",
        )
        _event(
            auction,
            "auction.closed" if seated.trades else "auction.no_sale",
            principal=None,
            payload={
                "clearing_price": auction.clearing_price,
                "bids_received": auction.bids_received,
                "winners": [str(bid_id) for bid_id in seated.trades],
            },
        )
        _announce(auction, bids, seated)
    return auction, True


def auctions_close_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """The close pass (Celery beat ``deals.close_auctions``, ``manage.py close_auctions``): close each open
    auction whose time has come, each in its own transaction. Safe to run concurrently and twice. Returns how many
    it closed."""
    now = now or timezone.now()
    due = list(
        Auction.objects.filter(status=Auction.Status.OPEN, closes_at__lte=now)
        .order_by("closes_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    closed = 0
    for auction_id in due:
        try:
            closed += _close(auction_id, now)[1]
        except Exception:  # one auction's failure must not keep the others open; the next run retries it
            logger.exception("closing auction %s failed", auction_id)
    return closed


# --- a winner's payment declined ---------------------------------------------------------------------------


def auction_on_trade_voided(event: market_hooks.TradeVoided) -> None:
    """A winner's trade was voided (its payment declined; ``marketplace.hooks.on_trade_voided``, in the void's
    transaction with the offering locked): its bid is forfeited and its seat passes to the next bid in the
    running at or above the reserve, at the price computed again over the bids that remain; with none, the seat
    is not sold, and with no winner left the auction ends as no_sale. Never raises for a business refusal,
    which would roll the void back."""
    if event.channel != Offering.Channel.AUCTION:
        return
    auction = Auction.objects.select_for_update().filter(offering_id=event.offering_id).first()
    if auction is None:
        return
    bid = AuctionBid.objects.filter(auction=auction, trade_id=event.trade_id).first()
    if bid is None or bid.status != AuctionBid.Status.WON:
        return
    now = timezone.now()
    offering = Offering.objects.get(pk=event.offering_id)
    _forfeit(auction, bid, reason=event.reason, now=now)
    bids = list(AuctionBid.objects.filter(auction=auction, status__in=_IN_RUNNING))
    if not event.seats_back:
        # The data cannot be delivered: selling the seat again would fail again, so it is not passed on.
        seated = _Seated(trades={}, settlements={}, price=auction.clearing_price, forfeited=())
    else:
        try:
            with transaction.atomic():
                seated = _seat(auction, offering, bids, now)
        except DomainError as exc:
            logger.warning("auction %s: the seat of bid %s was not passed on: %s", auction.id, bid.id, exc.detail)
            seated = _Seated(trades={}, settlements={}, price=auction.clearing_price, forfeited=())
    still_won = AuctionBid.objects.filter(auction=auction, status=AuctionBid.Status.WON).exists()
    if seated.trades:
        auction.clearing_price = seated.price
    elif not still_won:
        auction.status = Auction.Status.NO_SALE
        auction.clearing_price = None
    auction.save(update_fields=["status", "clearing_price"])
    _event(
        auction,
        "auction.seat_passed" if seated.trades else "auction.seat_unsold",
        principal=None,
        payload={
            "forfeited": str(bid.id),
            "winners": [str(bid_id) for bid_id in seated.trades],
            "price": seated.price if seated.trades else None,
        },
    )
    told = [bid, *seated.forfeited, *[b for b in bids if b.id in seated.trades]]
    _announce(auction, told, seated, forfeited=bid)


# --- announcements and records -----------------------------------------------------------------------------


def _announce(
    auction: Auction, bids: Sequence[AuctionBid], seated: _Seated, *, forfeited: AuctionBid | None = None
) -> None:
    """``auction.closed`` to each bidder with its own outcome and to the seller with the winners, queued in this
    transaction. After a winner's forfeit (``forfeited``) to it, the new winner and the seller. Event ids are
    derived from the auction, the stage (the close, or that forfeit) and the organisation: a stage announced again
    sends nothing twice, and each stage is news of its own."""
    with webhook_listeners_memo():
        # Which of the parties listen at all, in one query: most bidders of a large auction have no endpoint.
        webhook_listeners(organization_ids={auction.seller_id, *(bid.bidder_id for bid in bids)})
        _announce_each(auction, bids, seated, forfeited=forfeited)


def _announce_each(
    auction: Auction, bids: Sequence[AuctionBid], seated: _Seated, *, forfeited: AuctionBid | None
) -> None:
    passed_on = forfeited is not None
    stage = f"forfeit:{forfeited.id}" if forfeited is not None else "close"
    base = {
        "auction": str(auction.id),
        "offering": str(auction.offering_id),
        "dataset": str(auction.dataset_id),
        "status": auction.status,
        "seats": auction.seats,
        "reserve_price": auction.reserve_price,
        "clearing_price": auction.clearing_price,
        "currency": auction.currency,
        "bids_received": auction.bids_received,
        "passed_on": passed_on,
    }
    for bid in bids:
        outcome = {"won": "won", "lost": "lost", "forfeited": "forfeited"}.get(bid.status, bid.status)
        data = {**base, "outcome": outcome, "bid": _won(bid, seated) if outcome == "won" else _own(bid)}
        _publish(auction, bid.bidder_id, data, key=f"{stage}:{bid.id}:{outcome}")
    winners = AuctionBid.objects.filter(auction=auction, status=AuctionBid.Status.WON).select_related("trade")
    named = [_won(bid, seated) for bid in winners]
    _publish(auction, auction.seller_id, {**base, "winners": named}, key=f"{stage}:seller")


def _own(bid: AuctionBid) -> dict[str, Any]:
    return {"id": str(bid.id), "bidder": str(bid.bidder_id), "price": bid.price, "status": bid.status}


def _won(bid: AuctionBid, seated: _Seated) -> dict[str, Any]:
    trade = seated.trades.get(bid.id) or bid.trade
    settlement = seated.settlements.get(trade.id) if trade is not None else None
    if trade is not None and settlement is None:
        settlement = market_hooks.settlements_of_trades([trade.id]).get(trade.id)
    return {
        **_own(bid),
        "trade": str(trade.id) if trade else None,
        "contract": str(trade.contract_id) if trade and trade.contract_id else None,
        "settlement": str(settlement) if settlement else None,
        "price_paid": trade.price if trade else None,
    }


def _publish(auction: Auction, organization_id: uuid.UUID, data: dict[str, Any], *, key: str) -> None:
    event_id = uuid.uuid5(_ANNOUNCEMENTS, f"{auction.id}:{organization_id}:{key}")
    webhook_publish(organization_id=organization_id, event_type="auction.closed", data=data, event_id=event_id)


def _event(auction: Auction, kind: str, *, principal: Principal | None, payload: dict[str, Any]) -> None:
    DealEvent.objects.create(
        auction=auction,
        kind=kind,
        actor_organization_id=principal.organization_id if principal else None,
        actor_user_id=principal.user_id if principal else None,
        payload=payload,
    )


def _uuid(value: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound(f"No such {what}.") from exc
