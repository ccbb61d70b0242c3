"""Hooks through which higher apps add to what the catalog shows, or act on what happens in it, without
catalog importing them.

Registered once, in the subscriber's ``AppConfig.ready()``; see docs/architecture.md#hooks. Event hooks run inside the
catalog's transaction: a subscriber writes its own rows there and defers external effects with
``transaction.on_commit``; if it raises, the catalog's change rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest

OfferingsProvider = Callable[[uuid.UUID], list[dict[str, Any]]]
# Renders what a higher app shows on a dataset's web page (the marketplace: each offering's market; streams: the
# seller's live-stream panel).
DatasetPanelRenderer = Callable[[HttpRequest, uuid.UUID], str]

# Renders what a higher app adds to a dataset page's <head> (the dataspace app: its schema.org description).
DatasetHeadRenderer = Callable[[HttpRequest, uuid.UUID], str]

_offerings_provider: OfferingsProvider | None = None
_dataset_panel_renderers: list[DatasetPanelRenderer] = []
_dataset_head_renderers: list[DatasetHeadRenderer] = []


def register_offerings_provider(provider: OfferingsProvider) -> None:
    global _offerings_provider
    _offerings_provider = provider


def offerings_for_dataset(dataset_id: uuid.UUID) -> list[dict[str, Any]]:
    """The dataset's public offerings, as the marketplace describes them; none before it registers."""
    return _offerings_provider(dataset_id) if _offerings_provider is not None else []


def register_dataset_panel(renderer: DatasetPanelRenderer) -> None:
    if renderer not in _dataset_panel_renderers:
        _dataset_panel_renderers.append(renderer)


def dataset_panel(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """HTML (already escaped by its renderers) that higher apps add to the dataset page, in the order they registered
    (the apps' order); empty if none."""
    return "".join(renderer(request, dataset_id) for renderer in _dataset_panel_renderers)


def register_dataset_head(renderer: DatasetHeadRenderer) -> None:
    if renderer not in _dataset_head_renderers:
        _dataset_head_renderers.append(renderer)


def dataset_head(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """HTML (already escaped by its renderers) for the dataset page's <head>, in the order the apps registered;
    empty if none."""
    return "".join(renderer(request, dataset_id) for renderer in _dataset_head_renderers)


# --- versions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionPublished:
    """A dataset version passed validation and is now published (it never changes afterwards)."""

    dataset_id: uuid.UUID
    dataset_title: str
    seller_id: uuid.UUID
    version_id: uuid.UUID
    number: int
    sha256: str
    size_bytes: int
    row_count: int | None
    published_at: datetime


VersionPublishedSubscriber = Callable[[VersionPublished], None]

_version_published_subscribers: list[VersionPublishedSubscriber] = []


def subscribe_version_published(subscriber: VersionPublishedSubscriber) -> None:
    if subscriber not in _version_published_subscribers:
        _version_published_subscribers.append(subscriber)


def unsubscribe_version_published(subscriber: VersionPublishedSubscriber) -> None:
    if subscriber in _version_published_subscribers:
        _version_published_subscribers.remove(subscriber)


def on_version_published(event: VersionPublished) -> None:
    """Announce a published version inside the transaction that published it."""
    for subscriber in list(_version_published_subscribers):
        subscriber(event)


# --- prices ------------------------------------------------------------------------------------------------------

# The cheapest datasets on the market: dataset id → its best ask (minor units per seat), at most ``limit`` of them,
# cheapest first; the marketplace knows the order books. Sorting the catalog by price reads it.
BestAsksProvider = Callable[[int], dict[uuid.UUID, int]]

_best_asks_provider: BestAsksProvider | None = None


def register_best_asks_provider(provider: BestAsksProvider) -> None:
    global _best_asks_provider
    _best_asks_provider = provider


def dataset_best_asks(*, limit: int) -> dict[uuid.UUID, int]:
    """The ``limit`` cheapest datasets' best asks (an empty market before the marketplace registers)."""
    return _best_asks_provider(limit) if _best_asks_provider is not None else {}


# Each dataset's best price as a phrase a buyer reads first (HTML, escaped by its renderer: "¥12,000 / seat · 365-day
# licence · 3 seats left"), for the catalog's cards and the top of a dataset's page; one call for a whole page of
# datasets, which must cost the same few queries however many there are. A dataset without an offering is absent.
DatasetPricesRenderer = Callable[[list[uuid.UUID]], dict[uuid.UUID, str]]

_dataset_prices_renderer: DatasetPricesRenderer | None = None


def register_dataset_prices(renderer: DatasetPricesRenderer) -> None:
    global _dataset_prices_renderer
    _dataset_prices_renderer = renderer


def dataset_prices(dataset_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The datasets' price phrases (none before the marketplace registers, or for an empty list)."""
    if _dataset_prices_renderer is None or not dataset_ids:
        return {}
    return _dataset_prices_renderer(dataset_ids)


# What a buyer acts on at the top of a dataset's page: the buy box of each offering on its book (HTML, escaped by its
# renderer), near the top on every screen; the markets' data stay further down (``dataset_panel``).
DatasetBuyBoxRenderer = Callable[[HttpRequest, uuid.UUID], str]

_dataset_buy_box_renderer: DatasetBuyBoxRenderer | None = None


def register_dataset_buy_box(renderer: DatasetBuyBoxRenderer) -> None:
    global _dataset_buy_box_renderer
    _dataset_buy_box_renderer = renderer


def dataset_buy_box(request: HttpRequest, dataset_id: uuid.UUID) -> str:
    """The dataset's buy boxes, or empty (nothing offered, or no marketplace registered)."""
    return _dataset_buy_box_renderer(request, dataset_id) if _dataset_buy_box_renderer is not None else ""
