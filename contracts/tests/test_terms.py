"""Terms: schema validation, market rules, canonical hashing."""

from __future__ import annotations

import copy
from typing import Any

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.errors import InvalidInput, RuleViolation
from contracts.meti.data_provision_terms import DEFAULTS, TERMS_SCHEMA
from contracts.registry import template_get
from contracts.terms import term_int, terms_hash, terms_resolve, terms_typed, territories_overlap

TEMPLATE = template_get("meti-data-provision")


def resolve(terms: dict[str, Any], *, seats: int | None = 10, data_class: str = "iot") -> Any:
    return terms_resolve(template=TEMPLATE, terms=terms, license_seats=seats, data_class=data_class)


def test_defaults_follow_the_guideline_typical_position() -> None:
    resolved = resolve({})
    terms = resolved.terms
    assert terms["license_type"] == "non_exclusive"
    assert terms["third_party_provision"] == "prohibited"
    assert terms["warranties"]["lawful_acquisition"] == "warranted"
    assert terms["warranties"]["accuracy"] == terms["warranties"]["fitness"] == "disclaimed"
    assert terms["end_of_term"] in ("delete", "delete_with_certificate")
    assert terms["purpose"], "purpose-bound"
    assert len(resolved.sha256) == 64


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"processing": "sell_it"}, "terms.processing"),
        ({"license_type": "shared"}, "terms.license_type"),
        ({"purpose": "x"}, "terms.purpose"),
        ({"duration_days": 0}, "terms.duration_days"),
        ({"duration_days": 3651}, "terms.duration_days"),
        ({"duration_days": "365"}, "terms.duration_days"),
        ({"territory": []}, "terms.territory"),
        ({"territory": "JP"}, "terms.territory"),
        ({"territory": ["Japan"]}, "terms.territory.0"),
        ({"warranties": {"accuracy": "perhaps"}}, "terms.warranties.accuracy"),
        ({"derived_data": {"rights": "nobody"}}, "terms.derived_data.rights"),
        ({"liability_cap": {"basis": "fixed"}}, "terms.liability_cap"),
        ({"liability_cap": {"basis": "none", "amount": 5}}, "terms.liability_cap"),
        ({"confidentiality_years": -1}, "terms.confidentiality_years"),
        ({"reidentification": "allowed"}, "terms.reidentification"),
    ],
)
def test_invalid_terms_are_field_errors(terms: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        resolve(terms)
    assert field in info.value.errors, info.value.errors


def test_boundaries_are_accepted() -> None:
    assert resolve({"duration_days": 1}).terms["duration_days"] == 1
    assert resolve({"duration_days": 3650}).terms["duration_days"] == 3650
    assert resolve({"confidentiality_years": 0}).terms["confidentiality_years"] == 0
    assert resolve({"liability_cap": {"basis": "fixed", "amount": 1}}).terms["liability_cap"]["amount"] == 1


def test_territory_must_be_real_countries_and_is_normalised() -> None:
    with pytest.raises(InvalidInput) as info:
        resolve({"territory": ["JP", "XX"]})
    assert info.value.errors["terms.territory"] == ["XX"]
    assert resolve({"territory": ["us", "JP", "de", "JP"]}).terms["territory"] == ["DE", "JP", "US"]


def test_exclusive_means_one_seat() -> None:
    with pytest.raises(RuleViolation):
        resolve({"license_type": "exclusive"}, seats=5)
    with pytest.raises(RuleViolation):
        resolve({"license_type": "exclusive"}, seats=None)
    assert resolve({"license_type": "exclusive"}, seats=1).terms["license_type"] == "exclusive"


def test_territories_overlap_when_one_country_is_in_both() -> None:
    assert territories_overlap(["JP"], ["JP"])
    assert territories_overlap(["DE", "JP"], ["JP", "US"]), "one shared country is enough"
    assert territories_overlap(["jp"], ["JP"]), "codes compare without regard to case"
    assert not territories_overlap(["JP"], ["US"])
    assert not territories_overlap(["DE", "FR"], ["JP", "US"])
    assert not territories_overlap([], ["JP"]), "an empty (never valid) territory holds no country"
    assert not territories_overlap(["JP", 81], ["81"]), "a malformed stored code is no country"  # type: ignore[list-item]
    everywhere = resolve({"territory": [c.alpha_2 for c in pycountry.countries]}).terms["territory"]
    assert territories_overlap(everywhere, ["KE"]) and territories_overlap(["NZ"], everywhere), "the world is a list"


@given(st.lists(st.sampled_from(["JP", "US", "DE", "FR", "KR"])), st.lists(st.sampled_from(["JP", "US", "DE"])))
def test_territory_overlap_is_symmetric_and_means_a_shared_country(first: list[str], second: list[str]) -> None:
    assert territories_overlap(first, second) == territories_overlap(second, first) == bool(set(first) & set(second))


def test_anonymised_data_always_carries_the_appi_clauses() -> None:
    anonymized = resolve({}, data_class="anonymized")
    iot = resolve({}, data_class="iot")
    assert set(anonymized.mandatory_clauses) == {"anonymized_notice", "reidentification_ban"}
    assert iot.mandatory_clauses == ()
    assert anonymized.sha256 != iot.sha256, "the notice is part of what a buyer accepts"


def test_hash_ignores_key_order_and_spelling_of_equivalent_values() -> None:
    terms = {"territory": ["JP", "DE"], "warranties": {"accuracy": "warranted", "fitness": "best_efforts"}}
    reordered = {"warranties": {"fitness": "best_efforts", "accuracy": "warranted"}, "territory": ["de", "jp"]}
    assert resolve(terms).sha256 == resolve(reordered).sha256
    assert resolve({}).sha256 == resolve(copy.deepcopy(DEFAULTS)).sha256, "defaults spelt out change nothing"
    assert resolve({"forum": " Tokyo District Court "}).sha256 == resolve({}).sha256


def _meaningful_changes() -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    properties = TERMS_SCHEMA["properties"]
    for key, schema in properties.items():
        if "enum" in schema:
            changes += [{key: value} for value in schema["enum"] if value != DEFAULTS[key]]
    changes += [
        {"purpose": DEFAULTS["purpose"] + " Only in Osaka."},
        {"territory": ["JP", "US"]},
        {"duration_days": DEFAULTS["duration_days"] + 1},
        {"confidentiality_years": DEFAULTS["confidentiality_years"] + 1},
        {"derived_data": {"provider_access": "free"}},
        {"warranties": {"accuracy": "warranted"}},
        {"liability_cap": {"basis": "fixed", "amount": 1_000_000}},
        {"governing_law": "DE"},
        {"forum": "Osaka District Court"},
    ]
    return changes


@pytest.mark.parametrize("change", _meaningful_changes())
def test_every_change_of_meaning_changes_the_hash(change: dict[str, Any]) -> None:
    seats = 1 if change.get("license_type") == "exclusive" else 10
    assert resolve(change, seats=seats).sha256 != resolve({}, seats=seats).sha256


@given(
    st.permutations(["JP", "DE", "US", "SG", "FR"]).map(list),
    st.integers(min_value=1, max_value=3650),
    st.sampled_from(["none", "within_purpose", "any"]),
)
def test_hash_is_a_function_of_meaning_only(territory: list[str], days: int, processing: str) -> None:
    terms = {"territory": territory, "duration_days": days, "processing": processing}
    shuffled = dict(reversed(list(terms.items())))
    shuffled["territory"] = [code.lower() for code in reversed(territory)]
    assert resolve(terms).sha256 == resolve(shuffled).sha256
    assert resolve(terms).sha256 != resolve({**terms, "duration_days": days % 3650 + 1}).sha256


# --- integer terms stored as integral floats (before the strict check) ------------------------------------------


def test_term_int_reads_an_integral_float_as_the_int_it_means() -> None:
    assert term_int(90, path="terms.duration_days") == 90
    read = term_int(90.0, path="terms.duration_days")
    assert read == 90 and type(read) is int


@pytest.mark.parametrize("value", [90.5, float("nan"), float("inf"), "90", True, None, [90]])
def test_term_int_refuses_what_is_no_integer(value: Any) -> None:
    with pytest.raises(ValueError, match="terms.duration_days must be an integer"):
        term_int(value, path="terms.duration_days")


def test_terms_typed_makes_every_integer_term_an_int_and_leaves_the_stored_terms_and_hash_alone() -> None:
    resolved = resolve({"liability_cap": {"basis": "fixed", "amount": 2_000_000}})
    stored = {
        **resolved.terms,
        "duration_days": 90.0,
        "confidentiality_years": 5.0,
        "liability_cap": {"basis": "fixed", "amount": 2_000_000.0},
    }
    before = copy.deepcopy(stored)
    typed = terms_typed(TEMPLATE, stored)
    integers = ("duration_days", "confidentiality_years")
    read = (*(typed[name] for name in integers), typed["liability_cap"]["amount"])
    assert read == (90, 5, 2_000_000) and all(type(value) is int for value in read)
    assert {k: v for k, v in typed.items() if k not in (*integers, "liability_cap")} == {
        k: v for k, v in stored.items() if k not in (*integers, "liability_cap")
    }
    assert stored == before and type(stored["duration_days"]) is float, "a copy: the stored terms are not changed"
    mandatory = resolved.mandatory_clauses
    assert terms_hash(template=TEMPLATE, terms=stored, mandatory_clauses=mandatory) != terms_hash(
        template=TEMPLATE, terms=typed, mandatory_clauses=mandatory
    ), "why the stored terms stay as they are: the accepted hash is of 90.0"
    assert terms_typed(TEMPLATE, resolved.terms) == resolved.terms, "valid terms read as they are"


def test_terms_typed_names_the_term_that_is_no_integer() -> None:
    with pytest.raises(ValueError, match=r"terms\.liability_cap\.amount must be an integer, got 1\.5"):
        terms_typed(TEMPLATE, {**DEFAULTS, "liability_cap": {"basis": "fixed", "amount": 1.5}})


# --- a subscription's shape in the terms -----------------------------------------------------------------------

SUBSCRIPTION = {"period_days": 30, "term_periods": 12, "min_versions_per_period": 2, "stream": False}


def subscribe(terms: dict[str, Any], **shape: Any) -> Any:
    return terms_resolve(
        template=TEMPLATE, terms=terms, license_seats=10, data_class="iot", subscription={**SUBSCRIPTION, **shape}
    )


def test_a_licence_s_terms_and_hash_are_what_they_were_before_subscriptions() -> None:
    # Pinned: offerings published before subscriptions existed were accepted by this hash, and new licence offerings
    # of the same terms hash alike (no subscription key, no new mandatory clause).
    resolved = terms_resolve(
        template=TEMPLATE, terms={"territory": ["DE", "JP"], "duration_days": 90}, license_seats=3, data_class="iot"
    )
    assert "subscription" not in resolved.terms and resolved.terms["forum"] == "tokyo-district"
    assert resolved.sha256 == "9ccf7b984077fa66372324b7775ae02f4785fdc9f03afb326ac258bf22e87dbb"
    # Published before the forum became a code (docs/adr/0018), those terms named the court: stored as they were, they
    # hash as they did, whatever the template's defaults say now.
    stored = {**resolved.terms, "forum": "Tokyo District Court"}
    assert (
        terms_hash(template=TEMPLATE, terms=stored, mandatory_clauses=resolved.mandatory_clauses)
        == "b84123f3311bc5c143334a9de7430ce18e7cbfd6330a2dacb684e3b10d2f7b92"
    )


def test_a_subscription_s_shape_is_in_the_terms_and_its_hash() -> None:
    resolved = subscribe({})
    assert resolved.terms["subscription"] == SUBSCRIPTION
    assert resolved.terms["duration_days"] == 360, "the whole term, set from term_periods x period_days"
    assert resolved.mandatory_clauses == ()
    hashes = {
        resolve({"duration_days": 360}).sha256,
        resolved.sha256,
        subscribe({}, period_days=15, term_periods=24).sha256,
        subscribe({}, min_versions_per_period=3).sha256,
        subscribe({}, stream=True).sha256,
        subscribe({}, stream=True, min_messages_per_period=1000).sha256,
    }
    assert len(hashes) == 6, "a buyer's acceptance covers the period, the term and the delivery commitment"
    assert subscribe({"duration_days": 360}).sha256 == resolved.sha256, "the same duration sent explicitly"


@pytest.mark.parametrize("duration", [365, 359, 360.5, 0, "360"])
def test_a_subscription_refuses_another_duration_naming_the_field(duration: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        subscribe({"duration_days": duration})
    assert list(info.value.errors) == ["terms.duration_days"]
    if isinstance(duration, int):
        assert "360" in info.value.detail, "says what the duration must be"


def test_a_seller_never_sends_the_subscription_term_itself() -> None:
    for resolver in (resolve, subscribe):
        with pytest.raises(InvalidInput) as info:
            resolver({"subscription": SUBSCRIPTION})
        assert list(info.value.errors) == ["terms.subscription"]
        assert "offering's fields" in info.value.detail


@pytest.mark.parametrize(
    ("shape", "field"),
    [
        ({"period_days": 0}, "terms.subscription.period_days"),
        ({"period_days": 367}, "terms.subscription.period_days"),
        ({"term_periods": 37}, "terms.subscription.term_periods"),
        ({"min_versions_per_period": 0}, "terms.subscription.min_versions_per_period"),
        ({"stream": "yes"}, "terms.subscription.stream"),
        ({"min_messages_per_period": 10}, "terms.subscription"),  # only with a stream
        ({"period_days": 366, "term_periods": 10}, "terms.duration_days"),  # 3,660 days > the longest contract
    ],
)
def test_the_schema_and_the_longest_term_hold_the_shape_too(shape: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        subscribe({}, **shape)
    assert field in info.value.errors, info.value.errors
