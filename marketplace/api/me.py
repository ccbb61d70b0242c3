"""The calling organisation (``/me``, docs/api.md#authentication): who an API key or a session acts for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.principal import Principal, principal_of


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="organization_id")
    name = serializers.CharField(source="organization_name")
    roles = serializers.SerializerMethodField()
    country = serializers.CharField()
    verified = serializers.BooleanField()
    authenticated_by = serializers.SerializerMethodField()

    def get_roles(self, principal: Principal) -> list[str]:
        return sorted(principal.roles)

    def get_authenticated_by(self, principal: Principal) -> str:
        return "api_key" if principal.api_key_id else "session"


class MeView(GenericAPIView):
    """The calling organisation."""

    serializer_class = MeSerializer

    @extend_schema(operation_id="me", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(principal_of(request)).data)
