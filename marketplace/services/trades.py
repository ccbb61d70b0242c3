"""Use cases of trades after matching: void one whose payment failed, returning its seats to the book."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import NotFound
from marketplace import states
from marketplace.models import Offering, Order, OrderEvent, Trade
from marketplace.services.orders import order_rematch


@transaction.atomic
def trade_void(*, trade_id: uuid.UUID, reason: str) -> Trade:
    """Undo a trade whose payment never happened; idempotent (a void trade stays as it is).

    The seats go back on the book: the offering's sold count drops, and the seller's ask gets the seats
    back (re-opened at its original time priority if it had filled, unless it has since ended for another
    reason). The buyer's part is cancelled rather than re-offered, and so is whatever of its bid still rests:
    a bid whose payment was declined must not match again on its own. An ask that got seats back then trades
    with the bids resting at its price or better, at their prices (``order_rematch``), so the book is never
    left crossed.
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
    if offering.license_seats is not None:
        Offering.objects.filter(pk=offering.pk).update(seats_sold=F("seats_sold") - trade.quantity)

    orders = {
        o.id: o for o in Order.objects.select_for_update().filter(pk__in=[trade.buy_order_id, trade.sell_order_id])
    }
    why = f"trade voided: {reason}"[:200]
    payload: dict[str, object] = {"trade": str(trade.id), "quantity": trade.quantity, "price": trade.price}
    _cancel_part(orders[trade.buy_order_id], quantity=trade.quantity, why=why, payload=payload)
    sell = orders[trade.sell_order_id]
    _return_seats(sell, offering=offering, quantity=trade.quantity, why=why, payload=payload)
    if sell.status in Order.RESTING:
        order_rematch(offering_id=offering.id, order_id=sell.id)
    return trade


def _return_seats(sell: Order, *, offering: Offering, quantity: int, why: str, payload: dict[str, object]) -> None:
    previous = sell.status
    if sell.quantity is None:  # an unlimited ask never depleted: nothing to give back
        _record(sell, previous, previous, why, payload)
        return
    reopen = previous == Order.Status.FILLED and offering.status == Offering.Status.ACTIVE and not _past(sell)
    if previous not in Order.RESTING and not reopen:
        # Ended for another reason (cancelled, expired, offering withdrawn): the seats stay unsold.
        _record(sell, previous, previous, why, payload)
        return
    sell.filled_quantity -= quantity
    sell.status = Order.Status.PARTIALLY_FILLED if sell.filled_quantity else Order.Status.OPEN
    sell.status_reason = why
    sell.save(update_fields=["filled_quantity", "status", "status_reason", "updated_at"])
    _record(sell, previous, sell.status, why, payload)


def _cancel_part(buy: Order, *, quantity: int, why: str, payload: dict[str, object]) -> None:
    """The voided seats are cancelled; a bid still resting is taken off the book too (every buy has a quantity)."""
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
