"""The transfer process, provider side, played as a consumer's connector would: a loopback connector receives the
provider's messages, the test pulls the data with the data address's token, suspends, resumes, completes and
terminates. Every message answered or sent is checked against the vendored DSP 2025-1 schemas."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.transfers import ENDPOINT_TYPE, agreement_id
from dataspace.models import Callback, Negotiation, Party, Transfer, TransferEvent
from dataspace.services import callbacks, transfers
from dataspace.tests.connector import Connector, Received, consumer_connector
from marketplace.models import Trade
from settlement.models import DownloadToken, Entitlement
from settlement.services.entitlements import entitlement_revoke, entitlements_expire
from tests.builders import Party as Member
from tests.builders import entitled, make_party, stored_bytes

pytestmark = pytest.mark.django_db

BASE = "/dsp/2025-1/transfers"


@pytest.fixture
def connector() -> Iterator[Connector]:
    with consumer_connector() as running:
        yield running


def finalized(
    seller: Member, buyer: Member, capture: Any, *, state: str = "FINALIZED", delivery_url: str = ""
) -> Negotiation:
    """A negotiation of ``buyer`` in ``state`` whose agreement is a real trade's contract (its settlement authorised,
    its entitlement active), as the negotiation leaves it."""
    entitlement = entitled(seller, buyer, capture, delivery_url=delivery_url)
    trade = Trade.objects.get(contract_id=entitlement.contract_id)
    return Negotiation.objects.create(
        consumer=buyer.organization,
        consumer_pid=f"urn:uuid:{uuid.uuid4()}",
        callback_address="http://127.0.0.1:9/negotiation-callback",
        offering_id=trade.offering_id,
        dataset_id=entitlement.dataset_id,
        state=state,
        trade=trade,
        contract_id=entitlement.contract_id,
    )


def entitlement_of(negotiation: Negotiation) -> Entitlement:
    return Entitlement.objects.select_related("dataset_version", "settlement").get(contract_id=contract(negotiation))


def contract(negotiation: Negotiation) -> uuid.UUID:
    assert negotiation.contract_id is not None
    return negotiation.contract_id


def request_message(negotiation: Negotiation, connector: Connector, **changes: Any) -> dict[str, Any]:
    message = {
        "@context": [CONTEXT],
        "@type": "TransferRequestMessage",
        "consumerPid": "urn:uuid:consumer-transfer-1",
        "agreementId": agreement_id(contract(negotiation)),
        "format": "HttpData-PULL",
        "callbackAddress": connector.callback_address,
    }
    message.update(changes)
    return {key: value for key, value in message.items() if value is not None}


def send(party: Member | None, path: str, body: Any = None, method: str = "post", **headers: Any) -> Any:
    if party is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {party.api_key}")
    if method == "get":
        return Client().get(f"{BASE}{path}", **headers)
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(Client(), method)(f"{BASE}{path}", data=data, content_type="application/json", **headers)


def valid(document: Any, schema: str) -> Any:
    assert schemas.message_errors(document, schema) == [], document
    return document


def process(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return valid(response.json(), schemas.TRANSFER_PROCESS)


def error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    message = valid(response.json(), schemas.TRANSFER_ERROR)
    assert message["@type"] == "TransferError" and message["@context"] == [CONTEXT]
    assert message["reason"]
    if code is not None:
        assert message["code"] == code, message
    return message


def requested(buyer: Member, negotiation: Negotiation, connector: Connector, capture: Any, **changes: Any) -> Any:
    with capture(execute=True):
        return send(buyer, "/request", request_message(negotiation, connector, **changes))


def coded(transfer_pid: str, consumer_pid: str, message_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "@type": message_type,
        "providerPid": transfer_pid,
        "consumerPid": consumer_pid,
        **extra,
    }


def address(received: Received) -> tuple[str, str]:
    """The endpoint's path and the token of a received TransferStartMessage, after checking its data address."""
    message = valid(received.message, schemas.TRANSFER_START_MESSAGE)
    data_address = message["dataAddress"]
    assert data_address["endpointType"] == ENDPOINT_TYPE
    properties = {item["name"]: item["value"] for item in data_address["endpointProperties"]}
    assert properties["authType"] == "bearer"
    assert urlsplit(data_address["endpoint"]).path == "/api/v1/downloads"
    return urlsplit(data_address["endpoint"]).path, properties["authorization"]


def download(path: str, token: str, capture: Any, **headers: Any) -> tuple[Any, bytes]:
    with capture(execute=True):
        response: Any = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def states(transfer_pid: str) -> list[tuple[str, str, str]]:
    transfer_id = uuid.UUID(transfer_pid.removeprefix("urn:uuid:"))
    return list(TransferEvent.objects.filter(transfer_id=transfer_id).values_list("from_state", "to_state", "by"))


# --- the whole pull -----------------------------------------------------------------------------------------------


def test_a_consumer_pulls_the_data_with_the_token_and_completes(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    entitlement = entitlement_of(negotiation)
    answered = process(requested(buyer, negotiation, connector, capture), 201)
    assert answered["consumerPid"] == "urn:uuid:consumer-transfer-1" and answered["state"] == "STARTED"
    pid = answered["providerPid"]
    assert pid.startswith("urn:uuid:")

    start = connector.wait_for("TransferStartMessage")
    assert start.path == "/callback/transfers/urn:uuid:consumer-transfer-1/start"
    assert (start.message["providerPid"], start.message["consumerPid"]) == (pid, "urn:uuid:consumer-transfer-1")
    path, token = address(start)
    # Delivered, the outbox's copy of the start message no longer holds the token.
    [kept] = Callback.objects.filter(message_type="TransferStartMessage").values_list("message", flat=True)
    assert {item["name"]: item["value"] for item in kept["dataAddress"]["endpointProperties"]} == {
        "authorization": "",
        "authType": "bearer",
    }

    expected = stored_bytes(entitlement)
    version = entitlement.dataset_version
    part, body = download(path, token, capture, HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206 and body == expected[:10]
    assert part["Content-Range"] == f"bytes 0-9/{len(expected)}"
    entitlement.settlement.refresh_from_db()
    assert entitlement.settlement.status == "authorized", "a part is not delivery"

    whole, body = download(path, token, capture)
    assert whole.status_code == 200 and body == expected
    assert hashlib.sha256(body).hexdigest() == version.sha256
    assert whole["ETag"] == f'"{version.sha256}"' and whole["Digest"].startswith("sha-256=")
    entitlement.settlement.refresh_from_db()
    assert entitlement.settlement.status == "captured", "the first complete download captures the payment"

    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "STARTED"
    done = process(
        send(buyer, f"/{pid}/completion", coded(pid, "urn:uuid:consumer-transfer-1", "TransferCompletionMessage"))
    )
    assert done["state"] == "COMPLETED"
    after, _ = download(path, token, capture)
    assert after.status_code == 410 and after.json()["type"] == "/problems/download-token-expired"
    assert states(pid) == [
        ("", "REQUESTED", "consumer"),
        ("REQUESTED", "STARTED", "provider"),
        ("STARTED", "COMPLETED", "consumer"),
    ]
    assert [received.message["@type"] for received in connector.received] == ["TransferStartMessage"]


def test_the_data_address_is_the_token_less_download_route(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    requested(buyer, negotiation, connector, capture)
    path, token = address(connector.wait_for("TransferStartMessage"))
    # The bearer is the download token, never the API key: the partner API's key opens no download.
    refused, _ = download(path, buyer.api_key, capture)
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    missing = Client().get(path)
    assert missing.status_code == 401 and missing.json()["type"] == "/problems/download-token-invalid"
    other_scheme = Client().get(path, HTTP_AUTHORIZATION=f"Basic {token}")
    assert other_scheme.status_code == 401
    head = Client().head(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert head.status_code == 200 and head["Content-Length"] == str(len(stored_bytes(entitlement_of(negotiation))))


def test_a_seller_hosted_offering_s_data_address_is_the_seller_s_endpoint_with_its_jwt(
    seller, buyer, connector, capture, settings, tmp_path
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": "", "JWT_KEY_FILE": str(tmp_path / "es256.pem")}
    seller_url = "https://data.seller.example:8443/v1/gauges?format=csv"
    negotiation = finalized(seller, buyer, capture, delivery_url=seller_url)
    requested(buyer, negotiation, connector, capture)
    message = valid(connector.wait_for("TransferStartMessage").message, schemas.TRANSFER_START_MESSAGE)
    assert message["dataAddress"]["endpoint"] == seller_url
    token = {item["name"]: item["value"] for item in message["dataAddress"]["endpointProperties"]}["authorization"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["ent"], claims["aud"]) == (str(entitlement_of(negotiation).id), "https://data.seller.example:8443")


# --- suspension, resumption, termination --------------------------------------------------------------------------


def test_suspension_stops_the_token_and_a_start_sends_a_fresh_one(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    path, first = address(connector.wait_for("TransferStartMessage"))
    cpid = "urn:uuid:consumer-transfer-1"

    suspended = send(
        buyer, f"/{pid}/suspension", coded(pid, cpid, "TransferSuspensionMessage", code="pause", reason=["later"])
    )
    assert process(suspended)["state"] == "SUSPENDED"
    assert download(path, first, capture)[0].status_code == 410

    # A suspended transfer cannot complete, nor be suspended again: the state machine's 400.
    refused = send(buyer, f"/{pid}/completion", coded(pid, cpid, "TransferCompletionMessage"))
    assert error(refused, 400, "invalid-transition")["providerPid"] == pid
    error(send(buyer, f"/{pid}/suspension", coded(pid, cpid, "TransferSuspensionMessage")), 400, "invalid-transition")

    with capture(execute=True):
        resumed = send(buyer, f"/{pid}/start", coded(pid, cpid, "TransferStartMessage"))
    assert process(resumed)["state"] == "STARTED"
    _, second = address(connector.wait_for("TransferStartMessage", count=2))
    assert second != first
    assert download(path, first, capture)[0].status_code == 410
    fresh, body = download(path, second, capture)
    assert fresh.status_code == 200 and body == stored_bytes(entitlement_of(negotiation))
    # Started already: another start is a forbidden transition.
    error(send(buyer, f"/{pid}/start", coded(pid, cpid, "TransferStartMessage")), 400, "invalid-transition")
    assert [to for _, to, _ in states(pid)] == ["REQUESTED", "STARTED", "SUSPENDED", "STARTED"]


def test_the_provider_suspends_and_resumes_telling_the_consumer(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    path, first = address(connector.wait_for("TransferStartMessage"))
    transfer = Transfer.objects.get(consumer_pid="urn:uuid:consumer-transfer-1")
    with capture(execute=True):
        transfers.transfer_suspend(transfer_id=transfer.id, by=Party.PROVIDER, code="maintenance", reason="Back soon.")
    told = connector.wait_for("TransferSuspensionMessage")
    assert told.path.endswith("/transfers/urn:uuid:consumer-transfer-1/suspension")
    assert valid(told.message, schemas.TRANSFER_SUSPENSION_MESSAGE)["code"] == "maintenance"
    assert download(path, first, capture)[0].status_code == 410
    with capture(execute=True):
        transfers.transfer_start(transfer_id=transfer.id, by=Party.PROVIDER, origin="http://testserver")
    _, second = address(connector.wait_for("TransferStartMessage", count=2))
    assert download(path, second, capture)[0].status_code == 200
    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "STARTED"


def test_termination_by_the_consumer_is_final_and_stops_the_token(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    path, token = address(connector.wait_for("TransferStartMessage"))
    cpid = "urn:uuid:consumer-transfer-1"
    ended = send(
        buyer,
        f"/{pid}/termination",
        coded(pid, cpid, "TransferTerminationMessage", code="done", reason=["enough", {"x": 1}]),
    )
    assert process(ended)["state"] == "TERMINATED"
    transfer = Transfer.objects.get(pk=uuid.UUID(pid.removeprefix("urn:uuid:")))
    assert (transfer.termination_code, transfer.termination_reason) == ("done", "enough; {'x': 1}")
    assert download(path, token, capture)[0].status_code == 410
    for step, message_type in (("start", "TransferStartMessage"), ("termination", "TransferTerminationMessage")):
        error(send(buyer, f"/{pid}/{step}", coded(pid, cpid, message_type)), 400, "invalid-transition")
    assert [received.message["@type"] for received in connector.received] == ["TransferStartMessage"]


def test_revoking_the_entitlement_terminates_the_transfer_and_tells_the_consumer(
    seller, buyer, connector, capture
) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    path, token = address(connector.wait_for("TransferStartMessage"))
    entitlement = entitlement_of(negotiation)
    with capture(execute=True):
        entitlement_revoke(entitlement_id=entitlement.id, reason="refund", actor="operator")
    told = valid(connector.wait_for("TransferTerminationMessage").message, schemas.TRANSFER_TERMINATION_MESSAGE)
    assert (told["providerPid"], told["code"]) == (pid, "entitlement-revoked")
    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "TERMINATED"
    # The token itself is withdrawn, not only refused for the entitlement's sake.
    transfer = Transfer.objects.get(consumer_pid="urn:uuid:consumer-transfer-1")
    assert DownloadToken.objects.get(dsp_transfers=transfer).expires_at <= timezone.now()
    assert download(path, token, capture)[0].status_code == 403
    # A new request under the revoked agreement is refused: nothing is started.
    refused = requested(buyer, negotiation, connector, capture, consumerPid="urn:uuid:consumer-transfer-2")
    error(refused, 400, "entitlement-not-active")
    assert not Transfer.objects.filter(consumer_pid="urn:uuid:consumer-transfer-2").exists()


def test_the_end_of_the_term_terminates_open_transfers(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    entitlement = entitlement_of(negotiation)
    with capture(execute=True):
        assert entitlements_expire(now=entitlement.valid_until + timedelta(seconds=1)) == 1
    told = connector.wait_for("TransferTerminationMessage").message
    assert (told["providerPid"], told["code"]) == (pid, "entitlement-expired")


def test_a_start_message_never_delivered_terminates_the_transfer(seller, buyer, connector, capture, settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 1}
    connector.answers.append(503)
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    path, token = address(connector.wait_for("TransferStartMessage"))
    transfer = Transfer.objects.get(consumer_pid="urn:uuid:consumer-transfer-1")
    assert (transfer.state, transfer.termination_code) == ("TERMINATED", "consumer-unreachable")
    given_up = Callback.objects.get(transfer=transfer)
    assert given_up.status == "failed" and token not in json.dumps(given_up.message)
    assert download(path, token, capture)[0].status_code == 410
    assert states(pid)[-1] == ("STARTED", "TERMINATED", "system")
    assert len(connector.received) == 1, "no termination message to a connector that cannot be reached"


def test_a_message_given_up_after_the_consumer_moved_the_process_on_terminates_nothing(
    seller, buyer, connector, capture, settings
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DSP_CALLBACK_MAX_ATTEMPTS": 2}
    connector.answers.extend([503, 503])
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    callback = Callback.objects.get(message_type="TransferStartMessage")
    assert (callback.status, callback.attempts) == ("pending", 1)
    cpid = "urn:uuid:consumer-transfer-1"
    assert (
        process(send(buyer, f"/{pid}/suspension", coded(pid, cpid, "TransferSuspensionMessage")))["state"]
        == "SUSPENDED"
    )
    Callback.objects.filter(pk=callback.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with capture(execute=True):
        callbacks.callback_deliver(callback_id=callback.pk)
    callback.refresh_from_db()
    assert callback.status == "failed"
    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "SUSPENDED"


# --- idempotency --------------------------------------------------------------------------------------------------


def test_a_repeated_consumer_pid_answers_the_same_process_with_a_fresh_address(
    seller, buyer, connector, capture
) -> None:
    negotiation = finalized(seller, buyer, capture)
    first = process(requested(buyer, negotiation, connector, capture), 201)
    path, old = address(connector.wait_for("TransferStartMessage"))
    again = process(requested(buyer, negotiation, connector, capture), 200)
    assert again == first
    _, new = address(connector.wait_for("TransferStartMessage", count=2))
    assert new != old
    assert download(path, old, capture)[0].status_code == 410, "one working token per transfer"
    assert download(path, new, capture)[0].status_code == 200
    assert Transfer.objects.count() == 1

    # The same consumerPid for another agreement is refused; a completed process is answered as it is.
    other = finalized(seller, buyer, capture)
    error(requested(buyer, other, connector, capture), 400, "consumer-pid-in-use")
    pid = first["providerPid"]
    send(buyer, f"/{pid}/completion", coded(pid, first["consumerPid"], "TransferCompletionMessage"))
    assert process(requested(buyer, negotiation, connector, capture), 200)["state"] == "COMPLETED"
    assert len(connector.messages("TransferStartMessage")) == 2


def test_the_consumer_pid_is_one_path_segment_of_the_callback(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    requested(buyer, negotiation, connector, capture, consumerPid="../x?y#z")
    assert connector.wait_for("TransferStartMessage").path == "/callback/transfers/..%2Fx%3Fy%23z/start"


# --- refusals -----------------------------------------------------------------------------------------------------


def test_someone_elses_agreement_or_transfer_is_404(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    stranger = make_party("Kyoto Consumer", {"buyer"})
    refused = error(requested(stranger, negotiation, connector, capture, consumerPid="urn:uuid:s"), 404)
    assert refused["code"] == "agreement-not-found" and refused["consumerPid"] == "urn:uuid:s"
    error(send(stranger, f"/{pid}", method="get"), 404, "not-found")
    for step, message_type in (
        ("completion", "TransferCompletionMessage"),
        ("termination", "TransferTerminationMessage"),
    ):
        error(send(stranger, f"/{pid}/{step}", coded(pid, "urn:uuid:consumer-transfer-1", message_type)), 404)
    error(send(buyer, f"/urn:uuid:{uuid.uuid4()}", method="get"), 404, "not-found")
    error(send(buyer, "/not-a-pid", method="get"), 404, "not-found")
    unknown = requested(
        buyer, negotiation, connector, capture, consumerPid="u2", agreementId=f"urn:ichiba:contract:{uuid.uuid4()}"
    )
    error(unknown, 404, "agreement-not-found")
    error(requested(buyer, negotiation, connector, capture, consumerPid="u3", agreementId="urn:x:1"), 404)
    assert Transfer.objects.count() == 1
    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "STARTED"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"format": "HttpData-PUSH"}, "unsupported-format"),
        ({"format": "AmazonS3-PUSH"}, "unsupported-format"),
        (
            {"dataAddress": {"@type": "DataAddress", "endpointType": ENDPOINT_TYPE, "endpoint": "https://c.example"}},
            "unexpected-data-address",
        ),
        ({"callbackAddress": "ftp://consumer.example/cb"}, "invalid-callback-address"),
        ({"callbackAddress": "http://user:pw@127.0.0.1/cb"}, "invalid-callback-address"),
        ({"consumerPid": ""}, "malformed"),
        ({"consumerPid": "x" * 301}, "malformed"),
        ({"consumerPid": "a\u0000b"}, "malformed"),
        ({"agreementId": None}, "malformed"),
        ({"format": 7}, "malformed"),
        ({"@type": "TransferStartMessage"}, "malformed"),
    ],
)
def test_a_malformed_or_unsupported_request_is_400_and_stores_nothing(
    seller, buyer, connector, capture, changes, code
) -> None:
    negotiation = finalized(seller, buyer, capture)
    error(requested(buyer, negotiation, connector, capture, **changes), 400, code)
    assert not Transfer.objects.exists() and not Callback.objects.exists()


def test_a_body_that_is_not_json_or_names_another_process_is_400(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    error(send(buyer, "/request", "{not json"), 400, "malformed")
    error(send(buyer, "/request", "[]"), 400, "malformed")
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    assert error(send(buyer, f"/{pid}/suspension", "{"), 400, "malformed")["providerPid"] == pid
    mismatch = send(buyer, f"/{pid}/suspension", coded(pid, "urn:uuid:someone-else", "TransferSuspensionMessage"))
    assert error(mismatch, 400, "pid-mismatch")["consumerPid"] == "urn:uuid:consumer-transfer-1"
    wrong_type = send(
        buyer, f"/{pid}/suspension", coded(pid, "urn:uuid:consumer-transfer-1", "TransferCompletionMessage")
    )
    error(wrong_type, 400, "malformed")
    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "STARTED"


def test_an_agreement_not_finalized_is_400(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture, state="VERIFIED")
    error(requested(buyer, negotiation, connector, capture), 400, "agreement-not-finalized")
    assert not Transfer.objects.exists()


def test_without_a_valid_key_it_is_401(seller, buyer, connector, capture) -> None:
    negotiation = finalized(seller, buyer, capture)
    pid = process(requested(buyer, negotiation, connector, capture), 201)["providerPid"]
    cases = [
        ("/request", "post", request_message(negotiation, connector)),
        (f"/{pid}", "get", None),
        (f"/{pid}/completion", "post", coded(pid, "urn:uuid:consumer-transfer-1", "TransferCompletionMessage")),
    ]
    for path, method, body in cases:
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-key"}, {"HTTP_AUTHORIZATION": "Basic abc"}):
            response = send(None, path, body, method=method, **headers)
            error(response, 401, "unauthorized")
            assert response["WWW-Authenticate"].startswith("Bearer")
    assert process(send(buyer, f"/{pid}", method="get"))["state"] == "STARTED"


def test_another_method_is_405_as_a_transfer_error(buyer) -> None:
    response = send(buyer, "/request", method="get")
    error(response, 405, "method-not-allowed")
    assert response["Allow"] == "POST"


def test_the_published_transfer_schemas_references_are_resolved() -> None:
    """The suspension, termination and error schemas reference their common part as ``#definitions/...``: read as
    the pointer it means, so its rules (``code`` a string, ``reason`` a non-empty list) are checked."""
    base = coded("urn:uuid:p", "urn:uuid:c", "TransferSuspensionMessage")
    assert schemas.message_errors(base, schemas.TRANSFER_SUSPENSION_MESSAGE) == []
    assert schemas.message_errors({**base, "code": 5}, schemas.TRANSFER_SUSPENSION_MESSAGE)
    termination = coded("urn:uuid:p", "urn:uuid:c", "TransferTerminationMessage", reason=[])
    assert schemas.message_errors(termination, schemas.TRANSFER_TERMINATION_MESSAGE)
    assert schemas.message_errors({**base, "@type": "TransferError", "reason": "x"}, schemas.TRANSFER_ERROR)
