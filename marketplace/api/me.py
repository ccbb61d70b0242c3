"""The calling organisation (``/me``, docs/api.md#authentication): who an API key or a session acts for, and the
one field of its profile its members keep through the API, its invoice registration number."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import scope
from config.api.principal import MANAGE, SCOPES, Principal, principal_of
from config.api.serializers import StrictSerializer
from config.text import displayable_line
from marketplace.models import Organization
from marketplace.services.participants import organization_invoice_number_set


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="organization_id")
    name = serializers.CharField(source="organization_name")
    roles = serializers.SerializerMethodField()
    country = serializers.CharField()
    verified = serializers.BooleanField()
    authenticated_by = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField(
        help_text="What this caller may do: the API key's scopes, or those of a signed-in member's role."
    )
    invoice_registration_number = serializers.SerializerMethodField(
        help_text=(
            "The organisation's qualified invoice issuer registration number (適格請求書発行事業者登録番号): "
            '"T" + 13 digits; empty when it is not a registered issuer.'
        )
    )

    def get_roles(self, principal: Principal) -> list[str]:
        return sorted(principal.roles)

    def get_authenticated_by(self, principal: Principal) -> str:
        return "api_key" if principal.api_key_id else "session"

    def get_scopes(self, principal: Principal) -> list[str]:
        return [name for name in SCOPES if principal.has_scope(name)]

    def get_invoice_registration_number(self, principal: Principal) -> str:
        number: str = self.context["invoice_registration_number"]
        return number


class MeUpdateSerializer(StrictSerializer):
    invoice_registration_number = serializers.CharField(
        max_length=64,
        allow_blank=True,
        trim_whitespace=True,
        validators=[displayable_line],
        help_text=(
            '"T" + the 13-digit corporate number (full-width digits and hyphens are accepted and normalised); '
            '"" clears it. A wrong check digit is refused.'
        ),
    )


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _render(principal: Principal) -> Response:
    number = (
        Organization.objects.filter(pk=principal.organization_id)
        .values_list("invoice_registration_number", flat=True)
        .get()
    )
    return Response(MeSerializer(principal, context={"invoice_registration_number": number}).data)


class MeView(GenericAPIView):
    """The calling organisation."""

    serializer_class = MeSerializer

    @extend_schema(operation_id="me", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return _render(_principal(request))

    @extend_schema(operation_id="me_update", request=MeUpdateSerializer, responses=MeSerializer)
    @scope(MANAGE)
    def patch(self, request: Request) -> Response:
        """Set (or clear) the organisation's invoice registration number: invoices issued from then on carry it."""
        principal = _principal(request)
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization_invoice_number_set(
            organization_id=principal.organization_id,
            number=serializer.validated_data["invoice_registration_number"],
            actor=request.user if principal.user_id else None,
        )
        return _render(principal)
