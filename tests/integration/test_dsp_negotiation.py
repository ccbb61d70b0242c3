"""Dataspace Protocol negotiations on PostgreSQL, Redis and a real Celery worker (run by CI): a consumer connector
walks catalog → request → agreement → verification → FINALIZED, its callbacks posted by the worker; connectors
racing for the last seats get exactly as many agreements as there are seats; and a request whose price is taken
while it waits for the book is terminated ``price-moved``."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.catalog import offer_id
from dataspace.models import Negotiation
from dataspace.tests.connector import Connector, consumer_connector
from marketplace.models import Offering, Trade
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from settlement.models import Settlement
from tests.builders import Party, make_party
from tests.fixtures import require_postgres
from tests.integration.workers import QUEUES, market, race, start_worker, stop_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BASE = "/dsp/2025-1"


@pytest.fixture
def worker() -> Iterator[subprocess.Popen[str]]:
    process = start_worker(queues=QUEUES, name="dsp")
    yield process
    stop_worker(process)


def post(party: Party, path: str, body: dict[str, Any]) -> Any:
    return Client().post(
        path, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {party.api_key}"
    )


def valid(document: Any, schema: str) -> Any:
    assert schemas.message_errors(document, schema) == [], document
    return document


def the_offer(party: Party, offering_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    response = post(party, f"{BASE}/catalog/request", {"@context": [CONTEXT], "@type": "CatalogRequestMessage"})
    catalog = valid(response.json(), schemas.CATALOG)
    for dataset in catalog["dataset"]:
        for policy in dataset["hasPolicy"]:
            if policy["@id"] == offer_id(uuid.UUID(offering_id)):
                return dataset, policy
    raise AssertionError("the offer is not in the catalog")


def request(dataset: dict[str, Any], policy: dict[str, Any], connector: Connector, pid: str) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "@type": "ContractRequestMessage",
        "consumerPid": pid,
        "offer": {**policy, "target": dataset["@id"]},
        "callbackAddress": connector.callback_address,
    }


def test_a_connector_negotiates_to_finalized_with_a_worker(on_broker, worker) -> None:
    _, buyer, offering = market(seats=5, ask=5)
    dataset, policy = the_offer(buyer, offering["id"])
    with consumer_connector() as connector:
        response = post(buyer, f"{BASE}/negotiations/request", request(dataset, policy, connector, "urn:uuid:one"))
        assert response.status_code == 201, response.content
        negotiation = valid(response.json(), schemas.CONTRACT_NEGOTIATION)
        agreement = connector.wait_for("ContractAgreementMessage", timeout=60).message
        valid(agreement, schemas.CONTRACT_AGREEMENT_MESSAGE)
        assert agreement["agreement"]["target"] == dataset["@id"]
        ids = {"@context": [CONTEXT], "providerPid": negotiation["providerPid"], "consumerPid": "urn:uuid:one"}
        verification = {**ids, "@type": "ContractAgreementVerificationMessage"}
        path = f"{BASE}/negotiations/{negotiation['providerPid']}/agreement/verification"
        assert post(buyer, path, verification).status_code == 200
        finalized = connector.wait_for("ContractNegotiationEventMessage", timeout=60).message
        assert valid(finalized, schemas.CONTRACT_NEGOTIATION_EVENT_MESSAGE)["eventType"] == "FINALIZED"
    found = Negotiation.objects.get(pk=negotiation["providerPid"].removeprefix("urn:uuid:"))
    assert found.state == "FINALIZED"
    assert found.trade_id is not None
    assert Settlement.objects.get(trade_id=found.trade_id).status == "authorized"


def test_connectors_racing_for_the_last_seats_get_exactly_that_many_agreements(on_broker, worker) -> None:
    seats, racers = 3, 8
    _, _, offering = market(seats=seats, ask=seats)
    consumers = [make_party(f"Connector {i}", {"buyer"}) for i in range(racers)]
    dataset, policy = the_offer(consumers[0], offering["id"])
    with contextlib.ExitStack() as stack:
        connectors = [stack.enter_context(consumer_connector()) for _ in range(racers)]

        def ask_for_it(i: int) -> Any:
            body = request(dataset, policy, connectors[i], f"urn:uuid:racer-{i}")
            return post(consumers[i], f"{BASE}/negotiations/request", body)

        answers = race(racers, ask_for_it)
        assert not [a for a in answers if isinstance(a, Exception)], answers
        assert {a.status_code for a in answers} == {201}
        states = sorted(valid(a.json(), schemas.CONTRACT_NEGOTIATION)["state"] for a in answers)
        assert states == ["AGREED"] * seats + ["TERMINATED"] * (racers - seats)
        for i, answer in enumerate(answers):
            expected = "ContractAgreementMessage" if answer.json()["state"] == "AGREED" else None
            if expected is None:
                message = connectors[i].wait_for("ContractNegotiationTerminationMessage", timeout=60).message
                assert message["code"] in ("sold-out", "price-moved", "not-filled"), message
            else:
                valid(connectors[i].wait_for(expected, timeout=60).message, schemas.CONTRACT_AGREEMENT_MESSAGE)
    assert Offering.objects.get(pk=offering["id"]).seats_sold == seats  # none oversold
    assert Trade.objects.filter(offering_id=offering["id"]).count() == seats
    assert Negotiation.objects.filter(state="AGREED").count() == seats


def _waiting_on_a_lock() -> bool:
    """Whether another session of this database waits for a lock (the request, for the offering's row)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the activity view is otherwise frozen per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        (waiting,) = cursor.fetchone()
    return bool(waiting)


def test_a_price_taken_while_the_request_waits_for_the_book_terminates_price_moved(transactional_db) -> None:
    require_postgres()
    seller, buyer, offering = market(seats=None, ask=1)  # one seat asked at 1000
    dearer = {"offering": offering["id"], "side": "sell", "quantity": 1, "price": 2000}
    assert seller.client.post("/api/v1/orders", dearer, format="json").status_code == 201
    dataset, policy = the_offer(buyer, offering["id"])  # offered at 1000, the best ask
    rival = make_party("Rival buyer", {"buyer"})
    answers: list[Any] = []

    with consumer_connector() as connector:

        def consumer() -> None:
            try:
                body = request(dataset, policy, connector, "urn:uuid:late")
                answers.append(post(buyer, f"{BASE}/negotiations/request", body))
            finally:
                connection.close()

        # Hold the book (as a matching in progress does; FOR NO KEY UPDATE, so the negotiation's row, which refers
        # to the offering, can still be written) until the request read the price and waits for the book.
        with transaction.atomic():
            Offering.objects.select_for_update(no_key=True).get(pk=offering["id"])
            thread = threading.Thread(target=consumer)
            thread.start()
            wait_for(_waiting_on_a_lock, what="the request to wait for the book", timeout=30)
            order_place(  # the rival takes the seat at 1000 meanwhile
                principal=principal_for(rival.organization),
                offering_id=offering["id"],
                side="buy",
                price=1000,
                quantity=1,
                accepted_terms_sha256=offering["terms_sha256"],
            )
        thread.join(timeout=60)
        [answer] = answers
        assert answer.status_code == 201, answer.content
        assert valid(answer.json(), schemas.CONTRACT_NEGOTIATION)["state"] == "TERMINATED"
        message = connector.wait_for("ContractNegotiationTerminationMessage", timeout=30).message
        valid(message, schemas.CONTRACT_NEGOTIATION_TERMINATION_MESSAGE)
        assert message["code"] == "price-moved" and "2000" in message["reason"][0]
    assert not Trade.objects.filter(buyer=buyer.organization).exists()
