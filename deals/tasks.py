"""Celery tasks of the deals app: take ids, call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from deals.services.private_offers import private_offers_expire


@shared_task(name="deals.expire_private_offers")
def expire_private_offers() -> int:
    """Mark the open private offers past their expires_at expired (beat, every minute)."""
    return private_offers_expire()
