from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.documents import (
    DocumentFacts,
    clause_context,
    country_name,
    document_compose,
    document_render,
    governing_law,
)
from contracts.meti.data_provision import CONTEXT_KEYS
from contracts.registry import template_get
from contracts.texts import SLOT, document_assemble


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


# --- composing a concluded document from a shared base -----------------------------------------------------------

SPECIAL_NAMES = [
    "Buyer",
    "A&B <Data> \"Lab\" 'x'",
    "株式会社データ＆分析",
    "Trailing ",
    "Two\nLines",
    "{buyer_name}",
    "",
]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("buyer_name", SPECIAL_NAMES)
def test_a_composed_document_is_exactly_the_rendered_one(lang: str, buyer_name: str) -> None:
    template = template_get("meti-data-provision")
    terms = {**template.defaults, "territory": ["DE", "JP"], "forum": "Osaka <District> Court & Co"}
    for data_class in ("iot", "anonymized"):
        for price, quantity in ((1500, 2), (1, 100_000)):
            one = facts(buyer_name=buyer_name, data_class=data_class, price=price, quantity=quantity)
            base, slots = document_compose(template, terms, one, lang)  # type: ignore[arg-type]
            assert document_assemble(base, slots) == document_render(template, terms, one, lang)  # type: ignore[arg-type]


def test_contracts_of_one_offering_share_their_base_and_differ_in_slots() -> None:
    template = template_get("meti-data-provision")
    first = facts(contract_id="c-1", buyer_name="First", price=1000, quantity=1)
    second = facts(
        contract_id="c-2",
        buyer_name="Second",
        price=2000,
        quantity=3,
        concluded_at=datetime(2026, 5, 1, tzinfo=UTC),
        valid_from=datetime(2026, 5, 1, tzinfo=UTC),
        valid_until=datetime(2027, 5, 1, tzinfo=UTC),
    )
    base_1, slots_1 = document_compose(template, template.defaults, first, "en")
    base_2, slots_2 = document_compose(template, template.defaults, second, "en")
    assert base_1 == base_2 and slots_1 != slots_2 and SLOT in base_1
    assert "Second" in document_assemble(base_2, slots_2) and "Second" not in base_2
    # A line break in a trade's fact could change how paragraphs split: such a document is stored whole.
    whole, none = document_compose(template, template.defaults, facts(buyer_name="Two\nLines"), "en")
    assert none == () and SLOT not in whole


def test_assembling_checks_the_number_of_slots() -> None:
    assert document_assemble("whole", ()) == "whole"
    assert document_assemble(f"a{SLOT}b{SLOT}c", ("1", "2")) == "a1b2c"
    with pytest.raises(ValueError, match="slots"):
        document_assemble(f"a{SLOT}b", ("1", "2"))
