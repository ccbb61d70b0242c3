"""Contracts and offerings as ODRL 2.2 policies (the mapping itself is in contracts/odrl.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.models import Contract
from contracts.odrl import PolicyInput, odrl_agreement, odrl_offer
from contracts.registry import template_get
from contracts.terms import terms_typed


def contract_odrl(contract: Contract) -> dict[str, Any]:
    template = template_get(contract.template_code, contract.template_version)
    return odrl_agreement(
        PolicyInput(
            uid=f"urn:ichiba:contract:{contract.id}",
            assigner=f"urn:ichiba:organization:{contract.seller_id}",
            assignee=f"urn:ichiba:organization:{contract.buyer_id}",
            target=f"urn:ichiba:dataset-version:{contract.dataset_version_id}",
            terms=terms_typed(template, contract.terms),
            data_class=contract.data_class,
            template=template.key,
            terms_sha256=contract.terms_sha256,
            valid_from=contract.valid_from,
            valid_until=contract.valid_until,
            amount=contract.amount,
            currency=contract.currency,
        )
    )


def offer_odrl(
    *,
    offering_id: Any,
    seller_id: Any,
    dataset_id: Any,
    terms: Mapping[str, Any],
    data_class: str,
    template_code: str,
    template_version: int,
    terms_sha256: str,
    uid: str = "",
) -> dict[str, Any]:
    """An offering's terms as an ODRL Offer, its ``uid`` the offering's IRI (``uid``: another offer of those terms, a
    private offer's revision)."""
    template = template_get(template_code, template_version)
    return odrl_offer(
        PolicyInput(
            uid=uid or f"urn:ichiba:offering:{offering_id}",
            assigner=f"urn:ichiba:organization:{seller_id}",
            target=f"urn:ichiba:dataset:{dataset_id}",
            terms=terms_typed(template, terms),
            data_class=data_class,
            template=template.key,
            terms_sha256=terms_sha256,
        )
    )
