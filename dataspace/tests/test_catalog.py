"""GET /catalog: the DCAT-AP catalog of published datasets, read as RDF (rdflib expands the JSON-LD with its inline
context, offline), in both formats, paged, with what is hidden kept hidden and a fixed number of queries a page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF

from catalog.models import DatasetVersion
from dataspace import selectors
from tests.builders import Party, anonymized_csv, listed_catalog, offer, published_dataset, version_published

pytestmark = pytest.mark.django_db

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"


def catalog_graph(client: Any, query: str = "", **headers: Any) -> tuple[Any, Graph]:
    response = client.get(f"/catalog{query}", **headers)
    assert response.status_code == 200, response.content
    graph = Graph()
    if response["Content-Type"].startswith("text/turtle"):
        graph.parse(data=response.content.decode(), format="turtle")
    else:
        graph.parse(data=response.content.decode(), format="json-ld")
    return response, graph


def dataset_iri(dataset_id: Any) -> URIRef:
    return URIRef(f"urn:ichiba:dataset:{dataset_id}")


def distribution_iri(offering_id: Any) -> URIRef:
    return URIRef(f"urn:ichiba:distribution:{offering_id}")


def test_the_catalog_lists_published_datasets_and_their_open_book_offerings_only(
    seller: Party, buyer: Party, anonymous: Any
) -> None:
    listed = listed_catalog(seller, buyer)
    response, graph = catalog_graph(anonymous)
    assert response["Content-Type"] == "application/ld+json"
    catalog = URIRef("http://testserver/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    assert set(graph.objects(catalog, DCAT.dataset)) == {
        dataset_iri(listed.feed.dataset_id),
        dataset_iri(listed.anonymised.dataset_id),
        dataset_iri(listed.unoffered.id),
    }
    assert dataset_iri(listed.draft.id) not in set(graph.subjects())
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    assert distributions == {distribution_iri(listed.feed.id), distribution_iri(listed.anonymised.id)}
    assert list(graph.objects(dataset_iri(listed.unoffered.id), DCAT.distribution)) == []
    everything = response.content.decode()
    for hidden in (listed.private, listed.auction, listed.withdrawn):
        assert str(hidden.id) not in everything


def test_a_dataset_is_described_with_tagged_text_publisher_contact_theme_coverage_and_frequency(
    seller: Party, buyer: Party, anonymous: Any
) -> None:
    listed = listed_catalog(seller, buyer)
    _response, graph = catalog_graph(anonymous)
    feed = dataset_iri(listed.feed.dataset_id)
    assert graph.value(feed, DCTERMS.title) == Literal("Bridge strain 橋梁ひずみ", lang="ja")
    assert graph.value(feed, DCTERMS.description) == Literal("Strain gauges every minute.", lang="en")
    assert set(graph.objects(feed, DCAT.keyword)) == {Literal("bridge", lang="en")}
    assert set(graph.objects(feed, DCAT.theme)) == {URIRef(f"{EU}data-theme/REGI"), URIRef(f"{EU}data-theme/TRAN")}
    publisher = graph.value(feed, DCTERMS.publisher)
    assert publisher == URIRef(f"urn:ichiba:organization:{seller.organization.id}")
    assert graph.value(publisher, FOAF.name) == Literal("Kansai Bridge Monitoring")
    contact = graph.value(feed, DCAT.contactPoint)
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    assert (contact, RDF.type, vcard.Kind) in graph
    assert graph.value(contact, vcard.fn) == Literal("Kansai Bridge Monitoring")
    place = graph.value(feed, DCTERMS.spatial)
    assert graph.value(place, Namespace("http://www.w3.org/ns/locn#").geographicName) == Literal("Osaka", lang="en")
    # The readings of both published versions: the second file's start (2024-01-01 00:00 JST), the first's end.
    period = graph.value(feed, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2023-12-31T15:00:00Z", datatype=XSD.dateTime)
    assert graph.value(period, DCAT.endDate) == Literal("2024-03-31T15:19:00Z", datatype=XSD.dateTime)
    assert graph.value(feed, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/DAILY")
    issued = graph.value(feed, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.dateTime
    assert graph.value(feed, DCAT.landingPage) == URIRef(f"http://testserver/datasets/{listed.feed.dataset_id}/")
    # Anonymised data has no readings' time range.
    assert graph.value(dataset_iri(listed.anonymised.dataset_id), DCTERMS.temporal) is None


def test_a_distribution_is_the_offering_with_its_page_file_checksum_and_odrl_offer(
    seller: Party, buyer: Party, anonymous: Any
) -> None:
    listed = listed_catalog(seller, buyer)
    _response, graph = catalog_graph(anonymous)
    distribution = distribution_iri(listed.feed.id)
    latest = DatasetVersion.objects.filter(dataset_id=listed.feed.dataset_id).order_by("-number").first()
    assert latest is not None and latest.number == 2
    assert graph.value(distribution, DCAT.accessURL) == URIRef(f"http://testserver/offerings/{listed.feed.id}/")
    assert graph.value(distribution, DCTERMS["format"]) == URIRef(f"{EU}file-type/CSV")
    assert graph.value(distribution, DCAT.mediaType) == URIRef("http://www.iana.org/assignments/media-types/text/csv")
    assert graph.value(distribution, DCAT.byteSize) == Literal(str(latest.size_bytes), datatype=XSD.nonNegativeInteger)
    checksum = graph.value(distribution, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(graph.value(checksum, SPDX.checksumValue)) == latest.sha256
    titles = list(graph.objects(distribution, DCTERMS.title))
    assert {title.language for title in titles if isinstance(title, Literal)} == {"en", "ja"} and len(titles) == 2
    assert graph.value(distribution, DCTERMS.rights) is not None
    # The policy is the offering's ODRL offer, as /api/v1/offerings/{id}/odrl states it.
    policy = graph.value(distribution, ODRL.hasPolicy)
    assert policy == URIRef(f"urn:ichiba:offering:{listed.feed.id}")
    assert (policy, RDF.type, ODRL.Offer) in graph
    assert graph.value(policy, ODRL.target) == dataset_iri(listed.feed.dataset_id)
    odrl = Graph().parse(
        data=anonymous.get(f"/api/v1/offerings/{listed.feed.id}/odrl").content.decode(), format="json-ld"
    )
    embedded = graph.cbd(policy)  # the policy with its rules, constraints and duties (blank nodes)
    embedded.remove((policy, RDF.type, ODRL.Policy))  # stated besides odrl:Offer for DCAT-AP's range check
    assert len(odrl) > 20 and isomorphic(embedded, odrl.cbd(policy))
    # The anonymised dataset's offer prohibits re-identification.
    anonymised_policy = URIRef(f"urn:ichiba:offering:{listed.anonymised.id}")
    prohibited = {graph.value(rule, ODRL.action) for rule in graph.objects(anonymised_policy, ODRL.prohibition)}
    assert URIRef("urn:ichiba:odrl:reidentify") in prohibited


def test_turtle_states_the_same_triples_as_json_ld(seller: Party, buyer: Party, anonymous: Any) -> None:
    listed_catalog(seller, buyer)
    _, jsonld = catalog_graph(anonymous)
    response, by_accept = catalog_graph(anonymous, HTTP_ACCEPT="text/turtle")
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    assert response.content.decode().startswith("@prefix ")
    _, by_format = catalog_graph(anonymous, "?format=ttl")
    _, jsonld_by_format = catalog_graph(anonymous, "?format=jsonld")
    assert isomorphic(jsonld, by_accept)
    # ?format= is kept in the page links (a harvester that chose by it keeps it); all the rest is the same.
    assert isomorphic(without_view(jsonld), without_view(by_format))
    assert isomorphic(without_view(jsonld), without_view(jsonld_by_format))


def without_view(graph: Graph) -> Graph:
    """A copy of the catalog's graph without its page view."""
    catalog = URIRef("http://testserver/catalog")
    view = graph.value(catalog, HYDRA.view)
    assert view is not None
    copy = Graph()
    for triple in graph:
        if triple[0] != view and triple[1] != HYDRA.view:
            copy.add(triple)
    return copy


@pytest.mark.parametrize(
    ("query", "accept", "status"),
    [
        ("", "text/html", 406),
        ("", "application/json;q=1, text/turtle;q=0", 406),
        ("?format=xml", "", 406),
        ("?format=jsonld", "text/turtle", 406),
        ("?page=0", "", 400),
        ("?page=abc", "", 400),
        ("?page_size=201", "", 400),
        ("?page_size=0", "", 400),
    ],
)
def test_what_the_catalog_cannot_answer_is_a_problem(anonymous: Any, query: str, accept: str, status: int) -> None:
    response = anonymous.get(f"/catalog{query}", HTTP_ACCEPT=accept)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_the_catalog_is_paged_with_a_hydra_view_and_link_headers(seller: Party, anonymous: Any) -> None:
    datasets = [published_dataset(seller) for _ in range(5)]
    response, graph = catalog_graph(anonymous, "?page=2&page_size=2&format=ttl")
    catalog = URIRef("http://testserver/catalog")
    assert graph.value(catalog, HYDRA.totalItems) == Literal("5", datatype=XSD.nonNegativeInteger)
    view = graph.value(catalog, HYDRA.view)
    base = "http://testserver/catalog?format=ttl&page_size=2&page="
    assert view == URIRef(f"{base}2")
    assert graph.value(view, HYDRA.first) == URIRef(f"{base}1")
    assert graph.value(view, HYDRA.previous) == URIRef(f"{base}1")
    assert graph.value(view, HYDRA.next) == URIRef(f"{base}3")
    assert graph.value(view, HYDRA.last) == URIRef(f"{base}3")
    links = {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])}
    assert links == {"first": f"{base}1", "prev": f"{base}1", "next": f"{base}3", "last": f"{base}3"}
    # Oldest listed first: every dataset on exactly one page, in the order they were listed.
    seen = []
    for number in (1, 2, 3):
        _, page = catalog_graph(anonymous, f"?page={number}&page_size=2")
        on_page = sorted(str(s) for s in page.objects(catalog, DCAT.dataset))
        seen += on_page
        last_view = page.value(catalog, HYDRA.view)
        assert (page.value(last_view, HYDRA.next) is None) == (number == 3)
    assert sorted(seen) == sorted(str(dataset_iri(d.id)) for d in datasets) and len(seen) == 5
    _, past = catalog_graph(anonymous, "?page=9&page_size=2")
    assert list(past.objects(catalog, DCAT.dataset)) == []


def test_absolute_links_use_the_configured_public_url(seller: Party, anonymous: Any, settings: Any) -> None:
    dataset = published_dataset(seller)
    settings.ICHIBA = {**settings.ICHIBA, "PUBLIC_URL": "https://ichiba.example", "MARKET_NAME": "Ichiba Osaka"}
    _, graph = catalog_graph(anonymous)
    catalog = URIRef("https://ichiba.example/catalog")
    assert graph.value(dataset_iri(dataset.id), DCAT.landingPage) == URIRef(
        f"https://ichiba.example/datasets/{dataset.id}/"
    )
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Ichiba Osaka")
    assert set(graph.objects(catalog, DCTERMS.title)) == {
        Literal("Ichiba Osaka data catalog", lang="en"),
        Literal("Ichiba Osaka データカタログ", lang="ja"),
    }


def test_a_page_costs_the_same_queries_however_many_datasets_and_offerings_it_shows(
    seller: Party, other_seller: Party, anonymous: Any, django_assert_max_num_queries: Any
) -> None:
    offer(seller)
    published_dataset(other_seller)

    def queries(path: str = "/catalog?page_size=100") -> int:
        with CaptureQueriesContext(connection) as captured:
            assert anonymous.get(path).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    assert few >= 4  # counted: the count, the datasets, their tags, versions and offerings
    for _ in range(3):
        offered = offer(other_seller, data_class="anonymized")
        offer(seller)
        version_published(other_seller, offered.dataset, anonymized_csv(rows=60))  # a second version
    assert queries() == few
    assert queries("/catalog?page=4&page_size=2") == few  # a deeper, smaller page: the same statements
    with django_assert_max_num_queries(6):
        anonymous.get("/catalog?page_size=100")


def test_time_ranges_compare_instants_not_the_text_of_their_offsets(seller: Party) -> None:
    dataset = published_dataset(seller)  # readings 2024-04-01 00:00-00:19 JST
    late_in_utc = "timestamp,sensor_id,strain_microstrain\n2024-04-01T01:00:00+00:00,SG-01,1\n"
    version_published(seller, dataset, late_in_utc.encode())
    start, end = selectors.time_ranges(dataset_ids=[dataset.id])[dataset.id]
    # "2024-04-01T00:19:00+09:00" sorts after "2024-04-01T01:00:00+00:00" as text, but is 9 hours 41 minutes earlier.
    assert start == datetime(2024, 3, 31, 15, 0, tzinfo=UTC)
    assert end == datetime(2024, 4, 1, 1, 0, tzinfo=UTC)
