"""Pages of concluded contracts for the organisations that are party to them.

Thin: read through ``contracts.selectors`` (which only ever returns a party's own contracts), render. A
contract that is not the viewer's is a 404, as in the API: nobody learns that it exists.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin

from config.api.principal import Principal
from config.errors import NotFound
from config.web import principal_required
from contracts import hooks, selectors
from contracts.documents import document_response
from contracts.models import Acceptance, Contract
from contracts.web.display import current_lang, money
from contracts.web.history import event_actor, event_reason

CONTRACTS_PAGE_SIZE = 50
# The stored document is our own HTML with one inline style sheet and no scripts; serve it so that nothing
# else could run even if it did contain some.


member_required = principal_required(
    refusal=gettext_lazy("Only members of an organisation trading on the market have contracts.")
)


def _contract(principal: Principal, contract_id: uuid.UUID) -> Contract:
    try:
        return selectors.contract_get(contract_id=contract_id, organization_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _status_label(status: str) -> str:
    """In the request's language: the labels are lazy, so they are looked up per call."""
    labels: dict[str, Any] = dict(Contract.Status.choices)
    return str(labels.get(status, status))


@dataclass(frozen=True)
class ContractLine:
    contract: Contract
    role: str  # "seller" or "buyer": the viewer's side
    counterparty: str
    amount: str


def _line(contract: Contract, principal: Principal) -> ContractLine:
    selling = contract.seller_id == principal.organization_id
    return ContractLine(
        contract=contract,
        role=Acceptance.Role.SELLER.value if selling else Acceptance.Role.BUYER.value,
        counterparty=contract.buyer_name if selling else contract.seller_name,
        amount=money(contract.amount, contract.currency),
    )


@member_required
def contract_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    contracts = selectors.contracts_for(organization_id=principal.organization_id).select_related(
        "dataset", "dataset_version"
    )
    page = Paginator(contracts, CONTRACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/contract_list.html",
        {"page": page, "lines": [_line(contract, principal) for contract in page.object_list]},
    )


@dataclass(frozen=True)
class EventLine:
    created_at: datetime
    from_label: str
    to_label: str
    reason: str
    actor: str


@member_required
def contract_detail(request: HttpRequest, principal: Principal, contract_id: uuid.UUID) -> HttpResponse:
    contract = _contract(principal, contract_id)
    lang = current_lang()
    names = {Acceptance.Role.SELLER.value: contract.seller_name, Acceptance.Role.BUYER.value: contract.buyer_name}
    acceptances = [{"acceptance": a, "name": names.get(a.role, "")} for a in contract.acceptances.all()]
    events = [
        EventLine(
            created_at=e.created_at,
            from_label=_status_label(e.from_status) if e.from_status else "",
            to_label=_status_label(e.to_status),
            reason=event_reason(e.reason),
            actor=event_actor(e.actor),
        )
        for e in contract.events.all()
    ]
    document_url = reverse("web:contract_document", kwargs={"contract_id": contract.id})
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "line": _line(contract, principal),
            "price": money(contract.price, contract.currency),
            # A private offer's revisions, each price shown as money like every other price on the page.
            "negotiation": [
                {**revision, "price_shown": money(int(revision["price"]), contract.currency)}
                for revision in contract.negotiation or []
            ],
            "acceptances": acceptances,
            "events": events,
            "document_lang": lang,
            "document_url": document_url,
            "odrl_url": f"/api/v1/contracts/{contract.id}/odrl",
            # What higher apps show beside the contract (dataspace: the DSP negotiation that concluded it).
            "panels": mark_safe(hooks.contract_panels(request, contract.id)),  # noqa: S308 - rendered by templates
        },
    )


@xframe_options_sameorigin  # the contract's own page shows it in an iframe
@member_required
def contract_document(request: HttpRequest, principal: Principal, contract_id: uuid.UUID) -> HttpResponse:
    """The stored document, byte for byte as concluded (its SHA-256 is on the contract's page)."""
    lang = request.GET.get("lang", "ja")
    if lang not in ("ja", "en"):
        return HttpResponseBadRequest(_("lang is ja or en."), content_type="text/plain; charset=utf-8")
    contract = _contract(principal, contract_id)
    return document_response(contract, "ja" if lang == "ja" else "en")
