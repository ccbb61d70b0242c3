"""The market's e-mails to people (sign-up links, the operator's answers to applications, invitations): written in
the reader's language from ``marketplace/mail/<name>.txt`` (its first line the subject), sent after the transaction
that caused them commits, by the Celery task ``marketplace.send_mail`` through Django's e-mail backend
(docs/operations.md#e-mail)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail as django_send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from config.market import market_settings
from marketplace.tasks import send_mail


def origin_of(request_origin: str) -> str:
    """Where links in an e-mail point: the market's public origin when set (ICHIBA_PUBLIC_URL), else the origin the
    request came to (``https://host``), without a trailing slash."""
    return (market_settings().public_url or request_origin).rstrip("/")


def mail_write(*, name: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of ``marketplace/mail/<name>.txt`` in ``language``."""
    with translation.override(language):
        text = render_to_string(f"marketplace/mail/{name}.txt", context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def mail_send_on_commit(*, to: str, name: str, language: str, context: dict[str, Any]) -> None:
    """Writes the mail now and sends it once the current transaction commits (never for a rolled-back change)."""
    subject, body = mail_write(name=name, language=language, context=context)
    transaction.on_commit(lambda: send_mail.delay(to, subject, body))


def mail_deliver(*, to: str, subject: str, body: str) -> None:
    django_send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
