"""DSP transfer processes as their parties read them (docs/api.md#dataspace-protocol-processes): the consumer
organisation whose connector pulls the data, and the seller of the negotiation's offering. Anyone else gets 404.
Never the download token."""

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
from dataspace.dsp.transfers import agreement_id
from dataspace.models import Transfer


class DspTransferSummarySerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    provider_pid = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Transfer.State.choices, read_only=True)


class DspTransferSerializer(Serializer):
    """A transfer process (docs/dataspace.md). Never its download token: the consumer's connector received that in
    the TransferStartMessage, and it is the credential to the data."""

    id = serializers.UUIDField(read_only=True)
    provider_pid = serializers.CharField(read_only=True, help_text="urn:uuid:<id>, Ichiba's process id.")
    consumer_pid = serializers.CharField(read_only=True, help_text="The consumer connector's process id.")
    side = serializers.SerializerMethodField(help_text="Your side of the process: consumer or provider (the seller).")
    state = serializers.ChoiceField(choices=Transfer.State.choices, read_only=True)
    format = serializers.CharField(read_only=True, help_text="HttpData-PULL.")
    negotiation = serializers.UUIDField(source="negotiation_id", read_only=True)
    agreement_id = serializers.SerializerMethodField(
        help_text="The agreement's @id, urn:ichiba:contract:<uuid>: the agreementId a TransferRequestMessage names."
    )
    contract = serializers.UUIDField(source="negotiation.contract_id", read_only=True, allow_null=True)
    entitlement = serializers.SerializerMethodField(help_text="The buyer's access it draws on; consumer only.")
    callback_address = serializers.SerializerMethodField(help_text="The consumer connector's; consumer only.")
    termination_code = serializers.CharField(read_only=True)
    termination_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=SIDES))
    def get_side(self, transfer: Transfer) -> str:
        return selectors_dsp.viewer_side(transfer, self.context["organization_id"])

    def get_agreement_id(self, transfer: Transfer) -> str:
        # The contract's IRI, as the agreement's @id and a TransferRequestMessage's agreementId (dataspace.dsp).
        contract_id = transfer.negotiation.contract_id
        return agreement_id(contract_id) if contract_id is not None else ""

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_entitlement(self, transfer: Transfer) -> str | None:
        return consumer_only(self, transfer, str(transfer.entitlement_id))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_callback_address(self, transfer: Transfer) -> str | None:
        return consumer_only(self, transfer, transfer.callback_address)


class DspTransferDetailSerializer(DspTransferSerializer):
    events = DspProcessEventSerializer(many=True, read_only=True, source="events.all")
    callbacks = serializers.SerializerMethodField(help_text="The messages sent to the connector, oldest first.")

    @extend_schema_field(DspCallbackSerializer(many=True))
    def get_callbacks(self, transfer: Transfer) -> Any:
        return DspCallbackSerializer(
            transfer.callbacks.all(), many=True, context={**self.context, "process": transfer}
        ).data


class TransferList(PartyView):
    """The DSP transfer processes your organisation is a party to, as consumer and as seller, newest first."""

    serializer_class = DspTransferSerializer

    @extend_schema(
        operation_id="dsp_transfers_list",
        parameters=[
            OpenApiParameter("state", str, enum=list(Transfer.State.values)),
            OpenApiParameter("contract", str, description="A contract's id: the transfers under its agreement."),
            OpenApiParameter("negotiation", str, description="A negotiation's id or providerPid."),
        ],
        responses=DspTransferSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = selectors_dsp.transfers_for(
            organization_id=self.organization_id(request),
            state=query_choice(request, "state", list(Transfer.State.values)),
            contract_id=query_uuid(request, "contract"),
            negotiation_id=query_uuid(request, "negotiation"),
        )
        return self.page(request, queryset)


class TransferDetail(PartyView):
    serializer_class = DspTransferDetailSerializer

    @extend_schema(
        operation_id="dsp_transfers_retrieve",
        parameters=[OpenApiParameter("transfer_id", str, OpenApiParameter.PATH, description="id or providerPid.")],
        responses=DspTransferDetailSerializer,
    )
    def get(self, request: Request, transfer_id: str) -> Response:
        organization_id = self.organization_id(request)
        return self.one(request, selectors_dsp.transfer_get(transfer_id=transfer_id, organization_id=organization_id))
