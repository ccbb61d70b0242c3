"""The partner API's DSP processes (docs/api.md#dataspace-protocol-processes): each party reads its negotiations and
transfers, the seller without the consumer's side of the wire; anyone else gets 404; lists filter and page like the
API's others, in a fixed number of queries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataspace.models import Negotiation
from dataspace.tests.processes import CALLBACK_ADDRESS, finalized_negotiation, terminated_negotiation
from demo.dsp import GIVEN_UP_ERROR
from tests.builders import Party, entitled

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalized(seller: Party, buyer: Party, capture: Any) -> Negotiation:
    return finalized_negotiation(entitled(seller, buyer, capture), transfers=("COMPLETED", "TERMINATED"))


def test_the_consumer_reads_its_negotiation_with_events_messages_and_transfers(buyer, finalized) -> None:
    listed = buyer.client.get("/api/v1/dsp/negotiations")
    assert listed.status_code == 200, listed.content
    (item,) = listed.json()["results"]
    assert item["id"] == str(finalized.id) and item["provider_pid"] == f"urn:uuid:{finalized.id}"
    assert (item["side"], item["state"], item["contract"]) == ("consumer", "FINALIZED", str(finalized.contract_id))
    assert item["callback_address"] == CALLBACK_ADDRESS
    assert item["consumer"] == {"id": buyer.id, "name": buyer.organization.name}
    assert [t["state"] for t in item["transfers"]] == ["COMPLETED", "TERMINATED"]
    assert listed.json()["next"] is None

    detail = buyer.client.get(f"/api/v1/dsp/negotiations/{finalized.id}").json()
    assert [(e["from_state"], e["to_state"], e["by"]) for e in detail["events"]] == [
        ("", "REQUESTED", "consumer"),
        ("REQUESTED", "AGREED", "provider"),
        ("AGREED", "VERIFIED", "consumer"),
        ("VERIFIED", "FINALIZED", "provider"),
    ]
    assert [(c["message_type"], c["status"], c["attempts"]) for c in detail["callbacks"]] == [
        ("ContractAgreementMessage", "delivered", 1),
        ("ContractNegotiationEventMessage", "delivered", 1),
    ]
    assert detail["callbacks"][0]["url"].startswith(CALLBACK_ADDRESS)
    completed, terminated = detail["transfers"]
    assert [e["to_state"] for e in completed["events"]] == ["REQUESTED", "STARTED", "COMPLETED"]
    assert terminated["callbacks"][0]["status"] == "failed"
    assert terminated["callbacks"][0]["last_error"] == GIVEN_UP_ERROR
    assert (
        completed["entitlement"] is not None
        and completed["agreement_id"] == f"urn:ichiba:contract:{finalized.contract_id}"
    )
    assert "message" not in detail["callbacks"][0], "never a message's body"


def test_the_seller_reads_it_without_the_consumers_side_of_the_wire(seller, finalized) -> None:
    (item,) = seller.client.get("/api/v1/dsp/negotiations").json()["results"]
    assert (item["side"], item["callback_address"]) == ("provider", None)
    detail = seller.client.get(f"/api/v1/dsp/negotiations/{finalized.provider_pid}").json()
    assert detail["id"] == str(finalized.id), "the providerPid names the process too"
    assert all(c["url"] is None and c["last_error"] is None for c in detail["callbacks"])
    terminated = detail["transfers"][1]
    assert terminated["callbacks"][0]["status"] == "failed" and terminated["callbacks"][0]["last_error"] is None
    assert terminated["callback_address"] is None and terminated["entitlement"] is None
    assert "connector.consumer.example" not in str(detail) and GIVEN_UP_ERROR not in str(detail)
    transfers = seller.client.get("/api/v1/dsp/transfers").json()["results"]
    assert {t["side"] for t in transfers} == {"provider"} and len(transfers) == 2


def test_anyone_else_gets_404_and_an_empty_list(other_seller, finalized) -> None:
    transfer = finalized.transfers.first()
    assert transfer is not None
    for path in (
        f"/api/v1/dsp/negotiations/{finalized.id}",
        f"/api/v1/dsp/transfers/{transfer.id}",
        f"/api/v1/dsp/negotiations/{uuid.uuid4()}",
        "/api/v1/dsp/negotiations/not-a-uuid",
        "/api/v1/dsp/transfers/urn:uuid:nope",
    ):
        response = other_seller.client.get(path)
        assert response.status_code == 404, (path, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "/problems/not-found"
    assert other_seller.client.get("/api/v1/dsp/negotiations").json()["results"] == []
    assert other_seller.client.get("/api/v1/dsp/transfers").json()["results"] == []


def test_without_credentials_it_is_a_401(anonymous, finalized) -> None:
    for path in ("/api/v1/dsp/negotiations", f"/api/v1/dsp/negotiations/{finalized.id}", "/api/v1/dsp/transfers"):
        response = anonymous.get(path)
        assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_filters_and_their_refusals(seller, buyer, finalized) -> None:
    entitlement = finalized.transfers.get(state="COMPLETED").entitlement
    terminated = terminated_negotiation(entitlement, consumer_pid="urn:uuid:second")

    def ids(client: Any, query: str, path: str = "/api/v1/dsp/negotiations") -> list[str]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (query, response.content)
        return [item["id"] for item in response.json()["results"]]

    assert ids(buyer.client, "") == [str(terminated.id), str(finalized.id)], "newest first"
    assert ids(buyer.client, "state=FINALIZED") == [str(finalized.id)]
    assert ids(buyer.client, "state=TERMINATED") == [str(terminated.id)]
    assert ids(buyer.client, f"contract={finalized.contract_id}") == [str(finalized.id)]
    assert ids(seller.client, f"offering={finalized.offering_id}") == [str(terminated.id), str(finalized.id)]
    assert ids(seller.client, f"offering={uuid.uuid4()}") == []
    assert ids(buyer.client, "side=provider") == [] and len(ids(seller.client, "side=provider")) == 2
    assert ids(buyer.client, "page_size=1") == [str(terminated.id)]
    assert len(ids(buyer.client, f"contract={finalized.contract_id}", "/api/v1/dsp/transfers")) == 2
    assert len(ids(buyer.client, "state=COMPLETED", "/api/v1/dsp/transfers")) == 1
    assert ids(buyer.client, f"negotiation={terminated.provider_pid}", "/api/v1/dsp/transfers") == []
    for path, query, named in (
        ("negotiations", "state=DONE", "state"),
        ("negotiations", "state=finalized", "state"),
        ("negotiations", "side=buyer", "side"),
        ("negotiations", "contract=12", "contract"),
        ("negotiations", "offering=x", "offering"),
        ("transfers", "state=FINALIZED", "state"),
        ("transfers", "negotiation=nope", "negotiation"),
    ):
        response = buyer.client.get(f"/api/v1/dsp/{path}?{query}")
        assert response.status_code == 400, (path, query, response.content)
        assert list(response.json()["errors"]) == [named]


def test_a_page_costs_the_same_queries_whatever_it_holds(seller, buyer, capture) -> None:
    def queries(client: Any, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    first = finalized_negotiation(entitled(seller, buyer, capture), consumer_pid="urn:uuid:a")
    one = {
        path: queries(client, path)
        for client in (buyer.client, seller.client)
        for path in ("/api/v1/dsp/negotiations", "/api/v1/dsp/transfers", f"/api/v1/dsp/negotiations/{first.id}")
    }
    for n in range(3):
        finalized_negotiation(
            entitled(seller, buyer, capture), consumer_pid=f"urn:uuid:more-{n}", transfers=("COMPLETED", "STARTED")
        )
    assert len(buyer.client.get("/api/v1/dsp/negotiations").json()["results"]) == 4
    many = {
        path: queries(client, path)
        for client in (buyer.client, seller.client)
        for path in ("/api/v1/dsp/negotiations", "/api/v1/dsp/transfers", f"/api/v1/dsp/negotiations/{first.id}")
    }
    assert many == one, (one, many)
    transfer = first.transfers.first()
    assert transfer is not None
    # Of the DSP tables (docs/dataspace.md): a list page of negotiations, the processes and their transfers; a
    # negotiation, with its events, messages, transfers and theirs; a transfer with its negotiation, events, messages.
    for path, expected in (
        ("/api/v1/dsp/negotiations", 2),
        (f"/api/v1/dsp/negotiations/{first.id}", 6),
        ("/api/v1/dsp/transfers", 1),
        (f"/api/v1/dsp/transfers/{transfer.id}", 3),
    ):
        with CaptureQueriesContext(connection) as captured:
            assert buyer.client.get(path).status_code == 200
        dsp = [q["sql"] for q in captured.captured_queries if '"dataspace_' in q["sql"]]
        assert len(dsp) == expected, (path, dsp)


def test_the_openapi_document_describes_them_without_a_token(anonymous) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    paths = schema["paths"]
    for path in ("/api/v1/dsp/negotiations", "/api/v1/dsp/transfers"):
        operation = paths[path]["get"]
        assert {"400", "401", "429", "503"} <= set(operation["responses"]), path
        names = {p["name"] for p in operation["parameters"]}
        assert {"state", "contract", "cursor", "page_size"} <= names, (path, names)
    assert {"offering", "side"} <= {p["name"] for p in paths["/api/v1/dsp/negotiations"]["get"]["parameters"]}
    for path in ("/api/v1/dsp/negotiations/{negotiation_id}", "/api/v1/dsp/transfers/{transfer_id}"):
        assert "404" in paths[path]["get"]["responses"], path
    components = schema["components"]["schemas"]
    assert components["DspNegotiationStateEnum"]["enum"] == [s.value for s in Negotiation.State]
    for name in ("DspTransfer", "DspTransferDetail", "DspNegotiationDetail"):
        assert not any("token" in field for field in components[name]["properties"]), name
