"""The matching engine: one limit order book per offering. Pure Python, no Django import.

The service around it (marketplace/services/) loads the resting orders of an offering into an ``OrderBook``
under the offering's row lock, submits the incoming order, and persists the fills and order states.
"""

from marketplace.engine.book import OrderBook
from marketplace.engine.types import Fill, Order, Reason, Side, Status, SubmitResult, TimeInForce

__all__ = ["Fill", "Order", "OrderBook", "Reason", "Side", "Status", "SubmitResult", "TimeInForce"]
