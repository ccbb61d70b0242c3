"""Celery tasks of the deals app: take ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from deals.services.auctions import auctions_close_due
from deals.services.private_offers import private_offers_expire


@shared_task(name="deals.expire_private_offers")
def expire_private_offers() -> int:
    """Mark the open private offers past their expires_at expired (beat, every minute)."""
    return private_offers_expire()


@shared_task(name="deals.close_auctions", soft_time_limit=55, time_limit=60)
def close_auctions() -> int:
    """Close the auctions whose closing time has come (beat, every few seconds; safe to run concurrently)."""
    return auctions_close_due()
