"""The contract as a document a lawyer can read: every clause with its parameters filled in, in ja or en.

The rendered HTML is stored with the contract and hashed; it is never re-rendered, so a new template
version or a change of this code never changes a concluded contract's text.
"""

from __future__ import annotations

import functools
import gettext
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pycountry
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from catalog.models import Dataset, DatasetVersion
from config.market import market_settings
from contracts.meti.data_provision import COMMITMENT_LABELS, DELIVERY_CHANNEL_LABELS, render_clause_text
from contracts.models import Contract
from contracts.registry import Template
from contracts.terms import term_text, terms_typed
from contracts.texts import SLOT, document_assemble

Lang = Literal["ja", "en"]
LANGUAGES: tuple[Lang, ...] = ("ja", "en")
JST = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class DocumentFacts:
    """Everything a document states besides the terms."""

    contract_id: str
    seller_name: str
    buyer_name: str
    dataset_title: str
    dataset_version: int
    data_items: list[str]
    file_format: str
    row_count: int | None
    sha256: str
    time_period: tuple[str, str] | None
    data_class: str
    personal_info_items: list[str]
    anonymization_method: str
    price: int
    quantity: int
    currency: str
    valid_from: datetime
    valid_until: datetime
    concluded_at: datetime
    terms_sha256: str
    delivery_channel: str = "market"
    # A preview's words for what only the trade states ("price", "quantity", "total"), shown instead of numbers.
    placeholders: tuple[tuple[str, str], ...] = ()
    # A subscription's: the dataset's live-stream topic is named after it, and the grace period of an unpaid
    # period (ICHIBA_SUBSCRIPTION_GRACE_DAYS when the contract is concluded).
    dataset_id: str = ""
    grace_days: int = 7


@functools.cache
def _country_names(lang: Lang) -> Callable[[str], str]:
    # pycountry ships the iso-codes translations; English names need none.
    if lang == "en":
        return lambda name: name
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True).gettext


def country_name(code: str, lang: Lang) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return f"{_country_names(lang)(getattr(country, 'common_name', None) or country.name)} ({code})"


def governing_law(code: str, lang: Lang) -> str:
    name = country_name(code, lang).rsplit(" (", 1)[0]
    return f"{name}法" if lang == "ja" else f"the laws of {name}"


def document_facts(
    *,
    contract_id: str,
    seller_name: str,
    buyer_name: str,
    dataset: Dataset,
    version: DatasetVersion,
    price: int,
    quantity: int,
    currency: str,
    concluded_at: datetime,
    duration_days: int,
    terms_sha256: str,
    delivery_channel: str = "market",
) -> DocumentFacts:
    """What a contract on this dataset version states; the one builder for concluded contracts and previews."""
    anonymization = dataset.anonymization or {}
    time_range = version.time_range
    return DocumentFacts(
        contract_id=contract_id,
        seller_name=seller_name,
        buyer_name=buyer_name,
        dataset_title=dataset.title,
        dataset_version=version.number,
        data_items=[column["name"] for column in version.schema],
        file_format=version.file_format,
        row_count=version.row_count,
        sha256=version.sha256,
        time_period=(str(time_range[0]), str(time_range[1]))
        if isinstance(time_range, list | tuple) and len(time_range) == 2
        else None,
        data_class=dataset.data_class,
        personal_info_items=list(anonymization.get("personal_info_items", [])),
        anonymization_method=anonymization.get("method", ""),
        price=price,
        quantity=quantity,
        currency=currency,
        valid_from=concluded_at,
        valid_until=concluded_at + timedelta(days=duration_days),
        concluded_at=concluded_at,
        terms_sha256=terms_sha256,
        delivery_channel=delivery_channel,
        dataset_id=str(dataset.id),
        grace_days=market_settings().subscription_grace_days,
    )


def stream_topic(dataset_id: str) -> str:
    """The MQTT topic (filter) of a dataset's live stream: one per dataset, whatever offerings sell it."""
    return f"feeds/{dataset_id}/#"


def _delivery_commitment(subscription: Mapping[str, Any], lang: Lang) -> str:
    lines = [COMMITMENT_LABELS["versions"][lang].format(count=f"{subscription['min_versions_per_period']:,}")]
    if subscription.get("min_messages_per_period") is not None:
        lines.append(COMMITMENT_LABELS["messages"][lang].format(count=f"{subscription['min_messages_per_period']:,}"))
    return "\n".join(lines)


def _label(template: Template, key: str, value: str, lang: Lang) -> str:
    return template.value_labels.get(key, {}).get(value, {}).get(lang, value)


def _money(amount: int, currency: str) -> str:
    # JPY has no minor unit; other currencies are shown in minor units with their code (no float maths).
    return f"{amount:,} {currency}" if currency != "JPY" else f"¥{amount:,}"


def _date(value: datetime, lang: Lang) -> str:
    local = value.astimezone(JST)
    return local.strftime("%Y年%m月%d日 %H:%M JST") if lang == "ja" else local.strftime("%d %B %Y %H:%M JST")


def clause_context(template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang) -> dict[str, str]:
    return _clause_context(template, terms, facts, lang, trade_strings(facts, lang))


def _clause_context(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang, trade: Mapping[str, str]
) -> dict[str, str]:
    terms = terms_typed(template, terms)  # 90, never "90.0 days", for a term stored as 90.0
    separator = "、" if lang == "ja" else ", "
    warranties = "\n".join(
        f"- {_label(template, 'warranty_item', item, lang)}: {_label(template, 'warranty_level', level, lang)}"
        for item, level in terms["warranties"].items()
    )
    cap = terms["liability_cap"]
    cap_label = _label(template, "liability_cap.basis", cap["basis"], lang)
    if cap["basis"] == "fixed":
        cap_label = f"{cap_label} ({_money(cap['amount'], facts.currency)})"
    unknown = "—"
    subscription = terms.get("subscription")
    if not isinstance(subscription, Mapping):  # a licence: its clauses name none of these
        subscription = None
    return {
        "dataset_title": facts.dataset_title,
        "dataset_version": str(facts.dataset_version),
        "data_items": separator.join(facts.data_items) or unknown,
        "file_format": facts.file_format.upper(),
        "row_count": f"{facts.row_count:,}" if facts.row_count is not None else unknown,
        "sha256": facts.sha256,
        "time_period": " – ".join(facts.time_period) if facts.time_period else unknown,
        "delivery_channel": DELIVERY_CHANNEL_LABELS.get(facts.delivery_channel, {}).get(lang, facts.delivery_channel),
        "license_type_label": _label(template, "license_type", terms["license_type"], lang),
        "purpose": terms["purpose"],
        "processing_label": _label(template, "processing", terms["processing"], lang),
        "sublicense_label": _label(template, "sublicense", terms["sublicense"], lang),
        "third_party_provision_label": _label(template, "third_party_provision", terms["third_party_provision"], lang),
        "territory_label": separator.join(country_name(code, lang) for code in terms["territory"]),
        "price": trade["price"],
        "quantity": trade["quantity"],
        "total": trade["total"],
        "currency": facts.currency,
        "warranties_list": warranties,
        "liability_cap_label": cap_label,
        "confidentiality_years": str(terms["confidentiality_years"]),
        "derived_rights_label": _label(template, "derived_data.rights", terms["derived_data"]["rights"], lang),
        "derived_access_label": _label(
            template, "derived_data.provider_access", terms["derived_data"]["provider_access"], lang
        ),
        "personal_info_items": separator.join(facts.personal_info_items) or unknown,
        "anonymization_method": facts.anonymization_method or unknown,
        "duration_days": str(terms["duration_days"]),
        "valid_from": trade["valid_from"],
        "valid_until": trade["valid_until"],
        "end_of_term_label": _label(template, "end_of_term", terms["end_of_term"], lang),
        "governing_law_label": governing_law(terms["governing_law"], lang),
        "forum": term_text(template, "forum", terms["forum"], lang),
        "seller_name": facts.seller_name,
        "buyer_name": trade["buyer_name"],
        "period_days": str(subscription["period_days"]) if subscription else unknown,
        "term_periods": str(subscription["term_periods"]) if subscription else unknown,
        "delivery_commitment": _delivery_commitment(subscription, lang) if subscription else unknown,
        "grace_days": str(facts.grace_days),
        "stream_topic": stream_topic(facts.dataset_id) if facts.dataset_id else unknown,
    }


def trade_strings(facts: DocumentFacts, lang: Lang) -> dict[str, str]:
    """What a document states of the trade itself (as displayed); everything else is fixed per offering and
    dataset version, which is what lets a document be composed from a cached base (``document_compose``)."""
    return {
        "contract_id": facts.contract_id,
        "buyer_name": facts.buyer_name,
        "price": _money(facts.price, facts.currency),
        "quantity": str(facts.quantity),
        "total": _money(facts.price * facts.quantity, facts.currency),
        "concluded_at": _date(facts.concluded_at, lang),
        "valid_from": _date(facts.valid_from, lang),
        "valid_until": _date(facts.valid_until, lang),
        **dict(facts.placeholders),
    }


def clauses_rendered(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang
) -> list[dict[str, Any]]:
    return _clauses_rendered(template, terms, facts, lang, trade_strings(facts, lang))


def _clauses_rendered(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang, trade: Mapping[str, str]
) -> list[dict[str, Any]]:
    context = _clause_context(template, terms, facts, lang, trade)
    return [
        {
            "code": clause.code,
            "number": number,
            "title": clause.title[lang],
            "paragraphs": [p for p in render_clause_text(clause, lang, context).split("\n\n") if p.strip()],
            "negotiable": clause.negotiable,
        }
        for number, clause in enumerate(template.clauses_for(facts.data_class, terms), start=1)
    ]


def _render(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang, trade: Mapping[str, str]
) -> str:
    with translation.override(lang):
        return render_to_string(
            "contracts/document.html",
            {
                "lang": lang,
                "title": template.title[lang],
                "template": template,
                "facts": facts,
                "clauses": _clauses_rendered(template, terms, facts, lang, trade),
                **trade,
            },
        )


def document_render(template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang) -> str:
    """The whole document, rendered from the template (previews; the reference ``document_compose`` matches)."""
    return _render(template, terms, facts, lang, trade_strings(facts, lang))


# --- composing a concluded document from a per-offering base --------------------------------------------------
#
# Rendering the template costs milliseconds per language, under the offering's row lock, yet only the trade's own
# facts (``trade_strings``) differ between two contracts on the same offering and dataset version. So the document
# is rendered once per (template, terms, offering facts, language) with markers in place of the trade's facts; the
# literal text between the markers is the *base*, stored once (content-addressed, ``ContractText``), and each
# contract stores the HTML-escaped trade strings that fill its slots. ``document_assemble(base, slots)`` is then
# the document byte for byte, as ``document_render`` would give it: a base is used only after a probe render with
# characters that HTML escaping changes assembled identically, and only for trade strings that cannot change how
# the renderer splits paragraphs (no line breaks, no surrounding spaces). Anything else stores the fully rendered
# text as its own base, with no slots.

_RESERVED = ("\ue000", "\ue001", "\ue002")
_MARKER = re.compile("\ue001([a-z_]+)\ue002")
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_BASES_MAX = 256  # (offering, language) pairs kept, least recently used dropped first: ~35 kB each
_bases: dict[str, tuple[str, tuple[str, ...]] | None] = {}  # key -> (base, slot names), None: not composable
# Threads share the bases (gthread workers, the webhooks pool, the tests' races): moving a key to the end and dropping
# the oldest are two steps each, so they are taken under this lock; building a base is not.
_bases_lock = threading.Lock()


def _slot_safe(value: str) -> bool:
    return (
        bool(value)
        and value == value.strip()
        and "\n" not in value
        and "\r" not in value
        and not any(reserved in value for reserved in _RESERVED)
    )


def _base_key(template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang) -> str:
    neutral = replace(
        facts,
        contract_id="",
        buyer_name="",
        price=0,
        quantity=0,
        valid_from=_EPOCH,
        valid_until=_EPOCH,
        concluded_at=_EPOCH,
    )
    return repr((template.code, template.version, lang, json.dumps(terms, sort_keys=True, default=str), neutral))


def _base_build(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang
) -> tuple[str, tuple[str, ...]] | None:
    marked = _render(template, terms, facts, lang, {key: f"\ue001{key}\ue002" for key in trade_strings(facts, lang)})
    pieces = _MARKER.split(marked)
    segments, names = pieces[0::2], tuple(pieces[1::2])
    if any(reserved in segment for segment in segments for reserved in _RESERVED):
        return None
    base = SLOT.join(segments)
    probe = replace(facts, contract_id=f"{facts.contract_id}<&>", buyer_name=f"{facts.buyer_name} <&\"'>")
    trade = trade_strings(probe, lang)
    if document_assemble(base, [escape(trade[name]) for name in names]) != _render(template, terms, probe, lang, trade):
        return None
    return base, names


def document_compose(
    template: Template, terms: Mapping[str, Any], facts: DocumentFacts, lang: Lang
) -> tuple[str, tuple[str, ...]]:
    """The concluded document as (base, slots): ``document_assemble(base, slots) == document_render(...)``."""
    trade = trade_strings(facts, lang)
    if all(_slot_safe(value) for value in trade.values()):
        key = _base_key(template, terms, facts, lang)
        built: tuple[str, tuple[str, ...]] | None = None
        with _bases_lock:
            cached = key in _bases
            if cached:
                built = _bases[key] = _bases.pop(key)  # now the most recently used (dicts keep insertion order)
        if not cached:
            built = _base_build(template, terms, facts, lang)
            with _bases_lock:
                while len(_bases) >= _BASES_MAX:
                    del _bases[next(iter(_bases))]
                _bases[key] = built
        if built is not None:
            base, names = built
            return base, tuple(str(escape(trade[name])) for name in names)
    return _render(template, terms, facts, lang, trade), ()


# The stored document is plain HTML with inline styles: it may load nothing and run nothing.
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def document_response(contract: Contract, lang: Lang) -> HttpResponse:
    """The concluded document byte for byte as hashed, for the API and the web page alike."""
    html, digest = (
        (contract.document_ja, contract.document_sha256)
        if lang == "ja"
        else (contract.document_en, contract.document_en_sha256)
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["ETag"] = f'"{digest}"'
    response["Content-Language"] = lang
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response
