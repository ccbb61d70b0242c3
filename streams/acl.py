"""Who may do what on the broker: the feed topics, the market's roles and the usernames it gives its clients.

Pure Python (no Django): the services apply these through the dynamic-security admin (streams/broker.py), and the
MQTT benchmark sets up the same ACLs (tests/bench/mqtt_fanout.py).
"""

from __future__ import annotations

import uuid

from streams.broker import Acl, Role

__all__ = [
    "COUNTER_USERNAME",
    "PUBLISHER_PREFIX",
    "SUBSCRIBER_PREFIX",
    "counter_role",
    "feed_topic",
    "publisher_role",
    "publisher_username",
    "reader_role",
    "subscriber_username",
]

# Broker usernames the market manages: anything else on the broker (its admin, an operator's own clients) is left
# alone by the reconciliation.
PUBLISHER_PREFIX = "ichiba-pub-"
SUBSCRIBER_PREFIX = "ichiba-sub-"
COUNTER_USERNAME = "ichiba-counter"


def feed_topic(dataset_id: uuid.UUID) -> str:
    """A dataset's feed: the seller publishes anywhere under it, subscribers read all of it."""
    return f"feeds/{dataset_id}/#"


def publisher_username(dataset_id: uuid.UUID) -> str:
    return f"{PUBLISHER_PREFIX}{dataset_id}"


def subscriber_username(subscription_id: uuid.UUID) -> str:
    return f"{SUBSCRIBER_PREFIX}{subscription_id}"


def publisher_role(dataset_id: uuid.UUID) -> Role:
    """Publish on the dataset's feed; nothing else (not even read it)."""
    return Role(f"ichiba-feed-{dataset_id}-publish", frozenset({Acl("publishClientSend", feed_topic(dataset_id))}))


def reader_role(dataset_id: uuid.UUID) -> Role:
    """Subscribe to the dataset's feed (or a narrower filter under it) and receive it; publish nothing."""
    topic = feed_topic(dataset_id)
    return Role(
        f"ichiba-feed-{dataset_id}-read",
        frozenset({Acl("subscribePattern", topic), Acl("publishClientReceive", topic)}),
    )


def counter_role() -> Role:
    """The market's own counter: every feed, read only (streams/counter.py)."""
    return Role(
        COUNTER_USERNAME,
        frozenset({Acl("subscribePattern", "feeds/+/#"), Acl("publishClientReceive", "feeds/+/#")}),
    )
