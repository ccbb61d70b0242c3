"""The market's own rules (docs/api.md#the-life-of-a-contract), published for every participant."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import Public
from config.market import market_settings
from contracts.meti.platform_rules import PLATFORM_RULES, PLATFORM_RULES_VERSION


class PlatformRules(GenericAPIView):
    """The market's own rules (the data-sharing / platform layer), published for every participant."""

    permission_classes = [Public]

    @extend_schema(operation_id="platform_rules", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": PLATFORM_RULES_VERSION,
                "platform_fee_rate": str(market_settings().platform_fee_rate),
                "sections": [{"code": s.code, "title": dict(s.title), "text": dict(s.text)} for s in PLATFORM_RULES],
            }
        )
