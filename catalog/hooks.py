"""Hooks through which higher apps add to what the catalog shows, without catalog importing them.

Registered once, in the subscriber's ``AppConfig.ready()``; see architecture.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

OfferingsProvider = Callable[[uuid.UUID], list[dict[str, Any]]]

_offerings_provider: OfferingsProvider | None = None


def register_offerings_provider(provider: OfferingsProvider) -> None:
    global _offerings_provider
    _offerings_provider = provider


def offerings_for_dataset(dataset_id: uuid.UUID) -> list[dict[str, Any]]:
    """The dataset's public offerings, as the marketplace describes them; none before it registers."""
    return _offerings_provider(dataset_id) if _offerings_provider is not None else []
