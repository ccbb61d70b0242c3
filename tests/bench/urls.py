"""The product's URLs and ``GET /api/v1/bench/noop``: authenticated, throttled and rendered as every API view is
(the project's DRF defaults), and does nothing else. Its saturation rate is the web tier's ceiling in
``python -m tests.bench http``; mounted only by ``tests.bench.settings``, never by the product."""

from typing import Any

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as product


class Noop(APIView):
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"ok": True})


urlpatterns = [path("api/v1/bench/noop", Noop.as_view()), *product]
