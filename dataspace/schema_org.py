"""A published dataset as a schema.org ``Dataset`` (JSON-LD), the description search engines' dataset search reads
from the dataset's web page; and that JSON-LD as a ``<script>`` element that no seller's text can break out of.

The same rows as the DCAT-AP mapping (dataspace.selectors.CatalogEntry), with the offerings' best asks: each open
offering is a ``DataDownload`` (its page is where the data is had) and, while its book has an ask, an ``Offer`` at the
best ask's price.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from catalog.models import DataClass
from contracts.odrl import pay_amount
from dataspace import vocabularies as vocab
from dataspace.dcat import Site
from dataspace.language import text_language
from dataspace.selectors import CatalogEntry

# What Django's json_script escapes: inside <script> the HTML parser only looks for "</script" (and "<!--"), so
# with no "<" left (nor ">" and "&", for good measure) a title such as "</script><script>..." stays JSON text.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def dataset_schema(entry: CatalogEntry, site: Site) -> dict[str, Any]:
    dataset = entry.dataset
    seller = dataset.seller
    landing = site.url(reverse("web:dataset", args=[dataset.id]))
    description = dataset.description.strip() or f"{DataClass(dataset.data_class).label} on {site.market_name}."
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": f"{landing}#dataset",
        "url": landing,
        "identifier": f"urn:ichiba:dataset:{dataset.id}",
        "name": dataset.title,
        "description": description,
        "inLanguage": text_language(f"{dataset.title} {description}"),
        "creator": {
            "@type": "Organization",
            "name": seller.name,
            "url": site.url(f"{reverse('web:catalog')}?seller={seller.id}"),
        },
        "provider": {"@type": "Organization", "name": site.market_name, "url": site.url(reverse("web:catalog"))},
        "isAccessibleForFree": False,
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": site.market_name,
            "url": site.url(reverse("dataspace:catalog")),
        },
    }
    tags = [tag.name for tag in dataset.tags.all()]
    if tags:
        document["keywords"] = tags
    if entry.time_range is not None:
        start, end = entry.time_range
        document["temporalCoverage"] = f"{_iso(start)}/{_iso(end)}"
    if dataset.region:
        document["spatialCoverage"] = {"@type": "Place", "name": dataset.region}
    if dataset.published_at is not None:
        document["datePublished"] = _iso(dataset.published_at)
    document["dateModified"] = _iso(
        max(filter(None, [dataset.updated_at, entry.latest.validated_at if entry.latest else None]))
    )
    if entry.latest is not None:
        document["version"] = str(entry.latest.number)
    if entry.offerings:
        pages = [site.url(reverse("web:offering", args=[offering.id])) for offering in entry.offerings]
        document["license"] = [f"{page}#terms-heading" for page in pages]
        stored = vocab.file_format(entry.latest.file_format) if entry.latest is not None else None
        document["distribution"] = [
            {
                "@type": "DataDownload",
                "contentUrl": page,
                **({"encodingFormat": stored.encoding} if stored is not None else {}),
                **({"contentSize": f"{entry.latest.size_bytes} B"} if entry.latest is not None else {}),
            }
            for page in pages
        ]
        offers = []
        for offering, page in zip(entry.offerings, pages, strict=True):
            ask = entry.best_asks.get(offering.id)
            if ask is None:
                continue
            offer: dict[str, Any] = {
                "@type": "Offer",
                "url": page,
                "price": pay_amount(ask, offering.currency),
                "priceCurrency": offering.currency,
                "availability": "https://schema.org/SoldOut"
                if offering.seats_left == 0
                else "https://schema.org/InStock",
            }
            if offering.is_subscription and offering.period_days:
                offer["priceSpecification"] = {
                    "@type": "UnitPriceSpecification",
                    "price": offer["price"],
                    "priceCurrency": offering.currency,
                    "billingDuration": f"P{offering.period_days}D",
                }
            offers.append(offer)
        if offers:
            document["offers"] = offers
    return document


def json_ld_script(document: dict[str, Any]) -> SafeString:
    """``<script type="application/ld+json">`` holding the document, escaped as Django's ``json_script`` does."""
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
