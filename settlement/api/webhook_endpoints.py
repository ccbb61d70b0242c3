"""Partner webhook endpoints (docs/webhooks.md): register, list, delete, rotate, and the delivery log.

An organisation sees only its own endpoints; another's is 404, never 403 (nothing leaks).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import query_choice
from config.api.permissions import scope
from config.api.principal import MANAGE, Principal, principal_of
from config.api.serializers import StrictSerializer
from config.text import displayable_line
from settlement.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from settlement.services.webhooks import (
    EVENT_TYPES,
    webhook_delivery_list,
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_get,
    webhook_endpoint_list,
    webhook_endpoint_rotate_secret,
)


class WebhookEndpointCreateSerializer(StrictSerializer):
    url = serializers.URLField(
        max_length=500, help_text="Public http(s) URL that receives the events.", validators=[displayable_line]
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        allow_empty=False,
        min_length=1,  # what allow_empty enforces, in the form the OpenAPI document states (minItems)
        max_length=len(EVENT_TYPES) * 2,
        help_text=f"Event types to receive: {', '.join(EVENT_TYPES)}.",
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "created_at"]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        required=False,  # a replay of the creating request leaves it out (header Idempotent-Omitted: secret)
        help_text=(
            "Signing secret (whsec_...). Shown only in this response; a replay of the creating request under the "
            "same Idempotency-Key leaves it out and says so in the header Idempotent-Omitted: secret."
        ),
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "error", "duration_ms", "attempted_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    next_attempt_at = serializers.SerializerMethodField(help_text="When the next try is due; null once final.")
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.JSONField(help_text="The exact envelope that is posted (id, type, created, data).")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
            "attempt_log",
        ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_attempt_at(self, delivery: WebhookDelivery) -> Any:
        if delivery.status != WebhookDelivery.Status.PENDING:
            return None
        return serializers.DateTimeField().to_representation(delivery.next_attempt_at)


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> dict[str, Any]:
    endpoint.secret = secret
    return dict(WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookEndpointListCreate(GenericAPIView):
    queryset = WebhookEndpoint.objects.none()  # for the schema only; reads go through the services
    serializer_class = WebhookEndpointSerializer

    @extend_schema(operation_id="webhook_endpoints_list", responses=WebhookEndpointSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(webhook_endpoint_list(principal=_principal(request)))
        return self.get_paginated_response(WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhook_endpoints_create",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent(secret_fields=("secret",))  # a replay never shows the secret again (nor a rotated-away one)
    @scope(MANAGE)
    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(
            principal=_principal(request),
            url=serializer.validated_data["url"],
            events=serializer.validated_data["events"],
        )
        return Response(_with_secret(endpoint, secret), status=status.HTTP_201_CREATED)


class WebhookEndpointDetail(GenericAPIView):
    queryset = WebhookEndpoint.objects.none()  # for the schema only; reads go through the services
    serializer_class = WebhookEndpointSerializer

    @extend_schema(operation_id="webhook_endpoints_retrieve", responses=WebhookEndpointSerializer)
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = webhook_endpoint_get(principal=_principal(request), endpoint_id=endpoint_id)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(operation_id="webhook_endpoints_destroy", responses={204: OpenApiResponse(description="Deleted")})
    @scope(MANAGE)
    def delete(self, request: Request, endpoint_id: str) -> Response:
        webhook_endpoint_delete(principal=_principal(request), endpoint_id=endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecret(GenericAPIView):
    queryset = WebhookEndpoint.objects.none()  # for the schema only; reads go through the services
    serializer_class = WebhookEndpointWithSecretSerializer

    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret", request=None, responses=WebhookEndpointWithSecretSerializer
    )
    @scope(MANAGE)
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint, secret = webhook_endpoint_rotate_secret(principal=_principal(request), endpoint_id=endpoint_id)
        return Response(_with_secret(endpoint, secret))


class WebhookDeliveryList(GenericAPIView):
    queryset = WebhookDelivery.objects.none()  # for the schema only; reads go through the services
    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=[OpenApiParameter("status", str, enum=list(WebhookDelivery.Status.values))],
        responses=WebhookDeliverySerializer(many=True),
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        wanted = query_choice(request, "status", WebhookDelivery.Status.values)
        deliveries = webhook_delivery_list(principal=_principal(request), endpoint_id=endpoint_id, status=wanted)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class WebhookDeliveryRetry(GenericAPIView):
    queryset = WebhookDelivery.objects.none()  # for the schema only; reads go through the services
    serializer_class = WebhookDeliverySerializer

    @extend_schema(operation_id="webhook_deliveries_retry", request=None, responses={202: WebhookDeliverySerializer})
    @scope(MANAGE)
    def post(self, request: Request, endpoint_id: str, delivery_id: str) -> Response:
        delivery = webhook_delivery_retry(
            principal=_principal(request), endpoint_id=endpoint_id, delivery_id=delivery_id
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
