"""Subscription offerings through the API (docs/api.md#offerings): a feed sold per period, its shape refused with
problem details when it does not fit, covered by the terms' hash, stated in the contract (ja, en) and its ODRL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from rdflib import Graph, Namespace, URIRef

from marketplace.models import Offering, OfferingEvent
from tests import builders
from tests.builders import Party, readings_csv

pytestmark = pytest.mark.django_db

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
MONTHLY = {"kind": "subscription", "period_days": 30, "term_periods": 12}
BROKER = "mqtt://admin:secret@127.0.0.1:1883"


@pytest.fixture
def dataset_id(seller: Party, django_capture_on_commit_callbacks: Any) -> str:
    dataset = seller.client.post(
        "/api/v1/datasets", {"title": "Strain feed", "data_class": "iot", "category": "infrastructure"}, format="json"
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        upload = seller.client.post(
            f"/api/v1/datasets/{dataset['id']}/versions",
            {"file": SimpleUploadedFile("d.csv", readings_csv(12))},
            format="multipart",
        )
    assert upload.status_code == 202
    return str(dataset["id"])


def offer(party: Party, dataset_id: str, **overrides: Any) -> Any:
    body = {"dataset": dataset_id, "template": "meti-data-provision", "terms": {}, "license_seats": 10, **overrides}
    return party.client.post("/api/v1/offerings", body, format="json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return dict(response.json())


def test_a_subscription_offering_shows_its_shape_and_its_terms_cover_it(
    seller: Party, buyer: Party, dataset_id: str
) -> None:
    response = offer(seller, dataset_id, **MONTHLY, min_versions_per_period=2, terms={"territory": ["JP"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in (*MONTHLY, "min_versions_per_period", "stream", "min_messages_per_period")} == {
        **MONTHLY,
        "min_versions_per_period": 2,
        "stream": False,
        "min_messages_per_period": None,
    }
    assert body["terms"]["subscription"] == {
        "period_days": 30,
        "term_periods": 12,
        "min_versions_per_period": 2,
        "stream": False,
    }
    assert body["terms"]["duration_days"] == 360, "the whole term, set from the periods"
    # anyone reads it, in the list, the detail and the dataset's offerings
    detail = buyer.client.get(f"/api/v1/offerings/{body['id']}").json()
    assert detail["kind"] == "subscription" and detail["terms_sha256"] == body["terms_sha256"]
    listed = buyer.client.get(f"/api/v1/offerings?dataset={dataset_id}").json()["results"]
    assert [(o["kind"], o["period_days"], o["term_periods"]) for o in listed] == [("subscription", 30, 12)]
    summary = buyer.client.get(f"/api/v1/datasets/{dataset_id}").json()["offerings"]
    assert [(o["kind"], o["period_days"], o["term_periods"], o["duration_days"]) for o in summary] == [
        ("subscription", 30, 12, 360)
    ]
    # a licence of the same terms is another offer: the subscription's shape is part of what is accepted
    licence = offer(seller, dataset_id, terms={"territory": ["JP"], "duration_days": 360}).json()
    assert licence["kind"] == "licence" and licence["terms_sha256"] != body["terms_sha256"]
    assert (licence["period_days"], licence["term_periods"], licence["stream"]) == (None, None, False)
    assert "subscription" not in licence["terms"]
    offering = Offering.objects.get(pk=body["id"])
    assert offering.is_subscription and offering.term_days == 360
    event = OfferingEvent.objects.get(offering=offering)
    assert event.payload == {"terms_sha256": body["terms_sha256"]}


def test_the_defaults_of_a_subscription(seller: Party, dataset_id: str) -> None:
    body = offer(seller, dataset_id, kind="subscription", period_days=7, term_periods=26).json()
    assert (body["min_versions_per_period"], body["stream"], body["terms"]["duration_days"]) == (1, False, 182)
    same = offer(seller, dataset_id, kind="subscription", period_days=7, term_periods=26, terms={"duration_days": 182})
    assert same.json()["terms_sha256"] == body["terms_sha256"], "the duration it sets, sent explicitly"
    assert offer(seller, dataset_id, period_days=None, stream=False).json()["kind"] == "licence"


def test_offerings_are_listed_by_kind(seller: Party, dataset_id: str) -> None:
    feed = offer(seller, dataset_id, kind="subscription", period_days=30, term_periods=12).json()
    licence = offer(seller, dataset_id).json()
    listed = {
        kind: [
            o["id"] for o in seller.client.get(f"/api/v1/offerings?dataset={dataset_id}&kind={kind}").json()["results"]
        ]
        for kind in ("subscription", "licence")
    }
    assert listed == {"subscription": [feed["id"]], "licence": [licence["id"]]}
    assert problem(seller.client.get("/api/v1/offerings?kind=lease"), 400)["errors"]["kind"]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"kind": "rental"}, 400, "kind"),
        ({"kind": "subscription"}, 400, "period_days"),
        ({"kind": "subscription", "period_days": 30}, 400, "term_periods"),
        ({**MONTHLY, "period_days": 0}, 400, "period_days"),
        ({**MONTHLY, "period_days": 367}, 400, "period_days"),
        ({**MONTHLY, "period_days": "thirty"}, 400, "period_days"),
        ({**MONTHLY, "period_days": 30.5}, 400, "period_days"),
        ({**MONTHLY, "term_periods": 37}, 400, "term_periods"),
        ({**MONTHLY, "period_days": 366, "term_periods": 10}, 400, "term_periods"),  # 3,660 days
        ({**MONTHLY, "min_versions_per_period": 0}, 400, "min_versions_per_period"),
        ({**MONTHLY, "min_versions_per_period": 10_001}, 400, "min_versions_per_period"),
        ({**MONTHLY, "stream": "maybe"}, 400, "stream"),
        ({**MONTHLY, "min_messages_per_period": 100}, 400, "min_messages_per_period"),  # no stream
        ({**MONTHLY, "stream": True, "min_messages_per_period": 0}, 400, "min_messages_per_period"),
        ({"period_days": 30}, 400, "period_days"),  # a licence takes none of them
        ({"term_periods": 12, "min_versions_per_period": 1}, 400, "term_periods"),
        ({"stream": True}, 400, "stream"),
        ({**MONTHLY, "terms": {"duration_days": 365}}, 400, "terms.duration_days"),
        ({**MONTHLY, "terms": {"subscription": {"period_days": 30}}}, 400, "terms.subscription"),
        ({"terms": {"subscription": {"period_days": 30}}}, 400, "terms.subscription"),
        ({**MONTHLY, "stream": True}, 422, "stream"),  # no broker on this market
    ],
)
def test_a_shape_that_does_not_fit_is_a_problem_naming_its_field(
    seller: Party, dataset_id: str, changes: dict[str, Any], status: int, field: str
) -> None:
    refused = problem(offer(seller, dataset_id, **changes), status)
    assert field in refused["errors"], refused
    assert refused["detail"]
    assert not Offering.objects.exists(), "nothing half-written"


def test_streams_are_offered_only_where_the_market_runs_a_broker(seller: Party, dataset_id: str, settings: Any) -> None:
    refused = problem(offer(seller, dataset_id, **MONTHLY, stream=True), 422)
    assert refused["type"] == "/problems/market-rule"
    assert "not enabled" in refused["detail"] and refused["errors"] == {
        "stream": ["live streams are off on this market"]
    }
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": BROKER}
    response = offer(seller, dataset_id, **MONTHLY, stream=True, min_messages_per_period=1440)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stream"], body["min_messages_per_period"]) == (True, 1440)
    assert body["terms"]["subscription"]["stream"] is True
    assert body["terms"]["subscription"]["min_messages_per_period"] == 1440


def test_the_openapi_document_describes_the_fields(anonymous: Any) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)["components"]["schemas"]
    create, offering = schema["OfferingCreateRequest"]["properties"], schema["Offering"]["properties"]
    for name in ("kind", "period_days", "term_periods", "min_versions_per_period", "stream", "min_messages_per_period"):
        assert name in create and name in offering, name
        assert create[name].get("description"), name
    assert (create["period_days"]["minimum"], create["period_days"]["maximum"]) == (1, 366)
    assert (create["term_periods"]["minimum"], create["term_periods"]["maximum"]) == (1, 36)


def conclude(offering_id: str, buyer: Party) -> Any:
    return builders.conclude(Offering.objects.get(pk=offering_id), buyer, price=1_000, trade_ref="trade-1")


def test_the_contract_states_the_subscription_in_both_languages(
    seller: Party, buyer: Party, dataset_id: str, settings: Any
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": BROKER}
    offering_id = offer(
        seller, dataset_id, **MONTHLY, min_versions_per_period=4, stream=True, min_messages_per_period=43_200
    ).json()["id"]
    contract = conclude(offering_id, buyer)
    assert contract.valid_until - contract.valid_from == timedelta(days=360)
    clauses = [clause["code"] for clause in json.loads(contract.clauses_text.text)]
    assert clauses.index("subscription") == clauses.index("fees") + 1
    assert clauses.index("live_stream") == clauses.index("subscription") + 1
    en = buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang=en").content.decode()
    assert "Article 5. Subscription" in en and "Article 6. Live Stream" in en
    assert "12 periods of 30 days each" in en and "(1) New versions: 4" in en
    assert "(2) Messages on the Live Stream: 43,200" in en
    assert "¥1,000 per seat per Period; ¥2,000 per Period for 2 seats" in en
    assert "7 days after the charge was first declined" in en
    assert f"feeds/{dataset_id}/#" in en
    ja = buyer.client.get(f"/api/v1/contracts/{contract.id}/document?lang=ja").content.decode()
    assert "第5条（定期提供）" in ja and "第6条（ライブストリーム）" in ja
    assert "(1) 新しいバージョン：4件" in ja and "(2) ライブストリームのメッセージ：43,200件" in ja
    assert "1席1提供期間当たり¥1,000" in ja and "7日を経過" in ja
    # a licence's contract has neither clause
    licence = conclude(offer(seller, dataset_id).json()["id"], buyer)
    codes = [clause["code"] for clause in json.loads(licence.clauses_text.text)]
    assert "subscription" not in codes and "live_stream" not in codes


def test_the_offer_as_odrl_commits_the_seller_to_deliver_every_period(
    seller: Party, buyer: Party, anonymous: Any, dataset_id: str
) -> None:
    offering_id = offer(seller, dataset_id, **MONTHLY, min_versions_per_period=3).json()["id"]
    graph = Graph().parse(
        data=json.dumps(anonymous.get(f"/api/v1/offerings/{offering_id}/odrl").json()), format="json-ld"
    )
    offer_node = URIRef(f"urn:ichiba:offering:{offering_id}")
    (duty,) = graph.objects(offer_node, ODRL.obligation)
    assert graph.value(duty, ODRL.action) == ODRL.distribute
    assert graph.value(duty, ODRL.assignee) == URIRef(f"urn:ichiba:organization:{seller.id}")
    contract = conclude(offering_id, buyer)
    agreement = Graph().parse(
        data=json.dumps(buyer.client.get(f"/api/v1/contracts/{contract.id}/odrl").json()), format="json-ld"
    )
    (duty,) = agreement.objects(URIRef(f"urn:ichiba:contract:{contract.id}"), ODRL.obligation)
    assert agreement.value(duty, ODRL.assigner) == URIRef(f"urn:ichiba:organization:{buyer.id}")


def test_the_published_template_says_which_clauses_only_subscriptions_have(anonymous: Any) -> None:
    template = anonymous.get("/api/v1/contract-templates/meti-data-provision").json()
    when = {clause["code"]: clause["applies_when"] for clause in template["clauses"]}
    assert when["subscription"] == "subscription" and when["live_stream"] == "stream"
    assert {code for code, condition in when.items() if condition is not None} == {"subscription", "live_stream"}
    subscription = template["terms_schema"]["properties"]["subscription"]
    assert subscription["readOnly"] is True and "subscription" not in template["defaults"]
    assert template["term_labels"]["subscription"] == {"ja": "定期提供", "en": "Subscription"}
