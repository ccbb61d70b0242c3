from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.documents import DocumentFacts, clause_context, country_name, governing_law
from contracts.meti.data_provision import CONTEXT_KEYS
from contracts.registry import template_get


def facts(**overrides: object) -> DocumentFacts:
    moment = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
    values: dict[str, object] = {
        "contract_id": "c-1",
        "seller_name": "Seller",
        "buyer_name": "Buyer",
        "dataset_title": "Gauges",
        "dataset_version": 2,
        "data_items": ["timestamp", "strain"],
        "file_format": "csv",
        "row_count": 1200,
        "sha256": "ab" * 32,
        "time_period": ("2026-01-01", "2026-03-31"),
        "data_class": "iot",
        "personal_info_items": [],
        "anonymization_method": "",
        "price": 1500,
        "quantity": 2,
        "currency": "JPY",
        "valid_from": moment,
        "valid_until": moment,
        "concluded_at": moment,
        "terms_sha256": "cd" * 32,
    }
    values.update(overrides)
    return DocumentFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_renderer_provides_exactly_the_placeholders_clauses_may_use(lang: str) -> None:
    template = template_get("meti-data-provision")
    context = clause_context(template, template.defaults, facts(), lang)  # type: ignore[arg-type]
    assert set(context) == CONTEXT_KEYS


def test_labels_not_codes_in_the_japanese_text() -> None:
    template = template_get("meti-data-provision")
    terms = {**template.defaults, "territory": ["DE", "JP"]}
    context = clause_context(template, terms, facts(), "ja")
    assert context["territory_label"] == "ドイツ (DE)、日本 (JP)"
    assert context["governing_law_label"] == "日本法"
    assert context["total"] == "¥3,000"
    assert "market" not in context["delivery_channel"]
    assert governing_law("DE", "en") == "the laws of Germany" and country_name("XX", "en") == "XX"
