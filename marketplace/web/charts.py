"""Geometry of the market charts, drawn as inline SVG by the templates (no JavaScript, no CDN).

Pure functions of the book's levels and the tape: they return coordinates and tick labels, the templates
only place them. Prices are integers of minor units (JPY has none); coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from marketplace.selectors import BookLevel

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 40  # margins: seat labels on the left, price or time labels below
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
UNLIMITED_BAND = 0.15  # the top of a depth chart with an unlimited ask: that ask's height


@dataclass(frozen=True)
class Tick:
    at: float  # the x (or y) coordinate
    value: int


@dataclass(frozen=True)
class TimeTick:
    at: float
    when: datetime


@dataclass(frozen=True)
class LevelMark:
    """One level of the book where the cumulative step changes: what a reader can hover or test."""

    side: str
    price: int
    quantity: int | None  # seats at this level; None: an unlimited ask
    cumulative: int | None  # seats up to and including this level; None: unlimited
    x: float
    y: float


@dataclass(frozen=True)
class DepthChart:
    width: int
    height: int
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    bid_line: str  # SVG polyline points
    bid_area: str  # SVG polygon points (closed to the price axis)
    ask_line: str
    ask_area: str
    levels: list[LevelMark]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    unlimited_y: float | None  # the height drawn for "unlimited" seats, when an ask is unlimited
    mid_x: float | None  # between the best bid and the best ask (the spread)


@dataclass(frozen=True)
class TradePoint:
    x: float
    y: float
    price: int
    quantity: int
    executed_at: datetime


@dataclass(frozen=True)
class PriceChart:
    width: int
    height: int
    plot: tuple[int, int, int, int]
    line: str
    points: list[TradePoint]
    y_ticks: list[Tick]
    x_ticks: list[TimeTick]


def nice_step(span: float, count: int = 4) -> int:
    """A round step (1, 2 or 5 × 10ⁿ, at least 1) dividing ``span`` into about ``count`` parts."""
    raw = max(span / count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def _ticks(low: float, high: float, count: int = 4) -> list[int]:
    step = nice_step(high - low, count)
    first = math.ceil(low / step) * step
    return list(range(int(first), int(high) + 1, step))


def _price_range(prices: Sequence[int]) -> tuple[float, float]:
    low, high = min(prices), max(prices)
    # One price: a band of ±10 % around it, so it sits in the middle.
    pad = max(low * 0.1, 1) if low == high else (high - low) * 0.12
    return max(low - pad, 0), high + pad


def _round(value: float) -> float:
    return round(value, 1)


def _points(pairs: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_round(x)},{_round(y)}" for x, y in pairs)


def depth_chart(*, bids: Sequence[BookLevel], asks: Sequence[BookLevel]) -> DepthChart | None:
    """Cumulative seats: bids step up leftwards from the best bid, asks step up rightwards from the best ask.

    ``bids`` are best (highest) first and ``asks`` best (lowest) first, as ``selectors.book_depth`` gives them.
    An unlimited ask makes every level from its price on unlimited; it is drawn to the top of the chart.
    """
    if not bids and not asks:
        return None
    low, high = _price_range([level.price for level in (*bids, *asks)])

    def x_of(price: float) -> float:
        return LEFT + (price - low) / (high - low) * PLOT_W

    finite: list[int] = []
    for side in (bids, asks):
        total = 0
        for level in side:
            if level.quantity is None:
                break
            total += level.quantity
            finite.append(total)
    top_seats = max(finite, default=1)
    unlimited = any(level.quantity is None for level in asks)
    # Leave headroom above the deepest finite level; an unlimited ask fills the plot to the top.
    step = nice_step(top_seats * 1.15)
    y_max = max(step * math.ceil(top_seats * 1.15 / step), 1)
    # Finite seats use the plot below a band kept for "unlimited", so an unlimited ask never reads as a number.
    scale_h = PLOT_H * (1 - UNLIMITED_BAND) if unlimited else PLOT_H

    def y_of(seats: float) -> float:
        return TOP + PLOT_H - seats / y_max * scale_h

    base = y_of(0)
    unlimited_y = float(TOP) if unlimited else None
    marks: list[LevelMark] = []

    def steps(side: str, levels: Sequence[BookLevel], edge: float) -> tuple[str, str]:
        if not levels:
            return "", ""
        pairs: list[tuple[float, float]] = []
        total: int | None = 0
        y_prev = base
        for level in levels:
            x = x_of(level.price)
            if total is not None:
                total = None if level.quantity is None else total + level.quantity
            y = float(TOP) if total is None else y_of(total)
            pairs += [(x, y_prev), (x, y)]
            marks.append(LevelMark(side, level.price, level.quantity, total, _round(x), _round(y)))
            y_prev = y
        pairs.append((edge, y_prev))
        return _points(pairs), _points([*pairs, (edge, base)])

    bid_line, bid_area = steps("bid", bids, float(LEFT))
    ask_line, ask_area = steps("ask", asks, float(LEFT + PLOT_W))
    mid_x = _round((x_of(bids[0].price) + x_of(asks[0].price)) / 2) if bids and asks else None
    return DepthChart(
        width=WIDTH,
        height=HEIGHT,
        plot=(LEFT, TOP, LEFT + PLOT_W, TOP + PLOT_H),
        bid_line=bid_line,
        bid_area=bid_area,
        ask_line=ask_line,
        ask_area=ask_area,
        levels=marks,
        x_ticks=[Tick(_round(x_of(p)), p) for p in _ticks(low, high) if p > 0],
        y_ticks=[Tick(_round(y_of(s)), s) for s in _ticks(0, y_max)],
        unlimited_y=unlimited_y,
        mid_x=mid_x,
    )


def price_chart(trades: Sequence[tuple[datetime, int, int]]) -> PriceChart | None:
    """Trade prices over time: ``trades`` are (executed_at, price, seats), in any order."""
    if not trades:
        return None
    ordered = sorted(trades, key=lambda trade: trade[0])
    low, high = _price_range([price for _, price, _ in ordered])
    start, end = ordered[0][0], ordered[-1][0]
    span = (end - start).total_seconds()

    def x_of(when: datetime) -> float:
        if span == 0:
            return LEFT + PLOT_W / 2
        return LEFT + (when - start).total_seconds() / span * PLOT_W

    def y_of(price: float) -> float:
        return TOP + PLOT_H - (price - low) / (high - low) * PLOT_H

    points = [TradePoint(_round(x_of(at)), _round(y_of(price)), price, seats, at) for at, price, seats in ordered]
    x_ticks = [TimeTick(_round(x_of(start)), start)]
    if span > 0:
        x_ticks.append(TimeTick(_round(x_of(end)), end))
    return PriceChart(
        width=WIDTH,
        height=HEIGHT,
        plot=(LEFT, TOP, LEFT + PLOT_W, TOP + PLOT_H),
        line=_points([(p.x, p.y) for p in points]),
        points=points,
        y_ticks=[Tick(_round(y_of(p)), p) for p in _ticks(low, high) if p > 0],
        x_ticks=x_ticks,
    )
