"""Celery tasks of the marketplace: take ids, call services, safe to run twice."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from marketplace.services.orders import orders_expire


@shared_task(name="marketplace.expire_orders")
def expire_orders() -> int:
    """Good-till-date orders leave the book on time (matching also drops them lazily)."""
    return orders_expire()


@shared_task(
    name="marketplace.send_mail",
    autoretry_for=(OSError, SMTPException),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def send_mail(to: str, subject: str, body: str) -> None:
    """One e-mail of the market (already written in its reader's language), through Django's e-mail backend; an
    unreachable mail server is retried with backoff."""
    from marketplace.services.mail import mail_deliver

    mail_deliver(to=to, subject=subject, body=body)
