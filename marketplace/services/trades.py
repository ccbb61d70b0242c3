"""Use cases of trades after matching: void one whose payment failed, returning its seats to the book."""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import DomainError, NotFound
from marketplace import hooks, states
from marketplace.models import Offering, Order, OrderEvent, Trade
from marketplace.services.orders import order_rematch

logger = logging.getLogger(__name__)


@transaction.atomic
def trade_void(*, trade_id: uuid.UUID, reason: str, seats_back: bool = True) -> Trade:
    """Undo a trade whose payment never happened; idempotent (a void trade stays as it is).

    The seats go back on the book: the offering's sold count drops, and the seller's ask gets the seats
    back (re-opened at its original time priority if it had filled, unless it has since ended for another
    reason). The buyer's part is cancelled rather than re-offered, and so is whatever of its bid still rests:
    a bid whose payment was declined must not match again on its own. An ask that got seats back then trades
    with the bids resting at its price or better, at their prices (``order_rematch``), so the book is never
    left crossed. ``seats_back=False`` (the data could not be delivered): the ask is not re-opened, since
    selling the seats again would only fail again; the seats are no longer sold.

    The re-match is a savepoint of its own: if a waiting bid can no longer conclude a contract (its buyer moved
    out of the licensed territory since it was placed), the void still happens and the ask rests as it is.

    A deal's trade (no orders: a private offer's or an auction's) gives its seats back to its offering and is
    announced to ``hooks.on_trade_voided`` in this transaction, under the offering's lock: the deals app passes
    an auction's seat on to the next bid.
    """
    offering_id = Trade.objects.filter(pk=trade_id).values_list("offering_id", flat=True).first()
    if offering_id is None:
        raise NotFound("No such trade.")
    # Lock order as in matching: the offering first, then the trade's orders.
    offering = Offering.objects.select_for_update().get(pk=offering_id)
    trade = Trade.objects.select_for_update().get(pk=trade_id)
    if trade.status == Trade.Status.VOID:
        return trade
    trade.status = Trade.Status.VOID
    trade.save(update_fields=["status"])
    # Matching counts the seats of unlimited offerings too (order_place, order_rematch): so does the void.
    # A matcher holding this book in memory reads it again (Offering.book_version).
    Offering.objects.filter(pk=offering.pk).update(
        seats_sold=F("seats_sold") - trade.quantity, book_version=F("book_version") + 1
    )
    if trade.buy_order_id is None:  # a deal off the book: whoever made it decides what becomes of the seats
        hooks.on_trade_voided(
            hooks.TradeVoided(
                trade_id=trade.id,
                offering_id=offering.id,
                channel=offering.channel,
                buyer_id=trade.buyer_id,
                quantity=trade.quantity,
                reason=reason,
                seats_back=seats_back,
            )
        )
        return trade

    assert trade.sell_order_id is not None  # trade_orders_paired
    orders = {
        o.id: o for o in Order.objects.select_for_update().filter(pk__in=[trade.buy_order_id, trade.sell_order_id])
    }
    why = f"trade voided: {reason}"[:200]
    payload: dict[str, object] = {"trade": str(trade.id), "quantity": trade.quantity, "price": trade.price}
    _cancel_part(orders[trade.buy_order_id], quantity=trade.quantity, why=why, payload=payload)
    sell = orders[trade.sell_order_id]
    if not seats_back:
        _record(sell, sell.status, sell.status, why, payload)
    elif _return_seats(sell, offering=offering, quantity=trade.quantity, why=why, payload=payload):
        try:
            order_rematch(offering_id=offering.id, order_id=sell.id)  # a savepoint: a refusal undoes only it
        except DomainError as exc:
            logger.warning("order %s got its seats back but could not re-match: %s", sell.id, exc.detail)
    return trade


def _return_seats(sell: Order, *, offering: Offering, quantity: int, why: str, payload: dict[str, object]) -> bool:
    """Give the ask its seats back where it can still sell them; whether it did."""
    previous = sell.status
    if sell.quantity is None:  # an unlimited ask never depleted: nothing to give back
        _record(sell, previous, previous, why, payload)
        return False
    reopen = previous == Order.Status.FILLED and offering.status == Offering.Status.ACTIVE and not _past(sell)
    if previous not in Order.RESTING and not reopen:
        # Ended for another reason (cancelled, expired, offering withdrawn): the seats stay unsold.
        _record(sell, previous, previous, why, payload)
        return False
    sell.filled_quantity -= quantity
    sell.status = Order.Status.PARTIALLY_FILLED if sell.filled_quantity else Order.Status.OPEN
    sell.status_reason = why
    sell.save(update_fields=["filled_quantity", "status", "status_reason", "updated_at"])
    _record(sell, previous, sell.status, why, payload)
    return True


def _cancel_part(buy: Order, *, quantity: int, why: str, payload: dict[str, object]) -> None:
    """The voided seats are cancelled; a bid still resting is taken off the book too."""
    previous = buy.status
    buy.filled_quantity -= quantity
    buy.cancelled_quantity += quantity
    if previous in Order.RESTING:
        buy.cancelled_quantity = (buy.quantity or 0) - buy.filled_quantity
        buy.status = Order.Status.CANCELLED
    else:
        buy.status = Order.Status.FILLED if buy.filled_quantity else Order.Status.CANCELLED
    buy.status_reason = why
    buy.save(update_fields=["filled_quantity", "cancelled_quantity", "status", "status_reason", "updated_at"])
    _record(buy, previous, buy.status, why, payload)


def _past(order: Order) -> bool:
    return order.expires_at is not None and order.expires_at <= timezone.now()


def _record(order: Order, previous: str, current: str, why: str, payload: dict[str, object]) -> None:
    if previous != current:
        states.order_void_check(previous, current)
    OrderEvent.objects.create(order=order, from_status=previous, to_status=current, reason=why, payload=payload)
