"""The one mapping of the market's catalog to DCAT-AP 3 (JSON-LD): a dataset with its open offerings becomes a
``dcat:Dataset`` with a ``dcat:Distribution`` per offering, each carrying the offering's ODRL offer
(``contracts.odrl_export.offer_odrl``, the same document as ``/api/v1/offerings/{id}/odrl``) as ``odrl:hasPolicy``.

Everything that describes datasets in RDF goes through ``dataset_node``: ``GET /catalog`` (DCAT-AP, paged) and the
Dataspace Protocol's catalog (``dataspace.dsp.catalog``: the same nodes' DCAT terms under the DSP context). Pure
functions of the rows ``dataspace.selectors`` loaded and of the ``Site`` (the absolute URLs); nothing here queries
the database.

Identifiers: a dataset is ``urn:ichiba:dataset:<uuid>`` and a seller ``urn:ichiba:organization:<uuid>``, the IRIs
the ODRL offers name as target and assigner, so the graph joins up; a distribution is
``urn:ichiba:distribution:<offering uuid>`` (the offer itself is ``urn:ichiba:offering:<uuid>``). Pages for people
(``dcat:landingPage``, ``dcat:accessURL``) are absolute URLs of the site. What maps to what: docs/dataspace.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from catalog.models import DataClass
from config.market import market_settings
from contracts.odrl import CONTEXT as ODRL_CONTEXT
from contracts.registry import template_get
from contracts.terms import terms_typed
from dataspace import vocabularies as vocab
from dataspace.language import text_language
from dataspace.selectors import CatalogEntry, CatalogPage
from marketplace.models import Offering
from marketplace.selectors import offering_odrl

LANGUAGES = ("en", "ja")
EU_LANGUAGE = f"{vocab.EU_AUTHORITY}language"
_LANGUAGE_CONCEPTS = {
    "en": vocab.Concept(f"{EU_LANGUAGE}/ENG", EU_LANGUAGE, "English"),
    "ja": vocab.Concept(f"{EU_LANGUAGE}/JPN", EU_LANGUAGE, "Japanese"),
}
ACCESS_RIGHT = f"{vocab.EU_AUTHORITY}access-right"
RESTRICTED = vocab.Concept(f"{ACCESS_RIGHT}/RESTRICTED", ACCESS_RIGHT, "restricted")
PLANNED_AVAILABILITY = f"{vocab.EU_AUTHORITY}planned-availability"
AVAILABLE = vocab.Concept(f"{PLANNED_AVAILABILITY}/AVAILABLE", PLANNED_AVAILABILITY, "available")

# The vocabularies of the catalog's own nodes. ODRL's terms come from its context (contracts.odrl.CONTEXT), which
# the document states first: the embedded offers are written in its compact terms ("uid", "permission", ...),
# while every DCAT-side key is a compact IRI ("dct:title"), which no ODRL term can shadow.
DCAT_CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatap": "http://data.europa.eu/r5r/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
}
CONTEXT: list[dict[str, Any]] = [ODRL_CONTEXT, DCAT_CONTEXT]


@dataclass(frozen=True)
class Site:
    """Where the market is: its public origin (``ICHIBA_PUBLIC_URL``, else the request's) and its operator's name."""

    origin: str
    market_name: str

    @classmethod
    def of(cls, request: HttpRequest) -> Site:
        market = market_settings()
        return cls(
            origin=market.public_url or f"{request.scheme}://{request.get_host()}", market_name=market.market_name
        )

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    @property
    def operator(self) -> str:
        return self.url("/#operator")


# --- values -----------------------------------------------------------------------------------------------------


def text(value: str, language: str | None = None) -> dict[str, str]:
    """A language-tagged string; the language detected from its script unless given."""
    return {"@value": value, "@language": language or text_language(value)}


def typed(value: str, datatype: str) -> dict[str, str]:
    return {"@value": value, "@type": datatype}


def instant(moment: datetime) -> dict[str, str]:
    return typed(moment.astimezone(UTC).isoformat().replace("+00:00", "Z"), "xsd:dateTime")


def concept(item: vocab.Concept, *types: str) -> dict[str, Any]:
    """A controlled-vocabulary concept with the statements DCAT-AP's vocabulary shapes look for (scheme, label)."""
    return {
        "@id": item.iri,
        "@type": [*types, "skos:Concept"],
        "skos:inScheme": {
            "@id": item.scheme,
            "@type": "skos:ConceptScheme",
            "dct:title": text(item.scheme_title, "en"),
        },
        "skos:prefLabel": text(item.label, "en"),
    }


def translated(message: Callable[[], str], **values: Any) -> list[dict[str, str]]:
    """``message`` (a function of no arguments that returns a translated string, formatted with ``values``) in every
    language of the site, each tagged with its language."""
    strings = []
    for code in LANGUAGES:
        with translation.override(code):
            strings.append(text(message() % values if values else message(), code))
    return strings


# --- the catalog ------------------------------------------------------------------------------------------------


def catalog_document(page: CatalogPage, site: Site, *, page_url: Callable[[int], str]) -> dict[str, Any]:
    """The DCAT-AP catalog's page ``page.number`` as one JSON-LD document: the ``dcat:Catalog`` with the page's
    datasets and a ``hydra:PartialCollectionView`` (first, previous, next, last). ``page_url(n)`` is the absolute
    URL of page n as a harvester should ask for it."""
    view: dict[str, Any] = {
        "@id": page_url(page.number),
        "@type": "hydra:PartialCollectionView",
        "hydra:first": {"@id": page_url(1)},
        "hydra:last": {"@id": page_url(page.last)},
    }
    if page.number > 1:
        view["hydra:previous"] = {"@id": page_url(min(page.number - 1, page.last))}
    if page.number < page.last:
        view["hydra:next"] = {"@id": page_url(page.number + 1)}
    return {
        "@context": copy.deepcopy(CONTEXT),
        **catalog_node(site),
        "hydra:totalItems": typed(str(page.total), "xsd:nonNegativeInteger"),
        "hydra:view": view,
        "dcat:dataset": [dataset_node(entry, site) for entry in page.entries],
    }


def catalog_node(site: Site) -> dict[str, Any]:
    """The ``dcat:Catalog`` itself (and a ``hydra:Collection`` of its datasets), without its datasets."""
    return {
        "@id": site.url(reverse("dataspace:catalog")),
        "@type": ["dcat:Catalog", "hydra:Collection"],
        "dct:title": translated(lambda: gettext("%(market)s data catalog"), market=site.market_name),
        "dct:description": translated(
            lambda: gettext(
                "Datasets listed on %(market)s, a data market: anonymously processed information and IoT sensing "
                "data, licensed under the contract terms of METI's data-provision template and sold through order "
                "books."
            ),
            market=site.market_name,
        ),
        "dct:publisher": {
            "@id": site.operator,
            "@type": "foaf:Agent",
            "foaf:name": site.market_name,
            "dct:type": concept(vocab.COMPANY),
        },
        "foaf:homepage": {"@id": site.url(reverse("web:catalog")), "@type": "foaf:Document"},
        "dct:language": [concept(_LANGUAGE_CONCEPTS[code], "dct:LinguisticSystem") for code in LANGUAGES],
        "dcat:themeTaxonomy": {
            "@id": vocab.DATA_THEME,
            "@type": "skos:ConceptScheme",
            "dct:title": text(vocab.SCHEME_TITLES[vocab.DATA_THEME], "en"),
        },
    }


def dataset_node(entry: CatalogEntry, site: Site) -> dict[str, Any]:
    """A published dataset as a ``dcat:Dataset`` with a ``dcat:Distribution`` per open offering."""
    dataset = entry.dataset
    seller = dataset.seller
    node: dict[str, Any] = {
        "@id": f"urn:ichiba:dataset:{dataset.id}",
        "@type": "dcat:Dataset",
        "dct:identifier": str(dataset.id),
        "dct:title": text(dataset.title),
        "dct:description": _description(entry, site),
        "dcat:landingPage": {"@id": site.url(reverse("web:dataset", args=[dataset.id])), "@type": "foaf:Document"},
        "dct:publisher": {
            "@id": f"urn:ichiba:organization:{seller.id}",
            "@type": "foaf:Agent",
            "foaf:name": seller.name,
            "dct:type": concept(vocab.COMPANY),
        },
        "dcat:contactPoint": {
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": seller.name,
            "vcard:hasURL": {"@id": site.url(f"{reverse('web:catalog')}?seller={seller.id}")},
        },
        "dct:accessRights": concept(RESTRICTED, "dct:RightsStatement"),
    }
    tags = [tag.name for tag in dataset.tags.all()]
    if tags:
        node["dcat:keyword"] = [text(tag) for tag in tags]
    themes = vocab.themes(dataset.category)
    if themes:
        node["dcat:theme"] = [concept(theme) for theme in themes]
    if dataset.region:
        node["dct:spatial"] = {"@type": "dct:Location", "locn:geographicName": text(dataset.region)}
    if entry.time_range is not None:
        start, end = entry.time_range
        node["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": instant(start),
            "dcat:endDate": instant(end),
        }
    periodicity = vocab.accrual_periodicity(
        update_frequency=dataset.update_frequency,
        subscription_period_days=tuple(o.period_days for o in entry.offerings if o.is_subscription and o.period_days),
        streamed=any(o.stream for o in entry.offerings),
    )
    if periodicity is not None:
        node["dct:accrualPeriodicity"] = concept(periodicity, "dct:Frequency")
    if dataset.published_at is not None:
        node["dct:issued"] = instant(dataset.published_at)
    node["dct:modified"] = instant(_modified(entry))
    if entry.offerings:
        node["dcat:distribution"] = [distribution_node(entry, offering, site) for offering in entry.offerings]
    return node


def _description(entry: CatalogEntry, site: Site) -> dict[str, str] | list[dict[str, str]]:
    """The seller's description; a dataset without one is described by its data class (DCAT-AP requires one)."""
    if entry.dataset.description.strip():
        return text(entry.dataset.description)
    data_class = DataClass(entry.dataset.data_class)
    # The label is translated lazily: it is read in each language as the message is.
    return translated(
        lambda: gettext("%(data_class)s on %(market)s."), data_class=data_class.label, market=site.market_name
    )


def _modified(entry: CatalogEntry) -> datetime:
    moments = [entry.dataset.updated_at]
    if entry.latest is not None and entry.latest.validated_at is not None:
        moments.append(entry.latest.validated_at)
    return max(moments)


def distribution_node(entry: CatalogEntry, offering: Offering, site: Site) -> dict[str, Any]:
    """An open offering as a ``dcat:Distribution``: its page, the latest published version's format, size and
    SHA-256 (what a buyer gets now), and its ODRL offer."""
    dataset = entry.dataset
    page = site.url(reverse("web:offering", args=[offering.id]))
    node: dict[str, Any] = {
        "@id": f"urn:ichiba:distribution:{offering.id}",
        "@type": "dcat:Distribution",
        "dct:title": _offering_title(offering),
        "dct:description": _offering_description(offering),
        "dcat:accessURL": {"@id": page},
        "dct:license": {
            "@id": f"{page}#terms-heading",
            "@type": "dct:LicenseDocument",
            "dct:type": concept(vocab.ROYALTIES_REQUIRED),
        },
        "dct:rights": {
            "@type": "dct:RightsStatement",
            "dct:description": translated(
                lambda: gettext(
                    "Licensed under the contract terms of this offering (template %(template)s, terms SHA-256 "
                    "%(sha256)s), which a buyer accepts by their hash; the contract concluded at the trade binds."
                ),
                template=f"{offering.template_code}@{offering.template_version}",
                sha256=offering.terms_sha256,
            ),
        },
        "dcatap:availability": concept(AVAILABLE),
        "dct:issued": instant(offering.created_at),
        "odrl:hasPolicy": offer_policy(offering, data_class=dataset.data_class),
    }
    latest = entry.latest
    if latest is not None:
        stored = vocab.file_format(latest.file_format)
        if stored is not None:
            node["dct:format"] = concept(stored.file_type, "dct:MediaTypeOrExtent")
            if stored.media_type is not None:
                node["dcat:mediaType"] = {"@id": stored.media_type, "@type": "dct:MediaType"}
        node["dcat:byteSize"] = typed(str(latest.size_bytes), "xsd:nonNegativeInteger")
        node["spdx:checksum"] = {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256", "@type": "spdx:ChecksumAlgorithm"},
            "spdx:checksumValue": typed(latest.sha256, "xsd:hexBinary"),
        }
        if latest.validated_at is not None:
            node["dct:modified"] = instant(latest.validated_at)
    return node


def offer_policy(offering: Offering, *, data_class: str) -> dict[str, Any]:
    """The offering's ODRL offer as the catalog embeds it: the document of ``contracts.odrl_export.offer_odrl``
    without its own ``@context`` (the catalog's starts with the same one) and typed ``odrl:Policy`` as well as
    ``odrl:Offer`` (ODRL's Offer is a Policy; DCAT-AP's range check looks for the class itself)."""
    offer = offering_odrl(offering, data_class=data_class)
    context = offer.pop("@context")
    assert context == ODRL_CONTEXT, "the offer's context must be the one the catalog states"
    offer["@type"] = [offer["@type"], "Policy"]
    return offer


def _offering_title(offering: Offering) -> list[dict[str, str]]:
    if offering.is_subscription:
        periods, days = offering.term_periods or 0, offering.period_days or 0
        return translated(
            lambda: ngettext(
                "Subscription: %(periods)s period of %(days)s days",
                "Subscription: %(periods)s periods of %(days)s days",
                periods,
            ),
            periods=periods,
            days=days,
        )
    terms = terms_typed(template_get(offering.template_code, offering.template_version), offering.terms)
    return translated(lambda: gettext("%(days)s-day licence"), days=terms.get("duration_days"))


def _offering_description(offering: Offering) -> list[dict[str, str]]:
    if offering.is_subscription:
        return translated(
            lambda: gettext(
                "A subscription to the dataset's feed under the METI data-provision contract terms: a seat per "
                "period, bought through the offering's order book; each period the seller publishes new versions."
            )
        )
    return translated(
        lambda: gettext(
            "A licence to the dataset version published at the trade, under the METI data-provision contract "
            "terms: seats bought through the offering's order book."
        )
    )
