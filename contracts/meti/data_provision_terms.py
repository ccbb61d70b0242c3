"""The parameters of the METI data-provision template: JSON Schema, defaults and value labels.

Defaults follow the guideline's typical position for a data-provision contract: a non-exclusive,
purpose-bound licence; no provision to third parties; lawful acquisition warranted and quality
disclaimed; deletion at the end of the term; Japanese law,
the Tokyo District Court as the forum.
"""

from __future__ import annotations

from typing import Any

from contracts.meti.data_provision import FORUM_LABELS

# The forum codes (the district courts and the JCAA); their names per language are the words module's.
FORUM_CODES = tuple(FORUM_LABELS)

WARRANTY_ITEMS = ("lawful_acquisition", "accuracy", "completeness", "fitness", "non_infringement", "safety")
WARRANTY_LEVELS = ("warranted", "disclaimed", "best_efforts")
CONSENT_LEVELS = ("prohibited", "with_consent", "permitted")

# A subscription's shape (the offering API and form, the terms schema and the offering table's check constraint
# hold to these): a period of at most a leap year, at most 36 periods, the whole term within the longest contract.
MAX_PERIOD_DAYS = 366
MAX_TERM_PERIODS = 36
MAX_SUBSCRIPTION_DAYS = 3650
MAX_VERSIONS_PER_PERIOD = 10_000
MAX_MESSAGES_PER_PERIOD = 1_000_000_000

TERMS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "METI data-provision contract terms",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "purpose",
        "processing",
        "license_type",
        "third_party_provision",
        "sublicense",
        "derived_data",
        "territory",
        "duration_days",
        "warranties",
        "liability_cap",
        "confidentiality_years",
        "end_of_term",
        "governing_law",
        "forum",
    ],
    "properties": {
        "purpose": {
            "type": "string",
            "minLength": 5,
            "maxLength": 1000,
            "description": "The purpose the buyer may use the data for; use for any other purpose is not licensed.",
        },
        "processing": {
            "enum": ["none", "within_purpose", "any"],
            "description": "Whether the buyer may process (modify, aggregate, analyse into new data) the data.",
        },
        "license_type": {"enum": ["non_exclusive", "exclusive"]},
        "third_party_provision": {"enum": list(CONSENT_LEVELS)},
        "sublicense": {"enum": list(CONSENT_LEVELS)},
        "derived_data": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rights", "provider_access"],
            "properties": {
                "rights": {"enum": ["recipient", "provider", "joint"]},
                "provider_access": {"enum": ["none", "free", "paid"]},
            },
        },
        "territory": {
            "type": "array",
            "minItems": 1,
            "maxItems": 250,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "description": "ISO 3166-1 alpha-2 codes of the countries where the data may be used.",
        },
        "duration_days": {"type": "integer", "minimum": 1, "maximum": 3650},
        "warranties": {
            "type": "object",
            "additionalProperties": False,
            "required": list(WARRANTY_ITEMS),
            "properties": {item: {"enum": list(WARRANTY_LEVELS)} for item in WARRANTY_ITEMS},
        },
        "liability_cap": {
            "type": "object",
            "additionalProperties": False,
            "required": ["basis"],
            "properties": {
                "basis": {"enum": ["none", "fees_paid", "fixed"]},
                "amount": {"type": "integer", "minimum": 1, "maximum": 10**12},
            },
            "if": {"properties": {"basis": {"const": "fixed"}}},
            "then": {"required": ["basis", "amount"]},
            "else": {"not": {"required": ["amount"]}},
        },
        "confidentiality_years": {"type": "integer", "minimum": 0, "maximum": 30},
        "end_of_term": {"enum": ["delete", "delete_with_certificate"]},
        "governing_law": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "forum": {
            "type": "string",
            "minLength": 2,
            "maxLength": 200,
            "examples": list(FORUM_CODES),
            "description": "The court or arbitral institution that resolves disputes, by its code: "
            + ", ".join(FORUM_CODES)
            + ". A court's or institution's name is taken as its code; another forum is written out in full and kept "
            "as written.",
        },
        # A subscription's period, term and delivery commitment. The market sets it from the offering's own fields
        # (kind, period_days, term_periods, min_versions_per_period, stream, min_messages_per_period), so that the
        # terms a buyer accepts by their hash cover them; a seller never sends it (readOnly). Absent for a licence,
        # whose terms, and so their hash, stay exactly what they were before subscriptions existed.
        "subscription": {
            "type": "object",
            "readOnly": True,
            "additionalProperties": False,
            "required": ["period_days", "term_periods", "min_versions_per_period", "stream"],
            "properties": {
                "period_days": {"type": "integer", "minimum": 1, "maximum": MAX_PERIOD_DAYS},
                "term_periods": {"type": "integer", "minimum": 1, "maximum": MAX_TERM_PERIODS},
                "min_versions_per_period": {"type": "integer", "minimum": 1, "maximum": MAX_VERSIONS_PER_PERIOD},
                "stream": {"type": "boolean"},
                "min_messages_per_period": {"type": "integer", "minimum": 1, "maximum": MAX_MESSAGES_PER_PERIOD},
            },
            # a message commitment only for a live stream
            "if": {"properties": {"stream": {"const": False}}},
            "then": {"not": {"required": ["min_messages_per_period"]}},
            "description": "Set by the market from the offering's subscription fields; absent for a licence.",
        },
    },
}

DEFAULTS: dict[str, Any] = {
    "purpose": "Internal research, analysis and development of the buyer's own products and services.",
    "processing": "within_purpose",
    "license_type": "non_exclusive",
    "third_party_provision": "prohibited",
    "sublicense": "prohibited",
    "derived_data": {"rights": "recipient", "provider_access": "none"},
    "territory": ["JP"],
    "duration_days": 365,
    "warranties": {
        "lawful_acquisition": "warranted",
        "accuracy": "disclaimed",
        "completeness": "disclaimed",
        "fitness": "disclaimed",
        "non_infringement": "best_efforts",
        "safety": "best_efforts",
    },
    "liability_cap": {"basis": "fees_paid"},
    "confidentiality_years": 3,
    "end_of_term": "delete",
    "governing_law": "JP",
    "forum": "tokyo-district",
}
