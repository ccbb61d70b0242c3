"""Contract terms as people read them: one row per term, with human labels, next to the template default.

Presentation only: which values exist and what they mean is the template's (``contracts.registry``); this
module only picks the label of each value in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.utils import translation

from contracts.documents import country_name
from contracts.meti import data_provision
from contracts.odrl import currency_exponent
from contracts.registry import Template
from contracts.terms import term_code, term_text, terms_typed, with_defaults

Lang = Literal["ja", "en"]

# Fields inside object-valued terms: the registry's Template carries no labels for them (yet), so they come
# from the template's own module; the warranty items are named by their value labels.
_SUBTERM_LABELS: Mapping[str, Mapping[str, str]] = data_provision.SUBTERM_LABELS
_ITEM_LABEL_KEYS = {"warranties": "warranty_item"}
_VALUE_LABEL_KEYS = {"warranties": "warranty_level"}


def current_lang() -> Lang:
    """The page's language as a document language: Japanese, or English for anything else."""
    return "ja" if (translation.get_language() or "").startswith("ja") else "en"


@dataclass(frozen=True)
class TermSpec:
    """One value a seller sets: a top-level term, or one field of an object-valued term."""

    path: str  # "duration_days", "derived_data.rights"
    term: str  # the top-level term it belongs to
    schema: Mapping[str, Any]
    required: bool

    @property
    def leaf(self) -> str:
        return self.path.rpartition(".")[2]

    @property
    def nested(self) -> bool:
        return self.path != self.term


def term_specs(template: Template) -> Iterator[TermSpec]:
    """Every value a seller sets in the template's terms, in the schema's order (not those the market sets from the
    offering's own fields, ``readOnly`` in the schema: a subscription's shape)."""
    schema = template.terms_schema
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "object" and "properties" in prop:
            inner_required = set(prop.get("required", ()))
            for inner, inner_prop in prop["properties"].items():
                yield TermSpec(f"{name}.{inner}", name, inner_prop, inner in inner_required)
        else:
            yield TermSpec(name, name, prop, name in required)


def _pick(labels: Mapping[str, str] | None, lang: Lang, fallback: str) -> str:
    if not labels:
        return fallback
    return labels.get(lang) or labels.get("en") or fallback


def term_label(template: Template, path: str, lang: Lang) -> str:
    """The name of a term (or of a field of one) as the template words it."""
    if path in template.term_labels:
        return _pick(template.term_labels[path], lang, path)
    if path in _SUBTERM_LABELS:
        return _pick(_SUBTERM_LABELS[path], lang, path)
    parent, _, leaf = path.rpartition(".")
    item_key = _ITEM_LABEL_KEYS.get(parent)
    if item_key:
        return _pick(template.value_labels.get(item_key, {}).get(leaf), lang, leaf)
    return path


def term_help(template: Template, term: str, lang: Lang) -> str:
    return _pick(template.term_help.get(term), lang, "")


def value_label(template: Template, path: str, value: str, lang: Lang) -> str:
    parent = path.rpartition(".")[0]
    labels = template.value_labels.get(path) or template.value_labels.get(_VALUE_LABEL_KEYS.get(parent, "")) or {}
    return _pick(labels.get(value), lang, value)


def money(amount: int, currency: str) -> str:
    """An amount in minor units as people read it, in major units: ¥12,000; 1,234.56 USD (Decimal, no floats).
    The one money format of the site and the operator's console (template filter ``money``, library ``market``)."""
    # JPY has no minor unit; USD has two digits of one, KWD three (ISO 4217).
    if currency == "JPY":
        return f"¥{amount:,}"
    digits = currency_exponent(currency)
    return f"{Decimal(amount).scaleb(-digits):,.{digits}f} {currency}"


def _lookup(terms: Mapping[str, Any], path: str) -> Any:
    value: Any = terms
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _is_country(schema: Mapping[str, Any]) -> bool:
    """ISO 3166-1 alpha-2 codes (territory, governing law) are shown with the country's name."""
    return schema.get("pattern") == "^[A-Z]{2}$"


def display_value(template: Template, spec: TermSpec, value: Any, lang: Lang, currency: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if "enum" in spec.schema:
        return value_label(template, spec.path, str(value), lang)
    if spec.path in template.term_codes:
        return term_text(template, spec.path, value, lang)
    if _is_country(spec.schema) and isinstance(value, str):
        return country_name(value, lang)
    if isinstance(value, list):
        if _is_country(spec.schema.get("items", {})):
            return ", ".join(country_name(str(item), lang) for item in value)
        return ", ".join(str(item) for item in value)
    if isinstance(value, int) and spec.leaf == "amount":
        return money(value, currency)
    return str(value)


@dataclass(frozen=True)
class TermRow:
    path: str
    label: str
    value: str
    default: str
    changed: bool


def _same_as_default(template: Template, path: str, value: Any, default: Any) -> bool:
    """Whether a term says what the default says: a coded term by its code (a court named before the codes is the
    same court), a free-text term in any language it is offered in (the purpose a Japanese form offered)."""
    if path in template.term_codes:
        return (term_code(template, path, value) or value) == default
    if path in template.default_texts and isinstance(value, str):
        return value == default or value in template.default_texts[path].values()
    return value == default


def term_rows(template: Template, terms: Mapping[str, Any], lang: Lang, *, currency: str = "JPY") -> list[TermRow]:
    """One row per settable value: this offering's value, the template's default, and whether they differ."""
    terms, defaults = terms_typed(template, terms), with_defaults(template, {})
    rows = []
    for spec in term_specs(template):
        value, default = _lookup(terms, spec.path), _lookup(defaults, spec.path)
        shown_default = template.default_texts.get(spec.path, {}).get(lang, default)
        label = term_label(template, spec.path, lang)
        if spec.term in _ITEM_LABEL_KEYS:
            label = f"{term_label(template, spec.term, lang)}: {label}"
        rows.append(
            TermRow(
                path=spec.path,
                label=label,
                value=display_value(template, spec, value, lang, currency),
                default=display_value(template, spec, shown_default, lang, currency),
                changed=not _same_as_default(template, spec.path, value, default),
            )
        )
    return rows


@dataclass(frozen=True)
class ClauseNote:
    number: int
    code: str
    title: str
    negotiable: bool
    mandatory: bool  # exists only because of the data class; no term can switch it off
    parameters: tuple[str, ...]


def clause_notes(
    template: Template,
    data_class: str,
    lang: Lang,
    *,
    mandatory_clauses: Iterable[str] | None = None,
    terms: Mapping[str, Any] | None = None,
) -> list[ClauseNote]:
    """The clauses of a contract for this data class (under these terms: a subscription's has more), numbered as
    the document numbers them.

    ``mandatory_clauses``: the ones an offering recorded (and its terms hash covers); else the template's.
    """
    mandatory = set(template.mandatory_clauses(data_class) if mandatory_clauses is None else mandatory_clauses)
    return [
        ClauseNote(
            number=number,
            code=clause.code,
            title=clause.title[lang],
            negotiable=clause.negotiable,
            mandatory=clause.code in mandatory,
            parameters=tuple(clause.parameters),
        )
        for number, clause in enumerate(template.clauses_for(data_class, terms), start=1)
    ]
