from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from catalog.models import Dataset, DatasetVersion
from contracts.documents import (
    DocumentFacts,
    clause_context,
    clauses_rendered,
    country_name,
    document_compose,
    document_facts,
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


# --- a subscription's clauses -------------------------------------------------------------------------------------

SUBSCRIPTION = {"period_days": 30, "term_periods": 12, "min_versions_per_period": 4, "stream": False}
DATASET_ID = "6f1c7a9e-0000-4000-8000-000000000003"


def subscription_terms(**shape: object) -> dict[str, object]:
    template = template_get("meti-data-provision")
    return {**template.defaults, "duration_days": 360, "subscription": {**SUBSCRIPTION, **shape}}


def clause_texts(terms: dict[str, object], lang: str, **fact_changes: object) -> dict[str, str]:
    template = template_get("meti-data-provision")
    one = facts(dataset_id=DATASET_ID, grace_days=7, **fact_changes)
    return {c["code"]: "\n\n".join(c["paragraphs"]) for c in clauses_rendered(template, terms, one, lang)}  # type: ignore[arg-type]


def test_a_licence_s_document_has_no_subscription_clause_and_keeps_its_numbers() -> None:
    template = template_get("meti-data-provision")
    rendered = clauses_rendered(template, template.defaults, facts(dataset_id=DATASET_ID), "en")
    codes = [c["code"] for c in rendered]
    assert "subscription" not in codes and "live_stream" not in codes
    assert [c["number"] for c in rendered] == list(range(1, len(rendered) + 1))
    assert codes.index("warranties") == codes.index("fees") + 1
    text = "\n".join(p for c in rendered for p in c["paragraphs"])
    assert "Delivery Commitment" not in text and "past due" not in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_subscription_states_its_period_term_price_and_commitment(lang: str) -> None:
    texts = clause_texts(subscription_terms(), lang)
    assert "live_stream" not in texts
    subscription = texts["subscription"]
    if lang == "en":
        assert "12 periods of 30 days each" in subscription and "it lasts 360 days" in subscription
        assert "(1) New versions: 4" in subscription and "(2)" not in subscription
        assert "¥1,500 per seat per Period; ¥3,000 per Period for 2 seats" in subscription
        assert "7 days after the charge was first declined" in subscription
    else:
        assert "30日間の期間" in subscription and "12回" in subscription and "360日間" in subscription
        assert "(1) 新しいバージョン：4件" in subscription and "(2)" not in subscription
        assert "1席1提供期間当たり¥1,500" in subscription and "2席の1提供期間当たり¥3,000" in subscription
        assert "7日を経過" in subscription


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_live_stream_names_its_topic_and_its_message_commitment(lang: str) -> None:
    texts = clause_texts(subscription_terms(stream=True, min_messages_per_period=12_000), lang)
    codes = list(texts)
    assert codes.index("live_stream") == codes.index("subscription") + 1
    assert f"feeds/{DATASET_ID}/#" in texts["live_stream"]
    assert (
        "(2) Messages on the Live Stream: 12,000" if lang == "en" else "(2) ライブストリームのメッセージ：12,000件"
    ) in (texts["subscription"])
    without_count = clause_texts(subscription_terms(stream=True), lang)
    assert "live_stream" in without_count and "(2)" not in without_count["subscription"]


def test_the_grace_period_is_the_setting_in_force_at_conclusion(settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "SUBSCRIPTION_GRACE_DAYS": 10}
    dataset = Dataset(id=uuid.UUID(DATASET_ID), title="G", data_class="iot")  # unsaved: what a contract reads
    version = DatasetVersion(dataset=dataset, number=1, file_format="csv", row_count=1, sha256="ab" * 32)
    concluded = document_facts(
        contract_id="c-1", seller_name="S", buyer_name="B", dataset=dataset, version=version,
        price=1, quantity=1, currency="JPY", concluded_at=datetime(2026, 4, 1, tzinfo=UTC), duration_days=360,
        terms_sha256="cd" * 32,
    )  # fmt: skip
    assert concluded.grace_days == 10 and concluded.dataset_id == DATASET_ID
    template = template_get("meti-data-provision")
    text = document_render(template, subscription_terms(), concluded, "en")
    assert "10 days after the charge was first declined" in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_composed_subscription_document_is_exactly_the_rendered_one(lang: str) -> None:
    template = template_get("meti-data-provision")
    terms = subscription_terms(stream=True, min_messages_per_period=5)
    one = facts(dataset_id=DATASET_ID, buyer_name="A&B <Data>")
    base, slots = document_compose(template, terms, one, lang)  # type: ignore[arg-type]
    assert SLOT in base, "the price per period appears twice; both are slots"
    assert document_assemble(base, slots) == document_render(template, terms, one, lang)  # type: ignore[arg-type]
