"""The whole Dataspace Protocol walk of issue 16's "done when", on PostgreSQL, Redis and a real Celery worker (run by
CI): a consumer's connector that knows only the DSP 2025-1 specification and its organisation's API key discovers the
protocol, finds a dataset by a free-text filter, negotiates one seat under a METI contract (the agreement an ODRL
``Agreement``), verifies it, is told FINALIZED, asks for a transfer under the agreement it was sent, pulls the data
from the data address with its token (checking the checksum the response states), completes the transfer, and the
buyer's payment is captured. Every message either side sends is checked against the protocol's schemas."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from dataspace.dsp import CONTEXT, schemas
from dataspace.models import Negotiation, Transfer
from dataspace.tests.connector import consumer_connector
from settlement.models import Settlement
from tests.integration.workers import QUEUES, market, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def valid(message: Any, message_type: str) -> dict[str, Any]:
    assert schemas.message_errors(message, schemas.by_type(message_type)) == [], message
    assert message["@context"] == [CONTEXT]
    return dict(message)


class Connector:
    """The consumer's side of the wire: its API key on every request, JSON both ways."""

    def __init__(self, api_key: str) -> None:
        self.client = Client()
        self.api_key = api_key

    def post(self, path: str, message: dict[str, Any], status: int = 200) -> Any:
        valid(message, message["@type"])  # the test's own messages must be valid too
        response = self.client.post(
            path, data=json.dumps(message), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.api_key}"
        )
        assert response.status_code == status, response.content
        return response.json() if response.content else None


def test_a_connector_finds_negotiates_pulls_and_completes(on_broker, workers) -> None:
    worker = start_worker(queues=QUEUES, name="dsp-walk")
    workers.append(worker)
    _, buyer, offering = market(seats=3, ask=3)
    consumer = Connector(buyer.api_key)

    # Discovery: the versions endpoint names the path of the protocol's endpoints.
    versions = Client().get("/.well-known/dspace-version").json()
    assert schemas.message_errors(versions, schemas.VERSIONS) == []
    [version] = [v for v in versions["protocolVersions"] if v["version"] == "2025-1"]
    base = version["path"]

    # Catalog: the dataset found by a free-text filter, with the offer to negotiate.
    catalog = consumer.post(
        f"{base}/catalog/request",
        {"@context": [CONTEXT], "@type": "CatalogRequestMessage", "filter": [{"q": "Gauges"}]},
    )
    valid(catalog, "Catalog")
    [dataset] = catalog["dataset"]
    [offer] = dataset["hasPolicy"]
    assert dataset["distribution"][0]["format"] == "HttpData-PULL"

    with consumer_connector() as callbacks:
        # Negotiation: the offer as the catalog states it, targeted at the dataset.
        negotiation = consumer.post(
            f"{base}/negotiations/request",
            {
                "@context": [CONTEXT],
                "@type": "ContractRequestMessage",
                "consumerPid": "urn:uuid:walk-negotiation",
                "offer": {**offer, "target": dataset["@id"]},
                "callbackAddress": callbacks.callback_address,
            },
            status=201,
        )
        valid(negotiation, "ContractNegotiation")
        provider_pid = negotiation["providerPid"]
        agreement_message = callbacks.wait_for("ContractAgreementMessage", timeout=60)
        assert agreement_message.path == "/callback/negotiations/urn:uuid:walk-negotiation/agreement"
        agreement = valid(agreement_message.message, "ContractAgreementMessage")["agreement"]
        assert agreement["target"] == dataset["@id"]
        assert agreement["assigner"] == offer["assigner"]  # the seller, as the offer named it
        ids = {"@context": [CONTEXT], "providerPid": provider_pid, "consumerPid": "urn:uuid:walk-negotiation"}
        consumer.post(
            f"{base}/negotiations/{provider_pid}/agreement/verification",
            {**ids, "@type": "ContractAgreementVerificationMessage"},
        )
        event = callbacks.wait_for("ContractNegotiationEventMessage", timeout=60).message
        finalized = valid(event, "ContractNegotiationEventMessage")
        assert finalized["eventType"] == "FINALIZED"
        state = consumer.client.get(
            f"{base}/negotiations/{provider_pid}", HTTP_AUTHORIZATION=f"Bearer {buyer.api_key}"
        ).json()
        assert valid(state, "ContractNegotiation")["state"] == "FINALIZED"

        # Transfer: under the agreement it was sent, pulled from the data address.
        process = consumer.post(
            f"{base}/transfers/request",
            {
                "@context": [CONTEXT],
                "@type": "TransferRequestMessage",
                "consumerPid": "urn:uuid:walk-transfer",
                "agreementId": agreement["@id"],
                "format": "HttpData-PULL",
                "callbackAddress": callbacks.callback_address,
            },
            status=201,
        )
        valid(process, "TransferProcess")
        start = valid(callbacks.wait_for("TransferStartMessage", timeout=60).message, "TransferStartMessage")
        address = start["dataAddress"]
        assert address["endpointType"] == "https://w3id.org/idsa/v4.1/HTTP"
        properties = {item["name"]: item["value"] for item in address["endpointProperties"]}
        assert properties["authType"] == "bearer"
        download: Any = Client().get(
            urlsplit(address["endpoint"]).path, HTTP_AUTHORIZATION=f"Bearer {properties['authorization']}"
        )
        assert download.status_code == 200
        body = b"".join(download.streaming_content)
        assert download["ETag"].strip('"') == hashlib.sha256(body).hexdigest()  # the checksum the response states

        trade_id = Negotiation.objects.values_list("trade_id", flat=True).get(consumer_pid="urn:uuid:walk-negotiation")
        wait_for(
            lambda: Settlement.objects.values_list("status", flat=True).get(trade_id=trade_id) == "captured",
            what="the capture after the first complete download",
            process=worker,
        )
        done = consumer.post(
            f"{base}/transfers/{process['providerPid']}/completion",
            {
                "@context": [CONTEXT],
                "@type": "TransferCompletionMessage",
                "providerPid": process["providerPid"],
                "consumerPid": "urn:uuid:walk-transfer",
            },
        )
        assert done["state"] == "COMPLETED"
    assert Transfer.objects.get(consumer_pid="urn:uuid:walk-transfer").state == "COMPLETED"
