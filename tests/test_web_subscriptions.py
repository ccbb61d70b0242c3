"""Subscription offerings on the web: the offer form's kind (English and Japanese), the offering page's price per
period, its term and commitment, and the feed's delivery record (versions published per period so far)."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from marketplace.models import Offering
from marketplace.services.orders import order_place
from tests.builders import (
    Party,
    offer_data,
    principal,
    published_dataset,
    readings_csv,
    section,
    signed_in,
    subscription_offer,
    text,
    version_published,
)

pytestmark = pytest.mark.django_db

MONTHLY = {"kind": "subscription", "period_days": "30", "term_periods": "12", "min_versions_per_period": "2"}


def form_url(dataset: Any) -> str:
    return f"/sell/datasets/{dataset.id}/offer/"


def field(page: str, name: str) -> str:
    """One field's block, from its opening tag (which carries has-error) to the end of its markup."""
    start = page.rindex("<", 0, page.index(f'id="field-{name}"'))
    return page[start:].split("</div>")[0]


# --- the offer form ------------------------------------------------------------------------------------------


def test_the_form_offers_the_kind_and_says_when_streams_are_off(seller: Party) -> None:
    dataset = published_dataset(seller)
    page = html.unescape(text(signed_in(seller).get(form_url(dataset))))
    kind = section(page, "offering-kind")
    assert "Licence: the version published when the trade is made" in kind
    assert "Subscription: a feed of new versions, priced per period" in kind
    for label in ("Period (days)", "Term (periods)", "New versions per period (at least)", "Messages per period"):
        assert label in kind, label
    assert "Live streams are off on this market: no MQTT broker is configured." in kind
    assert 'name="stream"' in kind and "disabled" in field(page, "stream")


def test_the_form_in_japanese(seller: Party, settings: Any) -> None:
    dataset = published_dataset(seller)
    page = html.unescape(text(signed_in(seller, lang="ja").get(form_url(dataset))))
    kind = section(page, "offering-kind")
    for words in ("出品の種類", "定期提供", "提供期間（日数）", "1提供期間当たりの新しいバージョン数（以上）"):
        assert words in kind, words
    assert "ライブストリームは、このマーケットでは利用できません" in kind
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": "mqtt://admin:secret@127.0.0.1:1883"}
    page = html.unescape(text(signed_in(seller, lang="ja").get(form_url(dataset))))
    assert "利用できません" not in section(page, "offering-kind")
    assert "disabled" not in field(page, "stream")


def test_a_seller_publishes_a_subscription_whose_term_comes_from_its_periods(seller: Party) -> None:
    dataset = published_dataset(seller)
    # the duration field still holds the template's 365 days: a subscription's term is its periods, so it is not used
    response = signed_in(seller).post(form_url(dataset), offer_data(**MONTHLY, stream="on"))
    assert response.status_code == 302, text(response)
    offering = Offering.objects.get(dataset=dataset)
    assert (offering.kind, offering.period_days, offering.term_periods, offering.min_versions_per_period) == (
        "subscription",
        30,
        12,
        2,
    )
    assert offering.stream is False, "streams are off: the disabled box is not taken from the post"
    assert offering.terms["duration_days"] == 360 and offering.terms["subscription"]["period_days"] == 30
    # the page disables the duration for a subscription, so a browser does not post it at all
    other = published_dataset(seller)
    response = signed_in(seller).post(form_url(other), {**offer_data(**MONTHLY), "duration_days": ""})
    assert response.status_code == 302, text(response)
    assert Offering.objects.get(dataset=other).terms["duration_days"] == 360
    licence = text(signed_in(seller).post(form_url(other), {**offer_data(), "duration_days": ""}))
    assert "has-error" in field(licence, "duration_days"), "a licence still needs its duration"


def test_subscription_values_left_in_a_licence_s_form_are_not_sent(seller: Party) -> None:
    dataset = published_dataset(seller)
    data = offer_data(**{**MONTHLY, "kind": "licence"})
    assert signed_in(seller).post(form_url(dataset), data).status_code == 302
    offering = Offering.objects.get(dataset=dataset)
    assert offering.kind == "licence" and offering.period_days is None and offering.terms["duration_days"] == 365


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_subscription_that_does_not_fit_shows_errors_at_its_fields(seller: Party, settings: Any, lang: str) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": "mqtt://admin:secret@127.0.0.1:1883"}
    dataset = published_dataset(seller)
    client = signed_in(seller, lang=lang)
    missing = text(client.post(form_url(dataset), offer_data(kind="subscription", period_days="30")))
    assert "has-error" in field(missing, "term_periods")
    too_long = text(
        client.post(form_url(dataset), offer_data(**{**MONTHLY, "period_days": "366", "term_periods": "11"}))
    )
    assert "has-error" in field(too_long, "term_periods") and "3,650" in field(too_long, "term_periods")
    no_stream = text(client.post(form_url(dataset), offer_data(**MONTHLY, min_messages_per_period="100")))
    assert "has-error" in field(no_stream, "min_messages_per_period")
    out_of_range = text(client.post(form_url(dataset), offer_data(**{**MONTHLY, "period_days": "400"})))
    assert "has-error" in field(out_of_range, "period_days")
    if lang == "ja":
        assert "366 以下" in field(out_of_range, "period_days"), "Django's own message, in Japanese"
        assert "全期間（回数×提供期間）は3,650日以内です。" in field(too_long, "term_periods"), "the service's, worded"
        assert "ライブストリームがある場合に限り" in field(no_stream, "min_messages_per_period")
    else:
        assert "The whole term (term × period) is at most 3,650 days." in html.unescape(field(too_long, "term_periods"))
    assert not Offering.objects.exists()
    streamed = client.post(form_url(dataset), offer_data(**MONTHLY, stream="on", min_messages_per_period="100"))
    assert streamed.status_code == 302, text(streamed)
    offering = Offering.objects.get(dataset=dataset)
    assert (offering.stream, offering.min_messages_per_period) == (True, 100)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_preview_shows_the_subscription_clause(seller: Party, lang: str) -> None:
    dataset = published_dataset(seller)
    page = html.unescape(
        text(signed_in(seller, lang=lang).post(form_url(dataset), offer_data(**MONTHLY, action="preview")))
    )
    preview = section(page, "preview")
    if lang == "en":
        assert "Article 5. Subscription" in preview and "12 periods of 30 days each" in preview
        assert "(1) New versions: 2" in preview
        assert "Article 13. Term and Termination" in preview
    else:
        assert "第5条（定期提供）" in preview and "(1) 新しいバージョン：2件" in preview
        assert "第13条（有効期間及び解除）" in preview
    # the form numbers the clauses as the document does
    assert 'id="clause-term_termination"' in page
    heading = section(page, "clause-term_termination-heading")
    assert "13" in heading, heading
    assert not Offering.objects.exists()


# --- the offering page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "price"), [("en", "¥1,000 / 30 days"), ("ja", "¥1,000 / 30日")])
def test_the_offering_page_shows_the_price_per_period_the_term_and_the_commitment(
    client: Any, seller: Party, lang: str, price: str
) -> None:
    offering = subscription_offer(seller, min_versions_per_period=3)
    order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=1000, quantity=5)
    page = html.unescape(text(client.get(f"/offerings/{offering.id}/", headers={"accept-language": lang})))
    assert price in section(page, f"quote-{offering.id}")
    if lang == "en":
        assert "Subscription" in section(page, "offering-kind")
        assert "Per seat and period of 30 days" in section(page, "price-per-period")
        assert "12 periods (360 days)" in section(page, "subscription-term")
        assert "At least 3 new versions per period" in section(page, "delivery-commitment")
        assert "No" in section(page, "live-stream")
    else:
        assert "定期提供" in section(page, "offering-kind")
        assert "12回（360日間）" in section(page, "subscription-term")
        assert "1提供期間当たり3件以上の新しいバージョン" in section(page, "delivery-commitment")
    # the full text of the clauses includes the subscription's
    assert 'id="text-subscription"' in page and 'id="text-live_stream"' not in page


def test_a_buyer_buys_now_at_the_price_per_period(seller: Party, buyer: Party) -> None:
    offering = subscription_offer(seller)
    order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=1000, quantity=5)
    page = html.unescape(text(signed_in(buyer).get(f"/offerings/{offering.id}/")))
    assert "¥1,000 / 30 days" in section(page, f"buy-now-form-{offering.id}")


def test_a_licence_s_page_is_per_seat_only(client: Any, seller: Party) -> None:
    dataset = published_dataset(seller)
    from tests.builders import publish

    offering = publish(seller, dataset)
    order_place(principal=principal(seller), offering_id=offering.id, side="sell", price=1000, quantity=5)
    page = html.unescape(text(client.get(f"/offerings/{offering.id}/")))
    assert "¥1,000" in section(page, f"quote-{offering.id}") and "/ 30" not in page
    assert 'id="delivery-record"' not in page and 'id="text-subscription"' not in page


def test_the_delivery_record_counts_new_versions_per_period_since_publication(client: Any, seller: Party) -> None:
    offering = subscription_offer(seller, period_days=10, term_periods=12, min_versions_per_period=2)
    now = timezone.now()
    published = now - timedelta(days=25)  # periods: [-25, -15), [-15, -5), [-5, 5) running
    Offering.objects.filter(pk=offering.pk).update(created_at=published)
    dataset = offering.dataset
    dataset.versions.update(validated_at=published - timedelta(days=1))  # its first version came before the offering
    version_published(seller, dataset, readings_csv(3), at=published + timedelta(days=1))
    version_published(seller, dataset, readings_csv(4), at=published + timedelta(days=2))
    version_published(seller, dataset, readings_csv(4), at=published + timedelta(days=3))  # the same content again
    version_published(seller, dataset, readings_csv(5), at=published + timedelta(days=12))
    version_published(seller, dataset, readings_csv(6), at=now - timedelta(hours=1))
    page = text(client.get(f"/offerings/{offering.id}/"))
    record = section(page, "delivery-record")
    rows = [
        (row.split('data-period="')[1].split('"')[0], row.split('data-versions="')[1].split('"')[0])
        for row in record.split("<tr class=")[1:]
    ]
    assert rows == [("3", "1"), ("2", "1"), ("1", "2")], "latest first; the re-upload is not a delivery"
    assert "running" in record.split('data-period="3"')[1].split("</tr>")[0]
    assert "not met" in record.split('data-period="2"')[1].split("</tr>")[0]
    assert ">met<" in record.split('data-period="1"')[1].split("</tr>")[0]
    ja = text(client.get(f"/offerings/{offering.id}/", headers={"accept-language": "ja"}))
    assert "納品の記録" in section(ja, "delivery-record")


def test_the_dataset_page_names_the_subscription(client: Any, seller: Party) -> None:
    offering = subscription_offer(seller)
    page = html.unescape(text(client.get(f"/datasets/{offering.dataset_id}/")))
    assert "Subscription: 12 periods of 30 days" in page
