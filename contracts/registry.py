"""Contract templates, versioned in code. A concluded contract keeps a snapshot, so versions may move on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from config.errors import InvalidInput
from contracts.meti import data_provision, data_provision_terms


@dataclass(frozen=True)
class Template:
    code: str
    version: int
    contract_type: str
    title: Mapping[str, str]
    clauses: tuple[data_provision.Clause, ...]
    terms_schema: Mapping[str, Any]
    defaults: Mapping[str, Any]
    value_labels: Mapping[str, Mapping[str, Mapping[str, str]]]
    term_labels: Mapping[str, Mapping[str, str]]
    term_help: Mapping[str, Mapping[str, str]]
    # Terms held as a code of a list (the forum), each code's name per language; text outside the list is kept as
    # written (contracts.terms.term_code).
    term_codes: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    # A free-text term's first value in a form, per language (the purpose); DEFAULTS hold the API's English.
    default_texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    def clauses_for(self, data_class: str, terms: Mapping[str, Any] | None = None) -> list[data_provision.Clause]:
        """The clauses of a contract for this data class under these terms (without terms: a licence's)."""
        return [c for c in self.clauses if data_provision.clause_applies(c, data_class, terms)]

    def mandatory_clauses(self, data_class: str) -> list[str]:
        """Clauses that exist only because of the data class and that no term can switch off."""
        return [c.code for c in self.clauses if c.applies_to is not None and data_class in c.applies_to]


DATA_PROVISION_V1 = Template(
    code=data_provision.TEMPLATE_CODE,
    version=data_provision.TEMPLATE_VERSION,
    contract_type=data_provision.CONTRACT_TYPE,
    title=data_provision.TITLE,
    clauses=data_provision.CLAUSES,
    terms_schema=data_provision_terms.TERMS_SCHEMA,
    defaults=data_provision_terms.DEFAULTS,
    value_labels=data_provision.VALUE_LABELS,
    term_labels=data_provision.TERM_LABELS,
    term_help=data_provision.TERM_HELP,
    term_codes=data_provision.TERM_CODES,
    default_texts=data_provision.DEFAULT_TEXTS,
)

# Every version ever published stays here: offerings and contracts name the version they used.
TEMPLATES: dict[tuple[str, int], Template] = {(t.code, t.version): t for t in (DATA_PROVISION_V1,)}


def templates_current() -> list[Template]:
    latest: dict[str, Template] = {}
    for template in TEMPLATES.values():
        if template.code not in latest or template.version > latest[template.code].version:
            latest[template.code] = template
    return sorted(latest.values(), key=lambda t: t.code)


def template_get(code: str, version: int | None = None) -> Template:
    """A template by code (the current version unless one is named)."""
    if version is not None:
        template = TEMPLATES.get((code, version))
    else:
        template = next((t for t in templates_current() if t.code == code), None)
    if template is None:
        known = ", ".join(t.code for t in templates_current())
        raise InvalidInput(f"Unknown contract template {code!r}; known: {known}.", errors={"template": ["unknown"]})
    return template
