"""DSP contract negotiations as their parties read them (docs/api.md#dataspace-protocol-processes): the consumer
organisation whose connector negotiates, and the seller of the offering. Anyone else gets 404.

The seller does not see the consumer's side of the wire: the callback address, the URLs the messages went to and
what the consumer's server answered (``last_error`` may quote it) are null for it. Nobody reads a message's body
here: the states, the events and the delivery state of each message say what happened."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.pagination import query_choice, query_uuid
from config.api.serializers import Serializer
from dataspace import selectors_dsp
from dataspace.api.partner.processes import (
    SIDES,
    DspCallbackSerializer,
    DspProcessEventSerializer,
    PartyView,
    consumer_only,
)
from dataspace.api.partner.transfers import DspTransferDetailSerializer, DspTransferSummarySerializer
from dataspace.models import Negotiation, Party


class DspConsumerSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class DspNegotiationSerializer(Serializer):
    """A contract negotiation: a request for one of the DSP catalog's offers, its states, and the contract the
    agreement is."""

    id = serializers.UUIDField(read_only=True)
    provider_pid = serializers.CharField(read_only=True, help_text="urn:uuid:<id>, Ichiba's process id.")
    consumer_pid = serializers.CharField(read_only=True, help_text="The consumer connector's process id.")
    side = serializers.SerializerMethodField(help_text="Your side of the process: consumer or provider (the seller).")
    state = serializers.ChoiceField(choices=Negotiation.State.choices, read_only=True)
    consumer = DspConsumerSerializer(read_only=True)
    seller = serializers.UUIDField(source="offering.seller_id", read_only=True)
    offering = serializers.UUIDField(source="offering_id", read_only=True)
    dataset = serializers.UUIDField(source="dataset_id", read_only=True)
    callback_address = serializers.SerializerMethodField(help_text="The consumer connector's; consumer only.")
    offer_by = serializers.ChoiceField(
        choices=Party.choices, read_only=True, help_text="Who made the latest offer: consumer or provider."
    )
    price = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The latest offer's price per seat, minor units (null: none)."
    )
    currency = serializers.CharField(read_only=True, help_text="Empty when the offer states no price.")
    private_offer = serializers.UUIDField(
        source="private_offer_id", read_only=True, allow_null=True, help_text="A counter-offer's private offer."
    )
    trade = serializers.UUIDField(source="trade_id", read_only=True, allow_null=True)
    contract = serializers.UUIDField(
        source="contract_id", read_only=True, allow_null=True, help_text="The concluded contract: the agreement."
    )
    termination_code = serializers.CharField(read_only=True)
    termination_reason = serializers.CharField(read_only=True)
    transfers = DspTransferSummarySerializer(many=True, read_only=True, source="transfers.all")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=SIDES))
    def get_side(self, negotiation: Negotiation) -> str:
        return selectors_dsp.viewer_side(negotiation, self.context["organization_id"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_callback_address(self, negotiation: Negotiation) -> str | None:
        return consumer_only(self, negotiation, negotiation.callback_address)


class DspNegotiationDetailSerializer(DspNegotiationSerializer):
    events = DspProcessEventSerializer(many=True, read_only=True, source="events.all")
    callbacks = serializers.SerializerMethodField(help_text="The messages sent to the connector, oldest first.")
    transfers = serializers.SerializerMethodField(help_text="Its transfer processes, oldest first, in full.")  # type: ignore[assignment]

    @extend_schema_field(DspCallbackSerializer(many=True))
    def get_callbacks(self, negotiation: Negotiation) -> Any:
        return DspCallbackSerializer(
            negotiation.callbacks.all(), many=True, context={**self.context, "process": negotiation}
        ).data

    @extend_schema_field(DspTransferDetailSerializer(many=True))
    def get_transfers(self, negotiation: Negotiation) -> Any:
        return DspTransferDetailSerializer(negotiation.transfers.all(), many=True, context=self.context).data


class NegotiationList(PartyView):
    """The DSP negotiations your organisation is a party to, as consumer and as seller, newest first."""

    serializer_class = DspNegotiationSerializer

    @extend_schema(
        operation_id="dsp_negotiations_list",
        parameters=[
            OpenApiParameter("state", str, enum=list(Negotiation.State.values)),
            OpenApiParameter("side", str, enum=SIDES),
            OpenApiParameter("contract", str, description="A contract's id: the negotiation that concluded it."),
            OpenApiParameter("offering", str, description="An offering's id: the negotiations of its offer."),
        ],
        responses=DspNegotiationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = selectors_dsp.negotiations_for(
            organization_id=self.organization_id(request),
            state=query_choice(request, "state", list(Negotiation.State.values)),
            side=query_choice(request, "side", SIDES),
            contract_id=query_uuid(request, "contract"),
            offering_id=query_uuid(request, "offering"),
        )
        return self.page(request, queryset)


class NegotiationDetail(PartyView):
    serializer_class = DspNegotiationDetailSerializer

    @extend_schema(
        operation_id="dsp_negotiations_retrieve",
        parameters=[OpenApiParameter("negotiation_id", str, OpenApiParameter.PATH, description="id or providerPid.")],
        responses=DspNegotiationDetailSerializer,
    )
    def get(self, request: Request, negotiation_id: str) -> Response:
        organization_id = self.organization_id(request)
        return self.one(
            request, selectors_dsp.negotiation_get(negotiation_id=negotiation_id, organization_id=organization_id)
        )
