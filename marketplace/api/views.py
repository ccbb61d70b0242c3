from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.principal import principal_of
from marketplace.api.serializers import MeSerializer


class MeView(GenericAPIView):
    """The calling organisation."""

    serializer_class = MeSerializer

    @extend_schema(operation_id="me", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(principal_of(request)).data)
