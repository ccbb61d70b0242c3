"""Scopes, enforced on every API view of every app (docs/api.md#api-keys-and-scopes): the URL conf is walked so a
future endpoint cannot forget to declare one, and each scope is tried against the endpoints it guards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from config.api.permissions import ScopeRequired, declared_scopes
from config.api.principal import MANAGE, READ, SCOPES, SELL, TRADE
from marketplace.models import Membership
from tests.builders import keyed_client, member_client, published_offering

UNSAFE = ("post", "put", "patch", "delete")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _api_routes() -> list[tuple[str, Any]]:
    """Every view of the partner API (``api/v1/``) and of the Dataspace Protocol (``dsp/``)."""
    return [
        (route, pattern.callback)
        for route, pattern in _routes(get_resolver().url_patterns)
        if route.startswith(("api/v1/", "dsp/"))
    ]


def test_every_api_view_declares_the_scope_of_each_unsafe_method() -> None:
    routes = _api_routes()
    assert len(routes) > 80, "the walk finds the API"
    undeclared, unchecked = [], []
    for route, callback in routes:
        view_class = getattr(callback, "cls", None)
        if view_class is not None:  # a DRF view
            if view_class.authentication_classes == []:
                continue  # no caller to hold a scope: a download token, Stripe's signature
            if not all(issubclass(permission, ScopeRequired) for permission in view_class.permission_classes):
                unchecked.append(f"{route} ({view_class.__name__})")
            for method in UNSAFE:
                handler = getattr(view_class, method, None)
                if handler is not None and declared_scopes(handler) is None:
                    undeclared.append(f"{method.upper()} {route}")
            continue
        methods = getattr(callback, "dsp_methods", None)
        assert methods is not None, f"{route}: neither a DRF view nor a DSP endpoint"
        scope = callback.dsp_scope
        assert scope is None or scope in SCOPES
        if scope is None and set(methods) != {"GET"}:
            undeclared.append(f"{'/'.join(methods)} {route}")
    assert not undeclared, f"Declare a scope (@scope(...), dsp_endpoint(scope=...)) for: {undeclared}"
    assert not unchecked, f"Permission classes that do not check scopes (use config.api.permissions): {unchecked}"


def test_the_walk_would_catch_an_undeclared_post() -> None:
    from rest_framework.generics import GenericAPIView

    class Forgetful(GenericAPIView):
        def post(self, request: Any) -> Any:
            raise AssertionError

    assert declared_scopes(Forgetful.post) is None


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert response["Content-Type"].startswith("application/problem+json")
    return body


def test_a_read_key_cannot_trade_or_sell(seller, buyer, capture) -> None:
    offering = published_offering(seller, capture)
    reader = keyed_client(buyer, READ)
    bid = {"offering": offering["id"], "side": "buy", "quantity": 1, "price": 1000}
    refused = _problem(reader.post("/api/v1/orders", {**bid, "accepted_terms_sha256": offering["terms_sha256"]}), 403)
    assert refused["type"] == "/problems/insufficient-scope"
    assert refused["detail"] == "This API key lacks the 'trade' or 'sell' scopes.", "orders take either"
    assert reader.get("/api/v1/orders").status_code == 200, "it still reads"
    assert reader.options("/api/v1/orders").status_code == 200, "and asks what the endpoint takes"
    seller_reader = keyed_client(seller, READ)
    ask = {"offering": offering["id"], "side": "sell", "quantity": 1, "price": 1000}
    assert _problem(seller_reader.post("/api/v1/orders", ask), 403)["type"] == "/problems/insufficient-scope"
    dataset = {"title": "Gauges", "data_class": "iot", "category": "infrastructure"}
    assert _problem(seller_reader.post("/api/v1/datasets", dataset), 403)["type"] == "/problems/insufficient-scope"
    assert not seller.organization.datasets.filter(title="Gauges").exclude(pk=offering["dataset"]).exists()


def test_a_bid_needs_trade_and_an_ask_sell(seller, capture) -> None:
    """An organisation that both buys and sells: its trade key places bids, never asks."""
    offering = published_offering(seller, capture)
    trader = keyed_client(seller, READ, TRADE)
    ask = {"offering": offering["id"], "side": "sell", "quantity": 1, "price": 1000}
    assert _problem(trader.post("/api/v1/orders", ask), 403)["detail"] == "This API key lacks the 'sell' scope."
    assert keyed_client(seller, SELL).post("/api/v1/orders", ask).status_code == 201


def test_a_trade_key_cannot_create_an_offering(seller, capture) -> None:
    offering = published_offering(seller, capture)
    trader = keyed_client(seller, READ, TRADE)
    body = {"dataset": offering["dataset"], "template": "meti-data-provision", "terms": {}, "license_seats": 1}
    refused = _problem(trader.post("/api/v1/offerings", body), 403)
    assert refused["detail"] == "This API key lacks the 'sell' scope."


def test_reads_need_read_and_public_reads_stay_public(seller, buyer, capture, anonymous) -> None:
    offering = published_offering(seller, capture)
    trader = keyed_client(buyer, TRADE)
    assert _problem(trader.get("/api/v1/orders"), 403)["detail"] == "This API key lacks the 'read' scope."
    assert _problem(trader.get("/api/v1/trades"), 403)["type"] == "/problems/insufficient-scope"
    assert anonymous.get("/api/v1/trades").status_code == 200
    assert anonymous.get(f"/api/v1/offerings/{offering['id']}/book").status_code == 200
    assert anonymous.get("/api/v1/orders").status_code == 401, "a member's read still needs a caller"


def test_the_organisation_needs_manage(buyer) -> None:
    trader = keyed_client(buyer, READ, TRADE, SELL)
    body = {"url": "https://partner.example/hooks", "events": ["trade.executed"]}
    assert _problem(trader.post("/api/v1/webhook-endpoints", body), 403)["detail"].endswith("'manage' scope.")
    patch = trader.patch("/api/v1/me", {"invoice_registration_number": ""}, format="json")
    assert _problem(patch, 403)["type"] == "/problems/insufficient-scope"
    assert keyed_client(buyer, MANAGE).post("/api/v1/webhook-endpoints", body, format="json").status_code == 201


def test_a_member_acts_with_its_roles_scopes(buyer) -> None:
    """The first member is the admin (all four scopes); a member trades and sells but does not manage."""
    admin = member_client(buyer, Membership.Role.ADMIN)
    member = member_client(buyer, Membership.Role.MEMBER)
    assert admin.get("/api/v1/me").json()["scopes"] == list(SCOPES)
    assert member.get("/api/v1/me").json()["scopes"] == [READ, TRADE, SELL]
    refused = _problem(member.patch("/api/v1/me", {"invoice_registration_number": ""}, format="json"), 403)
    assert refused["detail"] == "Your role in the organisation lacks the 'manage' scope; ask one of its admins."
    assert admin.patch("/api/v1/me", {"invoice_registration_number": ""}, format="json").status_code == 200


def test_dsp_endpoints_follow_the_same_scopes(seller, buyer, capture) -> None:
    published_offering(seller, capture)
    reader = keyed_client(buyer, READ)
    trader = keyed_client(buyer, TRADE)
    catalog = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}

    def post(client: APIClient, path: str, body: dict[str, Any]) -> Any:
        return client.post(path, json.dumps(body), content_type="application/json")

    assert post(reader, "/dsp/2025-1/catalog/request", catalog).status_code == 200
    refused = post(trader, "/dsp/2025-1/catalog/request", catalog)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient-scope"
    assert refused.json()["reason"] == ["This API key lacks the 'read' scope."]
    request = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:c0ffee00-0000-4000-8000-000000000001",
        "callbackAddress": "https://connector.example/callback",
        "offer": {"@id": "urn:ichiba:offer:nothing", "@type": "Offer", "target": "urn:ichiba:dataset:nothing"},
    }
    refused = post(reader, "/dsp/2025-1/negotiations/request", request)
    assert refused.status_code == 403, refused.content
    assert refused.json()["@type"] == "ContractNegotiationError"
    assert refused.json()["reason"] == ["This API key lacks the 'trade' scope."]


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [((TRADE,), "buyer"), ((SELL,), "seller"), ((READ, MANAGE), "")],
)
def test_a_private_offer_is_answered_with_the_scope_of_ones_side(seller, buyer, scopes, allowed) -> None:
    from tests.builders import private_offer

    offer = private_offer(seller, buyer)
    for side, party in (("seller", seller), ("buyer", buyer)):
        client = keyed_client(party, READ, *scopes)
        response = client.post(f"/api/v1/private-offers/{offer['id']}/decline", {"reason": "no"}, format="json")
        if side == allowed:
            assert response.status_code == 200, response.content
            return
        missing = "sell" if side == "seller" else "trade"
        assert f"'{missing}'" in _problem(response, 403)["detail"]


def test_the_openapi_document_names_each_operations_scopes() -> None:
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    paths = document["paths"]
    assert paths["/api/v1/orders"]["post"]["x-scopes"] == [TRADE, SELL]
    assert paths["/api/v1/api-keys"]["get"]["x-scopes"] == [MANAGE]
    assert paths["/api/v1/trades"]["get"]["x-scopes"] == [READ]
    unnamed = [
        f"{method.upper()} {path}"
        for path, operations in paths.items()
        for method, operation in operations.items()
        if path.startswith("/api/v1/") and operation.get("security") and "x-scopes" not in operation
    ]
    assert unnamed == [], "an operation that takes credentials names its scopes"
