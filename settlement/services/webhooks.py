"""Outbound partner webhooks: endpoints, publishing events, signed delivery with retries, the delivery log.

Invariants:

- A delivery row is written in the transaction that made the change (``webhook_publish``), so an event
  exists exactly when its change committed; the HTTP call happens after commit, in a Celery task.
- No database transaction is open during an HTTP call: a delivery is *claimed* with one conditional
  ``UPDATE`` (status pending, due, bumping ``attempts`` and pushing ``next_attempt_at`` out by a lease), then
  posted, then the outcome is written with another conditional ``UPDATE`` that only succeeds if nobody
  re-claimed it meanwhile. Two workers (a task and the sweeper's copy) cannot post the same attempt.
- ``event_id`` is stable across retries (and across the endpoints of one event): receivers de-duplicate.
- Retries are driven by the rows, not by Celery countdowns: ``webhooks_sweep`` re-enqueues whatever is due,
  so a lost message only delays a delivery.
- An attempt ends at its deadline (``ICHIBA_WEBHOOK_TIMEOUT_SECONDS`` for the whole exchange: name resolution,
  connect, send, headers, body snippet), however slowly the receiver answers; cut there, it is a failed attempt
  ("Timed out"), retried after the usual backoff (``config.outbound_http``, the one guarded client).
- The signature is Stripe-style: ``Ichiba-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from catalog.hooks import VersionPublished
from config import metrics
from config.api.principal import Principal
from config.errors import InvalidInput, NotFound, RuleViolation
from config.market import market_settings
from config.outbound import outbound_url_clean
from config.outbound_http import Outcome, guarded_post
from config.request_id import HEADER as REQUEST_ID_HEADER
from config.request_id import request_id_bound, request_id_get
from settlement import tasks
from settlement.models import Entitlement, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from settlement.states import webhook_delivery_check

logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "trade.executed",
    "contract.concluded",
    "settlement.updated",
    "entitlement.granted",
    "entitlement.revoked",
    "dataset.version_published",
    "entitlement.extended",
    "subscription.updated",
    "subscription.period_charged",
    "subscription.period_missed",
    # The market's operator took an offering down (oversight.services.takedowns): to its seller and its buyers.
    "offering.taken_down",
    # Deals off the book (the deals app publishes them; docs/webhooks.md).
    "data_request.answered",
    "private_offer.received",
    "private_offer.countered",
    "private_offer.accepted",
    "private_offer.declined",
    "private_offer.expired",
    "auction.closed",
)

SIGNATURE_HEADER = "Ichiba-Signature"
EVENT_ID_HEADER = "Ichiba-Event-Id"
EVENT_TYPE_HEADER = "Ichiba-Event-Type"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
USER_AGENT = "Ichiba-Webhooks/1"

# Bounds the fan-out of one event and the work one organisation can put on the webhooks queue.
MAX_ENDPOINTS_PER_ORGANIZATION = 16
# Backoff: 30 s, 1 min, 2 min, ... doubling, never more than 6 h between tries, plus up to 10 % jitter so
# deliveries that failed together (a partner outage) do not all come back in the same second.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 60 * 60
BACKOFF_JITTER = 0.10
SWEEP_BATCH = 500


# --- endpoints --------------------------------------------------------------------------------------------


def _secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# The longest URL an endpoint stores (the guard refuses a longer one once it is written in ASCII).
_URL_MAX_LENGTH = WebhookEndpoint._meta.get_field("url").max_length or 500


def _events_clean(events: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(events))  # de-duplicated, in the partner's order
    unknown = [event for event in wanted if event not in EVENT_TYPES]
    if unknown or not wanted:
        raise InvalidInput(
            f"events must be a non-empty list of: {', '.join(EVENT_TYPES)}.",
            errors={"events": [f"Unknown event type: {event}." for event in unknown] or ["empty"]},
        )
    return wanted


@transaction.atomic
def webhook_endpoint_create(*, principal: Principal, url: str, events: Sequence[str]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint of the caller's organisation. Returns it with its signing secret (shown once)."""
    # First, before any lock: the guard may resolve the host's name (config/outbound.py).
    url = outbound_url_clean(url, field="url", max_length=_URL_MAX_LENGTH)
    wanted = _events_clean(events)
    active = WebhookEndpoint.objects.filter(organization_id=principal.organization_id, active=True)
    if active.count() >= MAX_ENDPOINTS_PER_ORGANIZATION:
        raise RuleViolation(
            f"An organisation may have at most {MAX_ENDPOINTS_PER_ORGANIZATION} webhook endpoints; delete one first."
        )
    secret = _secret_new()
    endpoint = WebhookEndpoint.objects.create(
        organization_id=principal.organization_id, url=url, events=wanted, secret=secret
    )
    return endpoint, secret


def webhook_endpoint_list(*, principal: Principal) -> QuerySet[WebhookEndpoint]:
    """The caller's endpoints (deleted ones are kept for the record but no longer shown)."""
    return WebhookEndpoint.objects.filter(organization_id=principal.organization_id, active=True)


def webhook_endpoint_get(*, principal: Principal, endpoint_id: str | uuid.UUID) -> WebhookEndpoint:
    """One of the caller's endpoints; another organisation's is "not found", never "forbidden"."""
    try:
        pk = endpoint_id if isinstance(endpoint_id, uuid.UUID) else uuid.UUID(str(endpoint_id))
    except ValueError as exc:
        raise NotFound("No such webhook endpoint.") from exc
    endpoint = webhook_endpoint_list(principal=principal).filter(pk=pk).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, principal: Principal, endpoint_id: str | uuid.UUID) -> None:
    """Stop sending to an endpoint. The row and its log stay (audit); pending deliveries are given up."""
    endpoint = webhook_endpoint_get(principal=principal, endpoint_id=endpoint_id)
    WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(active=False, disabled_at=timezone.now())
    webhook_delivery_check("pending", "failed")
    given_up = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error="The endpoint was deleted."
    )
    if given_up:
        failed = metrics.WEBHOOK_DELIVERIES.labels(WebhookDelivery.Status.FAILED)
        metrics.count_after_commit(lambda: failed.inc(given_up))


@transaction.atomic
def webhook_endpoint_rotate_secret(
    *, principal: Principal, endpoint_id: str | uuid.UUID
) -> tuple[WebhookEndpoint, str]:
    """Replace the signing secret at once; every later attempt (retries included) is signed with the new one."""
    endpoint = webhook_endpoint_get(principal=principal, endpoint_id=endpoint_id)
    secret = _secret_new()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
    endpoint.secret = secret
    return endpoint, secret


# --- publishing -------------------------------------------------------------------------------------------


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # UUIDs, datetimes and decimals become the strings the API shows; the stored payload is then plain JSON.
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


# Within one unit of work (a settlement step) the same organisations are asked about again and again; a
# memo set around it answers from the first query. Outside one, every call asks the database.
_known_listeners: ContextVar[dict[uuid.UUID, bool] | None] = ContextVar("known_listeners", default=None)


@contextmanager
def webhook_listeners_memo() -> Iterator[None]:
    """Remember, for the duration of the block, which organisations have an active endpoint."""
    token = _known_listeners.set({})
    try:
        yield
    finally:
        _known_listeners.reset(token)


def webhook_listeners_learned(known: Mapping[uuid.UUID, bool]) -> None:
    """Tell the open memo (if any) which organisations a caller's own query found listening: a unit of work
    that reads its rows in one statement asks this there, not in a query of its own."""
    memo = _known_listeners.get()
    if memo is not None:
        memo.update(known)


def webhook_listeners(*, organization_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these organisations have an active endpoint at all: one query, so hot paths (every trade,
    every settlement step) skip publishing for the many organisations that registered none."""
    wanted = set(organization_ids)
    known = _known_listeners.get()
    if known is not None and wanted <= known.keys():
        return {organization_id for organization_id in wanted if known[organization_id]}
    listening = set(
        WebhookEndpoint.objects.filter(organization_id__in=wanted, active=True).values_list(
            "organization_id", flat=True
        )
    )
    if known is not None:
        known.update({organization_id: organization_id in listening for organization_id in wanted})
    return listening


def webhook_publish(
    *,
    organization_id: uuid.UUID,
    event_type: str,
    data: dict[str, Any],
    event_id: uuid.UUID | None = None,
) -> int:
    """Queue ``event_type`` for every active endpoint of the organisation subscribed to it.

    Call inside the transaction that made the change: the deliveries commit with it and are sent
    after commit. Returns how many deliveries were queued. ``event_id`` (optional) makes a re-publish of
    the same event a no-op, e.g. ``uuid5`` of the object's id and state.
    """
    assert event_type in EVENT_TYPES, event_type
    if _known_listeners.get() is not None and not webhook_listeners(organization_ids=[organization_id]):
        return 0
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(organization_id=organization_id, active=True).only(
            "id", "events"
        )
        if event_type in endpoint.events
    ]
    if not endpoints:
        return 0
    # A new event id has no deliveries yet; only a re-published event (a stable id) is looked up.
    already: set[uuid.UUID] = set()
    if event_id is None:
        event_id = uuid.uuid4()
    else:
        already = set(
            WebhookDelivery.objects.filter(endpoint__in=endpoints, event_id=event_id).values_list(
                "endpoint_id", flat=True
            )
        )
    now = timezone.now()
    payload = {"id": str(event_id), "type": event_type, "created": now.isoformat(), "data": _jsonable(data)}
    request_id = request_id_get()  # the request that caused the event: sent as X-Request-Id on every attempt
    deliveries = [
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            next_attempt_at=now,
            request_id=request_id,
        )
        for endpoint in endpoints
        if endpoint.id not in already
    ]
    # The unique (endpoint, event_id) index settles a race between two publishers of the same event.
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    delivery_ids = [str(delivery.id) for delivery in deliveries]
    if delivery_ids:
        transaction.on_commit(lambda: _enqueue(delivery_ids), robust=True)
    return len(delivery_ids)


def webhooks_on_version_published(event: VersionPublished) -> int:
    """``dataset.version_published`` for the seller, and for every buyer entitled to an earlier version.

    Buyers are told because an entitlement covers one exact version: they learn a newer one exists (and
    may buy it). One event id for all recipients: it is one event. Runs in the catalog's transaction.
    """
    data = {
        "dataset": event.dataset_id,
        "dataset_title": event.dataset_title,
        "version": event.number,
        "sha256": event.sha256,
        "size_bytes": event.size_bytes,
        "row_count": event.row_count,
        "published_at": event.published_at,
    }
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"ichiba:dataset.version_published:{event.version_id}")
    buyers = (
        Entitlement.objects.filter(
            dataset_id=event.dataset_id, status=Entitlement.Status.ACTIVE, valid_until__gt=timezone.now()
        )
        .exclude(buyer_id=event.seller_id)
        .values_list("buyer_id", flat=True)
        .distinct()
    )
    queued = 0
    for organization_id in [event.seller_id, *sorted(set(buyers))]:
        queued += webhook_publish(
            organization_id=organization_id, event_type="dataset.version_published", data=data, event_id=event_id
        )
    return queued


def _enqueue(delivery_ids: Iterable[str]) -> None:
    """Run after commit, robustly: a broker outage is logged, not raised (the deliveries are committed with their
    next attempt due, and the sweeper sends them when the broker is back)."""
    for delivery_id in delivery_ids:
        tasks.webhook_deliver.delay(delivery_id)


# --- signatures -------------------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Ichiba-Signature`` header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_signature_verify(
    *, secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a partner does on receipt: the HMAC matches and the timestamp is within ``tolerance`` seconds."""
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body).rsplit("v1=", 1)[1]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


# --- delivery ---------------------------------------------------------------------------------------------


def webhook_backoff(*, attempt: int, jitter: bool = True) -> timedelta:
    """Wait before try ``attempt + 1`` after try ``attempt`` (1-based) failed."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)
    if jitter:
        seconds += seconds * BACKOFF_JITTER * secrets.randbelow(1001) / 1000
    return timedelta(seconds=seconds)


def _post(*, url: str, secret: str, delivery: WebhookDelivery) -> Outcome:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=int(time.time()), body=body),
        EVENT_ID_HEADER: str(delivery.event_id),
        EVENT_TYPE_HEADER: delivery.event_type,
    }
    if delivery.request_id:
        headers[REQUEST_ID_HEADER] = delivery.request_id
    return guarded_post(url, body=body, headers=headers, timeout=market_settings().webhook_timeout.total_seconds())


def _lease() -> timedelta:
    # Far longer than any attempt in flight (each ends at its deadline, ICHIBA_WEBHOOK_TIMEOUT_SECONDS; the
    # deliver task's hard time limit, 180 s, is the backstop), so no other worker claims the row meanwhile; a
    # crashed worker's claim expires and the sweeper retries it.
    return max(timedelta(minutes=5), market_settings().webhook_timeout * 4 + timedelta(minutes=1))


def _defer_delay() -> timedelta:
    # A slot frees within one deadline; up to half as much again of jitter spreads the waiting deliveries.
    timeout = market_settings().webhook_timeout
    return timeout + timeout * secrets.randbelow(501) / 1000


def _claim(delivery_id: uuid.UUID, now: datetime) -> WebhookDelivery | None:
    """Claim a due delivery for one attempt, within the caps on attempts in flight; None if there is nothing
    to do now (not due, not pending, claimed by another worker, or deferred).

    A delivery over its endpoint's or its organisation's cap is deferred: pushed a little later, counting no
    attempt, for the sweeper to send once a slot has freed. Claims of one organisation are serialised by a
    lock on its endpoint rows (at most MAX_ENDPOINTS_PER_ORGANIZATION active ones; FOR NO KEY UPDATE, so
    publishing, which inserts deliveries pointing at them, never waits), so two workers cannot both take the
    last slot. The lock is held for this short transaction only, never during the HTTP call.
    """
    due = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    )
    market = market_settings()
    with transaction.atomic():
        target = due.values("endpoint_id", "endpoint__organization_id").first()
        if target is None:
            return None
        organization_id = target["endpoint__organization_id"]
        list(
            WebhookEndpoint.objects.select_for_update(no_key=True)
            .filter(organization_id=organization_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        in_flight = WebhookDelivery.objects.filter(
            endpoint__organization_id=organization_id, in_flight_until__isnull=False, in_flight_until__gt=now
        ).aggregate(organization=Count("pk"), endpoint=Count("pk", filter=Q(endpoint_id=target["endpoint_id"])))
        if (
            in_flight["endpoint"] >= market.webhook_max_in_flight_per_endpoint
            or in_flight["organization"] >= market.webhook_max_in_flight_per_organization
        ):
            due.update(next_attempt_at=now + _defer_delay())
            logger.info(
                "Webhook %s deferred: %s in flight for its endpoint, %s for its organisation",
                delivery_id,
                in_flight["endpoint"],
                in_flight["organization"],
            )
            return None
        lease_end = now + _lease()
        if not due.update(attempts=F("attempts") + 1, next_attempt_at=lease_end, in_flight_until=lease_end):
            return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def webhook_deliver(*, delivery_id: uuid.UUID, now: datetime | None = None) -> WebhookDelivery | None:
    """Make one attempt at a due delivery. Call outside any transaction (it makes an HTTP request).

    Returns the delivery as it is afterwards, or None when it was not due, not pending, claimed by another
    worker or deferred by the caps on attempts in flight (then there is nothing to do now: safe to call any
    number of times).
    """
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    # The id of the request that caused the event, however late the attempt (a retry the sweeper sends).
    with request_id_bound(delivery.request_id):
        return _attempt(delivery)


def _attempt(delivery: WebhookDelivery) -> WebhookDelivery:
    number = delivery.attempts
    endpoint = delivery.endpoint
    if not endpoint.active:
        outcome = Outcome(status_code=None, error="The endpoint was deleted.", duration_ms=0)
    else:
        outcome = _post(url=endpoint.url, secret=endpoint.secret, delivery=delivery)
    finished = timezone.now()

    max_attempts = market_settings().webhook_max_attempts
    changes: dict[str, Any] = {"last_status_code": outcome.status_code, "last_error": outcome.error}
    if outcome.ok:
        target = WebhookDelivery.Status.DELIVERED
        changes["delivered_at"] = finished
    elif number >= max_attempts or not endpoint.active:
        target = WebhookDelivery.Status.FAILED
    else:
        target = WebhookDelivery.Status.PENDING
        changes["next_attempt_at"] = finished + webhook_backoff(attempt=number)
    webhook_delivery_check(WebhookDelivery.Status.PENDING, target)
    changes["status"] = target
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery_id=delivery.id,
            number=number,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        # Only while our claim holds: if the lease ran out and another worker claimed the row, its
        # outcome wins and ours stays in the attempt log only. Either way our slot is free again.
        ours = WebhookDelivery.objects.filter(pk=delivery.id, attempts=number)
        applied = ours.filter(status=WebhookDelivery.Status.PENDING).update(**changes, in_flight_until=None)
        if not applied:
            ours.update(in_flight_until=None)  # the endpoint was deleted meanwhile (the delivery failed)
    metrics.WEBHOOK_ATTEMPTS.labels("ok" if outcome.ok else "error").inc()
    if applied and target != WebhookDelivery.Status.PENDING:
        metrics.WEBHOOK_DELIVERIES.labels(target).inc()
    fields = {
        "delivery": str(delivery.id),
        "event_id": str(delivery.event_id),
        "event_type": delivery.event_type,
        "endpoint": str(endpoint.id),
        "attempt": number,
        "status_code": outcome.status_code,
        "duration_ms": outcome.duration_ms,
    }
    if outcome.ok:
        logger.info(
            "Webhook %s attempt %s delivered", delivery.id, number, extra={"event": "webhook.delivered", **fields}
        )
    else:
        # The endpoint's URL is the partner's, which may hold a secret of its own (a token in its path): only its id.
        logger.info(
            "Webhook %s attempt %s failed: %s",
            delivery.id,
            number,
            outcome.error,
            extra={"event": "webhook.failed", "error": outcome.error, "final": target != "pending", **fields},
        )
    delivery.refresh_from_db()
    return delivery


def webhooks_sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue pending deliveries that are due: retries after backoff, and messages that were lost."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
    ids = [str(pk) for pk in due.order_by("next_attempt_at").values_list("id", flat=True)[:SWEEP_BATCH]]
    _enqueue(ids)
    return len(ids)


@transaction.atomic
def webhook_delivery_retry(
    *, principal: Principal, endpoint_id: str | uuid.UUID, delivery_id: str | uuid.UUID
) -> WebhookDelivery:
    """Send a failed delivery once more, now (the partner fixed its receiver). One try; no new schedule."""
    endpoint = webhook_endpoint_get(principal=principal, endpoint_id=endpoint_id)
    try:
        pk = uuid.UUID(str(delivery_id))
    except ValueError as exc:
        raise NotFound("No such delivery.") from exc
    delivery = WebhookDelivery.objects.select_for_update().filter(endpoint=endpoint, pk=pk).first()
    if delivery is None:
        raise NotFound("No such delivery.")
    webhook_delivery_check(delivery.status, WebhookDelivery.Status.PENDING)
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    delivery_ids = [str(delivery.id)]
    transaction.on_commit(lambda: _enqueue(delivery_ids), robust=True)
    return delivery


def webhook_delivery_list(
    *, principal: Principal, endpoint_id: str | uuid.UUID, status: str = ""
) -> QuerySet[WebhookDelivery]:
    """The delivery log of one of the caller's endpoints, newest first, with each delivery's attempts."""
    endpoint = webhook_endpoint_get(principal=principal, endpoint_id=endpoint_id)
    deliveries = endpoint.deliveries.prefetch_related("attempt_log")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries
