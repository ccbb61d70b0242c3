"""Stream credentials (docs/streams.md): a dataset's seller gets its publishing client, a subscriber its reading one.

Each POST issues a new password (rotating the last: a client still connected with it is disconnected) and shows it
this once; it is stored nowhere but as the broker's hash. Deliberately not keyed by ``Idempotency-Key``: a replay
would have to keep the password in the clear, and issuing twice is harmless (the second password is the one).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.permissions import scope
from config.api.principal import SELL, TRADE, Principal, principal_of
from streams.services.clients import (
    IssuedCredentials,
    stream_credentials_issue_publisher,
    stream_credentials_issue_subscriber,
)


class StreamCredentialsSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The broker, without credentials: `mqtts://host:8883` (TLS) or `mqtt://`.")
    host = serializers.CharField()
    port = serializers.IntegerField()
    tls = serializers.BooleanField(help_text="Connect with TLS (the URL's scheme is `mqtts`).")
    username = serializers.CharField(help_text="Derived from the dataset's or the subscription's id; not a secret.")
    password = serializers.CharField(help_text="Shown once; a new POST replaces it.")
    client_id = serializers.CharField(
        help_text="The MQTT client id to connect with: the broker accepts this login under no other, and keeps a "
        "persistent session (clean start off) under it."
    )
    topic = serializers.CharField(
        help_text="The feed's topic filter, `feeds/<dataset id>/#`: a publisher publishes under it, a subscriber "
        "subscribes to it (or to a narrower filter under it)."
    )


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


def _render(issued: IssuedCredentials) -> dict[str, Any]:
    return StreamCredentialsSerializer(issued).data


_CONFLICT = OpenApiResponse(
    description="Streams are not configured on this market (`streams-not-configured`), or there is no live stream "
    "here (`stream-not-offered`), or the subscription gives no access now (`conflict`)."
)


class DatasetStreamCredentials(GenericAPIView):
    """Issue or rotate the publishing credentials of your dataset's live stream (it needs an offering with
    `stream: true`). One client per dataset, whatever offerings sell the feed."""

    serializer_class = StreamCredentialsSerializer

    @extend_schema(
        operation_id="datasets_stream_credentials_issue",
        request=None,
        responses={201: StreamCredentialsSerializer, 409: _CONFLICT},
    )
    @scope(SELL)
    def post(self, request: Request, dataset_id: str) -> Response:
        issued = stream_credentials_issue_publisher(principal=_principal(request), dataset_id=dataset_id)
        return Response(_render(issued), status=status.HTTP_201_CREATED)


class SubscriptionStreamCredentials(GenericAPIView):
    """Issue or rotate the reading credentials of your subscription's live stream (its offering has `stream: true`;
    the subscription is active or cancelling). Subscribe with QoS 1 and a persistent session under `client_id`."""

    serializer_class = StreamCredentialsSerializer

    @extend_schema(
        operation_id="subscriptions_stream_credentials_issue",
        request=None,
        responses={201: StreamCredentialsSerializer, 409: _CONFLICT},
    )
    @scope(TRADE)
    def post(self, request: Request, subscription_id: str) -> Response:
        issued = stream_credentials_issue_subscriber(principal=_principal(request), subscription_id=subscription_id)
        return Response(_render(issued), status=status.HTTP_201_CREATED)
