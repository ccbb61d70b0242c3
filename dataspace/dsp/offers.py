"""Offers in a negotiation (docs/dataspace.md, "Counter-offers"): a consumer's ODRL ``Offer`` read back into the
market's terms and price, and a private offer's revision written as the DSP ``Offer`` Ichiba sends. Pure functions,
no queries.

**Reading** (``offer_read``) inverts the one mapping, ``contracts.odrl`` as DSP carries it
(``dataspace.dsp.catalog.dsp_offer``): the ``use`` permission's purpose (``purpose eq``), territory (``spatial
isAnyOf`` country IRIs) and term (``elapsedTime lteq P<n>D``); ``derive`` permitted (within the purpose or not) or
prohibited; ``distribute`` and ``grantUse`` prohibited, permitted with an ``obtainConsent`` duty, or permitted;
the ``delete`` duty with or without a certificate; the clause parameters (licence type, derived data, warranties,
liability, confidentiality, law, forum) from ``urn:ichiba:odrl:clauseParameters``; and the price from the
``compensate`` duty's ``payAmount`` (major units of its ``unit`` currency, to minor units).

Then it checks itself: the terms it read are written out again, and the consumer's rules must be exactly those
(compared as meaning, not spelling: compact or full IRIs, typed or plain literals, any order). A rule that does not
come back (a constraint Ichiba has no term for, a territory changed in one permission only, a mandatory prohibition
removed, a subscription's recurrence changed) is refused naming that rule: ``terms-not-negotiable``. What the
offer does not state (no clause parameters, no price) stays as in the offer it answers (``Basis``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.odrl import (
    CLAUSE_PARAMETERS,
    COUNTRY_IRI_PREFIX,
    CURRENCY_IRI_PREFIX,
    ICHIBA_NS,
    ODRL_NS,
    minor_units,
)
from contracts.odrl_export import offer_odrl
from contracts.registry import template_get
from contracts.terms import with_defaults
from dataspace.dsp.catalog import dsp_offer
from dataspace.dsp.errors import DspError

REVISION_PREFIX = "urn:ichiba:private-offer:"
NOT_NEGOTIABLE = "terms-not-negotiable"

# Policy-level keys an offer may carry (normalised: ``odrl:`` and ODRL's namespace dropped, Ichiba's kept whole).
_POLICY_KEYS = frozenset(
    {
        "@id",
        "@type",
        "@context",
        "target",
        "assigner",
        "profile",
        "conflict",
        "permission",
        "prohibition",
        "obligation",
        f"{ICHIBA_NS}appiNotice",
        f"{ICHIBA_NS}dataClass",
        f"{ICHIBA_NS}template",
        f"{ICHIBA_NS}termsSha256",
        f"{ICHIBA_NS}clauseParameters",
    }
)
# Not compared: the notes Ichiba writes for people, and the price (read and checked on its own).
_IGNORED_IN_RULES = frozenset({f"{ICHIBA_NS}note", f"{ICHIBA_NS}amountMinorUnits"})


@dataclass(frozen=True)
class Basis:
    """What a consumer's offer answers: the catalog's offer (an offering's terms and best ask) or the seller's latest
    revision. ``terms`` as stored (the template's defaults filled in)."""

    template_code: str
    template_version: int
    terms: Mapping[str, Any]
    data_class: str
    currency: str
    price: int
    seller_id: uuid.UUID
    dataset_id: uuid.UUID


@dataclass(frozen=True)
class ConsumerOffer:
    """A consumer's offer read into the market's terms: ``terms`` whole (what it does not state is the basis's),
    ``price`` per seat in minor units of the basis's currency, ``changed`` the names of the terms that differ from
    the basis's (``price`` among them when the price does)."""

    terms: dict[str, Any]
    price: int
    changed: tuple[str, ...]

    @property
    def is_counter(self) -> bool:
        return bool(self.changed)


def revision_id(private_offer_id: uuid.UUID, number: int) -> str:
    """The ``@id`` of a private offer's revision as a DSP ``Offer``."""
    return f"{REVISION_PREFIX}{private_offer_id}:revision:{number}"


def revision_offer(
    *,
    private_offer_id: uuid.UUID,
    number: int,
    seller_id: uuid.UUID,
    dataset_id: uuid.UUID,
    template_code: str,
    template_version: int,
    terms: Mapping[str, Any],
    terms_sha256: str,
    data_class: str,
    price: int,
    currency: str,
) -> dict[str, Any]:
    """A revision as the DSP ``Offer`` of a ``ContractOfferMessage``: the one mapping (``contracts.odrl``), its
    ``@id`` naming the revision, its ``target`` the dataset, its price the revision's (per seat; one seat)."""
    odrl = offer_odrl(
        uid=revision_id(private_offer_id, number),
        offering_id=None,
        seller_id=seller_id,
        dataset_id=dataset_id,
        terms=terms,
        data_class=data_class,
        template_code=template_code,
        template_version=template_version,
        terms_sha256=terms_sha256,
    )
    return dsp_offer(odrl, amount=price, currency=currency, target=True)


# --- reading ------------------------------------------------------------------------------------------------------


def not_negotiable(*reason: str) -> DspError:
    """The refusal of an offer Ichiba cannot read into its terms (the caller adds the process's ids)."""
    return DspError(400, NOT_NEGOTIABLE, *reason, message_type="ContractNegotiationError")


def _term(name: str) -> str:
    """An ODRL term or an IRI as one spelling: ``odrl:use``, ``http://www.w3.org/ns/odrl/2/use`` and ``use`` are
    ``use``; Ichiba's extension terms keep their absolute IRI."""
    for prefix in ("odrl:", ODRL_NS):
        if name.startswith(prefix):
            return name[len(prefix) :]
    if name.startswith("ichiba:"):
        return ICHIBA_NS + name[len("ichiba:") :]
    return name


def _normal(value: Any) -> Any:
    """``value`` as its meaning: keys and vocabulary terms in one spelling, ``{"@id": x}`` as ``x``, a typed or
    plain literal as its lexical value, lists in one order (ODRL's rules, constraints and operand lists are sets)."""
    if isinstance(value, list):
        items = [_normal(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    if not isinstance(value, dict):
        return _term(value) if isinstance(value, str) else value
    if set(value) == {"@id"}:
        return _normal(value["@id"])
    if "@value" in value and set(value) <= {"@value", "@type", "@language"}:
        literal = value["@value"]
        return literal if value.get("@type") == "@json" else _normal(literal)
    return {_term(key): _normal(item) for key, item in value.items() if key != "@context"}


def _items(node: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects of ``node[key]`` (a rule's constraints or duties), whatever else a hostile offer put there: what is
    not an object is not read here, and the comparison with the terms written out again refuses it."""
    value = node.get(key, [])
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _rule_name(kind: str, rule: Any) -> str:
    action = rule.get("action") if isinstance(rule, dict) else None
    action = action.get("rdf:value", action) if isinstance(action, dict) else action
    return f"the {kind} {action!r}" if isinstance(action, str) else f"a {kind} without an action"


def _rules(offer: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    rules = offer.get(kind, [])
    if isinstance(rules, dict):
        rules = [rules]
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise not_negotiable(f"{kind} is a list of rules.")
    return rules


def _one(rules: list[dict[str, Any]], action: str, kind: str) -> dict[str, Any] | None:
    found = [rule for rule in rules if rule.get("action") == action]
    if len(found) > 1:
        raise not_negotiable(f"The offer states the {kind} {action!r} twice.")
    return found[0] if found else None


def _constraint(rule: Mapping[str, Any], left: str, operator: str) -> Any:
    for constraint in _items(rule, "constraint"):
        if isinstance(constraint, dict) and constraint.get("leftOperand") == left:
            if constraint.get("operator") != operator:
                raise not_negotiable(f"The {left} constraint is stated with the operator {operator!r} only.")
            return constraint.get("rightOperand")
    return None


def _duration_days(value: Any) -> int | None:
    if isinstance(value, str) and value.startswith("P") and value.endswith("D") and value[1:-1].isdigit():
        return int(value[1:-1])
    return None


def _consent(permissions: list[dict[str, Any]], prohibitions: list[dict[str, Any]], action: str) -> str | None:
    permitted, prohibited = _one(permissions, action, "permission"), _one(prohibitions, action, "prohibition")
    if permitted is not None and prohibited is not None:
        raise not_negotiable(f"The action {action!r} is both permitted and prohibited.")
    if prohibited is not None:
        return "prohibited"
    if permitted is None:
        return None
    duties = _items(permitted, "duty")
    return (
        "with_consent"
        if any(d.get("action") == "obtainConsent" for d in duties if isinstance(d, dict))
        else "permitted"
    )


def _price(use: Mapping[str, Any] | None, basis: Basis) -> int | None:
    """The ``compensate`` duty's ``payAmount`` in minor units (None: the offer states no price)."""
    if use is None:
        return None
    duties = [duty for duty in _items(use, "duty") if duty.get("action") == "compensate"]
    if len(duties) != 1:
        return None
    [duty] = duties
    stated = [c for c in _items(duty, "constraint") if c.get("leftOperand") == "payAmount"]
    if not stated:
        return None
    if len(stated) > 1 or stated[0].get("operator") != "eq":
        raise not_negotiable("The compensate duty states one payAmount, with the operator 'eq'.")
    [pay] = stated
    unit = pay.get("unit")
    if unit != f"{CURRENCY_IRI_PREFIX}{basis.currency}":
        raise not_negotiable(
            f"The compensate duty's payAmount is in the offer's currency, unit {CURRENCY_IRI_PREFIX}{basis.currency}: "
            "the currency is not negotiable."
        )
    amount = pay.get("rightOperand")
    minor = minor_units(amount, basis.currency) if isinstance(amount, str) else None
    if minor is None or minor < 1:
        raise not_negotiable(
            f"The compensate duty's payAmount is a positive xsd:decimal in major units of {basis.currency}, at most to "
            f"its minor unit; got {amount!r}."
        )
    stated_minor = duty.get(f"{ICHIBA_NS}amountMinorUnits")
    if stated_minor is not None and stated_minor != minor:
        raise not_negotiable(
            f"The compensate duty's payAmount ({amount}) and {ICHIBA_NS}amountMinorUnits ({stated_minor!r}) disagree: "
            "change both, or leave out the second."
        )
    return minor


def _read_terms(offer: Mapping[str, Any], basis: Basis) -> dict[str, Any]:
    """The terms the rules state, each where the mapping puts it; a term the offer does not state is the basis's."""
    permissions, prohibitions = _rules(offer, "permission"), _rules(offer, "prohibition")
    terms = dict(basis.terms)
    use = _one(permissions, "use", "permission")
    if use is not None:
        purpose = _constraint(use, "purpose", "eq")
        if purpose is not None:
            terms["purpose"] = purpose
        territory = _constraint(use, "spatial", "isAnyOf")
        if territory is not None:
            codes = territory if isinstance(territory, list) else [territory]
            if not all(isinstance(code, str) and code.startswith(COUNTRY_IRI_PREFIX) for code in codes):
                raise not_negotiable(f"The territory (spatial isAnyOf) is a list of {COUNTRY_IRI_PREFIX}<code> IRIs.")
            terms["territory"] = [code.removeprefix(COUNTRY_IRI_PREFIX) for code in codes]
        elapsed = _constraint(use, "elapsedTime", "lteq")
        if elapsed is not None:
            days = _duration_days(elapsed)
            if days is None:
                raise not_negotiable(f"The term (elapsedTime lteq) is a duration in days, P<n>D; got {elapsed!r}.")
            terms["duration_days"] = days
        duties = _items(use, "duty")
        delete = [duty for duty in duties if duty.get("action") == "delete"]
        if delete:
            certified = delete[0].get(f"{ICHIBA_NS}certificate") is True or "inform" in [
                duty.get("action") for duty in duties
            ]
            terms["end_of_term"] = "delete_with_certificate" if certified else "delete"
    derive, no_derive = _one(permissions, "derive", "permission"), _one(prohibitions, "derive", "prohibition")
    if derive is not None and no_derive is not None:
        raise not_negotiable("The action 'derive' is both permitted and prohibited.")
    if no_derive is not None:
        terms["processing"] = "none"
    elif derive is not None:
        terms["processing"] = "within_purpose" if _constraint(derive, "purpose", "eq") is not None else "any"
    for action, term in (("distribute", "third_party_provision"), ("grantUse", "sublicense")):
        level = _consent(permissions, prohibitions, action)
        if level is not None:
            terms[term] = level
    parameters = offer.get(f"{ICHIBA_NS}clauseParameters")
    if parameters is not None:
        if not isinstance(parameters, dict):
            raise not_negotiable(f"{ICHIBA_NS}clauseParameters is a JSON object (@type @json).")
        unknown = sorted(set(parameters) - set(CLAUSE_PARAMETERS))
        if unknown:
            raise not_negotiable(
                f"{ICHIBA_NS}clauseParameters holds {', '.join(CLAUSE_PARAMETERS)}; not {', '.join(unknown)}."
            )
        terms.update(parameters)
    return terms


def _check_policy(offer: Mapping[str, Any], basis: Basis) -> None:
    unknown = sorted(set(offer) - _POLICY_KEYS)
    if unknown:
        raise not_negotiable(f"Ichiba has no term for {', '.join(map(repr, unknown))}: leave it out.")
    template = template_get(basis.template_code, basis.template_version)
    expected = {
        "target": f"urn:ichiba:dataset:{basis.dataset_id}",
        "assigner": f"urn:ichiba:organization:{basis.seller_id}",
        f"{ICHIBA_NS}template": template.key,
        f"{ICHIBA_NS}dataClass": basis.data_class,
    }
    for key, value in expected.items():
        if key in offer and offer[key] != value:
            raise not_negotiable(f"{key} is {value!r}: it is not negotiable.")
    if offer.get("@type") != "Offer":
        raise not_negotiable("The offer is an ODRL Offer (@type Offer).")


def _expected(terms: Mapping[str, Any], basis: Basis, price: int | None) -> dict[str, Any]:
    """The offer Ichiba would write for ``terms`` (``revision_offer``'s mapping), normalised."""
    written = revision_offer(
        private_offer_id=uuid.UUID(int=0),
        number=1,
        seller_id=basis.seller_id,
        dataset_id=basis.dataset_id,
        template_code=basis.template_code,
        template_version=basis.template_version,
        terms=terms,
        terms_sha256="",
        data_class=basis.data_class,
        price=price or basis.price,
        currency=basis.currency,
    )
    normal: dict[str, Any] = _normal(written)
    return normal


def _comparable(rules: list[dict[str, Any]]) -> list[str]:
    """Rules as comparable strings: without the notes and the price (read on their own)."""

    def strip(value: Any) -> Any:
        if isinstance(value, list):
            return [strip(item) for item in value]
        if not isinstance(value, dict):
            return value
        kept = {key: strip(item) for key, item in value.items() if key not in _IGNORED_IN_RULES}
        if kept.get("action") == "compensate":
            constraints = kept.get("constraint", [])
            if isinstance(constraints, list):  # anything but the price is compared, garbage included
                kept["constraint"] = [
                    c for c in constraints if not (isinstance(c, dict) and c.get("leftOperand") == "payAmount")
                ]
            if not kept["constraint"]:
                kept.pop("constraint")
        return kept

    return sorted(json.dumps(strip(rule), sort_keys=True, ensure_ascii=False) for rule in rules)


def _check_rules(offer: Mapping[str, Any], expected: Mapping[str, Any]) -> None:
    """Every rule of the consumer's offer is one Ichiba writes for the terms read, and none is missing."""
    for kind in ("permission", "prohibition", "obligation"):
        theirs, ours = _comparable(_rules(offer, kind)), _comparable(_rules(expected, kind))
        extra = [rule for rule in theirs if rule not in ours]
        if extra:
            rule = json.loads(extra[0])
            raise not_negotiable(
                f"Ichiba cannot negotiate {_rule_name(kind, rule)} as stated ({extra[0]}): only the purpose, "
                "territory, term, processing, provision to third parties, sublicensing, deletion, clause parameters "
                "and price are negotiable, each stated as in the catalog's offer."
            )
        missing = [rule for rule in ours if rule not in theirs]
        if missing:
            rule = json.loads(missing[0])
            raise not_negotiable(f"The offer lacks {_rule_name(kind, rule)} ({missing[0]}), which the terms require.")


def offer_read(offer: Any, *, basis: Basis) -> ConsumerOffer:
    """A consumer's ``offer`` (a DSP ``Offer``, in any spelling DSP's context allows) read against ``basis``: its
    terms, its price, and what changed. Raises ``DspError`` (400 ``terms-not-negotiable``, naming the rule) when the
    offer states something the market's terms cannot hold. Whether the terms themselves are acceptable (the
    template's schema, the market's rules) is the private offer's to judge."""
    if not isinstance(offer, dict):
        raise not_negotiable("The offer is a JSON object.")
    try:
        normal: dict[str, Any] = _normal(offer)
    except RecursionError:
        raise not_negotiable("The offer is nested too deeply to be an ODRL offer.") from None
    _check_policy(normal, basis)
    terms = with_defaults(template_get(basis.template_code, basis.template_version), _read_terms(normal, basis))
    price = _price(_one(_rules(normal, "permission"), "use", "permission"), basis)
    try:
        expected = _expected(terms, basis, price)
    except ValueError as error:  # a term the mapping cannot write (the schema will say more)
        raise not_negotiable(f"The offer's terms cannot be stated: {error}") from error
    _check_rules(normal, expected)
    stated_price = basis.price if price is None else price
    changed = tuple(name for name in sorted(set(terms) | set(basis.terms)) if terms.get(name) != basis.terms.get(name))
    if stated_price != basis.price:
        changed = (*changed, "price")
    return ConsumerOffer(terms=terms, price=stated_price, changed=changed)
