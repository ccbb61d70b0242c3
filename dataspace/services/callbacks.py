"""Messages to consumers' connectors: the provider's half of the Dataspace Protocol's asynchronous exchange.

Invariants (as for partner webhooks, settlement.services.webhooks):

- A message is written (``callback_queue``) in the transaction that decided it, so it exists exactly when its
  decision committed; it is posted after commit by a Celery task, through the one guarded HTTP client
  (``config.outbound_http``: the SSRF guard, a hard deadline).
- No transaction is open during the HTTP call: a callback is claimed with one conditional ``UPDATE`` (pending,
  due, no earlier message of its process still pending), posted, and its outcome written with another that only
  succeeds while the claim holds.
- The messages of one process go out in the order they were decided: an agreement before the finalization
  event, a transfer start before its termination.
- Retries are driven by the rows (``callbacks_sweep``, from beat): a lost task only delays a message. After
  ``ICHIBA_DSP_CALLBACK_MAX_ATTEMPTS`` failed tries the message is given up and whoever decided it is told
  (``on_given_up``): a negotiation or transfer whose consumer cannot be reached is terminated.
- Every message is checked against the protocol's schema before it is stored: Ichiba never sends an invalid one.
- A credential a message carries (a transfer's download token) is kept only until the message is delivered or
  given up (``without_credentials``).
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.market import market_settings
from config.outbound_http import guarded_post
from config.request_id import HEADER as REQUEST_ID_HEADER
from config.request_id import request_id_bound, request_id_get
from dataspace import tasks
from dataspace.dsp import schemas
from dataspace.models import Callback, Negotiation, Transfer

logger = logging.getLogger(__name__)

USER_AGENT = "Ichiba-DSP/2025-1"
BACKOFF_MAX = timedelta(minutes=10)
SWEEP_BATCH = 500

# What is done when a message of a type is given up, by message type (registered by the protocol's services).
GivenUp = Callable[[Callback], None]
_given_up: dict[str, GivenUp] = {}


def on_given_up(message_type: str, handler: GivenUp) -> None:
    """Call ``handler(callback)`` (in a transaction) when a message of ``message_type`` is given up."""
    _given_up[message_type] = handler


def without_credentials(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` as it is kept once it is delivered or given up: a data address's ``authorization`` (a download
    token, of which the market otherwise keeps only the hash) blanked. The outbox holds it in the clear only while the
    message waits to be sent."""
    address = message.get("dataAddress")
    if not isinstance(address, dict) or not isinstance(address.get("endpointProperties"), list):
        return message
    properties = [
        {**item, "value": ""} if isinstance(item, dict) and item.get("name") == "authorization" else item
        for item in address["endpointProperties"]
    ]
    return {**message, "dataAddress": {**address, "endpointProperties": properties}}


def callback_path(protocol: str, consumer_pid: str, leaf: str) -> str:
    """The binding's ``<protocol>/:consumerPid/<leaf>`` (``negotiations`` or ``transfers``) below a callback address,
    the consumer's id one percent-encoded path segment: whatever it chose (a ``/``, a ``?``), the message goes to that
    path of the address it gave and nowhere else."""
    return f"{protocol}/{quote(consumer_pid, safe=':@')}/{leaf}"


def callback_url(callback_address: str, path: str) -> str:
    """``path`` below the consumer's callback address, with or without its trailing slash (as the binding asks)."""
    return f"{callback_address.rstrip('/')}/{path.lstrip('/')}"


def callback_queue(
    *, path: str, message: dict[str, Any], negotiation: Negotiation | None = None, transfer: Transfer | None = None
) -> Callback:
    """Store ``message`` for the process's consumer, at ``path`` below its callback address, and send it once the
    current transaction commits. ``message`` must be valid against its type's schema (a ValueError otherwise: a
    bug, never the consumer's fault)."""
    process = negotiation or transfer
    assert process is not None and (negotiation is None) != (transfer is None), "one process, negotiation or transfer"
    message_type = message.get("@type", "")
    problems = schemas.message_errors(message, schemas.by_type(message_type))
    if problems:
        raise ValueError(f"Ichiba would send an invalid {message_type}: {'; '.join(problems)}")
    callback = Callback.objects.create(
        negotiation=negotiation,
        transfer=transfer,
        url=callback_url(process.callback_address, path),
        message_type=message_type,
        message=message,
        next_attempt_at=timezone.now(),
        request_id=request_id_get(),
    )
    _enqueue([str(callback.id)])
    return callback


def _enqueue(callback_ids: list[str]) -> None:
    def send() -> None:
        for callback_id in callback_ids:
            tasks.deliver_callback.delay(callback_id)

    transaction.on_commit(send, robust=True)


def backoff(*, attempt: int, jitter: bool = True) -> timedelta:
    """Wait before try ``attempt + 1`` after try ``attempt`` failed (1-based): the base, doubling, at most 10 min,
    plus up to 10 % jitter."""
    base = market_settings().dsp_callback_retry_base
    wait = min(base * 2 ** max(attempt - 1, 0), BACKOFF_MAX)
    if jitter:
        wait += wait * 0.1 * secrets.randbelow(1001) / 1000
    return wait


def _lease() -> timedelta:
    return max(timedelta(minutes=2), market_settings().webhook_timeout * 4 + timedelta(minutes=1))


def _claim(callback_id: uuid.UUID, now: datetime) -> Callback | None:
    """Claim a due callback for one attempt, or None: not due, not pending, claimed by another worker, or an earlier
    message of its process still waits (that one goes first; this one is sent after it, by its task or the
    sweep)."""
    row = Callback.objects.filter(pk=callback_id).values("negotiation_id", "transfer_id", "created_at").first()
    if row is None:
        return None
    same_process = (
        Q(negotiation_id=row["negotiation_id"]) if row["negotiation_id"] else Q(transfer_id=row["transfer_id"])
    )
    earlier = (
        Callback.objects.filter(same_process, status=Callback.Status.PENDING)
        .filter(Q(created_at__lt=row["created_at"]) | Q(created_at=row["created_at"], id__lt=callback_id))
        .exists()
    )
    if earlier:
        return None
    lease_end = now + _lease()
    claimed = Callback.objects.filter(pk=callback_id, status=Callback.Status.PENDING, next_attempt_at__lte=now).update(
        attempts=F("attempts") + 1, next_attempt_at=lease_end, in_flight_until=lease_end
    )
    return Callback.objects.get(pk=callback_id) if claimed else None


def callback_deliver(*, callback_id: uuid.UUID, now: datetime | None = None) -> Callback | None:
    """Make one attempt at a due callback (call outside any transaction: it makes an HTTP request). Returns it as it
    is afterwards, or None when there was nothing to do now (safe to call any number of times)."""
    now = now or timezone.now()
    callback = _claim(callback_id, now)
    if callback is None:
        return None
    with request_id_bound(callback.request_id):  # the request that decided it, however late the attempt
        return _attempt(callback)


def _attempt(callback: Callback) -> Callback:
    number = callback.attempts
    body = json.dumps(callback.message, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if callback.request_id:
        headers[REQUEST_ID_HEADER] = callback.request_id
    outcome = guarded_post(
        callback.url, body=body, headers=headers, timeout=market_settings().webhook_timeout.total_seconds()
    )
    finished = timezone.now()
    changes: dict[str, Any] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "in_flight_until": None,
    }
    given_up = False
    if outcome.ok:
        changes.update(
            status=Callback.Status.DELIVERED, delivered_at=finished, message=without_credentials(callback.message)
        )
    elif number >= market_settings().dsp_callback_max_attempts:
        changes.update(status=Callback.Status.FAILED, message=without_credentials(callback.message))
        given_up = True
    else:
        changes["next_attempt_at"] = finished + backoff(attempt=number)
    with transaction.atomic():
        mine = Callback.objects.filter(pk=callback.id, attempts=number, status=Callback.Status.PENDING)
        if mine.update(**changes) and given_up:
            callback.refresh_from_db()
            handler = _given_up.get(callback.message_type)
            if handler is not None:
                handler(callback)
    if not outcome.ok:
        logger.info("DSP callback %s attempt %s to %s failed: %s", callback.id, number, callback.url, outcome.error)
    callback.refresh_from_db()
    if callback.status != Callback.Status.PENDING:
        _enqueue_next(callback)
    return callback


def _enqueue_next(callback: Callback) -> None:
    """The next message of the process, if one waited for this one: sent now rather than at the next sweep."""
    same_process = Q(negotiation_id=callback.negotiation_id, transfer_id=callback.transfer_id)
    following = (
        Callback.objects.filter(same_process, status=Callback.Status.PENDING)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    if following is not None:
        _enqueue([str(following)])


def callbacks_sweep(*, now: datetime | None = None) -> int:
    """Send again the pending callbacks that are due: retries after their backoff, and messages that were lost."""
    now = now or timezone.now()
    due = Callback.objects.filter(status=Callback.Status.PENDING, next_attempt_at__lte=now)
    ids = [str(pk) for pk in due.order_by("next_attempt_at").values_list("id", flat=True)[:SWEEP_BATCH]]
    _enqueue(ids)
    return len(ids)
