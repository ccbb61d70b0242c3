"""Celery tasks of the dataspace app: take ids, call a service (imported in the body: services enqueue these tasks),
safe to run twice."""

from __future__ import annotations

import uuid

from celery import shared_task


@shared_task(name="dataspace.callbacks.deliver", soft_time_limit=150, time_limit=180)
def deliver_callback(callback_id: str) -> str | None:
    """One attempt at a message to a consumer's connector (its retries come from the sweep)."""
    from dataspace.services.callbacks import callback_deliver

    callback = callback_deliver(callback_id=uuid.UUID(callback_id))
    return None if callback is None else callback.status


@shared_task(name="dataspace.callbacks.sweep")
def sweep_callbacks() -> int:
    """Send again the callbacks due for a retry, and those whose task was lost (beat, every 15 s)."""
    from dataspace.services.callbacks import callbacks_sweep

    return callbacks_sweep()


@shared_task(name="dataspace.negotiations.payment_update")
def negotiation_payment_update(trade_id: str) -> str | None:
    """Settlement changed a trade's payment: move the DSP negotiation made for it (FINALIZED, or TERMINATED)."""
    from dataspace.services.negotiations import negotiation_payment_update as update

    negotiation = update(trade_id=uuid.UUID(trade_id))
    return None if negotiation is None else negotiation.state
