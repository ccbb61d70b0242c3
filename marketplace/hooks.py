"""Typed hooks the marketplace calls and higher apps (settlement) subscribe to in ``AppConfig.ready()``.

Listed here, in one place; no Django signals carry business flow (architecture.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from config.errors import RuleViolation

PaymentMethodSaver = Callable[[uuid.UUID, str], None]

_payment_method_saver: PaymentMethodSaver | None = None


def register_payment_method_saver(saver: PaymentMethodSaver) -> None:
    global _payment_method_saver
    _payment_method_saver = saver


def save_payment_method(*, organization_id: uuid.UUID, payment_method: str) -> None:
    if _payment_method_saver is None:
        raise RuleViolation("Payment methods are not available yet: settlement is not installed.")
    _payment_method_saver(organization_id, payment_method)
