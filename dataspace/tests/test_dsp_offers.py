"""Offers in a negotiation, without a database: a consumer's DSP offer read back into the market's terms and price
(the inverse of contracts.odrl as DSP carries it), whatever the spelling, and refused, naming the rule, when it
states what the terms cannot hold; a revision written as a schema-valid DSP Offer."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.meti.data_provision_terms import DEFAULTS
from contracts.odrl import ODRL_NS
from contracts.registry import template_get
from contracts.terms import with_defaults
from dataspace.dsp import CONTEXT, schemas
from dataspace.dsp.catalog import DSP_TERMS
from dataspace.dsp.errors import DspError
from dataspace.dsp.offers import Basis, offer_read, revision_id, revision_offer

TEMPLATE = template_get("meti-data-provision")
SELLER, DATASET, OFFER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def basis(data_class: str = "iot", currency: str = "JPY", price: int = 12_000, **terms: Any) -> Basis:
    return Basis(
        template_code=TEMPLATE.code,
        template_version=TEMPLATE.version,
        terms=with_defaults(TEMPLATE, terms),
        data_class=data_class,
        currency=currency,
        price=price,
        seller_id=SELLER,
        dataset_id=DATASET,
    )


def written(of: Basis, *, terms: dict[str, Any] | None = None, price: int | None = None) -> dict[str, Any]:
    """The offer Ichiba writes for ``terms`` (the basis's unless given) at ``price``."""
    return revision_offer(
        private_offer_id=OFFER,
        number=1,
        seller_id=SELLER,
        dataset_id=DATASET,
        template_code=TEMPLATE.code,
        template_version=TEMPLATE.version,
        terms=with_defaults(TEMPLATE, terms if terms is not None else of.terms),
        terms_sha256="0" * 64,
        data_class=of.data_class,
        price=of.price if price is None else price,
        currency=of.currency,
    )


def refused(offer: Any, of: Basis) -> DspError:
    with pytest.raises(DspError) as error:
        offer_read(offer, basis=of)
    assert error.value.status == 400 and error.value.code == "terms-not-negotiable"
    return error.value


def rule(offer: dict[str, Any], kind: str, action: str) -> dict[str, Any]:
    [found] = [item for item in offer[kind] if item["action"] == action]
    return found


COUNTRIES = ("JP", "US", "DE", "FR", "GB", "SG", "KR", "TW")
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=5, max_size=60).filter(
    lambda text: text.strip() == text and len(text) >= 5
)
terms_strategy = st.fixed_dictionaries(
    {
        "purpose": words,
        "processing": st.sampled_from(["none", "within_purpose", "any"]),
        "third_party_provision": st.sampled_from(["prohibited", "with_consent", "permitted"]),
        "sublicense": st.sampled_from(["prohibited", "with_consent", "permitted"]),
        "territory": st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=5, unique=True).map(sorted),
        "duration_days": st.integers(min_value=1, max_value=3650),
        "end_of_term": st.sampled_from(["delete", "delete_with_certificate"]),
        "license_type": st.sampled_from(["non_exclusive", "exclusive"]),
        "confidentiality_years": st.integers(min_value=0, max_value=30),
        "liability_cap": st.sampled_from([{"basis": "none"}, {"basis": "fees_paid"}, {"basis": "fixed", "amount": 5}]),
        "derived_data": st.fixed_dictionaries(
            {
                "rights": st.sampled_from(["recipient", "provider", "joint"]),
                "provider_access": st.sampled_from(["none", "free", "paid"]),
            }
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    terms=terms_strategy,
    price=st.integers(min_value=1, max_value=10**12),
    data_class=st.sampled_from(["iot", "anonymized"]),
    currency=st.sampled_from(["JPY", "USD", "KWD"]),
)
def test_an_offer_written_for_any_terms_reads_back_as_those_terms_and_price(
    terms: dict[str, Any], price: int, data_class: str, currency: str
) -> None:
    of = basis(data_class=data_class, currency=currency)
    read = offer_read(written(of, terms=terms, price=price), basis=of)
    assert read.terms == with_defaults(TEMPLATE, terms)
    assert read.price == price
    changed = {name for name in read.terms if read.terms[name] != of.terms[name]}
    assert set(read.changed) == changed | ({"price"} if price != of.price else set())


@settings(max_examples=30, deadline=None)
@given(terms=terms_strategy, seed=st.randoms(use_true_random=False))
def test_the_spelling_does_not_matter_full_iris_plain_literals_any_order(terms: dict[str, Any], seed: Any) -> None:
    of = basis(data_class="anonymized")
    offer = written(of, terms=terms, price=9_000)

    def respell(value: Any) -> Any:
        """``odrl:x`` as the full IRI, ``{"@id": x}`` as x where DSP allows, typed literals kept, lists shuffled."""
        if isinstance(value, list):
            items = [respell(item) for item in value]
            seed.shuffle(items)
            return items
        if isinstance(value, dict):
            return {
                (ODRL_NS + key[5:] if key.startswith("odrl:") else key): respell(item) for key, item in value.items()
            }
        if isinstance(value, str) and value.startswith("odrl:"):
            return ODRL_NS + value[5:]
        return value

    read = offer_read(respell(offer), basis=of)
    assert read.terms == with_defaults(TEMPLATE, terms) and read.price == 9_000


def test_the_catalogs_offer_unchanged_is_no_counter_and_a_lower_price_is() -> None:
    of = basis(duration_days=90)
    same = offer_read(written(of), basis=of)
    assert same.changed == () and not same.is_counter and same.price == 12_000
    cheaper = copy.deepcopy(written(of))
    [pay] = rule(cheaper, "permission", "use")["duty"][0]["constraint"]
    pay["rightOperand"] = {"@value": "10000", "@type": "xsd:decimal"}
    del rule(cheaper, "permission", "use")["duty"][0]["urn:ichiba:odrl:amountMinorUnits"]
    read = offer_read(cheaper, basis=of)
    assert read.changed == ("price",) and read.price == 10_000
    # Without a price, the price is the offer's; without clause parameters, they are.
    bare = copy.deepcopy(written(of))
    rule(bare, "permission", "use")["duty"][0].pop("constraint")
    bare.pop("urn:ichiba:odrl:clauseParameters")
    assert offer_read(bare, basis=of).changed == ()


def test_what_the_terms_cannot_hold_is_refused_naming_the_rule() -> None:
    of = basis(data_class="anonymized")
    offer = written(of)

    def changed(change: Any) -> dict[str, Any]:
        copied = copy.deepcopy(offer)
        change(copied)
        return copied

    extra_constraint = changed(
        lambda o: rule(o, "permission", "use")["constraint"].append(
            {"leftOperand": "odrl:industry", "operator": "eq", "rightOperand": "automotive"}
        )
    )
    assert "'use'" in " ".join(refused(extra_constraint, of).reason)

    territory_in_one_rule = changed(
        lambda o: rule(o, "permission", "use")["constraint"][1].update(
            rightOperand=[{"@id": "urn:iso:std:iso:3166:US"}]
        )
    )
    # The territory bounds every permission: changed in one, the others no longer come back.
    assert "'derive'" in " ".join(refused(territory_in_one_rule, of).reason)

    no_reidentification_ban = changed(
        lambda o: o.update(prohibition=[p for p in o["prohibition"] if "reidentify" not in p["action"]])
    )
    assert "reidentify" in " ".join(refused(no_reidentification_ban, of).reason)

    other_currency = changed(
        lambda o: rule(o, "permission", "use")["duty"][0]["constraint"][0].update(
            unit={"@id": "urn:iso:std:iso:4217:EUR"}
        )
    )
    assert "currency is not negotiable" in " ".join(refused(other_currency, of).reason)

    half_a_yen = changed(
        lambda o: rule(o, "permission", "use")["duty"][0].update(
            constraint=[{**rule(o, "permission", "use")["duty"][0]["constraint"][0], "rightOperand": "0.5"}]
        )
    )
    assert "payAmount" in " ".join(refused(half_a_yen, of).reason)

    disagreeing = changed(
        lambda o: rule(o, "permission", "use")["duty"][0].update({"urn:ichiba:odrl:amountMinorUnits": 1})
    )
    assert "disagree" in " ".join(refused(disagreeing, of).reason)

    unknown_key = changed(lambda o: o.update({"odrl:inheritFrom": "urn:x"}))
    assert "inheritFrom" in " ".join(refused(unknown_key, of).reason)

    other_target = changed(lambda o: o.update(target=f"urn:ichiba:dataset:{uuid.uuid4()}"))
    assert "target" in " ".join(refused(other_target, of).reason)

    other_template = changed(lambda o: o.update({"urn:ichiba:odrl:template": "meti-data-provision@99"}))
    assert "template" in " ".join(refused(other_template, of).reason)

    both_ways = changed(lambda o: o["prohibition"].append({"action": "use"}))
    assert "'use'" in " ".join(refused(both_ways, of).reason)

    weeks = changed(
        lambda o: [
            c.update(rightOperand={"@value": "P2W", "@type": "xsd:duration"})
            for r in o["permission"]
            for c in r.get("constraint", [])
            if c["leftOperand"] == "odrl:elapsedTime"
        ]
    )
    assert "P<n>D" in " ".join(refused(weeks, of).reason)

    unknown_parameter = changed(
        lambda o: o["urn:ichiba:odrl:clauseParameters"]["@value"].update(audit_rights="quarterly")
    )
    assert "audit_rights" in " ".join(refused(unknown_parameter, of).reason)

    assert refused("an offer", of).reason


def test_a_subscriptions_recurrence_is_stated_and_read_back_unchanged() -> None:
    subscription = {"period_days": 30, "term_periods": 12, "min_versions_per_period": 1, "stream": False}
    of = basis(duration_days=360, subscription=subscription)
    offer = written(of)
    [compensate] = [d for d in rule(offer, "permission", "use")["duty"] if d["action"] == "odrl:compensate"]
    operands = {c["leftOperand"] for c in compensate["constraint"]}
    assert operands == {"odrl:payAmount", "odrl:timeInterval", "odrl:count"}, "the price recurs per period"
    assert offer_read(offer, basis=of).changed == ()
    monthly_forever = copy.deepcopy(offer)
    [compensate] = [d for d in rule(monthly_forever, "permission", "use")["duty"] if d["action"] == "odrl:compensate"]
    compensate["constraint"] = compensate["constraint"][:2]
    refused(monthly_forever, of)


def test_a_revision_is_a_schema_valid_offer_naming_itself_and_its_dataset_in_dsp_terms() -> None:
    of = basis(data_class="anonymized", processing="any", third_party_provision="with_consent")
    offer = written(of, price=45_000)
    assert offer["@id"] == revision_id(OFFER, 1) == f"urn:ichiba:private-offer:{OFFER}:revision:1"
    assert offer["target"] == f"urn:ichiba:dataset:{DATASET}"
    message = {
        "@context": [CONTEXT],
        "@type": "ContractOfferMessage",
        "providerPid": "urn:uuid:p",
        "consumerPid": "urn:uuid:c",
        "offer": offer,
    }
    assert schemas.message_errors(message, schemas.CONTRACT_OFFER_MESSAGE) == []
    [compensate] = [d for d in rule(offer, "permission", "use")["duty"] if d["action"] == "odrl:compensate"]
    assert compensate["constraint"][0]["rightOperand"] == {"@value": "45000", "@type": "xsd:decimal"}
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                keys.add(key)
                if key != "@value":
                    walk(item)

    walk(offer)
    undefined = {key for key in keys if not (key.startswith(("@", "odrl:", "urn:")) or key in DSP_TERMS)}
    assert undefined == set(), json.dumps(sorted(undefined))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(["use", "odrl:derive", "P9D"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_hostile_offer_is_read_or_refused_never_anything_else(data: Any) -> None:
    """Any node of a real offer replaced by any JSON: the reading answers with terms or a 400, never a crash."""
    of = basis(data_class="anonymized", processing="within_purpose", third_party_provision="with_consent")
    offer = copy.deepcopy(written(of))
    paths: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        items: list[tuple[Any, Any]] = []
        if isinstance(node, dict):
            items = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        for key, child in items:
            paths.append((node, key))
            collect(child)

    collect(offer)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        parent, key = data.draw(st.sampled_from(paths))
        parent[key] = data.draw(json_values)
    refusal: DspError | None = None
    try:
        offer_read(offer, basis=of)
    except DspError as error:
        refusal = error
    assert refusal is None or (refusal.status == 400 and refusal.reason)


def test_defaults_are_the_templates() -> None:
    assert basis().terms == with_defaults(TEMPLATE, DEFAULTS)
