"""What the partner API's DSP endpoints share (docs/api.md#dataspace-protocol-processes): the caller, the filters'
parsing, and the parts of a negotiation and a transfer process that look alike (their events, the messages sent to
the consumer's connector), each shown to the seller without the consumer's side of the wire."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.principal import Principal, principal_of
from config.api.serializers import Serializer
from dataspace import selectors_dsp
from dataspace.models import Callback, Negotiation, Party, Transfer

# The side of a process a party is on (``selectors_dsp.viewer_side``).
SIDES = [selectors_dsp.CONSUMER, selectors_dsp.PROVIDER]


def principal(request: Request) -> Principal:
    found = principal_of(request)
    assert found is not None  # IsMember, the default permission
    return found


def consumer_only(serializer: serializers.Serializer, process: Negotiation | Transfer, value: Any) -> Any:
    """``value`` for the consumer's members, None for the seller's."""
    organization_id = serializer.context["organization_id"]
    return value if selectors_dsp.viewer_side(process, organization_id) == selectors_dsp.CONSUMER else None


class DspProcessEventSerializer(Serializer):
    """One change of a process's state (or a message that changed none), oldest first."""

    from_state = serializers.CharField(read_only=True, help_text="Empty for the process's first event.")
    to_state = serializers.CharField(read_only=True)
    by = serializers.ChoiceField(
        choices=Party.choices,
        read_only=True,
        help_text="consumer (a message its connector sent), provider (Ichiba, for the seller or by a market rule) or "
        "system (a message that could not be delivered).",
    )
    message_type = serializers.CharField(read_only=True, help_text="The DSP message that caused it, if one did.")
    reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class DspCallbackSerializer(Serializer):
    """A message Ichiba sent (or is sending) to the consumer's connector, and how its delivery went; never its
    body."""

    message_type = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=Callback.Status.choices,
        read_only=True,
        help_text="pending (retried with backoff), delivered, or failed (given up: the process is terminated).",
    )
    attempts = serializers.IntegerField(read_only=True)
    last_status_code = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The HTTP status of the latest attempt, if one was answered."
    )
    url = serializers.SerializerMethodField(help_text="Where it is posted (below the callback address); consumer only.")
    last_error = serializers.SerializerMethodField(
        help_text="Why the latest attempt failed (it may quote the consumer's server); consumer only, null to the "
        "seller."
    )
    created_at = serializers.DateTimeField(read_only=True)
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def _process(self, callback: Callback) -> Negotiation | Transfer:
        process = self.context["process"]
        assert isinstance(process, Negotiation | Transfer)
        return process

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, callback: Callback) -> str | None:
        return consumer_only(self, self._process(callback), callback.url)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_last_error(self, callback: Callback) -> str | None:
        return consumer_only(self, self._process(callback), callback.last_error)


class PartyView(GenericAPIView):
    """A view of processes for one of their parties: rendered with the viewer's organisation, from which the
    serializers know the side it is on (what the seller does not see). ``serializer_class`` renders."""

    def organization_id(self, request: Request) -> uuid.UUID:
        return principal(request).organization_id

    def page(self, request: Request, queryset: Any) -> Response:
        """A page of ``queryset`` in the list envelope."""
        context = {"organization_id": self.organization_id(request)}
        rows = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer_class()(rows, many=True, context=context).data)

    def one(self, request: Request, process: Negotiation | Transfer) -> Response:
        context = {"organization_id": self.organization_id(request)}
        return Response(self.get_serializer_class()(process, context=context).data)
