"""``POST /api/v1/stripe/webhook``: Stripe's events, signature-verified, stored once per event id, then handled.

The signature is the authentication (no API key, no session, so no CSRF and no throttling). Bad input of any
kind (no or forged signature, a body that is not an event) is a 400 problem and stores nothing. A replayed
event answers 200 and changes nothing; so does an event that does not match its settlement (kept as
``flagged`` for the operator). If handling fails, the event is kept as ``failed`` and the answer is a 500
problem, so Stripe redelivers it and the redelivery handles it again.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.problems import problem, problem_response
from settlement.models import ProviderEvent
from settlement.services.provider_events import DONE, provider_event_handle, provider_event_record

logger = logging.getLogger(__name__)


def _bad_request(detail: str, code: str = "invalid") -> Response:
    return problem_response(problem(400, code, detail))


class StripeWebhook(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    # No parser: the signature covers the exact bytes of the body, which is read raw.
    parser_classes: list[Any] = []

    @extend_schema(
        operation_id="stripe_webhook",
        summary="Stripe events (called by Stripe, not by partners)",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Stripe-Signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Stripe's `t=<unix time>,v1=<HMAC-SHA256>` signature of the exact body; without it, 400.",
            ),
        ],
        # The errors are problem details (application/problem+json): config.api.openapi.problem_responses gives
        # every documented error that body, so none is declared here.
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Stored (or already stored) and handled"),
            400: OpenApiResponse(description="Missing or invalid signature, or not an event; nothing is stored"),
            413: OpenApiResponse(description="The body is far larger than any Stripe event"),
            500: OpenApiResponse(description="Stored but not handled yet: Stripe sends it again"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        try:
            body: bytes = request.body
        except RequestDataTooBig:
            return problem_response(problem(413, "payload-too-large", "A Stripe event is far smaller than this."))
        header = request.headers.get("Stripe-Signature", "")
        if not header:
            return _bad_request("The Stripe-Signature header is missing.")
        secret = settings.STRIPE["WEBHOOK_SECRET"]
        if not secret:
            # An empty secret would let anyone sign: refuse everything until STRIPE_WEBHOOK_SECRET is set.
            logger.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set; event refused")
            return _bad_request("The signature cannot be verified.")
        try:
            payload = body.decode("utf-8")
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
        except (UnicodeDecodeError, stripe.SignatureVerificationError):
            return _bad_request("The Stripe-Signature does not match the body (or is too old).")
        try:
            event = json.loads(payload)
        except ValueError:
            return _bad_request("The body is not JSON.", code="malformed")
        problem_detail = _event_problem(event)
        if problem_detail:
            return _bad_request(problem_detail)

        stored, created = provider_event_record(event_id=event["id"], event_type=event["type"], payload=event)
        if stored.status not in DONE:
            # New, or stored earlier but not handled to the end (failed, or its handler was killed).
            stored = provider_event_handle(provider_event_id=stored.pk)
        if stored.status == ProviderEvent.Status.FAILED:
            return problem_response(
                problem(500, "server-error", "The event is stored but could not be handled yet; send it again.")
            )
        return Response({"id": stored.event_id, "status": stored.status, "duplicate": not created})


def _event_problem(event: Any) -> str:
    """Why this JSON is not a Stripe event we can store, or ""."""
    if not isinstance(event, dict):
        return "The body is not a Stripe event object."
    event_id, event_type = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255:
        return "The event has no valid id."
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        return "The event has no valid type."
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "The event has no data.object."
    return ""
