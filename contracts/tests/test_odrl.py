"""ODRL 2.2 export: checked on the RDF graph rdflib expands from the JSON-LD, against the W3C vocabulary.

The vocabulary is rdflib's ``ODRL2`` namespace, generated from the W3C's ODRL22.ttl: it holds the name of every
term the vocabulary defines (the same 231 names as the Turtle file), not the statements about them (which terms
are Actions, LeftOperands, ...). The checks here need only the names; what each term is used for is asserted
term by term in the mapping tests below.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import ODRL2
from rdflib.term import Node

from contracts import odrl
from contracts.meti.data_provision_terms import DEFAULTS, TERMS_SCHEMA, WARRANTY_ITEMS, WARRANTY_LEVELS
from contracts.odrl import PolicyInput, odrl_agreement, odrl_offer

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
ICHIBA = Namespace("urn:ichiba:odrl:")

SELLER = "urn:ichiba:organization:6f1c7a9e-0000-4000-8000-000000000001"
BUYER = "urn:ichiba:organization:6f1c7a9e-0000-4000-8000-000000000002"
DATASET = "urn:ichiba:dataset:6f1c7a9e-0000-4000-8000-000000000003"
VERSION = "urn:ichiba:dataset-version:6f1c7a9e-0000-4000-8000-000000000004"
OFFER_UID = "urn:ichiba:offering:6f1c7a9e-0000-4000-8000-000000000005"
CONTRACT_UID = "urn:ichiba:contract:6f1c7a9e-0000-4000-8000-000000000006"
JST = timezone(timedelta(hours=9))
VALID_FROM = datetime(2025, 4, 1, 9, 30, tzinfo=JST)
VALID_UNTIL = datetime(2026, 3, 31, 23, 59, 59, tzinfo=JST)
SHA = "0123456789abcdef" * 4

# IRIs an export may contain, besides defined odrl: terms (checked separately).
ALLOWED_PREFIXES = (
    str(ODRL),
    "urn:ichiba:",
    str(XSD),
    str(RDF),
    odrl.COUNTRY_IRI_PREFIX,
    odrl.CURRENCY_IRI_PREFIX,
)


def terms(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(DEFAULTS), **changes}


def offer_input(data_class: str = "iot", **term_changes: Any) -> PolicyInput:
    return PolicyInput(
        uid=OFFER_UID,
        assigner=SELLER,
        target=DATASET,
        terms=terms(**term_changes),
        data_class=data_class,
        template="meti-data-provision@1",
        terms_sha256=SHA,
    )


def agreement_input(
    data_class: str = "iot", amount: int = 120000, currency: str = "JPY", **term_changes: Any
) -> PolicyInput:
    return PolicyInput(
        uid=CONTRACT_UID,
        assigner=SELLER,
        assignee=BUYER,
        target=VERSION,
        terms=terms(**term_changes),
        data_class=data_class,
        template="meti-data-provision@1",
        terms_sha256=SHA,
        valid_from=VALID_FROM,
        valid_until=VALID_UNTIL,
        amount=amount,
        currency=currency,
    )


def export(kind: str, data_class: str = "iot", **term_changes: Any) -> Graph:
    if kind == "offer":
        return parse(odrl_offer(offer_input(data_class, **term_changes)))
    return parse(odrl_agreement(agreement_input(data_class, **term_changes)))


# --- graph helpers ---------------------------------------------------------------------------------------------


def parse(doc: Mapping[str, Any]) -> Graph:
    return Graph().parse(data=json.dumps(doc), format="json-ld")


def is_odrl_term(iri: URIRef) -> bool:
    """A term the ODRL 2.2 vocabulary defines. Its "#..." names are the sections of the W3C document, not terms."""
    local = str(iri).removeprefix(str(ODRL))
    return str(iri).startswith(str(ODRL)) and "#" not in local and local in ODRL2


def iris(graph: Graph) -> Iterator[URIRef]:
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef):
                yield node
            elif isinstance(node, Literal) and node.datatype is not None:
                yield node.datatype


def undefined_odrl_iris(graph: Graph) -> set[URIRef]:
    return {iri for iri in iris(graph) if str(iri).startswith(str(ODRL)) and not is_odrl_term(iri)}


def stray_iris(graph: Graph) -> set[URIRef]:
    """IRIs outside the expected namespaces: relative IRIs resolved against a base, odrl:ichiba:..., typos."""
    # str(): URIRef.startswith takes no tuple of prefixes
    stray = {iri for iri in iris(graph) if not str(iri).startswith(ALLOWED_PREFIXES)}
    # A compact IRI whose prefix was not expanded ends up after a namespace: ".../odrl/2/ichiba:reidentify".
    stray |= {iri for iri in iris(graph) if str(iri).startswith(str(ODRL)) and ":" in str(iri)[len(str(ODRL)) :]}
    return stray


def the_policy(graph: Graph) -> URIRef:
    policies = [s for t in (ODRL.Offer, ODRL.Agreement, ODRL.Set, ODRL.Policy) for s in graph.subjects(RDF.type, t)]
    assert len(policies) == 1, policies
    assert isinstance(policies[0], URIRef)
    return policies[0]


def action_of(graph: Graph, rule: Node) -> Node:
    action = graph.value(rule, ODRL.action)
    assert action is not None
    if isinstance(action, BNode):  # an action with refinements: [ rdf:value odrl:compensate ; odrl:refinement ... ]
        value = graph.value(action, RDF.value)
        assert value is not None
        return value
    return action


def rules(graph: Graph, kind: URIRef) -> dict[Node, Node]:
    """Action -> rule for the policy's permissions or prohibitions (each action at most once)."""
    found: dict[Node, Node] = {}
    for rule in graph.objects(the_policy(graph), kind):
        action = action_of(graph, rule)
        assert action not in found, f"two {kind} rules for {action}"
        found[action] = rule
    return found


def duties(graph: Graph, rule: Node) -> dict[Node, Node]:
    found: dict[Node, Node] = {}
    for duty in graph.objects(rule, ODRL.duty):
        action = action_of(graph, duty)
        assert action not in found, f"two duties for {action}"
        found[action] = duty
    return found


Condition = tuple[Node, Node, frozenset[Node]]


def conditions(graph: Graph, node: Node, prop: URIRef = ODRL.constraint) -> set[Condition]:
    """(leftOperand, operator, {rightOperand values}) of each constraint (or refinement) of a node."""
    found: set[Condition] = set()
    for constraint in graph.objects(node, prop):
        left = graph.value(constraint, ODRL.leftOperand)
        operator = graph.value(constraint, ODRL.operator)
        assert left is not None and operator is not None
        found.add((left, operator, frozenset(graph.objects(constraint, ODRL.rightOperand))))
    return found


def the_condition(graph: Graph, node: Node, left: URIRef, operator: URIRef) -> Node:
    matching = [c for c in conditions(graph, node) if c[0] == left and c[1] == operator]
    assert len(matching) == 1, conditions(graph, node)
    (value,) = matching[0][2]
    return value


def purpose_condition(text: str = DEFAULTS["purpose"]) -> Condition:
    return (ODRL.purpose, ODRL.eq, frozenset({Literal(text)}))


def country(code: str) -> URIRef:
    return URIRef(odrl.COUNTRY_IRI_PREFIX + code)


# --- the checkers themselves can fail -----------------------------------------------------------------------------


def test_checkers_catch_undefined_and_stray_iris() -> None:
    doc = odrl_offer(offer_input())
    doc["permission"][0]["action"] = "odrl:playyy"  # a typo in the odrl namespace
    doc["permission"][1]["action"] = "reidentify"  # no such term: resolved against the document base
    doc["prohibition"][0]["action"] = {"@id": "http://www.w3.org/ns/odrl/2/ichiba:reidentify"}
    graph = parse(doc)
    assert undefined_odrl_iris(graph) == {ODRL.playyy, URIRef(str(ODRL) + "ichiba:reidentify")}
    stray = stray_iris(graph)
    assert URIRef(str(ODRL) + "ichiba:reidentify") in stray
    assert any(str(iri).endswith("reidentify") and not str(iri).startswith(str(ODRL)) for iri in stray)


def test_vocabulary_is_the_odrl_namespace() -> None:
    assert str(ODRL2._NS) == str(ODRL)
    for term in (ODRL.Offer, ODRL.Agreement, ODRL.use, ODRL.payAmount, ODRL.isAnyOf, ODRL.LeftOperand):
        assert is_odrl_term(term), term
    assert not is_odrl_term(ODRL.datatype)  # the official context's "dataType" maps here: it is not a term
    assert not is_odrl_term(ODRL.playyy)
    assert not is_odrl_term(URIRef(str(ODRL) + "#actions"))  # a section of the vocabulary document
    assert not is_odrl_term(URIRef(str(ODRL)))  # the ontology itself
    assert not is_odrl_term(URIRef("http://example.org/use"))


# --- structure -----------------------------------------------------------------------------------------------------


def test_offer_is_one_offer_with_seller_and_dataset() -> None:
    graph = export("offer")
    policy = the_policy(graph)
    assert policy == URIRef(OFFER_UID)
    assert set(graph.objects(policy, RDF.type)) == {ODRL.Offer}
    assert set(graph.objects(policy, ODRL.assigner)) == {URIRef(SELLER)}
    assert set(graph.objects(policy, ODRL.assignee)) == set()
    assert set(graph.objects(policy, ODRL.target)) == {URIRef(DATASET)}
    assert set(graph.objects(policy, ODRL.profile)) == {URIRef(odrl.ICHIBA_PROFILE)}
    assert set(graph.objects(policy, ODRL.conflict)) == {ODRL.prohibit}


def test_agreement_is_one_agreement_between_seller_and_buyer_on_the_version() -> None:
    graph = export("agreement")
    policy = the_policy(graph)
    assert policy == URIRef(CONTRACT_UID)
    assert set(graph.objects(policy, RDF.type)) == {ODRL.Agreement}
    assert set(graph.objects(policy, ODRL.assigner)) == {URIRef(SELLER)}
    assert set(graph.objects(policy, ODRL.assignee)) == {URIRef(BUYER)}
    assert set(graph.objects(policy, ODRL.target)) == {URIRef(VERSION)}
    assert set(graph.objects(policy, ODRL.profile)) == {URIRef(odrl.ICHIBA_PROFILE)}


def test_profile_iri_is_in_the_profile_namespace() -> None:
    assert odrl.ICHIBA_NS == "urn:ichiba:odrl:"
    assert odrl.ICHIBA_PROFILE.startswith(odrl.ICHIBA_NS)
    assert odrl.CONTEXT["ichiba"] == odrl.ICHIBA_NS


VARIANTS = [
    {},
    {"processing": "none", "third_party_provision": "with_consent", "sublicense": "permitted"},
    {"processing": "any", "third_party_provision": "permitted", "sublicense": "with_consent"},
    {"end_of_term": "delete_with_certificate", "territory": ["JP", "SG", "US"]},
]


@pytest.mark.parametrize("kind", ["offer", "agreement"])
@pytest.mark.parametrize("data_class", ["anonymized", "iot"])
@pytest.mark.parametrize("changes", VARIANTS)
def test_every_iri_is_a_defined_odrl_term_or_in_a_known_namespace(
    kind: str, data_class: str, changes: dict[str, Any]
) -> None:
    graph = export(kind, data_class, **changes)
    assert len(graph) > 20
    assert undefined_odrl_iris(graph) == set()
    assert stray_iris(graph) == set()


def test_inline_context_names_only_defined_odrl_terms_and_no_remote_context() -> None:
    def iris_in(value: Any) -> Iterator[str]:
        if isinstance(value, str) and value.startswith("odrl:"):
            yield str(ODRL) + value.removeprefix("odrl:")
        elif isinstance(value, Mapping):
            for item in value.values():
                yield from iris_in(item)

    named = {URIRef(iri) for iri in iris_in(odrl.CONTEXT)}
    assert named, "the context names odrl terms"
    assert {iri for iri in named if not is_odrl_term(iri)} == set()
    assert odrl.CONTEXT["odrl"] == str(ODRL)
    doc = odrl_offer(offer_input())
    assert doc["@context"] == odrl.CONTEXT
    assert "http" not in json.dumps(doc["@context"]).replace(str(ODRL), "").replace(str(XSD), "").replace(str(RDF), "")


def test_document_is_plain_json_and_does_not_share_the_context() -> None:
    doc = odrl_agreement(agreement_input())
    assert json.loads(json.dumps(doc)) == doc
    doc["@context"]["use"] = "odrl:play"
    assert odrl.CONTEXT["use"] == "odrl:use"


# --- the mapping of the terms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_defaults(kind: str) -> None:
    graph = export(kind)
    permissions = rules(graph, ODRL.permission)
    prohibitions = rules(graph, ODRL.prohibition)
    assert set(permissions) == {ODRL.use, ODRL.derive}
    assert set(prohibitions) == {ODRL.distribute, ODRL.grantUse}

    use = permissions[ODRL.use]
    use_conditions = conditions(graph, use)
    assert purpose_condition() in use_conditions
    assert (ODRL.spatial, ODRL.isAnyOf, frozenset({country("JP")})) in use_conditions
    assert set(duties(graph, use)) == {ODRL.compensate, ODRL.delete}
    assert purpose_condition() in conditions(graph, permissions[ODRL.derive])  # within_purpose


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_processing_none_prohibits_derive(kind: str) -> None:
    graph = export(kind, processing="none")
    assert ODRL.derive in rules(graph, ODRL.prohibition)
    assert ODRL.derive not in rules(graph, ODRL.permission)


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_processing_any_permits_derive_for_any_purpose(kind: str) -> None:
    graph = export(kind, processing="any")
    derive = rules(graph, ODRL.permission)[ODRL.derive]
    assert ODRL.derive not in rules(graph, ODRL.prohibition)
    derive_conditions = conditions(graph, derive)
    assert ODRL.purpose not in {left for left, _, _ in derive_conditions}
    assert (ODRL.spatial, ODRL.isAnyOf, frozenset({country("JP")})) in derive_conditions


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_processing_within_purpose_binds_derive_to_the_purpose(kind: str) -> None:
    graph = export(kind, processing="within_purpose", purpose="Predictive maintenance of our own bridges.")
    derive = rules(graph, ODRL.permission)[ODRL.derive]
    assert purpose_condition("Predictive maintenance of our own bridges.") in conditions(graph, derive)


@pytest.mark.parametrize(
    ("term", "action"), [("third_party_provision", ODRL.distribute), ("sublicense", ODRL.grantUse)]
)
@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_consent_levels(kind: str, term: str, action: URIRef) -> None:
    graph = export(kind, **{term: "prohibited"})
    assert action in rules(graph, ODRL.prohibition)
    assert action not in rules(graph, ODRL.permission)

    graph = export(kind, **{term: "with_consent"})
    assert action not in rules(graph, ODRL.prohibition)
    permission = rules(graph, ODRL.permission)[action]
    consent = duties(graph, permission)
    assert set(consent) == {ODRL.obtainConsent}
    assert set(graph.objects(consent[ODRL.obtainConsent], ODRL.consentingParty)) == {URIRef(SELLER)}

    graph = export(kind, **{term: "permitted"})
    assert action not in rules(graph, ODRL.prohibition)
    permission = rules(graph, ODRL.permission)[action]
    assert duties(graph, permission) == {}
    assert (ODRL.spatial, ODRL.isAnyOf, frozenset({country("JP")})) in conditions(graph, permission)


def test_the_two_consent_terms_are_independent() -> None:
    graph = export("offer", third_party_provision="permitted", sublicense="prohibited")
    assert ODRL.distribute in rules(graph, ODRL.permission)
    assert ODRL.grantUse in rules(graph, ODRL.prohibition)
    graph = export("offer", third_party_provision="prohibited", sublicense="permitted")
    assert ODRL.distribute in rules(graph, ODRL.prohibition)
    assert ODRL.grantUse in rules(graph, ODRL.permission)


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_anonymized_data_carries_reidentification_ban_and_appi_notice(kind: str) -> None:
    graph = export(kind, "anonymized", processing="any", third_party_provision="permitted", sublicense="permitted")
    assert set(rules(graph, ODRL.prohibition)) == {ICHIBA.reidentify}
    notice = graph.value(the_policy(graph), ICHIBA.appiNotice)
    assert isinstance(notice, Literal)
    assert "匿名加工情報" in str(notice)
    assert "re-identify" in str(notice)
    assert str(graph.value(the_policy(graph), ICHIBA.dataClass)) == "anonymized"


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_iot_data_has_no_reidentification_ban(kind: str) -> None:
    graph = export(kind, "iot", processing="any", third_party_provision="permitted", sublicense="permitted")
    assert ICHIBA.reidentify not in set(graph.objects(None, ODRL.action))
    assert ODRL.prohibition not in set(graph.predicates(the_policy(graph)))
    assert graph.value(the_policy(graph), ICHIBA.appiNotice) is None
    assert str(graph.value(the_policy(graph), ICHIBA.dataClass)) == "iot"


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_deletion_at_end_of_term(kind: str) -> None:
    graph = export(kind, end_of_term="delete")
    use_duties = duties(graph, rules(graph, ODRL.permission)[ODRL.use])
    delete = use_duties[ODRL.delete]
    assert graph.value(delete, ICHIBA.certificate) == Literal(False)
    assert (ODRL.event, ODRL.gt, frozenset({ICHIBA.endOfTerm})) in conditions(graph, delete)
    assert ODRL.inform not in use_duties


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_deletion_with_certificate(kind: str) -> None:
    graph = export(kind, end_of_term="delete_with_certificate")
    use_duties = duties(graph, rules(graph, ODRL.permission)[ODRL.use])
    assert graph.value(use_duties[ODRL.delete], ICHIBA.certificate) == Literal(True)
    inform = use_duties[ODRL.inform]
    assert set(graph.objects(inform, ODRL.informedParty)) == {URIRef(SELLER)}
    assert graph.value(inform, ICHIBA.informOf) == ODRL.delete


def test_agreement_term_is_a_datetime_window() -> None:
    graph = export("agreement")
    use = rules(graph, ODRL.permission)[ODRL.use]
    start = the_condition(graph, use, ODRL.dateTime, ODRL.gteq)
    end = the_condition(graph, use, ODRL.dateTime, ODRL.lteq)
    assert isinstance(start, Literal) and start.datatype == XSD.dateTime
    assert isinstance(end, Literal) and end.datatype == XSD.dateTime
    assert start.toPython() == VALID_FROM
    assert end.toPython() == VALID_UNTIL
    assert start.toPython().utcoffset() == timedelta(0)  # written in UTC
    assert ODRL.elapsedTime not in {left for left, _, _ in conditions(graph, use)}
    # the other permissions of the licence end with it too
    derive = rules(graph, ODRL.permission)[ODRL.derive]
    assert the_condition(graph, derive, ODRL.dateTime, ODRL.lteq) == end


def test_agreement_compensation_states_the_amount() -> None:
    graph = export("agreement")
    compensate = duties(graph, rules(graph, ODRL.permission)[ODRL.use])[ODRL.compensate]
    action = graph.value(compensate, ODRL.action)
    assert isinstance(action, BNode)
    assert graph.value(action, RDF.value) == ODRL.compensate
    (refinement,) = graph.objects(action, ODRL.refinement)
    assert graph.value(refinement, ODRL.leftOperand) == ODRL.payAmount
    assert graph.value(refinement, ODRL.operator) == ODRL.eq
    amount = graph.value(refinement, ODRL.rightOperand)
    assert isinstance(amount, Literal) and amount.datatype == XSD.decimal
    assert amount.toPython() == Decimal(120000)
    assert graph.value(refinement, ODRL.unit) == URIRef("urn:iso:std:iso:4217:JPY")
    assert set(graph.objects(compensate, ODRL.compensatingParty)) == {URIRef(BUYER)}
    assert set(graph.objects(compensate, ODRL.compensatedParty)) == {URIRef(SELLER)}
    assert graph.value(compensate, ICHIBA.amountMinorUnits) == Literal(120000)


@pytest.mark.parametrize(
    ("amount", "currency", "decimal"),
    [
        (120000, "JPY", "120000"),
        (1999, "USD", "19.99"),
        (100, "EUR", "1.00"),
        (12345, "KWD", "12.345"),
        (0, "JPY", "0"),
    ],
)
def test_pay_amount_is_in_major_units(amount: int, currency: str, decimal: str) -> None:
    assert odrl.pay_amount(amount, currency) == decimal
    graph = parse(odrl_agreement(agreement_input(amount=amount, currency=currency)))
    assert Literal(decimal, datatype=XSD.decimal) in set(graph.objects(None, ODRL.rightOperand))
    assert URIRef(f"urn:iso:std:iso:4217:{currency}") in set(graph.objects(None, ODRL.unit))


def test_offer_term_is_an_elapsed_time_and_price_comes_from_the_order_book() -> None:
    graph = export("offer")
    use = rules(graph, ODRL.permission)[ODRL.use]
    term = the_condition(graph, use, ODRL.elapsedTime, ODRL.lteq)
    assert term == Literal("P365D", datatype=XSD.duration)
    assert ODRL.dateTime not in {left for left, _, _ in conditions(graph, use)}
    compensate = duties(graph, use)[ODRL.compensate]
    assert graph.value(compensate, ODRL.action) == ODRL.compensate  # no refinement: no amount
    assert set(graph.objects(None, ODRL.refinement)) == set()
    assert set(graph.objects(None, ODRL.unit)) == set()
    assert "order book" in str(graph.value(compensate, ICHIBA.note))

    graph = export("offer", duration_days=30)
    use = rules(graph, ODRL.permission)[ODRL.use]
    assert the_condition(graph, use, ODRL.elapsedTime, ODRL.lteq) == Literal("P30D", datatype=XSD.duration)


def test_offer_may_name_its_currency() -> None:
    policy = offer_input()
    doc = odrl_offer(PolicyInput(**{**policy.__dict__, "currency": "USD"}))
    graph = parse(doc)
    assert URIRef("urn:iso:std:iso:4217:USD") in set(graph.objects(None, ICHIBA.currency))


def test_territory_lists_every_country() -> None:
    graph = export("agreement", territory=["JP", "SG", "US"])
    use = rules(graph, ODRL.permission)[ODRL.use]
    assert the_condition_values(graph, use, ODRL.spatial, ODRL.isAnyOf) == {country(c) for c in ("JP", "SG", "US")}


def the_condition_values(graph: Graph, node: Node, left: URIRef, operator: URIRef) -> set[Node]:
    matching = [c for c in conditions(graph, node) if c[0] == left and c[1] == operator]
    assert len(matching) == 1
    return set(matching[0][2])


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_clause_parameters_stay_in_the_profile_namespace(kind: str) -> None:
    changed: dict[str, Any] = {
        "license_type": "exclusive",
        "liability_cap": {"basis": "fixed", "amount": 5000000},
        "derived_data": {"rights": "joint", "provider_access": "paid"},
        "governing_law": "SG",
        "forum": "Singapore International Arbitration Centre",
    }
    graph = export(kind, **changed)
    policy = the_policy(graph)
    literal = graph.value(policy, ICHIBA.clauseParameters)
    assert isinstance(literal, Literal)
    assert literal.datatype == RDF.JSON
    expected = {name: terms(**changed)[name] for name in odrl.CLAUSE_PARAMETERS}
    assert json.loads(str(literal)) == expected
    assert set(expected) == {
        "license_type", "derived_data", "warranties", "liability_cap", "confidentiality_years", "governing_law",
        "forum",
    }  # fmt: skip
    assert str(graph.value(policy, ICHIBA.template)) == "meti-data-provision@1"
    assert str(graph.value(policy, ICHIBA.termsSha256)) == SHA


# --- a subscription ------------------------------------------------------------------------------------------------

SUBSCRIPTION = {"period_days": 30, "term_periods": 12, "min_versions_per_period": 4, "stream": False}


def subscription(duration_days: int = 360, **shape: Any) -> dict[str, Any]:
    return {"duration_days": duration_days, "subscription": {**SUBSCRIPTION, **shape}}


def obligations(graph: Graph) -> dict[Node, Node]:
    """Action -> duty for the policy's obligations (each action at most once)."""
    found: dict[Node, Node] = {}
    for duty in graph.objects(the_policy(graph), ODRL.obligation):
        action = action_of(graph, duty)
        assert action not in found
        found[action] = duty
    return found


def per_period(graph: Graph, node: Node, operator: URIRef, count: int, days: int = 30) -> None:
    assert conditions(graph, node) == {
        (ODRL.timeInterval, ODRL.eq, frozenset({Literal(f"P{days}D", datatype=XSD.duration)})),
        (ODRL["count"], operator, frozenset({Literal(str(count), datatype=XSD.integer)})),
    }


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_a_licence_has_no_obligation_and_pays_once(kind: str) -> None:
    graph = export(kind)
    assert obligations(graph) == {}
    compensate = duties(graph, rules(graph, ODRL.permission)[ODRL.use])[ODRL.compensate]
    assert conditions(graph, compensate) == set()


@pytest.mark.parametrize("kind", ["offer", "agreement"])
@pytest.mark.parametrize("data_class", ["anonymized", "iot"])
def test_a_subscription_pays_per_period_and_the_seller_commits_to_new_versions(kind: str, data_class: str) -> None:
    graph = export(kind, data_class, **subscription())
    assert undefined_odrl_iris(graph) == set() and stray_iris(graph) == set()
    use = rules(graph, ODRL.permission)[ODRL.use]
    if kind == "offer":  # the whole term, as for a licence
        assert the_condition(graph, use, ODRL.elapsedTime, ODRL.lteq) == Literal("P360D", datatype=XSD.duration)
    # the fee recurs every period, at most once per period of the term (the agreement's amount is one period's)
    per_period(graph, duties(graph, use)[ODRL.compensate], ODRL.lteq, 12)
    # the delivery commitment is the seller's duty: it is the duty's assignee, towards the buyer of an agreement
    (distribute,) = obligations(graph).values()
    assert action_of(graph, distribute) == ODRL.distribute
    per_period(graph, distribute, ODRL.gteq, 4)
    assert set(graph.objects(distribute, ODRL.assignee)) == {URIRef(SELLER)}
    assert set(graph.objects(distribute, ODRL.assigner)) == ({URIRef(BUYER)} if kind == "agreement" else set())
    assert "new versions" in str(graph.value(distribute, ICHIBA.note))
    # the buyer's rules are the licence's
    assert set(rules(graph, ODRL.permission)) == set(rules(export(kind, data_class), ODRL.permission))


@pytest.mark.parametrize("kind", ["offer", "agreement"])
def test_a_live_stream_is_the_seller_s_duty_too_with_its_messages(kind: str) -> None:
    graph = export(kind, **subscription(stream=True, min_messages_per_period=5000))
    assert undefined_odrl_iris(graph) == set() and stray_iris(graph) == set()
    duties_of_seller = obligations(graph)
    assert set(duties_of_seller) == {ODRL.distribute, ODRL.stream}
    per_period(graph, duties_of_seller[ODRL.stream], ODRL.gteq, 5000)
    assert set(graph.objects(duties_of_seller[ODRL.stream], ODRL.assignee)) == {URIRef(SELLER)}
    graph = export(kind, **subscription(182, stream=True, period_days=7, term_periods=26, min_versions_per_period=1))
    stream = obligations(graph)[ODRL.stream]
    assert conditions(graph, stream) == set(), "a stream without a message commitment"
    per_period(graph, obligations(graph)[ODRL.distribute], ODRL.gteq, 1, days=7)


@pytest.mark.parametrize(
    ("shape", "refusal"),
    [
        ({"period_days": 0}, r"subscription\.period_days must be a positive integer"),
        ({"min_versions_per_period": True}, r"subscription\.min_versions_per_period must be a positive integer"),
        ({"stream": "no"}, r"subscription\.stream must be true or false"),
        ({"term_periods": 11}, "duration_days must be the subscription's term"),
    ],
)
def test_a_malformed_subscription_is_refused(shape: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        odrl_offer(offer_input(**subscription(**shape)))


# --- refused inputs ------------------------------------------------------------------------------------------------


def replace(policy: PolicyInput, **changes: Any) -> PolicyInput:
    return PolicyInput(**{**policy.__dict__, **changes})


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"assignee": BUYER}, "An Offer has no assignee"),
        ({"valid_from": VALID_FROM}, "An Offer has no valid_from"),
        ({"amount": 100}, "An Offer has no amount"),
        ({"currency": "yen"}, "currency must be an ISO 4217 code"),
        ({"data_class": "personal"}, "data_class must be one of"),
        ({"uid": "not an iri"}, "uid must be an absolute IRI"),
        ({"target": "ichiba:dataset:1"}, "target .* compact IRI"),  # would expand into the profile namespace
        ({"assigner": "use:x"}, "assigner .* compact IRI"),
        ({"terms": terms(processing="some")}, r"terms\.processing must be one of"),
        ({"terms": terms(third_party_provision="maybe")}, r"terms\.third_party_provision must be one of"),
        ({"terms": terms(territory=["jp"])}, r"terms\.territory must be a non-empty list"),
        ({"terms": terms(territory=[])}, r"terms\.territory must be a non-empty list"),
        ({"terms": terms(duration_days=0)}, r"terms\.duration_days must be a positive integer"),
        ({"terms": terms(end_of_term="return")}, r"terms\.end_of_term must be one of"),
        ({"terms": {k: v for k, v in DEFAULTS.items() if k != "forum"}}, "terms lack forum"),
    ],
)
def test_offer_refuses_bad_input(changes: dict[str, Any], refusal: str) -> None:
    odrl_offer(offer_input())  # the base input is fine
    with pytest.raises(ValueError, match=refusal):
        odrl_offer(replace(offer_input(), **changes))


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"assignee": None}, "An Agreement needs assignee"),
        ({"valid_from": None}, "An Agreement needs valid_from"),
        ({"amount": None}, "An Agreement needs amount"),
        ({"currency": None}, "An Agreement needs currency"),
        ({"amount": -1}, "amount is a non-negative integer"),
        ({"valid_from": datetime(2025, 4, 1)}, "must be timezone-aware"),  # noqa: DTZ001 - naive on purpose
        ({"valid_until": datetime(2024, 1, 1, tzinfo=UTC)}, "valid_until is before valid_from"),
        ({"assignee": "buyer"}, "assignee must be an absolute IRI"),
    ],
)
def test_agreement_refuses_bad_input(changes: dict[str, Any], refusal: str) -> None:
    odrl_agreement(agreement_input())
    with pytest.raises(ValueError, match=refusal):
        odrl_agreement(replace(agreement_input(), **changes))


# --- any valid terms ------------------------------------------------------------------------------------------------

_props = TERMS_SCHEMA["properties"]
_text = st.text(st.characters(codec="utf-8"), min_size=5, max_size=80).filter(lambda s: s.strip())
_country = st.sampled_from(["JP", "US", "SG", "DE", "FR", "GB", "KR", "TW", "AU", "IN"])

terms_strategy = st.fixed_dictionaries(
    {
        "purpose": _text,
        "processing": st.sampled_from(_props["processing"]["enum"]),
        "license_type": st.sampled_from(_props["license_type"]["enum"]),
        "third_party_provision": st.sampled_from(_props["third_party_provision"]["enum"]),
        "sublicense": st.sampled_from(_props["sublicense"]["enum"]),
        "derived_data": st.fixed_dictionaries(
            {
                "rights": st.sampled_from(["recipient", "provider", "joint"]),
                "provider_access": st.sampled_from(["none", "free", "paid"]),
            }
        ),
        "territory": st.lists(_country, min_size=1, max_size=5, unique=True),
        "duration_days": st.integers(1, 3650),
        "warranties": st.fixed_dictionaries({item: st.sampled_from(WARRANTY_LEVELS) for item in WARRANTY_ITEMS}),
        "liability_cap": st.one_of(
            st.fixed_dictionaries({"basis": st.sampled_from(["none", "fees_paid"])}),
            st.fixed_dictionaries({"basis": st.just("fixed"), "amount": st.integers(1, 10**12)}),
        ),
        "confidentiality_years": st.integers(0, 30),
        "end_of_term": st.sampled_from(_props["end_of_term"]["enum"]),
        "governing_law": _country,
        "forum": _text,
    }
)
_moment = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2090, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, JST, timezone(timedelta(hours=-5, minutes=-30))]),
)


_shape = st.builds(
    lambda period, periods, versions, stream, messages: {
        "period_days": period,
        "term_periods": periods,
        "min_versions_per_period": versions,
        "stream": stream,
        **({"min_messages_per_period": messages} if stream and messages else {}),
    },
    st.integers(1, 366),
    st.integers(1, 36),
    st.integers(1, 10_000),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 10**9)),
).filter(lambda shape: shape["period_days"] * shape["term_periods"] <= 3650)


def _with_shape(terms: dict[str, Any], shape: dict[str, Any] | None) -> dict[str, Any]:
    if shape is None:
        return terms
    return {**terms, "duration_days": shape["period_days"] * shape["term_periods"], "subscription": shape}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    terms=st.builds(_with_shape, terms_strategy, st.one_of(st.none(), _shape)),
    data_class=st.sampled_from(["anonymized", "iot"]),
    start=_moment,
    days=st.integers(1, 3650),
    amount=st.integers(0, 10**12),
    currency=st.sampled_from(["JPY", "USD", "EUR", "KWD"]),
)
def test_any_valid_terms_export_to_known_odrl_terms(
    terms: dict[str, Any], data_class: str, start: datetime, days: int, amount: int, currency: str
) -> None:
    offer = PolicyInput(OFFER_UID, SELLER, DATASET, terms, data_class, "meti-data-provision@1", SHA)
    agreement = PolicyInput(
        CONTRACT_UID, SELLER, VERSION, terms, data_class, "meti-data-provision@1", SHA,
        assignee=BUYER, valid_from=start, valid_until=start + timedelta(days=days), amount=amount, currency=currency,
    )  # fmt: skip
    for doc, policy_type in ((odrl_offer(offer), ODRL.Offer), (odrl_agreement(agreement), ODRL.Agreement)):
        graph = parse(doc)
        assert undefined_odrl_iris(graph) == set()
        assert stray_iris(graph) == set()
        policy = the_policy(graph)
        assert set(graph.objects(policy, RDF.type)) == {policy_type}

        permissions, prohibitions = rules(graph, ODRL.permission), rules(graph, ODRL.prohibition)
        assert ODRL.use in permissions
        assert set(permissions).isdisjoint(prohibitions)
        assert (ODRL.derive in prohibitions) == (terms["processing"] == "none")
        assert (ODRL.distribute in prohibitions) == (terms["third_party_provision"] == "prohibited")
        assert (ODRL.grantUse in prohibitions) == (terms["sublicense"] == "prohibited")
        assert (ICHIBA.reidentify in prohibitions) == (data_class == "anonymized")
        assert set(permissions) | set(prohibitions) == {
            ODRL.use, ODRL.derive, ODRL.distribute, ODRL.grantUse,
        } | ({ICHIBA.reidentify} if data_class == "anonymized" else set())  # fmt: skip

        use = permissions[ODRL.use]
        assert purpose_condition(terms["purpose"]) in conditions(graph, use)
        spatial = the_condition_values(graph, use, ODRL.spatial, ODRL.isAnyOf)
        assert spatial == {country(c) for c in terms["territory"]}
        use_duties = duties(graph, use)
        assert {ODRL.compensate, ODRL.delete} <= set(use_duties)
        certificate = terms["end_of_term"] == "delete_with_certificate"
        assert graph.value(use_duties[ODRL.delete], ICHIBA.certificate) == Literal(certificate)
        assert json.loads(str(graph.value(policy, ICHIBA.clauseParameters))) == {
            name: terms[name] for name in odrl.CLAUSE_PARAMETERS
        }
        shape = terms.get("subscription")
        seller_duties = set(graph.objects(policy, ODRL.obligation))
        assert len(seller_duties) == (0 if shape is None else 2 if shape["stream"] else 1)
        if policy_type == ODRL.Agreement:
            begin = the_condition(graph, use, ODRL.dateTime, ODRL.gteq)
            assert isinstance(begin, Literal) and begin.toPython() == start
            amounts = {o.toPython() for o in graph.objects(None, ODRL.rightOperand) if isinstance(o, Literal)}
            assert {a for a in amounts if isinstance(a, Decimal)} == {Decimal(odrl.pay_amount(amount, currency))}
        else:
            duration = the_condition(graph, use, ODRL.elapsedTime, ODRL.lteq)
            assert duration == Literal(f"P{terms['duration_days']}D", datatype=XSD.duration)
