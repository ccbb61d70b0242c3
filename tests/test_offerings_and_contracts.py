"""Offerings and concluded contracts through the API (docs/api.md#offerings), across marketplace and contracts."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.errors import Conflict, RuleViolation
from contracts.models import Contract, ContractEvent, ContractText
from contracts.services.contracts import BuyerSnapshot, contract_conclude, contract_transition
from marketplace.models import Offering, OfferingEvent
from marketplace.selectors import offer_snapshot
from tests.builders import make_party

pytestmark = pytest.mark.django_db

ANONYMIZATION = {
    "quasi_identifiers": ["age_band", "prefecture"],
    "personal_info_items": ["age band", "prefecture"],
    "method": "Ages generalised to 10-year bands; addresses to prefecture.",
}


def published_dataset(party: Any, capture: Any, *, data_class: str = "iot") -> str:
    payload: dict[str, Any] = {"title": "Strain gauges", "data_class": data_class, "category": "infrastructure"}
    if data_class == "anonymized":
        payload["anonymization"] = ANONYMIZATION
        lines = ["age_band,prefecture,amount"] + [f"20-29,{'Osaka' if i % 2 else 'Kyoto'},{i}" for i in range(20)]
    else:
        lines = ["timestamp,value"] + [f"2024-01-01T00:{i:02d}:00+09:00,{i}" for i in range(20)]
    dataset = party.client.post("/api/v1/datasets", payload, format="json").json()
    with capture(execute=True):
        response = party.client.post(
            f"/api/v1/datasets/{dataset['id']}/versions",
            {"file": SimpleUploadedFile("d.csv", ("\n".join(lines) + "\n").encode())},
            format="multipart",
        )
    assert response.status_code == 202
    assert party.client.get(f"/api/v1/datasets/{dataset['id']}").json()["status"] == "published"
    return dataset["id"]


def offer(party: Any, dataset_id: str, **overrides: Any) -> Any:
    body = {"dataset": dataset_id, "template": "meti-data-provision", "terms": {}, "license_seats": 10, **overrides}
    return party.client.post("/api/v1/offerings", body, format="json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def conclude(offering_id: str, buyer: Any, **overrides: Any) -> Contract:
    offering = Offering.objects.select_related("seller").get(pk=offering_id)
    arguments: dict[str, Any] = {
        "offering": offer_snapshot(offering),
        "buyer": BuyerSnapshot(
            organization_id=buyer.organization.id,
            name=buyer.organization.name,
            country=buyer.organization.country,
            verified=buyer.organization.verified,
            is_buyer=buyer.organization.is_buyer,
        ),
        "price": 50_000,
        "quantity": 2,
        "accepted_terms_sha256": offering.terms_sha256,
        "trade_ref": "trade-1",
    }
    return contract_conclude(**{**arguments, **overrides})


# --- templates ------------------------------------------------------------------------------------------


def test_templates_are_public_with_schema_clauses_and_defaults(anonymous) -> None:
    body = anonymous.get("/api/v1/contract-templates").json()
    template = next(t for t in body["results"] if t["code"] == "meti-data-provision")
    assert template["contract_type"] == "data_provision" and template["version"] >= 1
    assert template["terms_schema"]["type"] == "object"
    assert template["defaults"]["third_party_provision"] == "prohibited"
    codes = [c["code"] for c in template["clauses"]]
    for required in ("license", "fees", "warranties", "liability", "derived_data", "deletion", "governing_law_forum"):
        assert required in codes
    assert all(c["title"]["ja"] and c["text"]["en"] for c in template["clauses"])


def test_an_unknown_template_or_version_is_a_404_and_a_malformed_version_a_400(anonymous) -> None:
    url = "/api/v1/contract-templates/meti-data-provision"
    current = anonymous.get(url).json()
    assert anonymous.get(f"{url}?version={current['version']}").json() == current
    assert anonymous.get(f"{url}?version=").json() == current, "an empty parameter is an absent one"
    unknown_code = problem(anonymous.get("/api/v1/contract-templates/nope"), 404)
    assert unknown_code["type"] == "/problems/not-found" and "'nope'" in unknown_code["detail"]
    assert "meti-data-provision" in unknown_code["detail"], "names the templates there are"
    unknown_version = problem(anonymous.get(f"{url}?version=99"), 404)
    assert unknown_version["detail"] == (
        f"Contract template 'meti-data-provision' has no version 99; the current one is {current['version']}."
    )
    for version in ("two", "1.0", "-1", "0", "9" * 5000):
        assert list(problem(anonymous.get(f"{url}?version={version}"), 400)["errors"]) == ["version"], version


def test_platform_rules_are_published(anonymous) -> None:
    body = anonymous.get("/api/v1/platform-rules").json()
    assert body["platform_fee_rate"] == "0.05"
    assert len(body["sections"]) >= 5 and all(s["text"]["ja"] and s["text"]["en"] for s in body["sections"])


# --- offerings ------------------------------------------------------------------------------------------


def test_publish_an_offering_records_the_sellers_acceptance(seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    response = offer(seller, dataset_id, terms={"territory": ["jp", "de"], "duration_days": 90})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["terms"]["territory"] == ["DE", "JP"] and body["terms"]["duration_days"] == 90
    assert body["terms"]["processing"] == "within_purpose", "defaults fill what the seller left out"
    assert re.fullmatch(r"[0-9a-f]{64}", body["terms_sha256"])
    assert (body["license_seats"], body["seats_sold"], body["seats_left"], body["status"]) == (10, 0, 10, "active")
    assert body["seller_acceptance"]["terms_sha256"] == body["terms_sha256"]
    offering = Offering.objects.get(pk=body["id"])
    assert offering.accepted_by_api_key_id is not None and offering.accepted_at is not None
    public = buyer.client.get(f"/api/v1/offerings/{body['id']}").json()
    assert public["terms_sha256"] == body["terms_sha256"]
    dataset = buyer.client.get(f"/api/v1/datasets/{dataset_id}").json()
    assert [o["id"] for o in dataset["offerings"]] == [body["id"]]


def test_terms_text_and_numbers_must_be_what_the_contract_can_use(
    seller, anonymous, django_capture_on_commit_callbacks
) -> None:
    # Each of these was a 500 once: stored, then the ODRL export or the hash could not use it.
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    refused = problem(offer(seller, dataset_id, terms={"duration_days": 90.0}), 400)
    assert "terms.duration_days" in refused["errors"], refused
    for text in ("abcde\ud800", "nul\u0000"):  # a lone surrogate; U+0000, which PostgreSQL cannot store
        body = {"dataset": dataset_id, "template": "meti-data-provision", "terms": {"forum": text}}
        sent = seller.client.post("/api/v1/offerings", json.dumps(body), content_type="application/json")
        refused = problem(sent, 400)
        assert refused["type"] == "/problems/malformed", refused
    assert not Offering.objects.exists(), "nothing was half-written"
    made = offer(seller, dataset_id, terms={"duration_days": 90, "forum": "大阪地方裁判所 😀"})
    assert made.status_code == 201, made.content
    assert anonymous.get(f"/api/v1/offerings/{made.json()['id']}/odrl").status_code == 200


def test_unlimited_seats(seller, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    body = offer(seller, dataset_id, license_seats=None).json()
    assert body["license_seats"] is None and body["seats_left"] is None


def test_offering_refusals(seller, other_seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    assert problem(offer(buyer, dataset_id), 403)
    assert problem(offer(other_seller, dataset_id), 404)
    errors = problem(offer(seller, dataset_id, terms={"processing": "resell"}), 400)["errors"]
    assert "terms.processing" in errors
    assert "terms.colour" in problem(offer(seller, dataset_id, terms={"colour": "red"}), 400)["errors"]
    assert problem(offer(seller, dataset_id, template="nda"), 400)["errors"] == {"template": ["unknown"]}
    assert problem(offer(seller, dataset_id, license_seats=0), 400)
    assert problem(offer(seller, dataset_id, currency="XYZ"), 400)
    assert problem(offer(seller, dataset_id, terms={"license_type": "exclusive"}), 422)
    assert offer(seller, dataset_id, terms={"license_type": "exclusive"}, license_seats=1).status_code == 201
    assert problem(offer(seller, dataset_id, terms="all of them"), 400)
    draft = seller.client.post("/api/v1/datasets", {"title": "Draft", "data_class": "iot"}, format="json").json()
    assert problem(offer(seller, draft["id"]), 409)
    assert Offering.objects.count() == 1


def test_anonymised_offering_carries_the_appi_clauses(seller, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks, data_class="anonymized")
    body = offer(seller, dataset_id).json()
    assert set(body["mandatory_clauses"]) == {"anonymized_notice", "reidentification_ban"}


def test_withdraw_offering_keeps_contracts(seller, other_seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    offering_id = offer(seller, dataset_id).json()["id"]
    contract = conclude(offering_id, buyer)
    assert problem(other_seller.client.post(f"/api/v1/offerings/{offering_id}/withdraw", {}, format="json"), 404)
    response = seller.client.post(f"/api/v1/offerings/{offering_id}/withdraw", {"reason": "sold out"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert problem(seller.client.post(f"/api/v1/offerings/{offering_id}/withdraw", {}, format="json"), 409)
    assert buyer.client.get(f"/api/v1/datasets/{dataset_id}").json()["offerings"] == []
    contract.refresh_from_db()
    assert contract.status == "concluded", "withdrawal never touches concluded contracts"
    assert list(OfferingEvent.objects.filter(offering_id=offering_id).values_list("to_status", flat=True)) == [
        "active",
        "withdrawn",
    ]


@pytest.mark.parametrize("body", ["[]", "0", "false", "null", '"sold"', '[{"reason": "x"}]'])
def test_a_withdrawal_body_that_is_not_a_json_object_is_a_400(
    seller, django_capture_on_commit_callbacks, body: str
) -> None:
    offering_id = offer(seller, published_dataset(seller, django_capture_on_commit_callbacks)).json()["id"]
    url = f"/api/v1/offerings/{offering_id}/withdraw"
    assert problem(seller.client.post(url, body, content_type="application/json"), 400)["type"] == "/problems/invalid"
    assert Offering.objects.get(pk=offering_id).status == "active"
    assert seller.client.post(url).json()["status"] == "withdrawn", "no body at all: no reason"


# --- concluded contracts --------------------------------------------------------------------------------


def test_conclude_creates_an_immutable_contract_with_both_acceptances(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks, data_class="anonymized")
    offering_id = offer(seller, dataset_id, terms={"duration_days": 30}).json()["id"]
    contract = conclude(offering_id, buyer)
    assert contract.status == "concluded" and contract.amount == 100_000
    assert (contract.valid_until - contract.valid_from).days == 30
    assert contract.dataset_version.number == 1
    assert contract.document_sha256 == hashlib.sha256(contract.document_ja.encode()).hexdigest()
    roles = {a.role: a for a in contract.acceptances.all()}
    assert roles["buyer"].appi_notice_accepted and roles["buyer"].terms_sha256 == contract.terms_sha256
    assert roles["seller"].organization_id == seller.organization.id
    assert ContractEvent.objects.filter(contract=contract, to_status="concluded").count() == 1

    body = buyer.client.get(f"/api/v1/contracts/{contract.id}").json()
    assert body["seller"]["id"] == seller.id and body["buyer"]["id"] == buyer.id
    assert body["dataset"] == dataset_id and body["dataset_version"] == 1
    assert body["terms_sha256"] == contract.terms_sha256 and body["status"] == "concluded"
    assert {a["role"] for a in body["acceptances"]} == {"seller", "buyer"}
    assert [c["id"] for c in seller.client.get("/api/v1/contracts").json()["results"]] == [str(contract.id)]


def test_hash_mismatch_and_territory_are_refused(seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    offering_id = offer(seller, dataset_id, terms={"territory": ["JP"]}).json()["id"]
    with pytest.raises(Conflict):
        conclude(offering_id, buyer, accepted_terms_sha256="0" * 64)
    foreign = make_party("Berlin Buyer", {"buyer"}, country="DE")
    with pytest.raises(RuleViolation):
        conclude(offering_id, foreign)
    assert not Contract.objects.exists()


def test_only_parties_read_contracts(
    seller, buyer, other_seller, anonymous, django_capture_on_commit_callbacks
) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    contract = conclude(offer(seller, dataset_id).json()["id"], buyer)
    for path in ("", "/document", "/document?lang=en", "/odrl"):
        assert problem(other_seller.client.get(f"/api/v1/contracts/{contract.id}{path}"), 404)
        assert anonymous.get(f"/api/v1/contracts/{contract.id}{path}").status_code == 401
    assert other_seller.client.get("/api/v1/contracts").json()["results"] == []
    assert problem(buyer.client.get("/api/v1/contracts/not-a-uuid"), 404)
    assert problem(buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang=fr"), 400)


def test_document_in_both_languages_contains_every_clause(seller, buyer, django_capture_on_commit_callbacks) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks, data_class="anonymized")
    contract = conclude(offer(seller, dataset_id, terms={"forum": "Osaka District Court"}).json()["id"], buyer)
    assert contract.terms["forum"] == "osaka-district", "a court's name is taken as its code"
    for lang, governing, forum in (("ja", "第", "大阪地方裁判所"), ("en", "Article", "Osaka District Court")):
        response = buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang={lang}")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        for clause in contract.clauses:
            assert f'id="{clause["code"]}"' in html and clause["title"][lang] in html
        assert governing in html
        assert forum in html and contract.terms_sha256 in html
        assert seller.organization.name in html and buyer.organization.name in html
        assert "{" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S), "no unfilled placeholder"
    ja = buyer.client.get(f"/api/v1/contracts/{contract.id}/document").content
    assert hashlib.sha256(ja).hexdigest() == contract.document_sha256


def test_contracts_of_an_offering_store_its_document_text_once(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    offering_id = offer(seller, dataset_id).json()["id"]
    first = conclude(offering_id, buyer)
    second = conclude(offering_id, buyer, price=70_000, quantity=1, trade_ref="trade-2")
    assert ContractText.objects.count() == 3  # the ja and en bases and the clauses, shared by both contracts
    assert (first.document_ja_base_id, first.clauses_text_id) == (second.document_ja_base_id, second.clauses_text_id)
    for contract in (first, second):
        stored = Contract.objects.get(pk=contract.id)
        assert stored.document_ja == contract.document_ja and stored.clauses == contract.clauses
        for lang, digest in (("ja", stored.document_sha256), ("en", stored.document_en_sha256)):
            body = buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang={lang}").content
            assert hashlib.sha256(body).hexdigest() == digest and str(contract.id).encode() in body
    assert "¥70,000" in second.document_ja and "¥70,000" not in first.document_ja


def test_state_transitions_are_recorded_and_checked(seller, buyer, django_capture_on_commit_callbacks) -> None:
    from config.errors import InvalidTransition

    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    contract = conclude(offer(seller, dataset_id).json()["id"], buyer)
    contract_transition(contract_id=contract.id, target="active", reason="payment authorised")
    with pytest.raises(InvalidTransition):
        contract_transition(contract_id=contract.id, target="void", reason="too late")
    contract_transition(contract_id=contract.id, target="expired", reason="term ended")
    with pytest.raises(InvalidTransition):
        contract_transition(contract_id=contract.id, target="active", reason="again")
    events = list(ContractEvent.objects.filter(contract=contract).values_list("from_status", "to_status"))
    assert events == [("", "concluded"), ("concluded", "active"), ("active", "expired")]


def test_a_transition_takes_a_contract_the_caller_locked_only_if_it_is_that_contract(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    offering_id = offer(seller, dataset_id).json()["id"]
    first = conclude(offering_id, buyer, trade_ref="trade-1")
    second = conclude(offering_id, buyer, trade_ref="trade-2")
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=first.id)
        with pytest.raises(ValueError, match="locked must be this contract"):
            contract_transition(contract_id=second.id, target="active", reason="payment authorised", locked=locked)
        activated = contract_transition(
            contract_id=first.id, target="active", reason="payment authorised", locked=locked
        )
    assert activated is locked and Contract.objects.get(pk=first.id).status == "active"
    assert Contract.objects.get(pk=second.id).status == "concluded"
    assert list(ContractEvent.objects.filter(contract_id=first.id).values_list("to_status", flat=True)) == [
        "concluded",
        "active",
    ]


def test_new_template_version_never_changes_a_concluded_contract(
    seller, buyer, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    import dataclasses

    from contracts import registry

    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks)
    contract = conclude(offer(seller, dataset_id).json()["id"], buyer)
    before = buyer.client.get(f"/api/v1/contracts/{contract.id}/document").content
    v2 = dataclasses.replace(registry.DATA_PROVISION_V1, version=2, title={"ja": "新版", "en": "New edition"})
    monkeypatch.setitem(registry.TEMPLATES, (v2.code, 2), v2)
    assert buyer.client.get("/api/v1/contract-templates").json()["results"][0]["version"] == 2
    assert buyer.client.get(f"/api/v1/contracts/{contract.id}/document").content == before
    assert buyer.client.get(f"/api/v1/contracts/{contract.id}").json()["template"] == "meti-data-provision@1"


def test_odrl_of_offering_and_contract(seller, buyer, anonymous, django_capture_on_commit_callbacks) -> None:
    import json

    from rdflib import RDF, Graph, Namespace, URIRef

    odrl = Namespace("http://www.w3.org/ns/odrl/2/")
    dataset_id = published_dataset(seller, django_capture_on_commit_callbacks, data_class="anonymized")
    offering_id = offer(seller, dataset_id, terms={"third_party_provision": "prohibited"}).json()["id"]

    response = anonymous.get(f"/api/v1/offerings/{offering_id}/odrl")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    graph = Graph().parse(data=json.dumps(response.json()), format="json-ld")
    offer_node = URIRef(f"urn:ichiba:offering:{offering_id}")
    assert (offer_node, RDF.type, odrl.Offer) in graph
    assert (offer_node, odrl.assigner, URIRef(f"urn:ichiba:organization:{seller.id}")) in graph

    contract = conclude(offering_id, buyer)
    graph = Graph().parse(
        data=json.dumps(buyer.client.get(f"/api/v1/contracts/{contract.id}/odrl").json()), format="json-ld"
    )
    agreement = URIRef(f"urn:ichiba:contract:{contract.id}")
    assert (agreement, RDF.type, odrl.Agreement) in graph
    assert (agreement, odrl.assignee, URIRef(f"urn:ichiba:organization:{buyer.id}")) in graph
    assert (agreement, odrl.target, URIRef(f"urn:ichiba:dataset-version:{contract.dataset_version_id}")) in graph
    prohibited = {graph.value(rule, odrl.action) for rule in graph.objects(agreement, odrl.prohibition)}
    assert odrl.distribute in prohibited and URIRef("urn:ichiba:odrl:reidentify") in prohibited
