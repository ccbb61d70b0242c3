"""Celery tasks of the marketplace: take ids, call services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from marketplace.services.orders import orders_expire


@shared_task(name="marketplace.expire_orders")
def expire_orders() -> int:
    """Good-till-date orders leave the book on time (matching also drops them lazily)."""
    return orders_expire()
