"""The market's clients on the MQTT broker: credentials issued (or rotated) on request, access cut and restored with
the subscription, and the broker kept in line with the rows.

A feed's topic is per dataset, ``feeds/<dataset id>/#``. Each dataset with a streamed offering has one publisher
client, held by its seller (role ``ichiba-feed-<id>-publish``: publish there and nowhere else); each subscription
with a stream has one reader client, held by its buyer (role ``ichiba-feed-<id>-read``: subscribe to and receive
that topic, publish nothing). Usernames derive from the ids and are no secret; the broker binds each to a client id
of the same name, so nobody else can take over a subscriber's persistent session. Passwords are random, shown in
the response that issued them and stored nowhere but as the broker's own hash.

The rows are the truth. A broker call never runs inside a database transaction (docs/architecture.md#concurrency):
a change is written to the row first (its ``generation`` bumped), then applied to the broker after commit by
``stream_client_apply``, which records the generation it applied only if no newer change came meanwhile. Whatever
a lost message or a broker restart left behind, the sweeper re-applies (``stream_clients_sweep``), and the full
reconciliation (``stream_clients_reconcile``) re-creates what the broker lost.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from catalog.models import Dataset
from config.api.principal import Principal
from config.errors import Conflict, Forbidden, NotFound
from config.market import market_settings, streams_enabled
from marketplace.models import Offering
from settlement.hooks import SubscriptionChanged
from settlement.models import Subscription
from streams import tasks
from streams.acl import (
    PUBLISHER_PREFIX,
    SUBSCRIBER_PREFIX,
    counter_role,
    feed_topic,
    publisher_role,
    publisher_username,
    reader_role,
    subscriber_username,
)
from streams.broker import BrokerClient, BrokerRefused, Role, admin, new_password
from streams.models import StreamClient, StreamClientEvent
from streams.states import STREAM_CLIENT_ENABLED, stream_client_check

__all__ = [
    "IssuedCredentials",
    "StreamNotOffered",
    "StreamsNotConfigured",
    "stream_client_apply",
    "stream_clients_reconcile",
    "stream_clients_sweep",
    "stream_credentials_issue_publisher",
    "stream_credentials_issue_subscriber",
    "streams_on_subscription_changed",
]

logger = logging.getLogger(__name__)

# A change not applied this long after it was made is re-applied by the sweeper (its task was lost, or the broker
# was down).
APPLY_GRACE = timedelta(seconds=30)


class StreamsNotConfigured(Conflict):
    code = "streams-not-configured"
    title = "Live streams are not configured"


class StreamNotOffered(Conflict):
    code = "stream-not-offered"
    title = "No live stream here"


@dataclass(frozen=True)
class IssuedCredentials:
    """What a client needs to connect; ``password`` is shown this once."""

    url: str
    host: str
    port: int
    tls: bool
    username: str
    password: str
    client_id: str
    topic: str


# --- roles ---------------------------------------------------------------------------------------------------------


def _role_of(client: StreamClient) -> Role:
    if client.role == StreamClient.Role.PUBLISHER:
        return publisher_role(client.dataset_id)
    return reader_role(client.dataset_id)


def _event(client: StreamClient, *, from_status: str, to_status: str, reason: str, actor: str) -> None:
    StreamClientEvent.objects.create(
        client=client, from_status=from_status, to_status=to_status, reason=reason[:200], actor=actor[:100]
    )


def _actor(principal: Principal) -> str:
    if principal.api_key_id is not None:
        return f"api_key:{principal.api_key_id}"
    return f"user:{principal.user_id}"


def _require_streams() -> None:
    if not streams_enabled():
        raise StreamsNotConfigured(
            "Live streams are not configured on this market (the operator has not set ICHIBA_MQTT_URL)."
        )


# --- issuing credentials ------------------------------------------------------------------------------------------


def stream_credentials_issue_publisher(*, principal: Principal, dataset_id: uuid.UUID | str) -> IssuedCredentials:
    """Issue (or rotate) the publishing credentials of the seller's own dataset, which must have a streamed
    offering (another's dataset: 404; no streamed offering: 409; streams off: 409; broker down: 503)."""
    _require_streams()
    dataset = _dataset_of_seller(principal=principal, dataset_id=dataset_id)
    if not Offering.objects.filter(dataset=dataset, stream=True).exists():
        raise StreamNotOffered("The dataset has no offering with a live stream: offer it with stream=true first.")
    client = _client_get_or_create(
        username=publisher_username(dataset.id),
        role=StreamClient.Role.PUBLISHER,
        dataset_id=dataset.id,
        organization_id=principal.organization_id,
    )
    return _issue(client, actor=_actor(principal))


def stream_credentials_issue_subscriber(*, principal: Principal, subscription_id: uuid.UUID | str) -> IssuedCredentials:
    """Issue (or rotate) the reading credentials of the buyer's own subscription, whose offering carries a live
    stream, while it is active or cancelling (another's: 404; its seller: 403; no stream: 409; past due or ended:
    409; streams off: 409; broker down: 503)."""
    _require_streams()
    try:
        wanted = uuid.UUID(str(subscription_id))
    except ValueError:
        raise NotFound("No such subscription.") from None
    party = Subscription.objects.filter(pk=wanted).filter(
        Q(buyer_id=principal.organization_id) | Q(seller_id=principal.organization_id)
    )
    subscription = party.first()
    if subscription is None:
        raise NotFound("No such subscription.")
    if subscription.buyer_id != principal.organization_id:
        raise Forbidden("Only the subscriber receives the stream's credentials; the seller publishes with its own.")
    if not subscription.stream:
        raise StreamNotOffered("The subscription's offering carries no live stream.")
    with transaction.atomic():
        # Under the subscription's lock, as its status changes: a change after this read is seen by the hook.
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        target = _status_for(subscription.status)
        if target != StreamClient.Status.ACTIVE:
            raise Conflict(
                f"The subscription is {subscription.status.replace('_', ' ')}: its stream gives no access "
                + ("until the period is paid." if target == StreamClient.Status.SUSPENDED else "any more.")
            )
        client = _client_get_or_create(
            username=subscriber_username(subscription.pk),
            role=StreamClient.Role.SUBSCRIBER,
            dataset_id=subscription.dataset_id,
            organization_id=subscription.buyer_id,
            subscription_id=subscription.pk,
        )
    return _issue(client, actor=_actor(principal))


def _status_for(subscription_status: str) -> str:
    """The stream client's status a subscription's status calls for: a cancelled subscription keeps its stream to
    the end of its period (it is ``cancelling`` until then)."""
    if subscription_status in (Subscription.Status.ACTIVE, Subscription.Status.CANCELLING):
        return StreamClient.Status.ACTIVE
    if subscription_status == Subscription.Status.PAST_DUE:
        return StreamClient.Status.SUSPENDED
    return StreamClient.Status.ENDED


def _dataset_of_seller(*, principal: Principal, dataset_id: uuid.UUID | str) -> Dataset:
    try:
        wanted = uuid.UUID(str(dataset_id))
    except ValueError:
        raise NotFound("No such dataset.") from None
    dataset = Dataset.objects.filter(pk=wanted, seller_id=principal.organization_id).first()
    if dataset is None:
        raise NotFound("No such dataset.")
    return dataset


def _client_get_or_create(
    *,
    username: str,
    role: str,
    dataset_id: uuid.UUID,
    organization_id: uuid.UUID,
    subscription_id: uuid.UUID | None = None,
    status: str = StreamClient.Status.ACTIVE,
) -> StreamClient:
    """The client's row, created on first issue (two first requests at once: one row)."""
    found = StreamClient.objects.filter(username=username).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return StreamClient.objects.create(
                username=username,
                role=role,
                dataset_id=dataset_id,
                organization_id=organization_id,
                subscription_id=subscription_id,
                status=status,
            )
    except IntegrityError:
        return StreamClient.objects.get(username=username)


def _issue(client: StreamClient, *, actor: str) -> IssuedCredentials:
    """Give the client a new password on the broker (creating it there if need be), with the state its row holds;
    then record the issue. Nothing is written if the broker does not answer."""
    password = new_password()
    broker = admin()
    role = _role_of(client)
    broker.roles_put([role])
    broker.client_put(
        client.username,
        password=password,
        clientid=client.username,
        roles=[role.name],
        enabled=client.status in STREAM_CLIENT_ENABLED,
    )
    now = timezone.now()
    with transaction.atomic():
        locked = StreamClient.objects.select_for_update().get(pk=client.pk)
        reason = "credentials rotated" if locked.issued_at else "credentials issued"
        if locked.generation == client.generation:  # nothing changed since it was read: the broker matches the row
            StreamClient.objects.filter(pk=client.pk).update(
                issued_at=now, updated_at=now, applied_generation=locked.generation, applied_at=now
            )
        else:
            StreamClient.objects.filter(pk=client.pk).update(issued_at=now, updated_at=now)
            transaction.on_commit(lambda: tasks.stream_client_apply.delay(str(client.pk)), robust=True)
        _event(locked, from_status=locked.status, to_status=locked.status, reason=reason, actor=actor)
    address = market_settings().mqtt_public
    assert address is not None  # streams are enabled
    return IssuedCredentials(
        url=address.url,
        host=address.host,
        port=address.port,
        tls=address.tls,
        username=client.username,
        password=password,
        client_id=client.username,
        topic=feed_topic(client.dataset_id),
    )


# --- status changes -------------------------------------------------------------------------------------------------


def stream_client_transition(*, client: StreamClient, target: str, reason: str, actor: str = "system") -> bool:
    """Move a locked client row to ``target`` (checked), to be applied to the broker after commit; whether it moved.
    Runs inside the caller's transaction, with the row locked by the caller."""
    if client.status == target:
        return False
    stream_client_check(client.status, target)
    previous = client.status
    StreamClient.objects.filter(pk=client.pk).update(
        status=target, generation=F("generation") + 1, updated_at=timezone.now()
    )
    _event(client, from_status=previous, to_status=target, reason=reason, actor=actor)
    client_id = str(client.pk)
    transaction.on_commit(lambda: tasks.stream_client_apply.delay(client_id), robust=True)
    return True


def streams_on_subscription_changed(event: SubscriptionChanged) -> None:
    """settlement's hook, inside the transaction that changed the subscription (under its row lock): its stream
    client, if credentials were ever issued for it, is suspended (past due), enabled again (paid) or ended; the
    broker learns it after commit."""
    if not event.stream:
        return
    client = StreamClient.objects.select_for_update().filter(subscription_id=event.subscription_id).first()
    if client is None or client.status == StreamClient.Status.ENDED:
        return
    if event.access:
        target = StreamClient.Status.ACTIVE
    elif event.status == Subscription.Status.PAST_DUE:
        target = StreamClient.Status.SUSPENDED
    else:  # ended, or access revoked otherwise: final
        target = StreamClient.Status.ENDED
    reason = f"subscription {event.previous_status} -> {event.status}"
    if event.end_reason:
        reason += f" ({event.end_reason})"
    stream_client_transition(client=client, target=target, reason=reason)


# --- the broker made to match the rows --------------------------------------------------------------------------------


def stream_client_apply(*, client_id: uuid.UUID | str, attempts: int = 3) -> bool:
    """Make the broker's client match its row, outside any transaction; whether the broker now matches the row's
    latest generation (if a change came meanwhile, it is applied too, up to ``attempts`` times, and otherwise left
    for the sweeper)."""
    for _attempt in range(attempts):
        client = StreamClient.objects.filter(pk=client_id).first()
        if client is None or client.applied_generation >= client.generation:
            return client is not None
        if client.issued_at is not None:  # never issued: nobody can connect, the broker need not know it
            _apply(client, existing=False)
        applied = StreamClient.objects.filter(pk=client.pk, generation=client.generation).update(
            applied_generation=client.generation, applied_at=timezone.now()
        )
        if applied:
            return True
    return False


def _apply(client: StreamClient, *, existing: BrokerClient | None | bool) -> bool:
    """One client on the broker: an ended subscriber's is deleted (its sessions go with it); any other is made to
    match (created with an unknown password if the broker lost it: its holder rotates it)."""
    broker = admin()
    if client.status == StreamClient.Status.ENDED:
        if existing is None:
            return False
        broker.client_delete(client.username)
        return True
    role = _role_of(client)
    if existing is False:
        broker.roles_put([role])
    return broker.client_reconcile(
        client.username,
        clientid=client.username,
        roles=[role.name],
        enabled=client.status in STREAM_CLIENT_ENABLED,
        existing=existing,
    )


def stream_clients_sweep(*, now: datetime | None = None) -> int:
    """Re-apply the changes whose application was lost (its task, or a broker that was down); how many."""
    if not streams_enabled():
        return 0
    now = now or timezone.now()
    stale = StreamClient.objects.filter(applied_generation__lt=F("generation"), updated_at__lt=now - APPLY_GRACE)
    done = 0
    for client_id in stale.values_list("pk", flat=True).order_by("updated_at")[:500]:
        if stream_client_apply(client_id=client_id):
            done += 1
    return done


@dataclass(frozen=True)
class Reconciled:
    roles_changed: int
    clients_changed: int
    orphans_deleted: int


def stream_clients_reconcile() -> Reconciled:
    """Compare the whole broker with the rows and fix every difference: roles missing or with other ACLs, clients
    missing (re-created, their holders rotate), disabled or enabled wrongly, ended ones still there, and clients of
    the market's naming that no row knows. After a broker that lost its state, this puts it back."""
    if not streams_enabled():
        return Reconciled(0, 0, 0)
    broker = admin()
    on_broker = broker.clients_list()
    issued = StreamClient.objects.filter(issued_at__isnull=False).order_by("created_at")
    dataset_roles: dict[str, Role] = {}
    for role_name, dataset_id in issued.values_list("role", "dataset_id").distinct():
        role = publisher_role(dataset_id) if role_name == StreamClient.Role.PUBLISHER else reader_role(dataset_id)
        dataset_roles[role.name] = role
    roles_changed = broker.roles_reconcile([*dataset_roles.values(), counter_role()])
    # Read after the broker's list: a client being issued right now has its row already (it is written first).
    known = set(StreamClient.objects.values_list("username", flat=True))
    changed = 0
    for client in issued.iterator(chunk_size=500):
        generation = client.generation
        try:
            changed += _apply(client, existing=on_broker.get(client.username))
        except BrokerRefused:
            logger.exception("stream_reconcile_refused username=%s", client.username)
            continue
        StreamClient.objects.filter(pk=client.pk, generation=generation).update(
            applied_generation=generation, applied_at=timezone.now()
        )
    orphans = [
        name for name in on_broker if name.startswith((PUBLISHER_PREFIX, SUBSCRIBER_PREFIX)) and name not in known
    ]
    for name in orphans:
        broker.client_delete(name)
    if roles_changed or changed or orphans:
        logger.warning(
            "stream_reconcile roles=%d clients=%d orphans=%d: the broker had drifted from the rows",
            roles_changed,
            changed,
            len(orphans),
        )
    return Reconciled(roles_changed, changed, len(orphans))
