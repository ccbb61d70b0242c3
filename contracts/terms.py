"""Offering terms: defaults filled in, normalised, validated (schema + market rules), canonicalised, hashed."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pycountry
from jsonschema import Draft202012Validator, validators

from config.errors import InvalidInput, RuleViolation
from config.text import text_refusal
from contracts.registry import Template

# A string term allowed to be longer than this is long text (a description of a purpose): line breaks are allowed
# in it, and the offering page gives it a text area. Shorter ones (a forum written out) are single lines.
LONG_TEXT_ABOVE = 200

# Nested objects whose missing keys are filled from the defaults one by one; others are replaced whole
# (liability_cap: an "amount" is only meaningful with basis "fixed").
_MERGED_OBJECTS = ("derived_data", "warranties")


@dataclass(frozen=True)
class ResolvedTerms:
    template_code: str
    template_version: int
    terms: dict[str, Any]
    mandatory_clauses: tuple[str, ...]
    sha256: str


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


# What a code of a coded term looks like ("tokyo-district", "jcaa"): a value of this shape that is no code is a
# mistyped code, refused, rather than a forum written out.
_CODE_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _name_key(text: str) -> str:
    """A name as compared with the names of the codes: width, case and spacing aside, without a leading "the"."""
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return key.removeprefix("the ")


def term_code(template: Template, term: str, value: Any) -> str | None:
    """The code a coded term's value stands for (``Template.term_codes``: the forum): the value itself when it is a
    code, the code whose name it is in either language ("Tokyo District Court", "東京地方裁判所": terms stored before
    the codes, and a partner that sends the name), or None for anything else (a forum written out, kept as is)."""
    codes = template.term_codes.get(term)
    if not codes or not isinstance(value, str):
        return None
    if value in codes:
        return value
    key = _name_key(value)
    for code, names in codes.items():
        if any(_name_key(name) == key for name in names.values()):
            return code
    return None


def term_text(template: Template, term: str, value: Any, lang: str) -> str:
    """A coded term's value as the reader's language names it (its code's name), or the value as written when it
    stands for no code. The terms, and so their hash, hold the code: the words depend on the reader, the hash never."""
    code = term_code(template, term, value)
    if code is None:
        return str(value)
    names = template.term_codes[term][code]
    return names.get(lang) or names["en"]


def _coded(template: Template, terms: dict[str, Any]) -> dict[str, Any]:
    """New terms with each coded term as its code (a name given for it becomes the code); raises InvalidInput for a
    value shaped like a code that is none."""
    for term, codes in template.term_codes.items():
        value = terms.get(term)
        code = term_code(template, term, value)
        if code is not None:
            terms[term] = code
        elif isinstance(value, str) and _CODE_SHAPE.fullmatch(value):
            raise InvalidInput(
                f"terms.{term}: {value!r} is not a known code; use one of {', '.join(codes)}, or write another "
                "court's or arbitral institution's name in full.",
                errors={f"terms.{term}": ["unknown code"]},
            )
    return terms


def with_defaults(template: Template, terms: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(template.defaults))
    for key, value in terms.items():
        if key in _MERGED_OBJECTS and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    merged = _normalise(merged)
    if isinstance(merged.get("territory"), list) and all(isinstance(c, str) for c in merged["territory"]):
        merged["territory"] = sorted({code.upper() for code in merged["territory"]})
    if isinstance(merged.get("governing_law"), str):
        merged["governing_law"] = merged["governing_law"].upper()
    return merged


# JSON Schema counts 90.0 as an integer; the terms' integers (days, seats, amounts) are used as Python ints (ODRL
# export, contract documents), so here an integer is an int and nothing else.
_TermsValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, instance: isinstance(instance, int) and not isinstance(instance, bool)
    ),
)


def term_int(value: Any, *, path: str) -> int:
    """An integer term as the int it means: an int, or an integral float (90.0 -> 90).

    Terms stored before the strict check above may hold an integral float (the partner API took 90.0 for
    ``duration_days``). They stay stored as they are, since their terms_sha256 is of that canonical JSON and buyers
    accepted it; readers take the integer through here. Anything else is not an integer term: ValueError.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"{path} must be an integer, got {value!r}.")


def _typed_object(schema: Mapping[str, Any], value: Mapping[str, Any], path: str) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {
        key: _typed(properties[key], item, f"{path}.{key}") if key in properties else copy.deepcopy(item)
        for key, item in value.items()
    }


def _typed(schema: Mapping[str, Any], value: Any, path: str) -> Any:
    if schema.get("type") == "integer":
        return term_int(value, path=path)
    if "properties" in schema and isinstance(value, Mapping):
        return _typed_object(schema, value, path)
    return copy.deepcopy(value)


def terms_typed(template: Template, terms: Mapping[str, Any]) -> dict[str, Any]:
    """Stored terms as their readers use them: a copy in which every integer term of the template's schema is an
    int (``term_int``). For display, documents and exports only: terms_sha256 covers the stored terms, so they are
    never replaced by this copy (a contract stores its offering's terms as they are)."""
    return _typed_object(template.terms_schema, terms, "terms")


def _schema_errors(template: Template, terms: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    validator = _TermsValidator(template.terms_schema)
    for error in sorted(validator.iter_errors(terms), key=lambda e: list(map(str, e.absolute_path))):
        path = ".".join(["terms", *map(str, error.absolute_path)])
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for name in extra:
                errors.setdefault(f"{path}.{name}", []).append("Unknown term.")
            continue
        errors.setdefault(path, []).append(error.message)
    return errors


def _text_errors(schema: Mapping[str, Any], value: Any, path: str) -> dict[str, list[str]]:
    """The free-text terms (a purpose, a forum written out) are text both parties read in the contract: the rule of
    every field people read (``config.text.text_refusal``) applies to each string, at any depth of schema-valid
    terms."""
    errors: dict[str, list[str]] = {}
    if isinstance(value, str):
        refusal = text_refusal(value, multiline=schema.get("maxLength", 0) > LONG_TEXT_ABOVE)
        if refusal is not None:
            errors[path] = [str(refusal)]
    elif isinstance(value, Mapping):
        properties = schema.get("properties", {})
        for key, item in value.items():
            errors.update(_text_errors(properties.get(key, {}), item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.update(_text_errors(schema.get("items", {}), item, f"{path}.{index}"))
    return errors


def unknown_countries(codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` (upper-case) that are no ISO 3166-1 alpha-2 country code: a territory's, a
    governing law's, a request for data's."""
    return [code for code in codes if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None]


def territories_overlap(first: Iterable[str], second: Iterable[str]) -> bool:
    """Whether two licensed territories share a country: the one definition of overlap (exclusivity uses it).

    A territory is what the terms hold under ``territory``: a non-empty list of ISO 3166-1 alpha-2 codes, each a
    country where the data may be used. There is no "worldwide" value; the whole world is the list of every
    country, so it overlaps every territory. Two territories overlap when one country is in both. Codes compare
    without regard to case, as ``with_defaults`` stores them upper-case; anything that is not a string (a
    malformed stored term) is no country."""
    countries = {code.upper() for code in first if isinstance(code, str)}
    return any(isinstance(code, str) and code.upper() in countries for code in second)


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no whitespace, UTF-8 text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def terms_hash(*, template: Template, terms: Mapping[str, Any], mandatory_clauses: tuple[str, ...]) -> str:
    document = {
        "template": template.code,
        "version": template.version,
        "terms": terms,
        "mandatory_clauses": sorted(mandatory_clauses),
    }
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def market_set_terms(template: Template) -> tuple[str, ...]:
    """Terms the market sets from an offering's own fields and a seller never sends (``readOnly`` in the schema):
    ``subscription``, from the offering's kind, period, term and delivery commitment."""
    return tuple(name for name, spec in template.terms_schema.get("properties", {}).items() if spec.get("readOnly"))


def _with_subscription(terms: Mapping[str, Any], subscription: Mapping[str, Any]) -> dict[str, Any]:
    """The seller's terms with the subscription's shape: ``duration_days`` is the whole term, period x periods;
    left out, it is set so, and any other value is refused (the schema's longest duration bounds the term)."""
    term_days = subscription.get("period_days", 0) * subscription.get("term_periods", 0)
    merged = dict(terms)
    if "duration_days" in terms:
        try:
            stated = term_int(terms["duration_days"], path="terms.duration_days")
        except ValueError:
            stated = None  # not an integer: the schema check names it
        if stated is not None and stated != term_days:
            raise InvalidInput(
                f"terms.duration_days of a subscription is its whole term, term_periods x period_days = {term_days}; "
                f"leave it out or send {term_days}, not {terms['duration_days']!r}.",
                errors={"terms.duration_days": [f"must be {term_days} (term_periods x period_days)"]},
            )
    else:
        merged["duration_days"] = term_days
    merged["subscription"] = dict(subscription)
    return merged


def terms_resolve(
    *,
    template: Template,
    terms: Mapping[str, Any],
    license_seats: int | None,
    data_class: str,
    subscription: Mapping[str, Any] | None = None,
) -> ResolvedTerms:
    """Validate an offering's terms; raises InvalidInput (400, per field) or RuleViolation (422).

    ``subscription``: a subscription offering's period, term and delivery commitment (the template's
    ``subscription`` term, built by the offering service from the offering's fields), added to the terms so that
    their hash covers them; ``None`` for a licence, whose terms never hold it."""
    if not isinstance(terms, Mapping):
        raise InvalidInput("terms must be an object.", errors={"terms": ["must be an object"]})
    sent = sorted(set(terms) & set(market_set_terms(template)))
    if sent:
        raise InvalidInput(
            f"terms.{sent[0]} is set by the market from the offering's fields (kind, period_days, term_periods, "
            "min_versions_per_period, stream, min_messages_per_period); leave it out of the terms.",
            errors={f"terms.{name}": ["set from the offering's fields, not sent"] for name in sent},
        )
    if subscription is not None:
        terms = _with_subscription(terms, subscription)
    resolved = _coded(template, with_defaults(template, terms))
    errors = _schema_errors(template, resolved)
    if errors:
        raise InvalidInput("The terms do not match the template's terms_schema.", errors=errors)
    errors = _text_errors(template.terms_schema, resolved, "terms")
    if errors:
        raise InvalidInput(f"{next(iter(errors))}: {next(iter(errors.values()))[0]}", errors=errors)
    unknown = unknown_countries(resolved["territory"])
    if unknown:
        raise InvalidInput(
            f"Not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}.", errors={"terms.territory": unknown}
        )
    if unknown_countries([resolved["governing_law"]]):
        raise InvalidInput(
            "governing_law is the ISO 3166-1 alpha-2 code of a country's law, such as JP.",
            errors={"terms.governing_law": ["unknown country"]},
        )
    if resolved["license_type"] == "exclusive" and license_seats != 1:
        raise RuleViolation(
            "An exclusive licence can be sold once: license_seats must be 1.",
            errors={"license_seats": ["must be 1 for an exclusive licence"]},
        )
    mandatory = tuple(template.mandatory_clauses(data_class))
    return ResolvedTerms(
        template_code=template.code,
        template_version=template.version,
        terms=resolved,
        mandatory_clauses=mandatory,
        sha256=terms_hash(template=template, terms=resolved, mandatory_clauses=mandatory),
    )
