"""API-wide promises of docs/api.md: problem details everywhere, OpenAPI covering every endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def test_unknown_api_path_is_a_problem(anonymous) -> None:
    response = anonymous.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-found"


def test_unknown_api_path_is_a_problem_with_debug_on_too_and_for_any_method(anonymous, settings) -> None:
    settings.DEBUG = True  # as with DJANGO_DEBUG=true, where Django would answer with its HTML page
    for method in ("get", "post", "delete"):
        response = getattr(anonymous, method)("/api/v1/me/")  # the endpoint is /api/v1/me
        assert response.status_code == 404, (method, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
    for page in ("/api/schema", "/api/docs"):  # the pages' own paths end with a slash: redirected there
        assert anonymous.get(page).headers["Location"] == page + "/"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("[" * 100_000 + "]" * 100_000, "levels deep"),
        ('{"terms": {"purpose": ' + "[" * 600 + "]" * 600 + "}}", "levels deep"),  # parses, then copying recursed
        ('{"offering": "x\\ud800"}', "lone surrogate"),
        ('{"a": [{"b": {"\\udc00": 1}}]}', "lone surrogate"),
        ('{"a": ["\\u0000"]}', "NUL character"),
    ],
    ids=["nested-100000-deep", "nested-600-deep", "lone-surrogate", "lone-surrogate-in-a-nested-key", "nul"],
)
def test_json_no_response_or_database_could_hold_is_a_400_problem(seller, body: str, said: str) -> None:
    response = seller.client.post("/api/v1/orders", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/malformed" and said in problem["detail"], problem


@pytest.mark.parametrize("idempotency_key", [None, "big-1"], ids=["plain", "with-idempotency-key"])
def test_a_json_body_over_the_size_limit_is_a_413_problem_and_changes_nothing(
    seller, settings, idempotency_key: str | None
) -> None:
    from catalog.models import Dataset

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    body = '{"title": "' + "x" * 3_000 + '", "data_class": "iot"}'
    response = seller.client.post("/api/v1/datasets", body, content_type="application/json", headers=headers)
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/payload-too-large"
    assert not Dataset.objects.exists()
    small = seller.client.post("/api/v1/datasets", {"title": "Strain", "data_class": "iot"}, format="json")
    assert small.status_code == 201, "a body within the limit is served as before"


@pytest.mark.parametrize("path", ["/api/v1/datasets?tag=%00", "/api/v1/datasets?q=a%00b", "/api/v1/trades?%00=1"])
def test_a_nul_in_the_query_string_is_a_400_problem(anonymous, path: str) -> None:
    response = anonymous.get(path)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/bad-request" and "U+0000" in response.json()["detail"]


def test_a_nul_in_a_web_page_query_is_a_400_too(client) -> None:
    response = client.get("/?q=%00")
    assert response.status_code == 400 and b"U+0000" in response.content


def test_a_problem_is_titled_as_its_type_in_the_catalogue(seller) -> None:
    from config.api.problems import PROBLEM_TYPES

    body = {"title": "Strain", "data_class": "iot"}
    first = seller.client.post("/api/v1/datasets", body, format="json", headers={"Idempotency-Key": "t-1"})
    assert first.status_code == 201
    reused = seller.client.post(
        "/api/v1/datasets", {**body, "title": "Other"}, format="json", headers={"Idempotency-Key": "t-1"}
    )
    problem = reused.json()
    assert reused.status_code == 409 and problem["type"] == "/problems/idempotency-conflict"
    assert problem["title"] == PROBLEM_TYPES["idempotency-conflict"][0] == "Idempotency key reused"


def test_a_host_the_server_does_not_answer_for_is_a_bad_request_problem(anonymous) -> None:
    response = anonymous.get("/api/v1/datasets", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/bad-request"


def test_wrong_method_is_405_problem_with_allow(seller) -> None:
    response = seller.client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("method", ["OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE"])
def test_the_schema_and_docs_pages_answer_other_methods_with_a_json_problem(anonymous, method: str) -> None:
    docs = anonymous.generic(method, "/api/docs/")
    assert docs.status_code == 405, docs.content[:300]
    assert docs["Allow"] == "GET, HEAD"
    assert docs["Content-Type"] == "application/problem+json"
    assert docs.json()["type"] == "/problems/method-not-allowed"
    if method != "OPTIONS":  # the schema's OPTIONS is DRF's description of the view
        schema = anonymous.generic(method, "/api/schema/")
        assert schema.status_code == 405 and schema["Content-Type"] == "application/problem+json"
        assert schema.json()["type"] == "/problems/method-not-allowed", "JSON, not the schema's YAML"
    assert anonymous.head("/api/docs/").status_code == 200


def test_problem_types_are_documented_for_people(anonymous) -> None:
    response = anonymous.get("/problems/personal-data-refused")
    assert response.status_code == 200 and "information bank" in response.content.decode()
    assert anonymous.get("/problems/nonsense").status_code == 404


def test_unhandled_error_is_a_500_problem_not_html(seller, monkeypatch) -> None:
    from marketplace.api import me

    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(me.MeSerializer, "to_representation", boom)
    seller.client.raise_request_exception = False
    response = seller.client.get("/api/v1/me")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "on fire" not in response.content.decode(), "internals never leak"


def test_openapi_describes_every_endpoint(anonymous) -> None:
    response = anonymous.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    expected = {
        "/api/v1/me",
        "/api/v1/datasets",
        "/api/v1/datasets/{dataset_id}",
        "/api/v1/datasets/{dataset_id}/versions",
        "/api/v1/datasets/{dataset_id}/versions/{number}",
        "/api/v1/datasets/{dataset_id}/sample",
        "/api/v1/datasets/{dataset_id}/withdraw",
        "/api/v1/datasets/{dataset_id}/relist",
    }
    assert expected <= paths, expected - paths
    from django.urls import get_resolver

    api_routes = {str(p.pattern) for p in get_resolver().url_patterns if str(p.pattern).startswith("api/v1/")}
    assert api_routes, "the API is mounted under /api/v1/"
    upload = schema["paths"]["/api/v1/datasets/{dataset_id}/versions"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert anonymous.get("/api/docs/").status_code == 200


def test_every_operation_documents_the_problems_it_may_answer_with(anonymous) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    responses = schema["components"]["responses"]

    def problem_schema(response: dict[str, object]) -> object:
        if "$ref" in response:
            response = responses[str(response["$ref"]).rsplit("/", 1)[1]]
        content = response.get("content", {})
        assert isinstance(content, dict)
        return content.get("application/problem+json", {}).get("schema")

    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
            assert all(problem_schema(r) == problem for r in errors.values()), (method, path)
            if any("ApiKey" in requirement for requirement in operation.get("security", [])):
                assert {"401", "429"} <= set(errors), (method, path)
            if operation.get("security"):  # a cache or broker outage (docs/operations.md#when-redis-is-down)
                assert "503" in errors, (method, path)
    orders = schema["paths"]["/api/v1/orders"]["post"]["responses"]
    assert all(problem_schema(orders[code]) == problem for code in ("400", "401", "403", "409", "422", "429", "503"))
    assert "404" in schema["paths"]["/api/v1/orders/{order_id}"]["get"]["responses"]
    assert problem_schema(orders["413"]) == problem, "a JSON body over the limit is refused with 413"
    assert set(schema["components"]["schemas"]["Problem"]["required"]) == {"type", "title", "status"}
    # A body read strictly (unknown fields are a 400) says so.
    assert schema["components"]["schemas"]["OrderCreateRequest"]["additionalProperties"] is False
    # Public reads say that no credentials are needed; writes do not.
    assert {} in schema["paths"]["/api/v1/datasets"]["get"]["security"]
    assert {} not in schema["paths"]["/api/v1/datasets"]["post"]["security"]
    # A public read refuses nobody anonymous, but a key without the read scope (docs/api.md#api-keys-and-scopes).
    assert "403" in schema["paths"]["/api/v1/datasets"]["get"]["responses"]
    assert schema["paths"]["/api/v1/datasets"]["get"]["x-scopes"] == ["read"]


def test_a_body_naming_an_unknown_or_anothers_object_is_a_documented_404(anonymous, seller, buyer) -> None:
    """docs/api.md#errors: 404 is "not found or not yours", for an id in the body as for one in the path."""
    import uuid

    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    paths = schema["paths"]
    unknown = str(uuid.uuid4())
    answered = {
        "/api/v1/orders": buyer.client.post(
            "/api/v1/orders", {"offering": unknown, "side": "buy", "price": 100, "quantity": 1}, format="json"
        ),
        "/api/v1/offerings": seller.client.post(
            "/api/v1/offerings",
            {"dataset": unknown, "template": "meti-data-provision", "terms": {}, "license_seats": 1},
            format="json",
        ),
    }
    for path, response in answered.items():
        assert response.status_code == 404, (path, response.content)
        assert paths[path]["post"]["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}, path
    # A body that names no other object cannot be answered with one.
    for path in ("/api/v1/datasets", "/api/v1/webhook-endpoints", "/api/v1/payment-methods"):
        assert "404" not in paths[path]["post"]["responses"], path


def test_lists_served_whole_are_documented_in_the_envelope_they_come_in(anonymous, buyer) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    for path, client in (("/api/v1/contract-templates", anonymous), ("/api/v1/payment-methods", buyer.client)):
        documented = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        component = schema["components"]["schemas"][documented["$ref"].rsplit("/", 1)[1]]
        body = client.get(path).json()
        assert set(component["required"]) <= set(body) <= set(component["properties"]), (path, body)
        assert component["properties"]["results"]["type"] == "array" and body["next"] is None


@pytest.mark.parametrize("key", ["", "k" * 256, "注文-1", "tab\there"], ids=["empty", "256", "non-ascii", "control"])
def test_an_idempotency_key_is_1_to_255_printable_ascii_characters_as_documented(seller, key: str) -> None:
    payload = {"title": "Strain", "data_class": "iot", "category": "infrastructure"}
    response = seller.client.post("/api/v1/datasets", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and response.json()["errors"] == {"Idempotency-Key": ["invalid"]}
    longest = seller.client.post("/api/v1/datasets", payload, format="json", HTTP_IDEMPOTENCY_KEY="k" * 255)
    assert longest.status_code == 201


def test_idempotency_records_expire_after_a_day(seller) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from config.api.models import IdempotencyRecord
    from config.api.tasks import purge_idempotency_records

    payload = {"title": "Kept", "data_class": "iot"}
    for key in ("old", "new"):
        assert (
            seller.client.post("/api/v1/datasets", payload, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
        )
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_idempotency_key_is_claimed_then_filled_in(seller) -> None:
    """The record is claimed (looked up, then inserted: its unique key decides a race) before the handler runs and
    filled in with the response after; replays work and a different body under the same key is a 409."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.api.models import IdempotencyRecord

    payload = {"title": "Claimed", "data_class": "iot"}
    with CaptureQueriesContext(connection) as queries:
        first = seller.client.post("/api/v1/datasets", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    touching = [q["sql"] for q in queries.captured_queries if "api_idempotencyrecord" in q["sql"]]
    assert [sql.split()[0] for sql in touching] == ["SELECT", "INSERT", "UPDATE"], touching
    record = IdempotencyRecord.objects.get(key="k-1")
    assert record.response_status == 201 and record.method == "POST" and record.path == "/api/v1/datasets"
    assert record.response_headers == {} and record.created_at is not None

    again = seller.client.post("/api/v1/datasets", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = seller.client.post(
        "/api/v1/datasets", {**payload, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409 and other.json()["type"] == "/problems/idempotency-conflict"
    assert IdempotencyRecord.objects.count() == 1


def test_serializer_fields_are_copied_per_instance_without_sharing_mutable_state() -> None:
    from rest_framework import serializers

    from config.api.serializers import Serializer

    class Example(Serializer):
        name = serializers.CharField(max_length=3)
        tags = serializers.ListField(child=serializers.CharField(), default=list)
        labels = serializers.CharField(required=False)
        shout = serializers.SerializerMethodField()

        def get_shout(self, obj: dict[str, str]) -> str:
            return obj["name"].upper() + self.context.get("mark", "")

    one, two = Example(data={"name": "abc"}), Example(data={"name": "abcd"})
    assert one.fields["name"] is not two.fields["name"] and one.fields["name"].parent is one
    assert Example._declared_fields["name"].parent is None  # the declaration itself is never bound
    assert one.is_valid() and not two.is_valid() and "name" in two.errors
    one.validated_data["tags"].append("x")
    three = Example(data={"name": "abc"})
    assert three.is_valid() and three.validated_data["tags"] == []
    one.fields["labels"].required = True
    assert Example().fields["labels"].required is False
    assert Example({"name": "ab"}, context={"mark": "!"}).data["shout"] == "AB!"
    assert Example({"name": "cd"}).data["shout"] == "CD"


def test_celery_beat_schedule_names_registered_tasks() -> None:
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry


def test_the_openapi_document_validates_without_a_single_warning(tmp_path) -> None:
    """Partners generate clients from it: every schema named, every enum named after its model, both ways
    to authenticate described (API key, browser session)."""
    import yaml
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert set(schema["components"]["securitySchemes"]) == {"ApiKey", "Session"}
    assert {"OrderStatusEnum", "SettlementStatusEnum", "EntitlementStatusEnum"} <= set(schema["components"]["schemas"])


# --- pagination: every list reads its page parameters strictly, and the OpenAPI document states their bounds ---


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/api/v1/datasets", "page_size", "null"),
        ("/api/v1/datasets", "page_size", "-1"),
        ("/api/v1/datasets", "page_size", "0"),
        ("/api/v1/datasets", "page_size", "201"),
        ("/api/v1/datasets", "page_size", "2.5"),
        ("/api/v1/datasets", "page_size", "+5"),
        ("/api/v1/datasets", "page_size", " 5"),
        ("/api/v1/datasets", "page_size", "1_0"),
        ("/api/v1/datasets", "page_size", "٥"),  # an Arabic-Indic five: int() takes it, the API does not
        ("/api/v1/trades", "page_size", "abc"),
        pytest.param("/api/v1/orders", "page_size", "9" * 5000, id="more-digits-than-int-parses"),
        ("/api/v1/webhook-endpoints", "page_size", "-1"),
        ("/api/v1/usage/summary", "limit", "abc"),
        ("/api/v1/usage/summary", "limit", "0"),
        ("/api/v1/usage/summary", "limit", "201"),
        ("/api/v1/usage/summary", "offset", "abc"),
        ("/api/v1/usage/summary", "offset", "-1"),
        ("/api/v1/trades", "cursor", "not-a-cursor"),  # DRF's own answer would be a 404
        ("/api/v1/trades", "cursor", "cD1nYXJiYWdl"),  # "p=garbage": a cursor whose position is no time
        ("/api/v1/orders", "cursor", "cD0wMDAxLTAxLTAxVDAwJTNBMDAlM0EwMCUyQjE0JTNBMDA="),  # 0001-01-01T00:00+14:00
    ],
)
def test_a_bad_page_parameter_is_a_400_problem_naming_it(seller, path: str, parameter: str, value: str) -> None:
    from urllib.parse import urlencode

    response = seller.client.get(f"{path}?{urlencode({parameter: value})}")
    assert response.status_code == 400, (path, parameter, value, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/invalid"
    assert list(problem["errors"]) == [parameter] and problem["detail"].startswith(f"{parameter}: "), problem


def test_page_parameters_within_their_bounds_are_honoured_and_empty_ones_are_absent(buyer) -> None:
    for n in range(3):
        created = buyer.client.post(
            "/api/v1/webhook-endpoints",
            {"url": f"https://partner.example/{n}", "events": ["trade.executed"]},
            format="json",
        )
        assert created.status_code == 201, created.content
    first = buyer.client.get("/api/v1/webhook-endpoints?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    assert len(buyer.client.get(first["next"]).json()["results"]) == 1
    assert len(buyer.client.get("/api/v1/webhook-endpoints?page_size=").json()["results"]) == 3
    assert len(buyer.client.get("/api/v1/webhook-endpoints?page_size=200").json()["results"]) == 3
    for query in ("limit=1&offset=0", "limit=200", "offset=10", "offset=" + "9" * 40, "limit=&offset="):
        response = buyer.client.get(f"/api/v1/usage/summary?{query}")
        assert response.status_code == 200, (query, response.content)
        assert response.json()["results"] == [] and response.json()["next"] is None


def test_openapi_states_the_bounds_of_every_page_parameter(anonymous) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    expected = {
        "page_size": {"type": "integer", "minimum": 1, "maximum": 200},
        "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
        "offset": {"type": "integer", "minimum": 0, "default": 0},
    }
    seen = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in expected:
                    seen.add(parameter["name"])
                    stated = parameter["schema"]
                    assert expected[parameter["name"]].items() <= stated.items(), (method, path, parameter)
                    assert "400" in operation["responses"], (method, path)
    assert seen == set(expected)
    search = schema["paths"]["/api/v1/datasets"]["get"]["parameters"]
    assert next(p for p in search if p["name"] == "page_size")["schema"]["default"] == 20


# --- rules the server enforces, stated in the OpenAPI document ---------------------------------------------------


def test_openapi_states_the_payment_method_pattern_the_server_enforces(buyer, anonymous) -> None:
    import re

    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    field = schema["components"]["schemas"]["PaymentMethodCreateRequest"]["properties"]["payment_method"]
    pattern = re.compile(field["pattern"])
    for n, token in enumerate(
        [
            "pm_card_visa",
            "pm_1NxAbC",
            "pm_ab",
            "pm_card visa",
            "card_visa",
            "pm_カード",
            "pm_" + "x" * 250,
            "pm_" + "x" * 251,
        ]
    ):
        documented = bool(pattern.search(token)) and len(token) <= field["maxLength"]
        response = buyer.client.post(
            "/api/v1/payment-methods", {"payment_method": token}, format="json", HTTP_IDEMPOTENCY_KEY=f"pm-{n}"
        )
        assert response.status_code == (201 if documented else 400), (token, response.content)
        if not documented:
            assert list(response.json()["errors"]) == ["payment_method"], response.json()


def test_openapi_states_that_a_webhook_subscription_names_at_least_one_event(anonymous) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    request = schema["components"]["schemas"]["WebhookEndpointCreateRequest"]
    assert "events" in request["required"] and request["properties"]["events"]["minItems"] == 1


def test_openapi_states_what_the_stripe_webhook_needs_and_answers(anonymous) -> None:
    schema = yaml.safe_load(anonymous.get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/stripe/webhook"]["post"]
    [signature] = [p for p in operation["parameters"] if p["name"] == "Stripe-Signature"]
    assert signature["in"] == "header" and signature["required"] is True
    assert operation.get("security", []) == []
    errors = {code: response for code, response in operation["responses"].items() if code[0] in "45"}
    assert set(errors) == {"400", "413", "500"}  # what the view answers besides 200 (405 aside)
    for response in errors.values():
        assert list(response["content"]) == ["application/problem+json"], response
