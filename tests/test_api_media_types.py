"""Every endpoint answers in the media type it serves (RFC 9110 content negotiation).

A client that asks for exactly that type gets it, and so do ``*/*``, a missing Accept, a range such as ``text/*``,
the type with parameters, and lists weighted with q-values; only an Accept that allows nothing the endpoint serves
is a 406, as an RFC 9457 problem in English. The sweep covers each endpoint that serves a type other than
``application/json`` and one that serves JSON, so a new endpoint of another kind belongs in ``_endpoints``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from tests.builders import entitled

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    client: Any
    path: str
    serves: str  # the media type a client with no preference gets


@pytest.fixture
def endpoints(seller, buyer, anonymous, django_capture_on_commit_callbacks) -> dict[str, Endpoint]:
    contract = entitled(seller, buyer, django_capture_on_commit_callbacks).contract
    return {
        "contract document": Endpoint(buyer.client, f"/api/v1/contracts/{contract.id}/document", "text/html"),
        "contract ODRL": Endpoint(buyer.client, f"/api/v1/contracts/{contract.id}/odrl", "application/ld+json"),
        "offering ODRL": Endpoint(anonymous, f"/api/v1/offerings/{contract.offering_id}/odrl", "application/ld+json"),
        "OpenAPI document": Endpoint(anonymous, "/api/schema/", "application/vnd.oai.openapi"),
        "Swagger UI": Endpoint(anonymous, "/api/docs/", "text/html"),
        "JWKS": Endpoint(anonymous, "/.well-known/jwks.json", "application/jwk-set+json"),
        "a JSON resource": Endpoint(buyer.client, "/api/v1/me", "application/json"),
    }


NAMES = [
    "contract document",
    "contract ODRL",
    "offering ODRL",
    "OpenAPI document",
    "Swagger UI",
    "JWKS",
    "a JSON resource",
]

# Accept headers that each allow the served type ({t}: the type, {main}: its top-level type).
ALLOWING = [
    None,
    "",
    "*/*",
    "{t}",
    "{main}/*",
    "{t}; charset=utf-8",
    "{t};q=0.9, */*;q=0.1",
    "image/png;q=1.0, {t};q=0.2",
    "image/png, */*;q=0.01",
    "IMAGE/PNG, {T}",  # media types are case-insensitive
]


def _get(endpoint: Endpoint, accept: str | None) -> Any:
    headers = {} if accept is None else {"Accept": accept}
    return endpoint.client.get(endpoint.path, headers=headers)


def _media_type(response: Any) -> str:
    return response["Content-Type"].split(";")[0].strip().lower()


@pytest.mark.parametrize("name", NAMES)
def test_each_endpoint_serves_its_own_type_to_every_accept_that_allows_it(endpoints, name: str) -> None:
    endpoint = endpoints[name]
    main = endpoint.serves.split("/")[0]
    for pattern in ALLOWING:
        accept = None if pattern is None else pattern.format(t=endpoint.serves, T=endpoint.serves.upper(), main=main)
        response = _get(endpoint, accept)
        assert response.status_code == 200, (name, accept, response.status_code, response.content[:300])
        assert _media_type(response) == endpoint.serves, (name, accept, response["Content-Type"])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("accept", ["image/png", "image/*, application/pdf", "{t};q=0", "{t};q=0, */*;q=0"])
def test_a_type_the_endpoint_cannot_serve_is_a_406_problem_in_english(endpoints, name: str, accept: str) -> None:
    endpoint = endpoints[name]
    accept = accept.format(t=endpoint.serves)
    response = endpoint.client.get(endpoint.path, headers={"Accept": accept, "Accept-Language": "ja"})
    assert response.status_code == 406, (name, accept, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json", (name, accept)
    problem = response.json()
    assert problem["type"] == "/problems/not-acceptable" and problem["status"] == 406
    assert problem["title"] == "Not acceptable"
    assert endpoint.serves in problem["detail"], problem


def test_a_weighted_accept_picks_the_type_the_client_prefers(endpoints) -> None:
    """ODRL is JSON-LD, which a plain JSON client may also ask for; the highest q-value wins, the endpoint's own
    type breaks a tie, and q=0 rules a type out however general the range that allows it."""
    odrl = endpoints["offering ODRL"]
    for accept, expected in [
        ("application/json", "application/json"),
        ("application/json, application/ld+json", "application/ld+json"),
        ("application/json;q=1, application/ld+json;q=0.5", "application/json"),
        ("application/ld+json;q=0, */*", "application/json"),
        ("application/*;q=0.2, application/json;q=0.1", "application/ld+json"),
    ]:
        response = _get(odrl, accept)
        assert response.status_code == 200 and _media_type(response) == expected, (accept, response["Content-Type"])
    assert response.json()["@context"], "the same document either way"

    jwks = endpoints["JWKS"]
    as_plain_json = _get(jwks, "application/json")
    assert _media_type(as_plain_json) == "application/json" and as_plain_json.json()["keys"]
    assert "Accept" in as_plain_json["Vary"], "a shared cache keeps each type apart"

    schema = endpoints["OpenAPI document"]
    as_json = _get(schema, "application/json")
    assert _media_type(as_json) == "application/json" and as_json.json()["openapi"].startswith("3.")
    as_yaml = _get(schema, "application/yaml")
    assert _media_type(as_yaml) == "application/yaml" and yaml.safe_load(as_yaml.content)["openapi"].startswith("3.")


def test_parameters_the_endpoint_states_must_agree_and_others_reach_its_renderer(endpoints) -> None:
    document = endpoints["contract document"]
    assert _get(document, "text/html; charset=UTF-8").status_code == 200
    assert _get(document, "text/html; charset=iso-8859-1").status_code == 406, "it is served in UTF-8 only"
    indented = _get(endpoints["a JSON resource"], "application/json; indent=2")
    assert indented.status_code == 200 and indented.content.startswith(b'{\n  "')


def test_a_format_in_the_query_chooses_among_the_types_the_endpoint_serves(endpoints) -> None:
    schema = endpoints["OpenAPI document"]
    response = schema.client.get(f"{schema.path}?format=json")
    assert response.status_code == 200 and _media_type(response) == "application/vnd.oai.openapi+json"
    me = endpoints["a JSON resource"]
    refused = me.client.get(f"{me.path}?format=xml")
    assert refused.status_code == 406 and refused.json()["type"] == "/problems/not-acceptable"


def test_an_error_of_a_non_json_endpoint_is_a_json_problem_whatever_was_negotiated(other_seller, endpoints) -> None:
    document = endpoints["contract document"]
    for client, expected in ((other_seller.client, 404), (document.client, 400)):
        path = document.path if expected == 404 else f"{document.path}?lang=fr"
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == expected and response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
    # OPTIONS describes the endpoint (in JSON) rather than serving it.
    options = document.client.options(document.path)
    assert options.status_code == 200 and _media_type(options) == "application/json"
    assert options.json()["renders"] == ["text/html"]


def test_a_download_is_served_as_its_format_whatever_the_download_manager_accepts(
    seller, buyer, django_capture_on_commit_callbacks
) -> None:
    """Download managers send Accept: application/octet-stream (or nothing useful): the file is what the token
    names, so the endpoint disregards Accept (RFC 9110 allows either that or a 406) and never answers 406."""
    entitlement = entitled(seller, buyer, django_capture_on_commit_callbacks)
    for accept in (None, "*/*", "text/csv", "application/octet-stream", "image/png"):
        url = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()["download_url"]
        response = buyer.client.get(url, headers={} if accept is None else {"Accept": accept})
        assert response.status_code == 200, (accept, response.status_code)
        assert response["Content-Type"] == "text/csv; charset=utf-8", accept
        b"".join(response.streaming_content)
