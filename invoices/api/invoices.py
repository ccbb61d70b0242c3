"""Invoice endpoints (docs/api.md#invoices): a party reads the invoices of its settlements, as JSON or PDF."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.pagination import query_choice, query_uuid
from config.api.principal import Principal, principal_of
from invoices import selectors
from invoices.document import LANGUAGES
from invoices.models import Invoice
from invoices.pdf import invoice_pdf


class InvoiceSerializer(serializers.ModelSerializer):
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=True)
    original: serializers.PrimaryKeyRelatedField[Invoice] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="A return invoice's original invoice."
    )
    snapshot = serializers.JSONField(
        help_text=(
            "Everything the invoice prints, as issued: issuer and recipient (name, registration_number), the "
            "intermediary that issued it on the seller's behalf, issue_date, description, rates (amount_excl_tax "
            "and tax_amount per rate), totals, tax_treatment and no_tax_reason. Never changes."
        )
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "qualified",
            "settlement",
            "original",
            "issuer",
            "recipient",
            "currency",
            "tax_treatment",
            "amount_excl_tax",
            "tax_rate",
            "tax_amount",
            "amount_incl_tax",
            "issued_at",
            "snapshot",
        ]


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # IsMember, the default permission
    return principal


class InvoiceList(GenericAPIView):
    queryset = Invoice.objects.none()  # for the schema only; reads go through the selectors
    serializer_class = InvoiceSerializer

    @extend_schema(
        operation_id="invoices_list",
        parameters=[
            OpenApiParameter("settlement", OpenApiTypes.UUID, description="Only the invoices of this settlement."),
            OpenApiParameter("kind", str, enum=list(Invoice.Kind.values)),
        ],
        responses=InvoiceSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        invoices = selectors.invoices_for(organization_id=_principal(request).organization_id)
        settlement = query_uuid(request, "settlement")
        if settlement is not None:
            invoices = invoices.filter(settlement_id=settlement)
        kind = query_choice(request, "kind", Invoice.Kind.values)
        if kind:
            invoices = invoices.filter(kind=kind)
        page = self.paginate_queryset(invoices)
        return self.get_paginated_response(InvoiceSerializer(page, many=True).data)


class InvoiceDetail(GenericAPIView):
    queryset = Invoice.objects.none()
    serializer_class = InvoiceSerializer

    @extend_schema(operation_id="invoices_retrieve", responses=InvoiceSerializer)
    def get(self, request: Request, invoice_id: str) -> Response:
        invoice = selectors.invoice_get(invoice_id=invoice_id, organization_id=_principal(request).organization_id)
        return Response(InvoiceSerializer(invoice).data)


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class InvoicePdf(GenericAPIView):
    queryset = Invoice.objects.none()
    serializer_class = InvoiceSerializer
    renderer_classes = [PdfRenderer]

    @extend_schema(
        operation_id="invoices_pdf",
        parameters=[
            OpenApiParameter(
                "lang", str, enum=list(LANGUAGES), description="ja (default: the governing language) or en."
            )
        ],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The invoice as PDF.")},
    )
    def get(self, request: Request, invoice_id: str) -> Any:
        invoice = selectors.invoice_get(invoice_id=invoice_id, organization_id=_principal(request).organization_id)
        lang = request.query_params.get("lang") or "ja"
        if lang not in LANGUAGES:
            raise ValidationError({"lang": [f"One of {', '.join(LANGUAGES)}."]})
        response = HttpResponse(invoice_pdf(invoice, lang=lang), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{invoice.number}-{lang}.pdf"'
        return response
