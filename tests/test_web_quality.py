"""What buyers and sellers see of a version's quality figures and renditions on the web: the "Data quality" panel in
English and Japanese (and "measuring…" until the figures exist), a feed's figures over its versions on the dataset
page and beside a subscription's delivery record, and the other formats on My purchases and the download link page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from catalog.models import DatasetVersion
from catalog.web.quality import duration, freshness, percent
from settlement.models import Download, Settlement
from tests.builders import (
    entitled,
    feed_version,
    iot_csv,
    published_dataset,
    quality_figures,
    readings_csv,
    section,
    signed_in,
    subscription_offering,
    text,
    version_profiled,
    version_published,
)

pytestmark = pytest.mark.django_db


def page_of(url: str, *, lang: str = "en", client: Client | None = None) -> str:
    response = (client or Client(headers={"accept-language": lang})).get(url)
    assert response.status_code == 200
    return text(response)


def squashed(markup: str) -> str:
    """The text of some markup, tags dropped and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def latest(dataset: Any) -> DatasetVersion:
    return DatasetVersion.objects.filter(dataset=dataset, status="published").latest("number")


# --- human units -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "english", "japanese"),
    [
        (0.4, "less than a second", "1秒未満"),
        (45, "45 seconds", "45秒"),
        (60, "1 minute", "1分"),
        (180.0, "3 minutes", "3分"),
        (3 * 3600 + 12 * 60 + 59, "3 hours 12 minutes", "3時間12分"),
        (2 * 86400 + 5 * 60, "2 days", "2日"),
        (86400 + 3600, "1 day 1 hour", "1日1時間"),
        (None, "", ""),
        (float("nan"), "", ""),
    ],
)
def test_durations_read_in_the_two_largest_units(seconds: Any, english: str, japanese: str) -> None:
    with translation.override("en"):
        assert duration(seconds) == english
    with translation.override("ja"):
        assert duration(seconds) == japanese


def test_freshness_and_percentages() -> None:
    with translation.override("en"):
        assert freshness(11520) == "3 hours 12 minutes before publication"
        assert freshness(-120) == "2 minutes after publication (readings dated in the future)"
    with translation.override("ja"):
        assert freshness(11520) == "公開の3時間12分前"
    assert [percent(rate) for rate in (0, 0.125, 0.0000001, 1, None)] == ["0.0%", "12.5%", "< 0.1%", "100.0%", ""]


# --- the dataset page ----------------------------------------------------------------------------------------------


def test_the_dataset_page_shows_the_quality_panel_in_english_and_japanese(seller) -> None:
    dataset = published_dataset(seller)
    version_profiled(latest(dataset))
    english = section(page_of(f"/datasets/{dataset.id}/"), "quality")
    words = squashed(english)
    assert "Data quality (v1)" in words
    assert "Freshness 3 hours 12 minutes before publication" in words
    assert "median 3 minutes, 99th percentile 9 minutes" in words
    assert "17 minutes · sensor SG-02" in words and "2024-04-01 00:10 JST – 2024-04-01 00:27 JST" in words
    columns = section(english, "quality-columns")
    strain = squashed(columns.split('data-column="strain_microstrain">')[1].split("</tr>")[0])
    assert strain.split() == ["strain_microstrain", "number", "12.5%", "35", "-12.5", "139.25"]
    sensor = squashed(columns.split('data-column="sensor_id">')[1].split("</tr>")[0])
    assert "about 123,456" in sensor and sensor.endswith("— —")
    timestamp = squashed(columns.split('data-column="timestamp">')[1].split("</tr>")[0])
    assert "2024-04-01 00:00 JST" in timestamp and "2024-04-01 00:39 JST" in timestamp

    japanese = squashed(section(page_of(f"/datasets/{dataset.id}/", lang="ja"), "quality"))
    assert "データ品質 (v1)" in japanese
    assert "公開の3時間12分前" in japanese
    assert "中央値 3分、99パーセンタイル 9分" in japanese
    assert "17分 · センサー SG-02" in japanese and "約123,456" in japanese


def test_a_version_not_measured_yet_says_it_is_being_measured(seller) -> None:
    dataset = published_dataset(seller)
    DatasetVersion.objects.filter(dataset=dataset).update(quality={})
    panel = section(page_of(f"/datasets/{dataset.id}/"), "quality")
    assert 'id="quality-measuring"' in panel and "quality-columns" not in panel
    assert "測定中" in section(page_of(f"/datasets/{dataset.id}/", lang="ja"), "quality")


def test_a_version_whose_measuring_failed_for_good_says_so_instead_of_measuring(seller) -> None:
    from catalog.models import CatalogEvent
    from catalog.selectors import PROFILE_FAILED

    dataset = published_dataset(seller)
    version = latest(dataset)
    DatasetVersion.objects.filter(pk=version.pk).update(quality={})
    CatalogEvent.objects.create(
        dataset=dataset, version=version, from_status="published", to_status="published", reason=PROFILE_FAILED
    )
    panel = section(page_of(f"/datasets/{dataset.id}/"), "quality")
    assert 'id="quality-unavailable"' in panel and 'id="quality-measuring"' not in panel
    assert "測定できませんでした" in section(page_of(f"/datasets/{dataset.id}/", lang="ja"), "quality")


def test_data_without_timestamps_shows_its_columns_only(seller) -> None:
    dataset = published_dataset(seller, data_class="anonymized")
    figures = {**quality_figures(), "timing": None}
    version_profiled(latest(dataset), quality=figures)
    panel = section(page_of(f"/datasets/{dataset.id}/"), "quality")
    assert "quality-columns" in panel and "Freshness" not in panel and "Largest gap" not in panel


def test_a_feed_shows_its_figures_over_its_versions_and_each_versions_panel(seller) -> None:
    dataset = published_dataset(seller)
    version_profiled(latest(dataset), quality=quality_figures(freshness_seconds=90))
    second = version_profiled(version_published(seller, dataset, iot_csv(21)))
    version_published(seller, dataset, iot_csv(22))
    DatasetVersion.objects.filter(dataset=dataset, number=3).update(quality={})
    page = page_of(f"/datasets/{dataset.id}/")
    feed = section(page, "quality-feed")
    rows = re.findall(r'<tr data-version="(\d+)">(.*?)</tr>', feed, re.S)
    assert [number for number, _ in rows] == ["3", "2", "1"], "newest first"
    lines = {number: squashed(markup) for number, markup in rows}
    assert "Measuring…" in lines["3"]
    assert "3 hours 12 minutes" in lines["2"] and "3 minutes" in lines["2"] and "17 minutes (SG-02)" in lines["2"]
    assert "12.5% strain_microstrain" in lines["2"]
    assert "1 minute" in lines["1"]
    assert f'href="/datasets/{dataset.id}/?version=1#quality"' in feed
    # The latest version's panel by default (not measured yet), another's by its link.
    assert 'data-version="3"' in section(page, "quality").split(">")[0]
    chosen = section(page_of(f"/datasets/{dataset.id}/?version={second.number}"), "quality")
    assert "Data quality (v2)" in squashed(chosen)
    assert 'data-version="3"' in section(page_of(f"/datasets/{dataset.id}/?version=99"), "quality").split(">")[0]
    assert 'data-version="3"' in section(page_of(f"/datasets/{dataset.id}/?version=x1"), "quality").split(">")[0]


def test_a_dataset_of_one_version_has_no_feed_table(seller) -> None:
    dataset = published_dataset(seller)
    version_profiled(latest(dataset))
    assert 'id="quality-feed"' not in page_of(f"/datasets/{dataset.id}/")


def test_the_sellers_version_page_shows_the_panel_of_a_published_version(seller) -> None:
    dataset = published_dataset(seller)
    version_profiled(latest(dataset))
    page = page_of(f"/sell/datasets/{dataset.id}/versions/1/", client=signed_in(seller))
    assert "3 hours 12 minutes before publication" in squashed(section(page, "quality"))


def test_a_subscriptions_offering_page_shows_the_feeds_figures_beside_its_delivery_record(seller, capture) -> None:
    offering = subscription_offering(seller, capture)
    version_profiled(DatasetVersion.objects.get(dataset_id=offering["dataset"], number=1))
    feed_version(seller, offering, capture, readings_csv(12))
    page = page_of(f"/offerings/{offering['id']}/")
    assert page.index('id="delivery-record"') < page.index('id="quality-feed"')
    rows = re.findall(r'<tr data-version="(\d+)">', section(page, "quality-feed"))
    assert rows == ["2", "1"]
    japanese = page_of(f"/offerings/{offering['id']}/", lang="ja")
    assert "バージョンごとの品質" in japanese
    assert "3時間12分 3分 17分 (SG-02)" in squashed(section(japanese, "quality-feed"))


# --- My purchases: the other formats -------------------------------------------------------------------------------


def test_my_purchases_offers_the_other_formats_and_each_downloads_with_the_same_kind_of_link(
    seller, buyer, capture
) -> None:
    entitlement = entitled(seller, buyer, capture)
    version_profiled(entitlement.dataset_version)
    client = signed_in(buyer)
    purchase = section(text(client.get("/purchases/")), f"purchase-{entitlement.settlement_id}")
    assert re.findall(r'name="format" value="(\w+)"', purchase) == ["jsonl", "parquet"]
    assert "As Parquet" in squashed(purchase) and "As JSON Lines" in squashed(purchase)
    japanese = text(signed_in(buyer, lang="ja").get("/purchases/"))
    assert "Parquet形式で" in japanese

    response = client.post(f"/purchases/{entitlement.settlement_id}/download/", {"format": "parquet"})
    assert response.status_code == 302 and response["Location"].endswith("?format=parquet")
    with capture(execute=True):
        download: Any = Client().get(response["Location"])
        body = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/vnd.apache.parquet" and body.startswith(b"PAR1")
    assert Download.objects.get().rendition is not None
    assert "Parquet" in section(text(client.get(f"/purchases/{entitlement.settlement_id}/")), "purchase-downloads")
    assert "Parquet" in section(text(signed_in(seller).get("/usage/")), "usage-downloads")

    refused = client.post(f"/purchases/{entitlement.settlement_id}/download/", {"format": "xlsx"}, follow=True)
    assert "That is not a format the data comes in" in text(refused)

    link = text(client.post(f"/purchases/{entitlement.settlement_id}/download/", {"show_link": "1"}))
    others = section(link, "other-formats")
    assert re.findall(r'data-format="(\w+)"', others) == ["jsonl", "parquet"]
    assert "?format=parquet" in others


def test_no_format_buttons_before_the_conversions_or_for_a_sellers_server(seller, buyer, capture) -> None:
    entitlement = entitled(seller, buyer, capture)
    client = signed_in(buyer)
    DatasetVersion.objects.filter(pk=entitlement.dataset_version_id).update(quality={})
    entitlement.dataset_version.renditions.all().delete()
    purchase = section(text(client.get("/purchases/")), f"purchase-{entitlement.settlement_id}")
    assert 'name="format"' not in purchase
    assert Settlement.objects.filter(pk=entitlement.settlement_id).exists()
