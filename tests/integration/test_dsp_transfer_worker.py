"""A Dataspace Protocol transfer on PostgreSQL, Redis and a real Celery worker (run by CI): the consumer's request
is answered at once, the worker posts the TransferStartMessage to the consumer's connector on loopback, the consumer
pulls the data with the token of the data address, the worker captures the payment, and the consumer completes."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.transfers import agreement_id
from dataspace.models import Callback, Negotiation, Transfer
from dataspace.tests.connector import consumer_connector
from settlement.models import Entitlement
from tests.integration.workers import (
    QUEUES,
    buy,
    market,
    start_worker,
    status_of,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def post(api_key: str, path: str, message: dict[str, Any]) -> Any:
    return Client().post(
        f"/dsp/2025-1/transfers{path}",
        data=json.dumps(message),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )


def test_request_start_download_capture_completion_on_a_worker(on_broker, workers) -> None:
    worker = start_worker(queues=QUEUES, name="dsp-transfer")
    workers.append(worker)
    _, buyer, offering = market()
    settlement = buy(buyer, offering)
    wait_for(lambda: status_of(settlement) == "authorized", what="authorisation", process=worker)
    entitlement = Entitlement.objects.select_related("dataset_version").get(settlement=settlement)
    Negotiation.objects.create(
        consumer=buyer.organization,
        consumer_pid=f"urn:uuid:{uuid.uuid4()}",
        callback_address="http://127.0.0.1:9/negotiations",
        offering_id=offering["id"],
        dataset_id=entitlement.dataset_id,
        state=Negotiation.State.FINALIZED,
        trade_id=settlement.trade_id,
        contract_id=entitlement.contract_id,
    )
    with consumer_connector() as connector:
        request = {
            "@context": [CONTEXT],
            "@type": "TransferRequestMessage",
            "consumerPid": "urn:uuid:worker-transfer",
            "agreementId": agreement_id(entitlement.contract_id),
            "format": "HttpData-PULL",
            "callbackAddress": connector.callback_address,
        }
        response = post(buyer.api_key, "/request", request)
        assert response.status_code == 201, response.content
        assert schemas.message_errors(response.json(), schemas.TRANSFER_PROCESS) == []
        pid = response.json()["providerPid"]

        start = connector.wait_for("TransferStartMessage", timeout=60)
        assert schemas.message_errors(start.message, schemas.TRANSFER_START_MESSAGE) == []
        assert start.path == "/callback/transfers/urn:uuid:worker-transfer/start"
        data_address = start.message["dataAddress"]
        token = {item["name"]: item["value"] for item in data_address["endpointProperties"]}["authorization"]
        wait_for(
            lambda: Callback.objects.filter(
                transfer__consumer_pid="urn:uuid:worker-transfer", status="delivered"
            ).exists(),
            what="the start message recorded as delivered",
            process=worker,
        )

        download: Any = Client().get(urlsplit(data_address["endpoint"]).path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert download.status_code == 200
        body = b"".join(download.streaming_content)
        assert hashlib.sha256(body).hexdigest() == entitlement.dataset_version.sha256
        wait_for(lambda: status_of(settlement) == "captured", what="capture", process=worker)

        completion = {
            "@context": [CONTEXT],
            "@type": "TransferCompletionMessage",
            "providerPid": pid,
            "consumerPid": "urn:uuid:worker-transfer",
        }
        done = post(buyer.api_key, f"/{pid}/completion", completion)
        assert done.status_code == 200 and done.json()["state"] == "COMPLETED"
        again: Any = Client().get(urlsplit(data_address["endpoint"]).path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert again.status_code == 410
    assert Transfer.objects.get(consumer_pid="urn:uuid:worker-transfer").state == "COMPLETED"
