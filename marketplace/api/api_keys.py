"""The organisation's API keys, managed by their owner (docs/api.md#api-keys-and-scopes): list, create, read, revoke,
rotate. Every call needs the ``manage`` scope (an admin signed in, or a key with it); a key never makes a key with a
scope it lacks. The secret is in the answer to the create or rotate only, and never in a replay of it.

Another organisation's key is 404, never 403 (nothing leaks).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.permissions import scope
from config.api.principal import MANAGE, SCOPES, Principal, principal_of
from config.api.serializers import Serializer, StrictSerializer
from config.text import displayable_line
from marketplace import selectors
from marketplace.models import ApiKey
from marketplace.services.participants import (
    API_KEY_NAME_MAX,
    ROTATION_GRACE,
    ROTATION_GRACE_MAX,
    IssuedApiKey,
    api_key_issue,
    api_key_revoke_own,
    api_key_rotate,
)


class ApiKeySerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text="The secret's first characters, to recognise it.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES), read_only=True)
    status = serializers.ChoiceField(
        choices=ApiKey.Status.choices,
        read_only=True,
        help_text="active; expired (its expires_at, or a rotation's grace, has passed); revoked.",
    )
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="null: never.")
    last_used_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Recorded at most once a minute."
    )
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    replaced_by = serializers.UUIDField(
        source="replaced_by_id", read_only=True, allow_null=True, help_text="The key a rotation made to replace it."
    )


class ApiKeyWithSecretSerializer(ApiKeySerializer):
    secret = serializers.CharField(
        required=False,  # a replay of the creating request leaves it out (header Idempotent-Omitted: secret)
        read_only=True,
        help_text=(
            "The key (ichiba_...). Shown only in this response: Ichiba keeps its SHA-256. A replay of the request "
            "under the same Idempotency-Key leaves it out and says so in the header Idempotent-Omitted: secret."
        ),
    )


class ApiKeyCreateSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=API_KEY_NAME_MAX, validators=[displayable_line], help_text="What the key is for, to recognise it."
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES),
        allow_empty=False,
        min_length=1,  # what allow_empty enforces, in the form the OpenAPI document states (minItems)
        max_length=len(SCOPES),
        help_text="A non-empty subset of read, trade, sell, manage; each one a scope you hold yourself.",
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="In the future, with its offset; absent or null: never."
    )


class ApiKeyRotateSerializer(StrictSerializer):
    grace_seconds = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=int(ROTATION_GRACE_MAX.total_seconds()),
        default=int(ROTATION_GRACE.total_seconds()),
        help_text="How long the old key keeps working: 0 to 604800 (7 days); 86400 (24 hours) by default.",
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The new key's expiry, in the future; absent or null: never."
    )


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _with_secret(issued: IssuedApiKey) -> dict[str, Any]:
    return {**ApiKeySerializer(issued.api_key).data, "secret": issued.secret}


class ApiKeyListCreate(GenericAPIView):
    serializer_class = ApiKeySerializer

    @extend_schema(operation_id="api_keys_list", responses=ApiKeySerializer(many=True))
    @scope(MANAGE)
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.api_keys_of(organization_id=_principal(request).organization_id))
        return self.get_paginated_response(ApiKeySerializer(page, many=True).data)

    @extend_schema(
        operation_id="api_keys_create",
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyWithSecretSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent(secret_fields=("secret",))  # a replay never shows the secret again
    @scope(MANAGE)
    def post(self, request: Request) -> Response:
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        issued = api_key_issue(
            principal=_principal(request),
            name=data["name"],
            scopes=data["scopes"],
            expires_at=data.get("expires_at"),
        )
        return Response(_with_secret(issued), status=status.HTTP_201_CREATED)


class ApiKeyDetail(GenericAPIView):
    serializer_class = ApiKeySerializer

    @extend_schema(operation_id="api_keys_retrieve", responses=ApiKeySerializer)
    @scope(MANAGE)
    def get(self, request: Request, api_key_id: str) -> Response:
        found = selectors.api_key_get(organization_id=_principal(request).organization_id, api_key_id=api_key_id)
        return Response(ApiKeySerializer(found).data)


class ApiKeyRevoke(GenericAPIView):
    """Refused from its next request on, in every process; revoking a revoked key answers it as it is."""

    serializer_class = ApiKeySerializer

    @extend_schema(
        operation_id="api_keys_revoke", request=None, responses=ApiKeySerializer, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    @scope(MANAGE)
    def post(self, request: Request, api_key_id: str) -> Response:
        revoked = api_key_revoke_own(principal=_principal(request), api_key_id=api_key_id)
        return Response(ApiKeySerializer(revoked).data)


class ApiKeyRotate(GenericAPIView):
    """A successor with the same name and scopes (201, its secret shown once); the old key keeps working for
    ``grace_seconds``, so the partner's old and new deployments both work meanwhile."""

    serializer_class = ApiKeyWithSecretSerializer

    @extend_schema(
        operation_id="api_keys_rotate",
        request=ApiKeyRotateSerializer,
        responses={201: ApiKeyWithSecretSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent(secret_fields=("secret",))
    @scope(MANAGE)
    def post(self, request: Request, api_key_id: str) -> Response:
        serializer = ApiKeyRotateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        issued = api_key_rotate(
            principal=_principal(request),
            api_key_id=api_key_id,
            grace=timedelta(seconds=data["grace_seconds"]),
            expires_at=data.get("expires_at"),
        )
        return Response(_with_secret(issued), status=status.HTTP_201_CREATED)
