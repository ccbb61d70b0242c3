"""Offerings and contracts as ODRL 2.2 policies (JSON-LD with an inline context; standard library only).

An offering is exported as an ``odrl:Offer`` and a concluded contract as an ``odrl:Agreement``
(docs/domain.md#interoperability). The policy is written in the ODRL *compact* form: ``assigner``
(seller), ``assignee`` (buyer, Agreement only) and ``target`` (dataset, or dataset version for a contract)
sit on the policy and apply to every rule in it, duties included (ODRL 2.2 Information Model, 2.7.1).

Mapping of the METI data-provision terms:

- one permission ``use`` constrained by ``purpose eq <purpose>``, ``spatial isAnyOf <territory>`` and the term
  (Agreement: ``dateTime gteq valid_from`` and ``dateTime lteq valid_until``; Offer: ``elapsedTime lteq P<n>D``);
  its duties are ``compensate`` (Agreement: refined by ``payAmount eq <amount>`` with the currency as ``unit``;
  Offer: no amount, the price comes from the order book) and ``delete`` at the end of the term (with
  ``ichiba:certificate`` and an ``inform`` duty towards the seller for ``delete_with_certificate``);
- ``processing`` -> ``derive``: ``any`` permission, ``within_purpose`` permission constrained by the purpose,
  ``none`` prohibition;
- ``third_party_provision`` -> ``distribute`` and ``sublicense`` -> ``grantUse``: ``prohibited`` prohibition,
  ``with_consent`` permission with an ``obtainConsent`` duty (consenting party = the seller), ``permitted``
  permission. Every permission keeps the territory and term constraints of the licence;
- anonymised data: a prohibition of the profile action ``ichiba:reidentify`` and the APPI notice as
  ``ichiba:appiNotice`` on the policy (the contract itself is the notice the provider must give);
- a subscription (the terms' ``subscription``): the whole term stays as above (``elapsedTime`` of the offer, the
  agreement's ``dateTime`` window); the ``compensate`` duty recurs once per period (``timeInterval eq P<period>D``,
  ``count lteq <periods>``; the agreement's ``payAmount`` is then the fee of one period), and the delivery
  commitment is the seller's: an ``obligation`` whose ``assignee`` is the seller (the party that must fulfil it;
  in the agreement its ``assigner`` is the buyer) to ``distribute`` the asset at least ``min_versions_per_period``
  times per period (``timeInterval eq P<period>D``, ``count gteq <n>``), and with a live stream a second one to
  ``stream`` it (with ``count gteq <messages>`` per period when the offering commits to a number of messages);
- everything ODRL has no vocabulary for (licence type, derived data, warranties, liability cap, confidentiality,
  governing law, forum) stays as ``ichiba:clauseParameters``, a JSON literal (``rdf:JSON``) holding those terms
  as they are; ``ichiba:template``, ``ichiba:termsSha256`` and ``ichiba:dataClass`` are plain literals.

Country codes are written as IRIs ``urn:iso:std:iso:3166:<alpha-2>`` (ODRL: a ``spatial`` value MUST be an IRI)
and currencies as ``urn:iso:std:iso:4217:<code>``: the code-system URIs HL7 FHIR uses, with the code appended.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

ODRL_NS = "http://www.w3.org/ns/odrl/2/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
ICHIBA_NS = "urn:ichiba:odrl:"
ICHIBA_PROFILE = f"{ICHIBA_NS}profile:1"
COUNTRY_IRI_PREFIX = "urn:iso:std:iso:3166:"
CURRENCY_IRI_PREFIX = "urn:iso:std:iso:4217:"

DATA_CLASSES = ("anonymized", "iot")
PROCESSING_LEVELS = ("none", "within_purpose", "any")
CONSENT_LEVELS = ("prohibited", "with_consent", "permitted")
END_OF_TERM = ("delete", "delete_with_certificate")

# Terms the ODRL rules express; every other term is carried as a clause parameter.
_MAPPED_TERMS = (
    "purpose",
    "processing",
    "third_party_provision",
    "sublicense",
    "territory",
    "duration_days",
    "end_of_term",
)
CLAUSE_PARAMETERS = (
    "license_type",
    "derived_data",
    "warranties",
    "liability_cap",
    "confidentiality_years",
    "governing_law",
    "forum",
)

APPI_NOTICE = (
    "This dataset is anonymously processed information (匿名加工情報) under the Act on the Protection of Personal "
    "Information (APPI). The recipient must not re-identify any person: it must not obtain the removed descriptions "
    "or identifiers or the method of processing, and must not match the data against other information in order "
    "to identify a person."
)
OFFER_PRICE_NOTE = (
    "The price is not part of the offer: it is set in the order book when a trade is made, and the concluded "
    "Agreement states the amount."
)
CERTIFICATE_NOTE = "Certify the deletion of all copies of the data to the provider in writing."
VERSIONS_NOTE = (
    "Each period, publish at least this many new versions of the dataset (a version whose SHA-256 differs from every "
    "earlier one). A period with fewer is not charged."
)
STREAM_NOTE = "Deliver the readings live over the market's MQTT broker, on the dataset's topic."

# ISO 4217 minor-unit exponents that are not 2 (payAmount is an xsd:decimal in major units).
_CURRENCY_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
            "XAF", "XOF", "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}  # fmt: skip


def _odrl_terms(*names: str) -> dict[str, str]:
    return {name: f"odrl:{name}" for name in names}


def _coerced(coercion: str, *names: str) -> dict[str, dict[str, str]]:
    return {name: {"@type": coercion, "@id": f"odrl:{name}"} for name in names}


# Modelled on the official ODRL 2.2 context (https://www.w3.org/ns/odrl.jsonld), restricted to the terms the
# ODRL 2.2 vocabulary defines and inlined, so that the export expands without network access. Differences:
# no "dataType" (the official context maps it to the undefined odrl:datatype; use "@type" on a value instead)
# and the "ichiba" profile prefix. Values whose kind matters (IRIs, typed literals) are written explicitly in
# the documents, so they expand the same way under the official context.
CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "odrl": ODRL_NS,
    "rdf": RDF_NS,
    "xsd": XSD_NS,
    "ichiba": ICHIBA_NS,
    "uid": "@id",
    "type": "@type",
    # policies
    **_odrl_terms("Policy", "Set", "Offer", "Agreement"),
    **_coerced("@id", "profile", "inheritFrom"),
    **_coerced("@vocab", "conflict"),
    **_odrl_terms("perm", "prohibit", "invalid"),
    # assets and parties
    **_coerced("@id", "target", "assigner", "assignee"),
    **_coerced("@vocab", "function"),
    **_coerced(
        "@id",
        "compensatedParty",
        "compensatingParty",
        "consentingParty",
        "consentedParty",
        "informedParty",
        "informingParty",
    ),
    # rules
    **_odrl_terms("Rule", "Permission", "Prohibition", "Duty", "Action"),
    **_coerced("@id", "permission", "prohibition", "obligation", "duty", "consequence", "remedy"),
    **_coerced("@vocab", "action"),
    # actions
    **_odrl_terms(
        "use", "grantUse", "derive", "distribute", "compensate", "delete", "obtainConsent", "inform", "stream"
    ),
    # constraints
    **_odrl_terms("Constraint", "LogicalConstraint"),
    **_coerced("@id", "constraint", "refinement"),
    **_coerced("@vocab", "leftOperand", "operator"),
    "rightOperand": "odrl:rightOperand",
    "rightOperandReference": {"@type": "xsd:anyURI", "@id": "odrl:rightOperandReference"},
    "unit": "odrl:unit",
    "status": "odrl:status",
    # left operands
    **_odrl_terms("purpose", "spatial", "dateTime", "elapsedTime", "payAmount", "event", "timeInterval", "count"),
    # operators
    **_odrl_terms("eq", "neq", "gt", "gteq", "lt", "lteq", "isA", "isPartOf", "isAnyOf", "isAllOf", "isNoneOf"),
}

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class PolicyInput:
    uid: str  # "urn:ichiba:offering:<uuid>" or "urn:ichiba:contract:<uuid>"
    assigner: str  # seller IRI
    target: str  # offering: "urn:ichiba:dataset:<uuid>"; contract: "urn:ichiba:dataset-version:<uuid>"
    terms: Mapping[str, Any]  # full terms (all keys present, as after with_defaults)
    data_class: str  # "anonymized" or "iot"
    template: str  # e.g. "meti-data-provision@1"
    terms_sha256: str
    assignee: str | None = None  # buyer IRI (Agreement only)
    valid_from: datetime | None = None  # Agreement only (aware datetimes)
    valid_until: datetime | None = None
    amount: int | None = None  # Agreement: total fee in minor units of the currency
    currency: str | None = None  # ISO 4217, e.g. "JPY"


def country_iri(code: str) -> str:
    return f"{COUNTRY_IRI_PREFIX}{code}"


def currency_iri(code: str) -> str:
    return f"{CURRENCY_IRI_PREFIX}{code}"


def currency_exponent(currency: str) -> int:
    """Digits of the currency's minor unit (ISO 4217): JPY 0, USD 2, KWD 3."""
    return _CURRENCY_EXPONENTS.get(currency, 2)


def pay_amount(amount: int, currency: str) -> str:
    """Minor units as the xsd:decimal lexical form in major units (JPY 12000 -> "12000", USD 1999 -> "19.99")."""
    return f"{Decimal(amount).scaleb(-currency_exponent(currency)):f}"


_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")  # xsd:decimal's lexical space


def minor_units(amount: str, currency: str) -> int | None:
    """``pay_amount`` read back: an xsd:decimal in major units as minor units of ``currency`` ("19.99" USD -> 1999,
    "12000" JPY -> 12000), or None when it is no decimal or finer than the currency's minor unit ("0.5" JPY)."""
    if not isinstance(amount, str) or not _DECIMAL.match(amount.strip()):
        return None
    minor = Decimal(amount.strip()).scaleb(currency_exponent(currency))
    return int(minor) if minor == minor.to_integral_value() else None


def odrl_offer(policy: PolicyInput) -> dict[str, Any]:
    """The offering as an odrl:Offer: no assignee, the term as an elapsed time, no price."""
    for name in ("assignee", "valid_from", "valid_until", "amount"):
        if getattr(policy, name) is not None:
            raise ValueError(f"An Offer has no {name}: it belongs to the concluded Agreement.")
    currency = _currency(policy.currency) if policy.currency is not None else None
    terms = _checked_terms(policy)
    term = [_constraint("elapsedTime", "lteq", _typed(f"P{terms['duration_days']}D", "xsd:duration"))]
    compensate: dict[str, Any] = {
        "action": "compensate",
        "compensatedParty": policy.assigner,
        "ichiba:note": OFFER_PRICE_NOTE,
    }
    if currency is not None:
        compensate["ichiba:currency"] = {"@id": currency_iri(currency)}
    return _policy("Offer", policy, terms, term, compensate)


def odrl_agreement(policy: PolicyInput) -> dict[str, Any]:
    """The concluded contract as an odrl:Agreement between seller and buyer, with its dates and its fee."""
    missing = [n for n in ("assignee", "valid_from", "valid_until", "amount", "currency") if getattr(policy, n) is None]
    if missing:
        raise ValueError(f"An Agreement needs {', '.join(missing)}.")
    assert policy.assignee is not None and policy.valid_from is not None and policy.valid_until is not None
    assert policy.amount is not None and policy.currency is not None
    _check_iri("assignee", policy.assignee)
    valid_from, valid_until = _xsd_datetime(policy.valid_from), _xsd_datetime(policy.valid_until)
    if policy.valid_until < policy.valid_from:
        raise ValueError("valid_until is before valid_from.")
    if isinstance(policy.amount, bool) or not isinstance(policy.amount, int) or policy.amount < 0:
        raise ValueError("amount is a non-negative integer in minor units.")
    currency = _currency(policy.currency)
    terms = _checked_terms(policy)
    term = [
        _constraint("dateTime", "gteq", _typed(valid_from, "xsd:dateTime")),
        _constraint("dateTime", "lteq", _typed(valid_until, "xsd:dateTime")),
    ]
    compensate = {
        "action": {
            "rdf:value": {"@id": "odrl:compensate"},
            "refinement": [
                {
                    **_constraint("payAmount", "eq", _typed(pay_amount(policy.amount, currency), "xsd:decimal")),
                    "unit": {"@id": currency_iri(currency)},
                }
            ],
        },
        "compensatingParty": policy.assignee,
        "compensatedParty": policy.assigner,
        "ichiba:amountMinorUnits": policy.amount,
    }
    return _policy("Agreement", policy, terms, term, compensate)


# --- building blocks --------------------------------------------------------------------------------------------


def _policy(
    policy_type: str,
    policy: PolicyInput,
    terms: Mapping[str, Any],
    term: list[dict[str, Any]],
    compensate: dict[str, Any],
) -> dict[str, Any]:
    purpose = _constraint("purpose", "eq", terms["purpose"])
    spatial = _constraint("spatial", "isAnyOf", [{"@id": country_iri(code)} for code in terms["territory"]])
    scope = [spatial, *term]  # territory and term bound every permission of the licence

    subscription = terms.get("subscription")
    if subscription is not None:  # the fee recurs per period, at most once per period of the term
        compensate = {**compensate, "constraint": _per_period(subscription, "lteq", subscription["term_periods"])}
    permissions: list[dict[str, Any]] = [
        {"action": "use", "constraint": [purpose, *scope], "duty": [compensate, *_end_of_term(policy, terms)]}
    ]
    prohibitions: list[dict[str, Any]] = []

    processing = terms["processing"]
    if processing == "none":
        prohibitions.append({"action": "derive"})
    else:
        constraints = [purpose, *scope] if processing == "within_purpose" else scope
        permissions.append({"action": "derive", "constraint": constraints})

    for action, level in (("distribute", terms["third_party_provision"]), ("grantUse", terms["sublicense"])):
        if level == "prohibited":
            prohibitions.append({"action": action})
        elif level == "with_consent":
            consent = {"action": "obtainConsent", "consentingParty": policy.assigner}
            permissions.append({"action": action, "constraint": scope, "duty": [consent]})
        else:
            permissions.append({"action": action, "constraint": scope})

    doc: dict[str, Any] = {
        "@context": copy.deepcopy(CONTEXT),
        "@type": policy_type,
        "uid": policy.uid,
        "profile": ICHIBA_PROFILE,
        "conflict": "prohibit",
        "assigner": policy.assigner,
    }
    if policy.assignee is not None:
        doc["assignee"] = policy.assignee
    doc["target"] = policy.target
    doc["permission"] = permissions
    anonymized = policy.data_class == "anonymized"
    if anonymized:
        prohibitions.append({"action": "ichiba:reidentify"})
    if prohibitions:
        doc["prohibition"] = prohibitions
    if subscription is not None:
        doc["obligation"] = _delivery_commitment(policy, subscription)
    if anonymized:
        doc["ichiba:appiNotice"] = APPI_NOTICE
    doc["ichiba:dataClass"] = policy.data_class
    doc["ichiba:template"] = policy.template
    doc["ichiba:termsSha256"] = policy.terms_sha256
    doc["ichiba:clauseParameters"] = {"@type": "@json", "@value": {name: terms[name] for name in CLAUSE_PARAMETERS}}
    return copy.deepcopy(doc)  # no dict shared between places of the document, nor with the caller's terms


def _end_of_term(policy: PolicyInput, terms: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Deletion of every copy once the term has ended (or the contract was terminated)."""
    certificate = terms["end_of_term"] == "delete_with_certificate"
    at_end = [_constraint("event", "gt", {"@id": "ichiba:endOfTerm"})]
    duties: list[dict[str, Any]] = [{"action": "delete", "constraint": at_end, "ichiba:certificate": certificate}]
    if certificate:
        duties.append(
            {
                "action": "inform",
                "informedParty": policy.assigner,
                "constraint": at_end,
                "ichiba:informOf": {"@id": "odrl:delete"},
                "ichiba:note": CERTIFICATE_NOTE,
            }
        )
    return duties


def _per_period(subscription: Mapping[str, Any], operator: str, count: int) -> list[dict[str, Any]]:
    """Once every period (a recurring interval of the period's length), ``count`` times by ``operator``."""
    interval = _typed(f"P{subscription['period_days']}D", "xsd:duration")
    return [
        _constraint("timeInterval", "eq", interval),
        _constraint("count", operator, _typed(str(count), "xsd:integer")),
    ]


def _delivery_commitment(policy: PolicyInput, subscription: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The seller's duties of a subscription: new versions every period, and a live stream if it is one."""
    parties = {"assignee": policy.assigner}  # the seller fulfils them ...
    if policy.assignee is not None:
        parties["assigner"] = policy.assignee  # ... towards the buyer of the agreement
    duties: list[dict[str, Any]] = [
        {
            "action": "distribute",
            **parties,
            "constraint": _per_period(subscription, "gteq", subscription["min_versions_per_period"]),
            "ichiba:note": VERSIONS_NOTE,
        }
    ]
    if subscription.get("stream"):
        stream: dict[str, Any] = {"action": "stream", **parties, "ichiba:note": STREAM_NOTE}
        if subscription.get("min_messages_per_period") is not None:
            stream["constraint"] = _per_period(subscription, "gteq", subscription["min_messages_per_period"])
        duties.append(stream)
    return duties


def _constraint(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def _typed(value: str, datatype: str) -> dict[str, str]:
    return {"@value": value, "@type": datatype}


# --- input checks -------------------------------------------------------------------------------------------------

# A "scheme" that is a term of the context would be read as a compact IRI and expanded into another namespace.
_CONTEXT_TERMS = frozenset(key for key in CONTEXT if not key.startswith("@"))


def _check_iri(name: str, value: Any) -> None:
    if not isinstance(value, str) or not _IRI.match(value):
        raise ValueError(f"{name} must be an absolute IRI, got {value!r}.")
    if value.split(":", 1)[0] in _CONTEXT_TERMS:
        raise ValueError(f"{name} {value!r} would be read as a compact IRI of the ODRL context.")


def _currency(code: Any) -> str:
    if not isinstance(code, str) or not _CURRENCY.match(code):
        raise ValueError(f"currency must be an ISO 4217 code such as 'JPY', got {code!r}.")
    return code


def _xsd_datetime(value: datetime) -> str:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError("valid_from and valid_until must be timezone-aware datetimes.")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _one_of(terms: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    if terms.get(key) not in allowed:
        raise ValueError(f"terms.{key} must be one of {', '.join(allowed)}, got {terms.get(key)!r}.")


def _checked_terms(policy: PolicyInput) -> Mapping[str, Any]:
    """The checks the mapping depends on; the full validation against the template schema happens upstream."""
    for name in ("uid", "assigner", "target"):
        _check_iri(name, getattr(policy, name))
    if policy.data_class not in DATA_CLASSES:
        raise ValueError(f"data_class must be one of {', '.join(DATA_CLASSES)}, got {policy.data_class!r}.")
    terms = policy.terms
    missing = [key for key in (*_MAPPED_TERMS, *CLAUSE_PARAMETERS) if key not in terms]
    if missing:
        raise ValueError(f"terms lack {', '.join(missing)} (fill in the template defaults first).")
    if not isinstance(terms["purpose"], str) or not terms["purpose"].strip():
        raise ValueError("terms.purpose must be a non-empty text.")
    _one_of(terms, "processing", PROCESSING_LEVELS)
    _one_of(terms, "third_party_provision", CONSENT_LEVELS)
    _one_of(terms, "sublicense", CONSENT_LEVELS)
    _one_of(terms, "end_of_term", END_OF_TERM)
    territory = terms["territory"]
    if (
        not isinstance(territory, list | tuple)
        or not territory
        or not all(isinstance(c, str) and _COUNTRY.match(c) for c in territory)
    ):
        raise ValueError(f"terms.territory must be a non-empty list of ISO 3166-1 alpha-2 codes, got {territory!r}.")
    days = terms["duration_days"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"terms.duration_days must be a positive integer, got {days!r}.")
    if "subscription" in terms:
        _check_subscription(terms["subscription"], days)
    return terms


def _check_subscription(subscription: Any, days: int) -> None:
    if not isinstance(subscription, Mapping):
        raise ValueError(f"terms.subscription must be an object, got {subscription!r}.")
    for name in ("period_days", "term_periods", "min_versions_per_period", "min_messages_per_period"):
        value = subscription.get(name)
        if value is None and name == "min_messages_per_period":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"terms.subscription.{name} must be a positive integer, got {value!r}.")
    if not isinstance(subscription.get("stream"), bool):
        raise ValueError(f"terms.subscription.stream must be true or false, got {subscription.get('stream')!r}.")
    if subscription["period_days"] * subscription["term_periods"] != days:
        raise ValueError("terms.duration_days must be the subscription's term, term_periods x period_days.")
