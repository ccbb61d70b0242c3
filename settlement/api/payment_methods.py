"""``POST /api/v1/payment-methods``: a buyer saves the payment method its trades are charged to
(docs/api.md#the-life-of-a-settlement)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from config.api.pagination import whole_list, whole_list_schema
from config.api.permissions import scope
from config.api.principal import MANAGE, Principal, principal_of
from config.api.serializers import StrictSerializer
from config.errors import Forbidden
from settlement.models import PaymentMethod
from settlement.services.payment_methods import PAYMENT_METHOD_TOKEN, payment_method_save_default


class PaymentMethodCreateSerializer(StrictSerializer):
    # The service's own rule, read here too so the OpenAPI document states it (as ``pattern``) and a bad token is
    # refused with a message before the service is called.
    payment_method = serializers.RegexField(
        regex=PAYMENT_METHOD_TOKEN,
        max_length=253,  # "pm_" and at most 250 more, as the pattern says
        error_messages={"invalid": "Must be a provider token such as pm_card_visa: pm_ then letters, digits or _."},
        help_text="A provider token such as pm_card_visa (never card numbers).",
    )


class PaymentMethodSerializer(serializers.ModelSerializer):
    payment_method = serializers.CharField(source="token")

    class Meta:
        model = PaymentMethod
        fields = ["id", "payment_method", "provider", "is_default", "created_at"]


def _buyer(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    if not principal.is_buyer:
        raise Forbidden("Only buyers save payment methods.")
    return principal


class PaymentMethodListCreate(GenericAPIView):
    serializer_class = PaymentMethodSerializer
    pagination_class = None

    @extend_schema(
        operation_id="payment_methods_list", responses=whole_list_schema(PaymentMethodSerializer, "PaymentMethodList")
    )
    def get(self, request: Request) -> Response:
        methods = PaymentMethod.objects.filter(organization_id=_buyer(request).organization_id).order_by("-created_at")
        return whole_list(PaymentMethodSerializer(methods, many=True).data)

    @extend_schema(
        operation_id="payment_methods_create",
        request=PaymentMethodCreateSerializer,
        responses={201: PaymentMethodSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    @scope(MANAGE)
    def post(self, request: Request) -> Response:
        principal = _buyer(request)
        serializer = PaymentMethodCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = payment_method_save_default(
            organization_id=principal.organization_id, token=serializer.validated_data["payment_method"]
        )
        return Response(PaymentMethodSerializer(saved).data, status=status.HTTP_201_CREATED)
