"""A private offer's whole negotiation in a real headless Chromium (Playwright), against the live server: a buyer
requests data in Japanese, a seller finds the request under "Requests" and answers it with a private offer (another
purpose, a longer duration, its price), the buyer counters the price, the seller counters back a term (the
confidentiality), and the buyer, reading the two latest revisions side by side with the change highlighted, accepts
in English. The contract page shows the negotiated terms and the negotiation; the purchase downloads the file. A
third organisation signed in sees none of it: the offer, its contract and its purchase are 404s, and no list of its
own links to them.

With a live server Celery is eager, so the acceptance's payment is authorised in the request that accepted. As in
the other browser tests, data is created before the browser acts and read after it, so letting Django's ORM run
beside Playwright's event loop is safe here.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from contracts.models import Contract
from deals.models import DataRequest, PrivateOffer
from settlement.models import Download, Settlement
from tests.browser import (
    PASSWORD,
    SCREENSHOTS,
    confirm_review,
    published_strain_dataset,
    sign_in,
    strain_csv,
    switch_language,
)
from tests.builders import make_party

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PURPOSE = "道路橋の維持管理計画の研究（関西の10橋）"


def new_page(browser_context: Any, live_server: Any) -> Any:
    """A page in a browser of its own (its own cookies: another organisation's member), in Japanese."""
    context = browser_context.browser.new_context(
        locale="ja-JP", base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    return context.new_page()


def changed_rows(page: Any) -> list[str]:
    """The labels of the rows the side-by-side table highlights."""
    return list(page.locator("#compare tbody tr.changed th").all_inner_texts())


def test_a_request_answered_by_a_private_offer_negotiated_accepted_and_downloaded(
    browser_context: Any, live_server: Any
) -> None:
    buyer = make_party("Osaka Analytics", {"buyer"}, password=PASSWORD)
    seller = make_party("Kansai Bridge Monitoring", {"seller"}, password=PASSWORD)
    stranger = make_party("Nagoya Insight", {"buyer", "seller"}, password=PASSWORD)
    dataset = published_strain_dataset(seller)
    published_strain_dataset(stranger)  # the stranger sells too: its Requests and Private offers pages have content

    # The buyer requests data, in Japanese.
    page = browser_context.new_page()
    sign_in(page, buyer.email)
    page.click("header a[href='/my-data-requests/']")
    page.click("main a[href='/my-data-requests/new/']")
    form = page.locator("#data-request-form")
    form.locator("input[name=title]").fill("関西の橋梁ひずみデータ Bridge strain")
    form.locator("input[name=data_class][value=iot]").check()
    form.locator("select[name=category]").select_option("infrastructure")
    form.locator("input[name=territory]").fill("JP")
    form.locator("textarea[name=purpose]").fill("道路橋の維持管理計画の研究。")
    form.locator("input[name=budget_max]").fill("500000")
    form.locator("input[name=respond_by]").fill((timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "リクエストを掲載しました" in page.inner_text(".messages")
    data_request = DataRequest.objects.get()

    # The seller (its own browser, in English) finds it under Requests and answers it with a private offer: another
    # purpose, two years instead of the template's duration, and its price.
    seller_page = new_page(browser_context, live_server)
    sign_in(seller_page, seller.email)
    switch_language(seller_page)
    seller_page.click("header a[href='/data-requests/']")
    seller_page.wait_for_url("**/data-requests/")
    with seller_page.expect_navigation():
        seller_page.locator(f"#data-request-{data_request.id} a.answer").click()
    assert "Bridge strain" in seller_page.inner_text("#answering")
    offer_form = seller_page.locator("#private-offer-form")
    assert offer_form.locator("select[name=dataset]").input_value() == str(dataset.id)
    offer_form.locator("input[name=price]").fill("450000")
    offer_form.locator("[name=purpose]").fill(PURPOSE)
    offer_form.locator("input[name=duration_days]").fill("730")
    offer_form.locator("textarea[name=note]").fill("Two years of readings, for your ten bridges.")
    seller_page.screenshot(path=str(SCREENSHOTS / "ichiba-private-offer-form-en.png"), full_page=True)
    with seller_page.expect_navigation():
        offer_form.locator("#send-offer").click()
    assert "The private offer is sent" in seller_page.inner_text(".messages")
    offer = PrivateOffer.objects.get()
    seller_page.wait_for_url(f"**/private-offers/{offer.id}/")
    assert seller_page.locator("#their-turn").count() == 1
    assert "The author of a data request (anonymous)" in seller_page.inner_text("aside")
    first = offer.revisions.get(number=1)
    assert (first.price, first.quantity, first.terms["purpose"], first.terms["duration_days"]) == (
        450_000,
        1,
        PURPOSE,
        730,
    )

    # The buyer (Japanese) sees it under Private offers, its turn, and counters the price.
    page.click("header a[href='/private-offers/']")
    page.wait_for_url("**/private-offers/")
    row = page.locator(f"#private-offer-{offer.id}")
    assert "Kansai Bridge Monitoring" in row.inner_text() and "¥450,000" in row.inner_text()
    assert "あなたの番" in row.inner_text()
    with page.expect_navigation():
        row.locator(f"a[href='/private-offers/{offer.id}/']").click()
    assert page.locator("#your-turn").count() == 1
    assert "Two years of readings" in page.inner_text("#latest-note")
    counter = page.locator("#counter-form")
    assert counter.locator("[name=purpose]").input_value() == PURPOSE, "the counter starts from the latest revision"
    counter.locator("input[name=price]").fill("380000")
    counter.locator("textarea[name=note]").fill("予算の都合で38万円でお願いします。")
    with page.expect_navigation():
        counter.locator("#counter-button").click()
    assert "対案を送りました" in page.inner_text(".messages")
    assert page.locator("#their-turn").count() == 1 and page.locator("#counter-form").count() == 0

    # The seller sees the buyer's price beside its own, and counters back a term: a longer confidentiality.
    seller_page.reload()
    assert seller_page.locator("#your-turn").count() == 1
    assert changed_rows(seller_page) == ["Price per seat", "Amount"]
    counter = seller_page.locator("#counter-form")
    assert counter.locator("input[name=price]").input_value() == "380000"
    counter.locator("input[name=confidentiality_years]").fill("5")
    with seller_page.expect_navigation():
        counter.locator("#counter-button").click()
    assert "Your counter-offer is sent" in seller_page.inner_text(".messages")

    # The buyer reads revisions 2 and 3 side by side: only the confidentiality changed, and it is highlighted.
    page.reload()
    assert "あなたの番" in page.inner_text("#your-turn")
    head = page.inner_text("#compare thead")
    assert "第2版（購入者）" in head and "第3版（提供者、最新）" in head, head
    changed = page.locator("#compare tbody tr.changed")
    assert changed.count() == 1 and "変更あり" in changed.inner_text()
    assert "3" in changed.locator("td").nth(0).inner_text() and "5" in changed.locator("td").nth(1).inner_text()
    assert page.locator("#revisions li").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "ichiba-private-offer-ja.png"), full_page=True)

    # In English, the buyer accepts revision 3; the browser refuses until the box is ticked.
    switch_language(page)
    assert page.locator("#compare tbody tr.changed th").all_inner_texts() == changed_rows(page)
    accept = page.locator("#accept-form")
    assert accept.locator("#accept-button").inner_text() == "Accept revision 3"
    accept.locator("#accept-button").click()
    assert accept.locator("input[name=accept_terms]").evaluate("element => !element.validity.valid")
    accept.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        accept.locator("#accept-button").click()
    reviewed = confirm_review(page)
    assert "Consumption tax" in reviewed and "Kansai Bridge Monitoring" in reviewed, "the review before the purchase"
    assert "Accepted: the contract is concluded" in page.inner_text(".messages")
    assert page.inner_text("#offer-status") == "Accepted"
    offer.refresh_from_db()
    latest = offer.revisions.get(number=3)
    assert offer.status == "accepted" and offer.trade is not None and offer.trade.contract_id is not None
    contract = Contract.objects.get(pk=offer.trade.contract_id)
    settlement = Settlement.objects.get(contract=contract)
    assert settlement.status == "authorized", "the payment is authorised in the request that accepted"
    assert contract.terms_sha256 == latest.terms_sha256 and contract.price == 380_000

    # The contract page: the negotiated terms in the document, and the three revisions that led to it.
    with page.expect_navigation():
        page.click("#contract-link")
    assert page.inner_text("#terms-sha256") == latest.terms_sha256
    assert page.inner_text("#contract-amount") == "¥380,000"
    assert page.inner_text("#contract-channel") == "a private offer"
    negotiation = page.locator("#negotiation tbody tr")
    assert negotiation.count() == 3
    assert [negotiation.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["Seller", "Buyer", "Seller"]
    assert "¥450,000" in negotiation.nth(0).inner_text() and "¥380,000" in negotiation.nth(2).inner_text()
    assert latest.terms_sha256 in negotiation.nth(2).inner_text()
    document = page.frame_locator("#document-frame").locator("body")
    document.wait_for()
    text = document.inner_text()
    assert PURPOSE in text and "730" in text, text[:2000]
    page.screenshot(path=str(SCREENSHOTS / "ichiba-private-offer-contract-en.png"), full_page=True)

    # The purchase downloads the file (and the download accepts the data, capturing the payment).
    page.go_back()
    with page.expect_navigation():
        page.click("#purchase-link")
    page.wait_for_url(f"**/purchases/{settlement.id}/")
    with page.expect_download() as info:
        page.locator("form.download-form button.download-button").first.click()
    assert info.value.failure() is None
    assert Path(info.value.path()).read_bytes() == strain_csv()
    assert Download.objects.filter(buyer=buyer.organization, completed=True).count() == 1

    # A third organisation, signed in, sees none of it.
    other = new_page(browser_context, live_server)
    sign_in(other, stranger.email)
    for url in (f"/private-offers/{offer.id}/", f"/contracts/{contract.id}/", f"/purchases/{settlement.id}/"):
        response = other.goto(url)
        assert response is not None and response.status == 404, url
    # Its own lists, the dataset's page, and the request it may answer too: no trace of the offer or what followed.
    pages = ("/private-offers/", "/contracts/", "/purchases/", "/sales/", f"/datasets/{dataset.id}/", "/data-requests/")
    for path in (*pages, f"/data-requests/{data_request.id}/"):
        response = other.goto(path)
        assert response is not None and response.status == 200, path
        html = other.content()
        assert str(offer.id) not in html and str(contract.id) not in html and str(settlement.id) not in html, path
        assert "¥380,000" not in other.inner_text("main") and "¥450,000" not in other.inner_text("main"), path
    other.goto("/data-requests/")
    assert other.locator(f"#data-request-{data_request.id}").count() == 1, "the request itself is public to sellers"
    other.screenshot(path=str(SCREENSHOTS / "ichiba-private-offer-stranger-ja.png"), full_page=True)
