"""A published dataset's page embeds its schema.org Dataset (JSON-LD) for search engines' dataset search: parsed out
of the page as a crawler would, with its fields; no seller's text can close the <script> element."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from rdflib import Graph, Literal, Namespace, URIRef

from catalog.services.datasets import dataset_update
from tests.builders import (
    Party,
    listed_catalog,
    offer,
    place,
    published_dataset,
    subscription_offer,
    version_published,
)

pytestmark = pytest.mark.django_db

SCHEMA = Namespace("https://schema.org/")


class Scripts(HTMLParser):
    """The text of every <script type="application/ld+json"> of a page, and the names of all elements opened."""

    def __init__(self) -> None:
        super().__init__()
        self.json_ld: list[str] = []
        self.tags: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.json_ld[-1] += data


def structured_data(page: str) -> list[dict[str, Any]]:
    parser = Scripts()
    parser.feed(page)
    return [json.loads(text) for text in parser.json_ld]


def test_the_dataset_page_describes_the_dataset_for_dataset_search(seller: Party, buyer: Party) -> None:
    offering = subscription_offer(seller, period_days=30, term_periods=12, min_versions_per_period=1)
    dataset = offering.dataset
    version_published(seller, dataset, b"timestamp,value\n2024-01-01T00:00:00+09:00,1\n")
    assert place(seller, {"id": str(offering.id)}, "sell", 5, 12_000).status_code == 201
    assert place(seller, {"id": str(offering.id)}, "sell", 5, 9_500).status_code == 201
    response = Client().get(f"/datasets/{dataset.id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    [described] = structured_data(response.content.decode())
    assert described["@context"] == "https://schema.org" and described["@type"] == "Dataset"
    assert described["name"] == "Bridge strain 橋梁ひずみ"
    assert described["description"] == "Strain gauges every minute."
    assert described["url"] == f"http://testserver/datasets/{dataset.id}/"
    assert described["creator"] == {
        "@type": "Organization",
        "name": "Kansai Bridge Monitoring",
        "url": f"http://testserver/?seller={seller.organization.id}",
    }
    assert described["keywords"] == ["bridge"]
    assert described["temporalCoverage"] == "2023-12-31T15:00:00Z/2024-03-31T15:19:00Z"
    assert described["spatialCoverage"] == {"@type": "Place", "name": "Osaka"}
    page = f"http://testserver/offerings/{offering.id}/"
    assert described["license"] == [f"{page}#terms-heading"]
    [download] = described["distribution"]
    assert download["@type"] == "DataDownload" and download["contentUrl"] == page
    assert download["encodingFormat"] == "text/csv"
    [priced] = described["offers"]
    assert priced["price"] == "9500" and priced["priceCurrency"] == "JPY" and priced["url"] == page
    assert priced["priceSpecification"]["billingDuration"] == "P30D"
    assert described["isAccessibleForFree"] is False
    # It is JSON-LD a linked-data reader expands: schema.org's terms, written out here without fetching its context.
    document = {**described, "@context": {"@vocab": "https://schema.org/"}}
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    subject = URIRef(f"http://testserver/datasets/{dataset.id}/#dataset")
    assert graph.value(subject, SCHEMA.name) == Literal("Bridge strain 橋梁ひずみ")


def test_an_offering_without_asks_is_described_without_a_price(seller: Party) -> None:
    offering = offer(seller)
    [described] = structured_data(Client().get(f"/datasets/{offering.dataset_id}/").content.decode())
    assert "offers" not in described and len(described["distribution"]) == 1


def test_a_sellers_title_cannot_close_the_script_element(seller: Party) -> None:
    dataset = published_dataset(seller)
    hostile = "</script><script>alert(1)</script><!-- & -->"
    dataset_update(
        dataset_id=dataset.id, seller_id=seller.organization.id, changes={"title": hostile, "description": hostile}
    )
    body = Client().get(f"/datasets/{dataset.id}/").content.decode()
    head = body[: body.index("</head>")]
    assert "<script>alert" not in head and "<!--" not in head
    parser = Scripts()
    parser.feed(body)
    assert parser.tags.count("script") == 1  # the page has no other script: the title opened none
    [described] = [json.loads(text) for text in parser.json_ld]
    assert described["name"] == hostile and described["description"] == hostile


def test_a_dataset_no_catalog_lists_has_no_description(seller: Party) -> None:
    from catalog.services.datasets import dataset_withdraw

    dataset = published_dataset(seller)
    dataset_withdraw(dataset_id=dataset.id, seller_id=seller.organization.id, reason="gone")
    body = Client().get(f"/datasets/{dataset.id}/").content.decode()
    assert structured_data(body) == []


def test_private_and_auction_offerings_are_not_described(seller: Party, buyer: Party) -> None:
    listed = listed_catalog(seller, buyer)
    body = Client().get(f"/datasets/{listed.unoffered.id}/").content.decode()
    [described] = structured_data(body)
    assert "distribution" not in described and "offers" not in described and "license" not in described
    head = body[: body.index("</head>")]
    assert str(listed.private.id) not in head and str(listed.auction.id) not in head
