"""The stripe provider under real faults: the official SDK, a real worker, localstripe behind a proxy that
answers 500, stalls past the timeout, or holds its answer while the worker is killed (run by CI).

Whatever happens, the buyer's card is charged at most once: one PaymentIntent at the provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from settlement.models import Settlement
from tests.fixtures import LOCALSTRIPE_SECRET_KEY
from tests.integration.fault_proxy import FaultProxy, Rule
from tests.integration.workers import (
    QUEUES,
    buy,
    market,
    publishing_to_broker,
    start_worker,
    status_of,
    stop_worker,
    sweep_as_if_later,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

INTENTS = "/v1/payment_intents"


@pytest.fixture
def stripe_market(localstripe: str, settings: Any, transactional_db: Any) -> Iterator[FaultProxy]:
    """Trades settle through the stripe provider, whose API calls go through a fault proxy to localstripe."""
    from tests.fixtures import require_postgres, require_redis

    require_postgres()
    require_redis()
    with FaultProxy(localstripe) as proxy:
        settings.ICHIBA = {**settings.ICHIBA, "PAYMENT_PROVIDER": "stripe"}
        settings.STRIPE = {**settings.STRIPE, "API_BASE": proxy.url}
        with publishing_to_broker():
            yield proxy


def stripe_worker(proxy: FaultProxy, name: str, **extra: str) -> Any:
    return start_worker(
        queues=QUEUES,
        name=name,
        env={
            "ICHIBA_PAYMENT_PROVIDER": "stripe",
            "STRIPE_SECRET_KEY": LOCALSTRIPE_SECRET_KEY,
            "STRIPE_API_BASE": proxy.url,
            "ICHIBA_PROVIDER_TIMEOUT_SECONDS": "1",
            "ICHIBA_PROVIDER_RETRY_BASE_SECONDS": "0.3",
            **extra,
        },
    )


def intents_of(localstripe: str, settlement: Settlement) -> list[Any]:
    client = stripe.StripeClient(LOCALSTRIPE_SECRET_KEY, base_addresses={"api": localstripe})
    every = client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
    return [intent for intent in every if (intent.metadata or {}).get("settlement") == str(settlement.id)]


def test_500s_and_a_timeout_are_retried_with_backoff_and_charge_once(stripe_market, localstripe, workers) -> None:
    proxy = stripe_market
    proxy.add(Rule("POST", INTENTS, "fail", remaining=2, status=500))
    # Then one that outlasts the client's 1 s timeout.
    proxy.add(Rule("POST", INTENTS, "drop", remaining=1, seconds=2.5))
    workers.append(stripe_worker(proxy, "stripe-flaky"))
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    wait_for(lambda: status_of(settlement) == "authorized", what="authorisation", process=workers[0], timeout=90)
    settlement.refresh_from_db()
    assert settlement.attempts >= 3, settlement.attempts
    [intent] = intents_of(localstripe, settlement)
    assert intent.id == settlement.payment_ref and intent.status == "requires_capture"
    assert proxy.seen[("POST", INTENTS)] >= 3


def test_a_worker_killed_while_stripe_answers_charges_once(stripe_market, localstripe, workers) -> None:
    proxy = stripe_market
    proxy.add(Rule("POST", INTENTS, "hold", remaining=1, seconds=60))
    slow = stripe_worker(proxy, "stripe-killed")
    workers.append(slow)
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    wait_for(lambda: len(intents_of(localstripe, settlement)) == 1, what="the PaymentIntent", process=slow)
    stop_worker(slow, kill=True)  # Stripe authorised; the worker never heard it
    assert status_of(settlement) == "pending"
    workers.append(stripe_worker(proxy, "stripe-restarted"))
    sweep_as_if_later()
    wait_for(lambda: status_of(settlement) == "authorized", what="re-driven authorisation", process=workers[-1])
    [intent] = intents_of(localstripe, settlement)
    assert Settlement.objects.get(pk=settlement.pk).payment_ref == intent.id
