"""The OpenAPI document, where drf-spectacular cannot see what the API does: who may call an operation without
credentials, and the problem details every operation may answer with (docs/api.md#errors).

``AutoSchema`` (the schema class) also reads a permission that lets anyone read (``anonymous_read``) as
anonymous access to the safe methods; drf-spectacular recognises only DRF's own permission classes.

A request body a ``StrictSerializer`` reads refuses unknown fields: its schema says ``additionalProperties: false``.

A response has every field its serializer renders, so every field is ``required`` there (drf-spectacular leaves out
those with a default, which a typed client would then have to treat as possibly missing), except a field the
serializer declares itself with ``required=False``: that is how a serializer says it sometimes leaves one out (a
secret an idempotent replay omits, a buyer's network details shown to the buyer only).
A request field's ``default`` is documented only when the field would accept it if sent: a client that sends every
default (as the generated ones do) must not be refused for a value the field only stands for when left out (an ask's
``accepted_terms_sha256`` is "" when absent, and refused when blank).

``problem_responses`` is a postprocessing hook. What each operation may answer follows from its shape: input can be
refused (400), credentials (401), rights (403), a path naming an object (404), a write the object's state or a
market rule refuses (409, 422), a JSON body over the parser's limit (413), the organisation's throttle (429), and a
service it needs being briefly unreachable (503, docs/operations.md#when-redis-is-down).
A request body naming another object by its id (a ``format: uuid`` field, like an order's ``offering``) may name one
that does not exist or is not the caller's: a 404 too, as it would be in a path (docs/api.md#errors: "not found or
not yours"). An operation that documents one of these itself keeps its own description; whatever error it
documents, its body is problem details.

``request_component_names`` is another: a request serializer already named for a request (``QuoteRequestSerializer``)
would be ``QuoteRequestRequest`` once drf-spectacular splits request from response components; it is ``QuoteRequest``,
the name the generated clients give its class (clients/, ``make client``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField
from rest_framework.permissions import SAFE_METHODS

from config.api.permissions import ScopeRequired, declared_scopes
from config.api.principal import MANAGE, READ
from config.api.problems import PROBLEM_CONTENT_TYPE

_WRITES = frozenset({"post", "put", "patch", "delete"})
_METHODS = frozenset({"get", "head", "options", "trace", *_WRITES})

# status -> (component name, description)
_PROBLEMS: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "Malformed JSON, or invalid fields (`errors` names each with its messages)."),
    "401": (
        "Unauthenticated",
        "No credentials where they are needed, or an API key that is unknown, expired or revoked.",
    ),
    "403": (
        "Forbidden",
        "Your organisation lacks the role or state this needs, or the caller lacks the scope in `x-scopes` "
        "(`insufficient-scope`).",
    ),
    "404": (
        "NotFound",
        "No such object, or it is not visible to your organisation (named in the path, or by an id in the body).",
    ),
    "409": (
        "Conflict",
        "The object's state does not allow this, or an Idempotency-Key was reused for another request.",
    ),
    "413": ("PayloadTooLarge", "The body is larger than the endpoint takes (a JSON body: 2.5 MiB)."),
    "422": ("RuleViolation", "Well-formed, but a market rule refuses it (`detail` says which)."),
    "429": (
        "Throttled",
        "Your organisation's API budget is spent: retry after the `Retry-After` header's seconds.",
    ),
    "503": (
        "ServiceUnavailable",
        "A service the market needs is briefly unreachable; nothing was changed: retry after the `Retry-After` "
        "header's seconds.",
    ),
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "description": "`/problems/<code>`, where the code is explained for people.",
        },
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Invalid input: each field (dotted path) with its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "request_id": {
            "type": "string",
            "description": "The request's id, as in its `X-Request-Id` response header: quote it to the operator.",
        },
    },
}


def problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem_content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses = components.setdefault("responses", {})
    for name, description in _PROBLEMS.values():
        responses[name] = {"description": description, "content": problem_content}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            for status, response in operation["responses"].items():
                if status[0] in "45" and "$ref" not in response:  # an error an operation describes itself
                    response["content"] = problem_content
            for status in _possible(path, method, operation, components.get("schemas", {})):
                operation["responses"].setdefault(status, {"$ref": f"#/components/responses/{_PROBLEMS[status][0]}"})
    return result


def request_component_names(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.get("components", {}).get("schemas", {})
    renamed = {
        name: name.removesuffix("Request")
        for name in schemas
        if name.endswith("RequestRequest") and name.removesuffix("Request") not in schemas
    }
    if not renamed:
        return result
    result["components"]["schemas"] = {renamed.get(name, name): schema for name, schema in schemas.items()}
    prefix = "#/components/schemas/"
    refs = {f"{prefix}{old}": f"{prefix}{new}" for old, new in renamed.items()}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: refs.get(value, value) if key == "$ref" else rewrite(value) for key, value in node.items()}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    rewritten: dict[str, Any] = rewrite(result)
    return rewritten


def _possible(path: str, method: str, operation: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    """The problems an operation's shape allows. One that takes no credentials (called with a token in its path,
    or by Stripe) describes its own errors, beyond refused input."""
    security = operation.get("security", [])
    write = method in _WRITES
    statuses = []
    if write or any(p.get("in") == "query" for p in operation.get("parameters", [])):
        statuses.append("400")
    if security:
        statuses.append("401")
        statuses.append("403")  # the role or state it needs, or a scope a caller with credentials lacks
    if security and ("{" in path or _names_an_object(operation, schemas)):
        statuses.append("404")
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        statuses.append("413")  # config.api.parsers.JSONParser reads at most DATA_UPLOAD_MAX_MEMORY_SIZE
    if security and write:
        statuses += ["409", "422"]
    if any("ApiKey" in requirement for requirement in security):  # the organisation's throttle counts the call
        statuses.append("429")
    if security:  # any call may meet its cache or broker down (config/outage.py)
        statuses.append("503")
    return statuses


def _resolved(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    resolved: dict[str, Any] = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else schema
    return resolved


def _names_an_object(operation: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Whether the request body has a field holding another object's id (every id of the API is a UUID)."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        properties = _resolved(media.get("schema", {}), schemas).get("properties", {})
        if any(_resolved(field, schemas).get("format") == "uuid" for field in properties.values()):
            return True
    return False


def _accepts(field: Any) -> bool:
    """Whether the request field accepts its own default when it is sent."""
    try:
        field.run_validation(field.get_default())
    except (ValidationError, SkipField):
        return False
    return True


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """drf-spectacular's operation, with ``x-scopes``: the scopes one of which the caller needs
        (docs/api.md#api-keys-and-scopes), for every operation whose permissions check them."""
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is not None and any(isinstance(p, ScopeRequired) for p in self.view.get_permissions()):
            handler = getattr(self.view, self.method.lower(), None)
            operation["x-scopes"] = list(
                declared_scopes(handler) or ((READ,) if self.method in SAFE_METHODS else (MANAGE,))
            )
        return operation

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if direction == "request":
            fields = force_instance(serializer).fields
            for name, field_schema in schema.get("properties", {}).items():
                if "default" in field_schema and name in fields and not _accepts(fields[name]):
                    del field_schema["default"]
        if direction != "response" or not schema.get("properties"):
            return schema
        declared = getattr(force_instance(serializer), "_declared_fields", {})
        omitted = {name for name, field in declared.items() if field._kwargs.get("required") is False}
        schema["required"] = sorted(name for name in schema["properties"] if name not in omitted)
        return schema

    def get_auth(self) -> list[dict[str, Any]]:
        auths: list[dict[str, Any]] = super().get_auth()
        readable = any(getattr(permission, "anonymous_read", False) for permission in self.view.get_permissions())
        if readable and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


class StrictRequestSchema(OpenApiSerializerExtension):
    target_class = "config.api.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
