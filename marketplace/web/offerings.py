"""Pages of offerings: the seller's offer form (with a preview of the contract), an offering's public page,
and withdrawing an offering.

Thin like the API views: read through the selectors, write through ``marketplace.services.offerings``, and
show a ``DomainError`` next to the fields it names. The contract preview is rendered by contracts' own
renderer, so the seller sees the very document a buyer will get.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from catalog.models import Dataset
from catalog.web.access import seller_required
from config.api.principal import Principal, principal_of
from config.errors import DomainError, NotFound
from contracts.registry import Template, template_get, templates_current
from contracts.terms import terms_resolve
from contracts.web.display import clause_notes, current_lang, term_rows
from contracts.web.previews import clauses_preview, document_preview, preview_facts
from marketplace import selectors
from marketplace.models import Offering
from marketplace.services.offerings import offering_publish, offering_withdraw
from marketplace.web.forms import OfferingForm, OfferingWithdrawForm


def _template(request: HttpRequest) -> Template:
    """The template named by ``?template=`` (or the form), else the first current one."""
    code = request.POST.get("template") or request.GET.get("template") or templates_current()[0].code
    try:
        return template_get(code)
    except DomainError as exc:
        raise Http404(exc.detail) from exc


def _owned(dataset_id: uuid.UUID, principal: Principal) -> Dataset:
    try:
        return catalog_selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _offering(offering_id: uuid.UUID) -> Offering:
    try:
        return selectors.offering_get(offering_id=offering_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


@seller_required
def offering_create(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _owned(dataset_id, principal)
    template = _template(request)
    lang = current_lang()
    version = catalog_selectors.latest_published_version(dataset=dataset)
    form = OfferingForm(
        request.POST if request.method == "POST" else None, template=template, data_class=dataset.data_class, lang=lang
    )
    preview = ""
    if request.method == "POST" and form.is_valid():
        previewing = request.POST.get("action") == "preview"
        if previewing and version is None:
            form.add_error(None, _("The dataset has no published version yet, so there is no contract to preview."))
        elif previewing and version is not None:
            try:  # validated as publishing would, but nothing is saved
                resolved = terms_resolve(
                    template=template, terms=form.terms(), license_seats=form.seats(), data_class=dataset.data_class
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                facts = preview_facts(
                    dataset=dataset,
                    version=version,
                    seller_name=principal.organization_name,
                    terms=resolved.terms,
                    terms_sha256=resolved.sha256,
                    currency=form.cleaned_data["currency"],
                    lang=lang,
                )
                preview = document_preview(template, resolved.terms, facts, lang)
        else:
            try:
                offering = offering_publish(
                    principal=principal,
                    dataset_id=dataset.id,
                    template_code=template.code,
                    terms=form.terms(),
                    license_seats=form.seats(),
                    currency=form.cleaned_data["currency"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The offering is published. You accepted its terms as the seller."))
                return redirect("web:offering", offering_id=offering.id)
    notes = clause_notes(template, dataset.data_class, lang)
    return render(
        request,
        "marketplace/offering_form.html",
        {
            "dataset": dataset,
            "version": version,
            "template": template,
            "template_title": template.title[lang],
            "form": form,
            "preview": preview,
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "can_offer": dataset.status == Dataset.Status.PUBLISHED and version is not None,
        },
    )


def offering_detail(request: HttpRequest, offering_id: uuid.UUID) -> HttpResponse:
    offering = _offering(offering_id)
    template = template_get(offering.template_code, offering.template_version)
    lang = current_lang()
    dataset = offering.dataset
    version = catalog_selectors.latest_published_version(dataset=dataset)
    principal = principal_of(request)
    clauses: list[dict[str, Any]] = []
    if version is not None:
        facts = preview_facts(
            dataset=dataset,
            version=version,
            seller_name=offering.seller.name,
            terms=offering.terms,
            terms_sha256=offering.terms_sha256,
            currency=offering.currency,
            lang=lang,
        )
        clauses = clauses_preview(template, offering.terms, facts, lang)
    notes = clause_notes(template, dataset.data_class, lang, mandatory_clauses=offering.mandatory_clauses)
    rows = term_rows(template, offering.terms, lang, currency=offering.currency)
    return render(
        request,
        "marketplace/offering.html",
        {
            "offering": offering,
            "dataset": dataset,
            "version": version,
            "template_title": template.title[lang],
            "rows": rows,
            "changed_count": sum(1 for row in rows if row.changed),
            "fixed_clauses": [note for note in notes if not note.negotiable],
            "clauses": clauses,
            "is_owner": principal is not None and principal.organization_id == offering.seller_id,
            "withdraw_form": OfferingWithdrawForm(),
            "odrl_url": f"/api/v1/offerings/{offering.id}/odrl",
        },
    )


@require_POST
@seller_required
def offering_withdraw_view(request: HttpRequest, principal: Principal, offering_id: uuid.UUID) -> HttpResponse:
    form = OfferingWithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        offering_withdraw(principal=principal, offering_id=offering_id, reason=reason)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The offering was withdrawn. Contracts already concluded for it are not affected."))
    return redirect("web:offering", offering_id=offering_id)
