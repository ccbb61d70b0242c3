"""Use cases of contracts: conclude one from a matched trade, move it through its states."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import Dataset
from catalog.selectors import latest_published_version
from config.errors import Conflict, InvalidInput, RuleViolation
from contracts import states
from contracts.documents import document_facts, document_render
from contracts.models import Acceptance, Contract, ContractEvent
from contracts.registry import template_get


@dataclass(frozen=True)
class OfferSnapshot:
    """What contracts needs to know of an offering (marketplace builds it; contracts never imports it)."""

    offering_id: uuid.UUID
    seller_id: uuid.UUID
    seller_name: str
    dataset_id: uuid.UUID
    template_code: str
    template_version: int
    terms: dict[str, Any]
    terms_sha256: str
    currency: str
    seller_accepted_at: datetime
    seller_user_id: int | None = None
    seller_api_key_id: uuid.UUID | None = None


@dataclass(frozen=True)
class BuyerSnapshot:
    organization_id: uuid.UUID
    name: str
    country: str
    user_id: int | None = None
    api_key_id: uuid.UUID | None = None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def event_record(
    contract: Contract, *, to_status: str, from_status: str = "", reason: str = "", actor: str = ""
) -> None:
    ContractEvent.objects.create(
        contract=contract, from_status=from_status, to_status=to_status, reason=reason[:200], actor=actor[:100]
    )


@transaction.atomic
def contract_conclude(
    *,
    offering: OfferSnapshot,
    buyer: BuyerSnapshot,
    price: int,
    quantity: int,
    accepted_terms_sha256: str,
    trade_ref: str = "",
    concluded_at: datetime | None = None,
) -> Contract:
    """Conclude the immutable contract of one trade, on the dataset version current at this moment.

    The buyer accepted exactly the terms it names by hash; for anonymised data that hash covers the APPI
    notice and the re-identification ban (mandatory clauses), so accepting it records accepting them.
    """
    if accepted_terms_sha256 != offering.terms_sha256:
        raise Conflict(
            "The terms you accepted are not the offering's terms: accepted_terms_sha256 differs from the "
            f"offering's terms_sha256 {offering.terms_sha256}. Read the offering again before buying.",
            errors={"accepted_terms_sha256": ["does not match the offering"]},
        )
    if price <= 0 or quantity <= 0:
        raise InvalidInput("price and quantity are positive integers.")
    if buyer.organization_id == offering.seller_id:
        raise RuleViolation("A seller cannot buy its own offering.")
    terms = offering.terms
    if buyer.country not in terms["territory"]:
        raise RuleViolation(
            f"The offering may be used only in {', '.join(terms['territory'])}; "
            f"your organisation is in {buyer.country}.",
            errors={"territory": ["buyer outside the licensed territory"]},
        )
    template = template_get(offering.template_code, offering.template_version)
    dataset = Dataset.objects.get(pk=offering.dataset_id)
    version = latest_published_version(dataset=dataset)
    if version is None:
        raise Conflict("The dataset has no published version to license.")
    concluded_at = concluded_at or timezone.now()
    contract_id = uuid.uuid4()
    facts = document_facts(
        contract_id=str(contract_id),
        seller_name=offering.seller_name,
        buyer_name=buyer.name,
        dataset=dataset,
        version=version,
        price=price,
        quantity=quantity,
        currency=offering.currency,
        concluded_at=concluded_at,
        duration_days=terms["duration_days"],
        terms_sha256=offering.terms_sha256,
    )
    valid_until = facts.valid_until
    document_ja = document_render(template, terms, facts, "ja")
    document_en = document_render(template, terms, facts, "en")
    contract = Contract.objects.create(
        id=contract_id,
        template_code=template.code,
        template_version=template.version,
        contract_type=template.contract_type,
        seller_id=offering.seller_id,
        buyer_id=buyer.organization_id,
        seller_name=offering.seller_name,
        buyer_name=buyer.name,
        buyer_country=buyer.country,
        dataset=dataset,
        dataset_version=version,
        offering_id=offering.offering_id,
        trade_ref=trade_ref,
        data_class=dataset.data_class,
        terms=terms,
        terms_sha256=offering.terms_sha256,
        clauses=[
            {"code": c.code, "title": dict(c.title), "text": dict(c.text), "negotiable": c.negotiable}
            for c in template.clauses_for(dataset.data_class)
        ],
        price=price,
        quantity=quantity,
        amount=price * quantity,
        currency=offering.currency,
        valid_from=concluded_at,
        valid_until=valid_until,
        document_ja=document_ja,
        document_en=document_en,
        document_sha256=_sha256(document_ja),
        document_en_sha256=_sha256(document_en),
        concluded_at=concluded_at,
    )
    Acceptance.objects.bulk_create(
        [
            Acceptance(
                contract=contract,
                role=Acceptance.Role.SELLER,
                organization_id=offering.seller_id,
                user_id=offering.seller_user_id,
                api_key_id=offering.seller_api_key_id,
                terms_sha256=offering.terms_sha256,
                appi_notice_accepted=False,
                accepted_at=offering.seller_accepted_at,
            ),
            Acceptance(
                contract=contract,
                role=Acceptance.Role.BUYER,
                organization_id=buyer.organization_id,
                user_id=buyer.user_id,
                api_key_id=buyer.api_key_id,
                terms_sha256=accepted_terms_sha256,
                appi_notice_accepted=dataset.data_class == "anonymized",
                accepted_at=concluded_at,
            ),
        ]
    )
    event_record(contract, to_status=contract.status, reason=f"trade {trade_ref}".strip(), actor="market")
    return contract


@transaction.atomic
def contract_transition(*, contract_id: uuid.UUID, target: str, reason: str, actor: str = "system") -> Contract:
    """The one way a contract's status changes (activate, void, expire, terminate)."""
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    states.contract_check(contract.status, target)
    previous = contract.status
    contract.status = target
    contract.save(update_fields=["status"])
    event_record(contract, from_status=previous, to_status=target, reason=reason, actor=actor)
    return contract
