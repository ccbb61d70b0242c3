"""The contract of an offering as a buyer would get it, before any trade: for the seller's preview and the
offering's page. Price, quantity and buyer are placeholders; everything else is what a contract concluded
now would state (contracts.services.contracts.contract_conclude builds the same facts at conclusion).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.utils import timezone

from catalog.models import Dataset, DatasetVersion
from contracts.documents import DocumentFacts, Lang, clauses_rendered, document_facts, document_render
from contracts.registry import Template
from contracts.terms import term_int

PLACEHOLDER_BUYER: Mapping[Lang, str] = {"ja": "（買主）", "en": "(buyer)"}
PLACEHOLDER_CONTRACT_ID: Mapping[Lang, str] = {
    "ja": "（プレビュー：取引成立時に採番）",
    "en": "(preview: numbered at the trade)",
}
# The price comes from the order book when a trade executes, the seats from the buyer's order: a preview says so
# where the contract will state them (its facts hold one seat at no price, which are never shown).
PLACEHOLDER_TRADE: Mapping[Lang, tuple[tuple[str, str], ...]] = {
    "ja": (("price", "（取引成立時の約定価格）"), ("quantity", "（購入する席数）"), ("total", "（約定価格×席数）")),
    "en": (
        ("price", "(the price at which the trade executes)"),
        ("quantity", "(the seats bought)"),
        ("total", "(that price × the seats)"),
    ),
}


def preview_facts(
    *,
    dataset: Dataset,
    version: DatasetVersion,
    seller_name: str,
    terms: Mapping[str, Any],
    terms_sha256: str,
    currency: str,
    lang: Lang,
    now: datetime | None = None,
    delivery_channel: str = "market",
) -> DocumentFacts:
    facts = document_facts(
        contract_id=PLACEHOLDER_CONTRACT_ID[lang],
        seller_name=seller_name,
        buyer_name=PLACEHOLDER_BUYER[lang],
        dataset=dataset,
        version=version,
        price=0,
        quantity=1,
        currency=currency,
        concluded_at=now or timezone.now(),
        duration_days=term_int(terms["duration_days"], path="terms.duration_days"),
        terms_sha256=terms_sha256,
        delivery_channel=delivery_channel,
    )
    return replace(facts, placeholders=PLACEHOLDER_TRADE[lang])


def document_preview(template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang) -> str:
    """The whole document, rendered exactly as at conclusion (same template, same renderer)."""
    return document_render(template, terms, facts, lang)


def clauses_preview(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang
) -> list[dict[str, Any]]:
    """Each clause's title and paragraphs with the terms filled in."""
    return clauses_rendered(template, terms, facts, lang)
