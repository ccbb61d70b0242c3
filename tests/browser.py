"""What the Playwright tests share besides their fixtures (``browser_context``, ``browser_page`` in
tests/fixtures.py): signing in, a published dataset to look at, an offering (a licence or a subscription) with asks
to buy from, and the language switch.

Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls from a thread
with a running loop; the tests create data before the browser acts and read it afterwards, so allowing it
is safe (DJANGO_ALLOW_ASYNC_UNSAFE, set by each browser test module).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from catalog.models import Dataset
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload, version_validate
from marketplace.models import Offering, Organization
from marketplace.services.offerings import offering_publish
from marketplace.services.orders import order_place
from marketplace.services.participants import principal_for
from tests.builders import Party

PASSWORD = "browser-test-pass 42"
# Screenshots of the pages, to look at (Japanese rendering, layout): /tmp by default.
SCREENSHOTS = Path(os.environ.get("ICHIBA_SCREENSHOT_DIR") or tempfile.gettempdir())


def strain_csv(rows: int = 30) -> bytes:
    lines = ["timestamp,sensor_id,strain_microstrain,temperature_c"]
    for i in range(rows):
        lines.append(
            f"2024-04-01T{i // 6:02d}:{(i % 6) * 10:02d}:00+09:00,SG-0{i % 3 + 1},{100 + i * 0.5},{18 + i % 5}"
        )
    return ("\n".join(lines) + "\n").encode()


def sign_in(page: Any, email: str) -> None:
    page.goto("/")
    page.click("header a[href^='/login/']")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("header .account form[action='/logout/']").count() == 1


def confirm_review(page: Any) -> str:
    """The review a buyer's order form opens (marketplace/web/orders.py::order_review) confirmed: what it showed."""
    page.wait_for_url("**/review/?*")
    shown = str(page.inner_text("#order-review"))
    with page.expect_navigation():
        page.click("#confirm-button")
    return shown


def published_strain_dataset(seller: Party, *, tags: tuple[str, ...] = ("橋梁", "bridge")) -> Dataset:
    return published_dataset(
        seller,
        "淀川橋梁ひずみ計測 Yodogawa bridge strain",
        "淀川に架かる橋の6か所のひずみゲージを10分ごとに計測したデータです。",
        tags=tags,
    )


def published_dataset(seller: Party, title: str, description: str, *, tags: tuple[str, ...] = ()) -> Dataset:
    """An IoT dataset of Osaka with its first version (the strain readings) validated and published."""
    dataset = dataset_create(
        seller_id=seller.organization.id,
        title=title,
        description=description,
        data_class="iot",
        category="infrastructure",
        tags=list(tags),
        region="大阪府",
        update_frequency="daily",
    )
    version = version_upload(
        dataset_id=dataset.id,
        seller_id=seller.organization.id,
        upload=ContentFile(strain_csv(), name="strain.csv"),
        original_filename="strain.csv",
    )
    assert version_validate(version_id=version.id).status == "published"
    return dataset


def offering_with_asks(seller: Party) -> Offering:
    dataset = published_strain_dataset(seller)
    principal = principal_for(Organization.objects.get(pk=seller.organization.pk))
    offering = offering_publish(
        principal=principal,
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={},
        license_seats=20,
    )
    for price, seats in ((12_000, 3), (15_000, 4), (18_000, 2)):
        order_place(principal=principal, offering_id=offering.id, side="sell", price=price, quantity=seats)
    return offering


def subscription_with_asks(seller: Party, *, term_periods: int = 6) -> Offering:
    """A subscription to the strain feed (30-day periods, one new version a period committed) with asks per period."""
    dataset = published_strain_dataset(seller)
    principal = principal_for(Organization.objects.get(pk=seller.organization.pk))
    offering = offering_publish(
        principal=principal,
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms={},
        license_seats=20,
        kind="subscription",
        period_days=30,
        term_periods=term_periods,
        min_versions_per_period=1,
    )
    for price, seats in ((5_000, 3), (6_000, 4)):
        order_place(principal=principal, offering_id=offering.id, side="sell", price=price, quantity=seats)
    return offering


def switch_language(page: Any) -> None:
    with page.expect_navigation():
        page.click("header .lang-form button[name=language]")


# The page's sideways overflow in px, and what sticks out past the viewport's right edge, outside any box that
# scrolls or clips on its own: the elements with no child that sticks out too (the cause, not its containers), and
# the elements whose text runs past the edge (a long word, an address).
_OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const clipped = (element) => {
    for (let node = element.parentElement; node && node !== root && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== "visible") return true;
    }
    return false;
  };
  const out = (element) => element.getBoundingClientRect().right > width + 0.5;
  const name = (element) => {
    let text = element.tagName.toLowerCase();
    if (element.id) text += "#" + element.id;
    for (const cls of element.classList) text += "." + cls;
    const words = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return text + (words ? ` ("${words}")` : "") + ` right=${Math.round(element.getBoundingClientRect().right)}`;
  };
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (!out(element) || clipped(element) || getComputedStyle(element).position === "fixed") continue;
    if ([...element.children].some((child) => out(child) && !clipped(child))) continue;
    offenders.push(name(element));
  }
  // Text that runs past the edge of a box that stays inside (a long word, an address, a hash): its element.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || out(element) || clipped(node)) continue;
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > width + 0.5) offenders.push(name(element) + ` (its text, right=${Math.round(right)})`);
  }
  return { overflow: root.scrollWidth - width, offenders: offenders.slice(0, 8) };
}"""


def sideways_overflow(page: Any, label: str) -> list[str]:
    """How the page at ``page.url`` scrolls sideways, or nothing when it fits; a screenshot is kept either way."""
    page.wait_for_load_state("load")
    found = page.evaluate(_OVERFLOW)
    page.screenshot(path=SCREENSHOTS / f"ichiba-fit-{label}.png", full_page=True)
    if found["overflow"] <= 0:
        return []
    named = "; ".join(found["offenders"] or ["(no single element found)"])
    return [f"{label} ({page.url}) scrolls sideways by {found['overflow']} px, sticking out: {named}"]
