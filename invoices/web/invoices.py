"""The invoices pages (docs/domain.md#invoices): the organisation's invoices and its registration number, and each
invoice as a printable page (Japanese, the governing language, or English) and as PDF."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.principal import MANAGE, Principal
from config.errors import InvalidInput, NotFound
from config.web import principal_required
from invoices import selectors
from invoices.document import KIND_LABELS, LANGUAGES, document
from invoices.models import Invoice
from invoices.pdf import invoice_pdf
from marketplace.models import Organization
from marketplace.services.participants import organization_invoice_number_set
from settlement import hooks as settlement_hooks

INVOICES_PAGE_SIZE = 25

member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market have invoices.")
)
# Every member reads the invoices and the registration number; only the admins change the number (scope manage).
number_keeper_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market have invoices."),
    change_scope=MANAGE,
)


def _invoice(principal: Principal, invoice_id: uuid.UUID) -> Invoice:
    try:
        return selectors.invoice_get(invoice_id=invoice_id, organization_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _lang(request: HttpRequest) -> str:
    """?lang=ja or ?lang=en, else the reader's language (Japanese, the governing one, when it is neither)."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    reader = translation.get_language() or "ja"
    return reader if reader in LANGUAGES else "ja"


@number_keeper_required
def invoice_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    """GET: the organisation's invoices, newest first, and its registration number. POST: set or clear the
    number (the same service as ``PATCH /api/v1/me``)."""
    error = ""
    typed = None
    if request.method == "POST":
        typed = request.POST.get("invoice_registration_number", "")
        try:
            organization_invoice_number_set(organization_id=principal.organization_id, number=typed, actor=request.user)
        except InvalidInput as exc:
            error = " ".join(exc.errors.get("invoice_registration_number", [exc.detail]))
        else:
            messages.success(
                request, _("The invoice registration number is saved. Invoices issued from now on carry it.")
            )
            return redirect("invoices:list")
    invoices = selectors.invoices_for(organization_id=principal.organization_id).select_related("recipient", "issuer")
    page = Paginator(invoices, INVOICES_PAGE_SIZE).get_page(request.GET.get("page"))
    number = (
        Organization.objects.filter(pk=principal.organization_id)
        .values_list("invoice_registration_number", flat=True)
        .get()
    )
    return render(
        request,
        "invoices/invoices.html",
        {
            "page": page,
            "invoices": [(invoice, KIND_LABELS.get(invoice.kind, invoice.kind)) for invoice in page.object_list],
            "registration_number": number,
            "typed": number if typed is None else typed,
            "error": error,
            "organization_id": principal.organization_id,
            "can_manage": principal.has_scope(MANAGE),
        },
        status=400 if error else 200,
    )


@member_required
def invoice_detail(request: HttpRequest, principal: Principal, invoice_id: uuid.UUID) -> HttpResponse:
    invoice = _invoice(principal, invoice_id)
    lang = _lang(request)
    # The document in its own language, whatever the page around it is in (the reader's).
    with translation.override(lang):
        doc = document(invoice, lang=lang)
        printed = render_to_string("invoices/_document.html", {"doc": doc})
    return render(
        request,
        "invoices/invoice.html",
        {
            "doc": doc,
            "document_html": mark_safe(printed),  # noqa: S308 - rendered (and escaped) by our template just above
            "invoice": invoice,
            "lang": lang,
            "other_lang": "en" if lang == "ja" else "ja",
        },
    )


@member_required
def invoice_pdf_view(request: HttpRequest, principal: Principal, invoice_id: uuid.UUID) -> HttpResponse:
    invoice = _invoice(principal, invoice_id)
    lang = _lang(request)
    response = HttpResponse(invoice_pdf(invoice, lang=lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.number}-{lang}.pdf"'
    return response


def settlement_documents(
    organization_id: uuid.UUID, settlement_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[settlement_hooks.SettlementDocument]]:
    """The links the purchases and sales pages show (settlement.hooks.settlement_documents): one query."""
    found = selectors.invoices_of_settlements(settlement_ids=settlement_ids, organization_id=organization_id)
    return {
        settlement_id: [
            settlement_hooks.SettlementDocument(
                label=f"{KIND_LABELS.get(invoice.kind, invoice.kind)} {invoice.number}",
                url=reverse("invoices:invoice", kwargs={"invoice_id": invoice.id}),
                kind=invoice.kind,
            )
            for invoice in sorted(invoices, key=lambda invoice: invoice.sequence)
        ]
        for settlement_id, invoices in found.items()
    }
