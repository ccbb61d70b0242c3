"""The Dataspace Protocol's version and catalog endpoints, played as a consumer connector would with its API key:
every answer checked against the vendored DSP 2025-1 schemas, refusals as the protocol's error messages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.catalog import offering_of
from marketplace.models import Offering, Order
from tests.builders import Party, listed_catalog, offer, place, published_dataset

pytestmark = pytest.mark.django_db

REQUEST = "/dsp/2025-1/catalog/request"
MESSAGE = {"@context": [CONTEXT], "@type": "CatalogRequestMessage"}


def ask(seller: Party, offering: Offering, capture: Any, price: int) -> None:
    with capture(execute=True):
        response = place(seller, {"id": str(offering.id), "terms_sha256": offering.terms_sha256}, "sell", 3, price)
    assert response.status_code == 201, response.content


def post(client: Any, party: Party | None, body: Any, query: str = "", **headers: Any) -> Any:
    if party is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {party.api_key}")
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"{REQUEST}{query}", data=data, content_type="application/json", **headers)


def valid(document: Any, schema: str) -> Any:
    assert schemas.message_errors(document, schema) == [], document
    return document


def catalog(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return valid(response.json(), schemas.CATALOG)


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    message = valid(response.json(), schemas.CATALOG_ERROR)
    assert message["@type"] == "CatalogError" and message["@context"] == [CONTEXT]
    assert message["code"] and message["reason"]
    return message


def offered(seller: Party, buyer: Party, capture: Any) -> Any:
    listed = listed_catalog(seller, buyer)
    ask(seller, listed.feed, capture, 1500)
    ask(seller, listed.anonymised, capture, 900)
    ask(seller, listed.anonymised, capture, 800)  # the best ask is the offer's price
    # A deal's offering never takes orders (order_place answers 404); a resting ask written on one anyway must not
    # make a private offer's or an auction's offering appear.
    resting = Order.objects.filter(offering=listed.anonymised).first()
    assert resting is not None
    for hidden in (listed.private, listed.auction):
        resting.pk = None
        resting.id = None
        resting.offering = hidden
        resting.save(force_insert=True)
    return listed


def test_the_version_endpoint_names_2025_1_its_path_and_the_https_binding(anonymous: Any) -> None:
    response = anonymous.get("/.well-known/dspace-version")
    assert response.status_code == 200
    versions = valid(response.json(), schemas.VERSIONS)
    assert versions == {"protocolVersions": [{"version": "2025-1", "path": "/dsp/2025-1", "binding": "HTTPS"}]}


def test_a_catalog_request_answers_the_offered_datasets_with_priced_odrl_offers(
    seller: Party, buyer: Party, anonymous: Any, django_capture_on_commit_callbacks: Any
) -> None:
    listed = offered(seller, buyer, django_capture_on_commit_callbacks)
    unpriced = offer(seller)  # an open book offering without any ask: nothing a connector could buy now
    document = catalog(post(anonymous, buyer, MESSAGE))
    assert document["@context"] == [CONTEXT]
    assert document["participantId"] == "http://testserver/#operator"
    [service] = document["service"]
    assert service == {
        "@id": "http://testserver/dsp/2025-1#data-service",
        "@type": "DataService",
        "endpointURL": "http://testserver/dsp/2025-1",
    }
    datasets = {node["@id"]: node for node in document["dataset"]}
    assert set(datasets) == {
        f"urn:ichiba:dataset:{listed.feed.dataset_id}",
        f"urn:ichiba:dataset:{listed.anonymised.dataset_id}",
    }
    everything = json.dumps(document)
    for hidden in (listed.private, listed.auction, listed.withdrawn, unpriced):
        assert str(hidden.id) not in everything
    assert str(listed.unoffered.id) not in everything and str(listed.draft.id) not in everything

    anonymised = datasets[f"urn:ichiba:dataset:{listed.anonymised.dataset_id}"]
    assert anonymised["distribution"] == [
        {"@type": "Distribution", "format": "HttpData-PULL", "accessService": service["@id"]}
    ]
    [policy] = anonymised["hasPolicy"]
    assert policy["@id"] == f"urn:ichiba:offering:{listed.anonymised.id}"  # what a negotiation will name
    assert offering_of(policy["@id"]) == listed.anonymised.id
    assert policy["@type"] == "Offer" and "target" not in policy
    assert policy["assigner"] == f"urn:ichiba:organization:{seller.id}"
    [use] = [p for p in policy["permission"] if p["action"] == "use"]
    [compensate] = [d for d in use["duty"] if d["action"] == "odrl:compensate"]
    assert compensate["constraint"] == [
        {
            "leftOperand": "odrl:payAmount",
            "operator": "eq",
            "rightOperand": {"@value": "800", "@type": "xsd:decimal"},
            "odrl:unit": {"@id": "urn:iso:std:iso:4217:JPY"},
        }
    ]
    assert compensate["odrl:compensatedParty"] == {"@id": f"urn:ichiba:organization:{seller.id}"}
    assert compensate["urn:ichiba:odrl:amountMinorUnits"] == 800
    assert policy["urn:ichiba:odrl:termsSha256"] == listed.anonymised.terms_sha256
    assert {p["action"] for p in policy["permission"]} == {"use", "odrl:derive"}
    assert {p["action"] for p in policy["prohibition"]} >= {"odrl:distribute"}
    _written_in_dsp_terms(document)


# What DSP's context (the only one its messages state) lets a consumer expand: its own terms, keywords, compact IRIs
# in the prefixes it defines, and absolute IRIs.
DSP_PREFIXES = ("odrl:", "dct:", "dcat:", "xsd:", "dspace:", "urn:", "http://", "https://")


def _written_in_dsp_terms(value: Any) -> None:
    from dataspace.dsp.catalog import DSP_TERMS

    def known(term: str) -> bool:
        return term.startswith("@") or term in DSP_TERMS or term.startswith(DSP_PREFIXES)

    if isinstance(value, list):
        for item in value:
            _written_in_dsp_terms(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert known(key), key
            if key in ("action", "leftOperand", "operator"):
                assert isinstance(item, str) and known(item), (key, item)
            if key != "@value":
                _written_in_dsp_terms(item)


def test_filters_by_free_text_and_data_class(
    seller: Party, buyer: Party, anonymous: Any, django_capture_on_commit_callbacks: Any
) -> None:
    listed = offered(seller, buyer, django_capture_on_commit_callbacks)
    feed, anonymised = (f"urn:ichiba:dataset:{o.dataset_id}" for o in (listed.feed, listed.anonymised))

    def found(*filters: dict[str, str]) -> set[str]:
        document = catalog(post(anonymous, buyer, {**MESSAGE, "filter": list(filters)}))
        return {node["@id"] for node in document.get("dataset", [])}

    assert found({"dataClass": "anonymized"}) == {anonymised}
    assert found({"dataClass": "iot"}) == {feed}
    assert found({"q": "supermarket"}) == {anonymised}
    assert found({"q": "橋梁"}) == {feed, anonymised}  # the catalog's synonym table crosses the two languages
    assert found({"q": "bridge"}) == {feed, anonymised}  # both are tagged so
    assert found({"q": "supermarket"}, {"dataClass": "iot"}) == set()  # an empty page is still a valid Catalog
    assert found() == {feed, anonymised}


@pytest.mark.parametrize(
    "filters",
    [[{"region": "JP"}], [{"q": 3}], [{"dataClass": "personal"}], [{"q": "a", "dataClass": "iot"}], ["bridge"]],
    ids=["unknown-key", "not-a-string", "unknown-class", "two-keys-in-one", "not-an-object"],
)
def test_an_unsupported_filter_is_a_400_catalog_error(buyer: Party, anonymous: Any, filters: list[Any]) -> None:
    assert error(post(anonymous, buyer, {**MESSAGE, "filter": filters}), 400)["code"] == "unsupported-filter"


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        [],
        {"@type": "CatalogRequestMessage"},
        {"@context": "https://w3id.org/dspace/2025/1/context.jsonld", "@type": "CatalogRequestMessage"},
        {"@context": ["https://example.org/other.jsonld"], "@type": "CatalogRequestMessage"},
        {"@context": [CONTEXT], "@type": "DatasetRequestMessage"},
        {"@context": [CONTEXT], "@type": "CatalogRequestMessage", "filter": {"q": "x"}},
        '{"@context": ["' + CONTEXT + '"], "@type": "CatalogRequestMessage", "filter": [{"q": "\\ud800"}]}',
        "[" * 10_000 + "]" * 10_000,
    ],
    ids=[
        "not-json",
        "not-an-object",
        "no-context",
        "context-not-a-list",
        "not-the-dsp-context",
        "wrong-type",
        "filter-not-a-list",
        "lone-surrogate",
        "deeply-nested",
    ],
)
def test_a_malformed_message_is_a_400_catalog_error(buyer: Party, anonymous: Any, body: Any) -> None:
    assert error(post(anonymous, buyer, body), 400)["code"] == "malformed"


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-key", "Basic dXNlcjpwYXNz", "Bearer two words"], ids=str)
def test_no_or_an_invalid_key_is_a_401_catalog_error(buyer: Party, anonymous: Any, authorization: Any) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = post(anonymous, None, MESSAGE, **headers)
    assert error(response, 401)["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")
    dataset = published_dataset(buyer)
    assert error(anonymous.get(f"/dsp/2025-1/catalog/datasets/{dataset.id}", **headers), 401)


def test_pages_are_linked_with_previous_and_next(
    seller: Party, buyer: Party, anonymous: Any, django_capture_on_commit_callbacks: Any
) -> None:
    offerings = [offer(seller) for _ in range(5)]
    for offering in offerings:
        ask(seller, offering, django_capture_on_commit_callbacks, 1000)
    seen: list[str] = []
    url = f"{REQUEST}?page_size=2"
    pages = 0
    while url:
        response = anonymous.post(
            url, data=json.dumps(MESSAGE), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {buyer.api_key}"
        )
        document = catalog(response)
        seen += [node["@id"] for node in document["dataset"]]
        links = _links(response.get("Link", ""))
        assert ("previous" in links) == (pages > 0)
        pages += 1
        url = links.get("next", "").removeprefix("http://testserver")
    assert pages == 3
    assert seen == [f"urn:ichiba:dataset:{o.dataset_id}" for o in offerings]  # oldest first, each once
    assert error(post(anonymous, buyer, MESSAGE, "?page=0"), 400)["code"] == "bad-page"
    assert error(post(anonymous, buyer, MESSAGE, "?page_size=201"), 400)["code"] == "bad-page"
    assert "dataset" not in catalog(post(anonymous, buyer, MESSAGE, "?page=9"))


def _links(header: str) -> dict[str, str]:
    links = {}
    for part in filter(None, (p.strip() for p in header.split(","))):
        target, rel = part.split(";")
        links[rel.strip().removeprefix('rel="').removesuffix('"')] = target.strip().strip("<>")
    return links


def test_the_dataset_endpoint_answers_one_offered_dataset_by_its_id(
    seller: Party, buyer: Party, anonymous: Any, django_capture_on_commit_callbacks: Any
) -> None:
    listed = offered(seller, buyer, django_capture_on_commit_callbacks)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {buyer.api_key}"}
    iri = f"urn:ichiba:dataset:{listed.anonymised.dataset_id}"
    from_catalog = {node["@id"]: node for node in catalog(post(anonymous, buyer, MESSAGE))["dataset"]}[iri]
    for wanted in (iri, str(listed.anonymised.dataset_id)):
        response = anonymous.get(f"/dsp/2025-1/catalog/datasets/{wanted}", **auth)
        assert response.status_code == 200, response.content
        document = valid(response.json(), schemas.DATASET)
        assert document == {"@context": [CONTEXT], **from_catalog}
    for absent in (listed.unoffered.id, listed.draft.id, "urn:ichiba:dataset:nope", "00000000-0000-0000-0000-0"):
        error(anonymous.get(f"/dsp/2025-1/catalog/datasets/{absent}", **auth), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", REQUEST, "POST"),
        ("put", REQUEST, "POST"),
        ("post", "/dsp/2025-1/catalog/datasets/x", "GET"),
        ("delete", "/.well-known/dspace-version", "GET"),
    ],
)
def test_another_method_is_a_405_error_message_naming_the_allowed_one(
    buyer: Party, anonymous: Any, method: str, path: str, allowed: str
) -> None:
    response = getattr(anonymous, method)(path, HTTP_AUTHORIZATION=f"Bearer {buyer.api_key}")
    assert error(response, 405)["code"] == "method-not-allowed"
    assert response["Allow"] == allowed


def test_a_catalog_page_costs_the_same_queries_however_many_datasets_and_offers_it_shows(
    seller: Party, buyer: Party, anonymous: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            document = catalog(post(anonymous, buyer, MESSAGE, "?page_size=100"))
        return len(captured.captured_queries), len(document["dataset"])

    ask(seller, offer(seller), django_capture_on_commit_callbacks, 1000)
    queries()  # the key's first use is recorded (coarsely) and its lookup cached
    few, shown = queries()
    assert shown == 1
    for _ in range(4):
        ask(seller, offer(seller, data_class="anonymized"), django_capture_on_commit_callbacks, 1000)
    assert queries() == (few, 5)


def test_the_dsp_endpoints_draw_on_the_organisations_one_request_budget(
    buyer: Party, seller: Party, anonymous: Any, settings: Any
) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "ORGANIZATION_RATE": "3/min"}
    assert buyer.client.get("/api/v1/me").status_code == 200
    assert [post(anonymous, buyer, MESSAGE).status_code for _ in range(2)] == [200, 200]
    throttled = post(anonymous, buyer, MESSAGE)
    assert error(throttled, 429)["code"] == "too-many-requests"
    assert int(throttled["Retry-After"]) > 0
    assert buyer.client.get("/api/v1/me").status_code == 429, "one budget, whichever door"
    assert post(anonymous, seller, MESSAGE).status_code == 200, "another organisation has its own"


@pytest.mark.parametrize(
    "iri",
    [
        "urn:ichiba:dataset:6f1c1f5e-0000-4000-8000-000000000000",
        "urn:ichiba:offering:nope",
        "urn:ichiba:offering:6F1C1F5E-0000-4000-8000-000000000000",  # not the id Ichiba wrote
        "urn:ichiba:offering:{6f1c1f5e-0000-4000-8000-000000000000}",
        "",
    ],
)
def test_only_an_offer_id_ichiba_wrote_resolves_to_an_offering(iri: str) -> None:
    assert offering_of(iri) is None
