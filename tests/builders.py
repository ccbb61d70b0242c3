"""What tests build, in one place: parties, datasets, offerings, orders, contracts, signed-in clients.

Builders go through the product's own boundaries (the API, a service function, a web form) rather than
writing rows, so what a test starts from is a state the market can reach, with its acceptances, terms hashes
and events. The fixtures that hand parties to tests (``seller``, ``buyer``...) are in tests/fixtures.py;
helpers of the browser and worker tests are in tests/browser.py and tests/integration/workers.py.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Dataset, DatasetVersion
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_upload, version_validate
from config.api.principal import Principal
from contracts.meti.data_provision_terms import DEFAULTS
from contracts.models import Contract
from contracts.services.contracts import BuyerSnapshot, contract_conclude
from marketplace.hooks import save_payment_method
from marketplace.models import Offering, Organization, Trade
from marketplace.selectors import offer_snapshot
from marketplace.services.offerings import offering_publish
from marketplace.services.participants import api_key_create, member_add, organization_create, principal_for
from settlement.models import Entitlement, Settlement

ROOT = Path(__file__).resolve().parents[1]


# --- parties -----------------------------------------------------------------------------------------------


@dataclass
class Party:
    """An organisation in a test, with its API key and a client that sends it."""

    organization: Organization
    api_key: str
    client: APIClient
    email: str

    @property
    def id(self) -> str:
        return str(self.organization.id)


def make_party(
    name: str,
    roles: set[str],
    *,
    country: str = "JP",
    verified: bool = True,
    password: str = "",
    payment_method: str = "pm_card_visa",
) -> Party:
    """An organisation with a member and an API key; a buyer also gets a default payment method (Stripe's
    test card unless told otherwise; "" for none)."""
    organization = organization_create(name=name, roles=roles, country=country, verified=verified)
    if "buyer" in roles and payment_method:
        save_payment_method(organization_id=organization.id, payment_method=payment_method)
    email = f"{name.lower().replace(' ', '-')}@example.test"
    member_add(organization=organization, email=email, password=password or None)
    issued = api_key_create(organization=organization, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    return Party(organization=organization, api_key=issued.secret, client=client, email=email)


def keyed_client(party: Party, *scopes: str, name: str = "scoped") -> APIClient:
    """A client sending a new key of ``party``'s organisation that holds only ``scopes``."""
    issued = api_key_create(organization=party.organization, name=name, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    return client


# --- through the API ---------------------------------------------------------------------------------------


def readings_csv(rows: int = 10, *, step: int = 1) -> bytes:
    """An IoT file of ``rows`` readings a minute apart (values 0, ``step``, 2 × ``step``...)."""
    lines = ["timestamp,value"] + [f"2024-01-01T00:{i:02d}:00+09:00,{i * step}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def published_offering(
    seller: Any,
    capture: Any,
    *,
    seats: int | None = 10,
    title: str = "Gauges",
    content: bytes = readings_csv(),
    delivery_url: str = "",
    subscription: dict[str, Any] | None = None,
    **terms: Any,
) -> dict[str, Any]:
    """An offering of ``terms`` on a dataset whose first version (``content``) passed validation; with
    ``delivery_url``, the file is delivered from the seller's own host; with ``subscription`` (``period_days``,
    ``term_periods``, ...), a subscription offering of that shape."""
    dataset = seller.client.post(
        "/api/v1/datasets", {"title": title, "data_class": "iot", "category": "infrastructure"}, format="json"
    ).json()
    with capture(execute=True):
        upload = seller.client.post(
            f"/api/v1/datasets/{dataset['id']}/versions",
            {"file": SimpleUploadedFile("d.csv", content)},
            format="multipart",
        )
    assert upload.status_code == 202, upload.content
    body = {"dataset": dataset["id"], "template": "meti-data-provision", "terms": terms, "license_seats": seats}
    if subscription is not None:
        body.update({"kind": "subscription", **subscription})
    if delivery_url:
        body["delivery_url"] = delivery_url
    response = seller.client.post("/api/v1/offerings", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def subscription_offering(
    seller: Any,
    capture: Any,
    *,
    period_days: int = 30,
    term_periods: int = 3,
    min_versions_per_period: int = 1,
    min_messages_per_period: int | None = None,
    seats: int | None = 10,
    title: str = "Bridge strain feed",
    content: bytes = readings_csv(),
    **terms: Any,
) -> dict[str, Any]:
    """A subscription offering, through the API, of a feed whose first version (``content``) is published: seats per
    period of ``period_days`` for ``term_periods`` periods, billed when at least ``min_versions_per_period`` new
    versions were published in a period (and, with ``min_messages_per_period``, a live stream with that many
    messages: streams must be on, ``settings.ICHIBA["MQTT_URL"]``)."""
    shape: dict[str, Any] = {
        "period_days": period_days,
        "term_periods": term_periods,
        "min_versions_per_period": min_versions_per_period,
    }
    if min_messages_per_period is not None:
        shape |= {"stream": True, "min_messages_per_period": min_messages_per_period}
    return published_offering(seller, capture, seats=seats, title=title, content=content, subscription=shape, **terms)


def feed_version(seller: Any, offering: dict[str, Any], capture: Any, content: bytes) -> dict[str, Any]:
    """A new version of a feed (the offering's dataset), uploaded through the API and validated (published)."""
    dataset_id = Offering.objects.values_list("dataset_id", flat=True).get(pk=offering["id"])
    with capture(execute=True):
        upload = seller.client.post(
            f"/api/v1/datasets/{dataset_id}/versions",
            {"file": SimpleUploadedFile("d.csv", content)},
            format="multipart",
        )
    assert upload.status_code == 202, upload.content
    version = seller.client.get(f"/api/v1/datasets/{dataset_id}/versions/{upload.json()['number']}").json()
    assert version["status"] == "published", version
    return version


def place(
    party: Any,
    offering: dict[str, Any],
    side: str,
    quantity: int | None,
    price: int | None = None,
    idempotency_key: str | None = None,
    **extra: Any,
) -> Any:
    body: dict[str, Any] = {"offering": offering["id"], "side": side, "quantity": quantity, **extra}
    if price is not None:
        body["price"] = price
    if side == "buy":
        body.setdefault("accepted_terms_sha256", offering["terms_sha256"])
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    return party.client.post("/api/v1/orders", body, format="json", **headers)


# A trade's settlement runs its tasks on commit (Celery is eager in tests), so authorisation and the grant of
# the entitlement happen as in production; the buyers of make_party pay with Stripe's test card pm_card_visa.


def trade(buyer: Any, seller: Any, offering: dict[str, Any], capture: Any, *, quantity: int = 3) -> Settlement:
    """An ask of 5 at 1000 and a crossing bid for ``quantity`` seats; returns the trade's settlement."""
    with capture(execute=True):
        assert place(seller, offering, "sell", 5, 1000).status_code == 201
    with capture(execute=True):
        response = place(buyer, offering, "buy", quantity, 1000)
    assert response.status_code == 201, response.content
    [made] = response.json()["trades"]
    return Settlement.objects.select_related("contract").get(trade_id=made["id"])


def buy(seller: Any, buyer: Any, offering: dict, capture: Any, *, price: int = 1000) -> Entitlement:
    """One seat bought at ``price``; returns the buyer's entitlement."""
    with capture(execute=True):
        ask = seller.client.post(
            "/api/v1/orders",
            {"offering": offering["id"], "side": "sell", "quantity": 1, "price": price},
            format="json",
        )
        assert ask.status_code == 201, ask.content
        bid = buyer.client.post(
            "/api/v1/orders",
            {
                "offering": offering["id"],
                "side": "buy",
                "quantity": 1,
                "price": price,
                "accepted_terms_sha256": offering["terms_sha256"],
            },
            format="json",
        )
        assert bid.status_code == 201, bid.content
    [trade_data] = bid.json()["trades"]
    trade = Trade.objects.get(pk=trade_data["id"])
    assert trade.contract_id is not None
    return Entitlement.objects.select_related("dataset_version", "contract", "settlement").get(
        contract_id=trade.contract_id
    )


def entitled(seller: Any, buyer: Any, capture: Any, *, delivery_url: str = "") -> Entitlement:
    """The buyer's entitlement to one seat of a new offering of 40 readings ("Bridge strain gauges")."""
    offering = published_offering(
        seller, capture, title="Bridge strain gauges", content=readings_csv(40, step=7), delivery_url=delivery_url
    )
    return buy(seller, buyer, offering, capture)


def private_offer(
    seller: Any,
    buyer: Any = None,
    *,
    dataset: Dataset | None = None,
    price: int = 50_000,
    quantity: int = 1,
    data_request: Any = None,
    days: int = 7,
    data_class: str = "iot",
    **terms: Any,
) -> dict[str, Any]:
    """A seller's private offer through the API, of ``terms`` on ``dataset`` (default: a new published one of
    ``data_class``), to ``buyer`` or answering ``data_request`` (its id), valid ``days``; returns the 201's body."""
    dataset = dataset or published_dataset(seller, data_class=data_class)
    body: dict[str, Any] = {
        "dataset": str(dataset.id),
        "template": "meti-data-provision",
        "terms": terms,
        "price": price,
        "quantity": quantity,
        "expires_at": (timezone.now() + timedelta(days=days)).isoformat(),
    }
    if data_request is not None:
        body["data_request"] = str(data_request)
    else:
        body["buyer"] = buyer.id
    response = seller.client.post("/api/v1/private-offers", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def stored_bytes(entitlement: Entitlement) -> bytes:
    with entitlement.dataset_version.file.open("rb") as handle:
        return handle.read()


# --- through the services ----------------------------------------------------------------------------------


ANONYMIZATION: dict[str, Any] = {
    "quasi_identifiers": ["age_band", "prefecture"],
    "personal_info_items": ["age band", "prefecture of residence"],
    "method": "Ages generalised to 10-year bands; addresses to prefecture.",
}


def iot_csv(rows: int = 20) -> bytes:
    lines = ["timestamp,sensor_id,strain_microstrain"]
    lines += [f"2024-04-01T00:{i:02d}:00+09:00,SG-0{i % 3 + 1},{100 + i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def anonymized_csv(rows: int = 40) -> bytes:
    lines = ["age_band,prefecture,amount_jpy"]
    for i in range(rows):
        lines.append(f"{20 + (i % 2) * 10}-{29 + (i % 2) * 10},{'Osaka' if i % 4 < 2 else 'Kyoto'},{100 + i}")
    return ("\n".join(lines) + "\n").encode()


def published_dataset(party: Party, *, data_class: str = "iot") -> Dataset:
    anonymized = data_class == "anonymized"
    dataset = dataset_create(
        seller_id=party.organization.id,
        title="Bridge strain 橋梁ひずみ" if not anonymized else "Supermarket baskets 購買",
        description="Strain gauges every minute.",
        data_class=data_class,
        category="infrastructure",
        tags=["bridge"],
        region="Osaka",
        update_frequency="daily",
        anonymization=ANONYMIZATION if anonymized else None,
    )
    version = version_upload(
        dataset_id=dataset.id,
        seller_id=party.organization.id,
        upload=ContentFile(anonymized_csv() if anonymized else iot_csv(), name="data.csv"),
        original_filename="data.csv",
    )
    assert version_validate(version_id=version.id).status == "published"
    dataset.refresh_from_db()
    return dataset


def version_published(party: Party, dataset: Dataset, content: bytes, *, at: datetime | None = None) -> DatasetVersion:
    """A new version of ``content`` uploaded and validated through the catalog's services; ``at``: when it was
    published (its ``validated_at`` moved there), for tests of what was delivered in which period."""
    version = version_upload(
        dataset_id=dataset.id,
        seller_id=party.organization.id,
        upload=ContentFile(content, name="data.csv"),
        original_filename="data.csv",
    )
    version = version_validate(version_id=version.id)
    assert version.status == "published", version.checks
    if at is not None:
        DatasetVersion.objects.filter(pk=version.pk).update(validated_at=at)
        version.refresh_from_db()
    return version


def conclude(
    offering: Offering, buyer: Party, *, price: int = 30_000, quantity: int = 2, trade_ref: str = "trade-web-1"
) -> Contract:
    """A contract concluded outside the order book (``contract_conclude``), as a trade at ``price`` would."""
    offering = Offering.objects.select_related("seller").get(pk=offering.pk)
    return contract_conclude(
        offering=offer_snapshot(offering),
        buyer=BuyerSnapshot(
            organization_id=buyer.organization.id,
            name=buyer.organization.name,
            country=buyer.organization.country,
            verified=buyer.organization.verified,
            is_buyer=buyer.organization.is_buyer,
        ),
        price=price,
        quantity=quantity,
        accepted_terms_sha256=offering.terms_sha256,
        trade_ref=trade_ref,
    )


def principal(party: Party) -> Principal:
    return principal_for(Organization.objects.get(pk=party.organization.pk))


def offer(seller: Party, *, seats: int | None = 10, data_class: str = "iot", **terms: Any) -> Offering:
    dataset: Dataset = published_dataset(seller, data_class=data_class)
    return offering_publish(
        principal=principal(seller),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms=terms,
        license_seats=seats,
    )


def subscription_offer(
    seller: Party,
    *,
    seats: int | None = 10,
    data_class: str = "iot",
    period_days: int = 30,
    term_periods: int = 12,
    min_versions_per_period: int | None = None,
    stream: bool = False,
    min_messages_per_period: int | None = None,
    **terms: Any,
) -> Offering:
    """A subscription offering (``term_periods`` periods of ``period_days`` days) on a new published dataset."""
    dataset: Dataset = published_dataset(seller, data_class=data_class)
    return offering_publish(
        principal=principal(seller),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms=terms,
        license_seats=seats,
        kind="subscription",
        period_days=period_days,
        term_periods=term_periods,
        min_versions_per_period=min_versions_per_period,
        stream=stream,
        min_messages_per_period=min_messages_per_period,
    )


def streamed_offering(seller: Party) -> Offering:
    """A subscription offering with a live stream (30-day periods for a year) on a new dataset of the seller's, as
    offered while streams were on, whatever the settings say now (tests of streams being off need one too)."""
    offering = offer(seller, duration_days=360)
    Offering.objects.filter(pk=offering.pk).update(
        kind="subscription", period_days=30, term_periods=12, min_versions_per_period=1, stream=True
    )
    offering.refresh_from_db()
    return offering


# --- through the web ---------------------------------------------------------------------------------------


def member_client(party: Party, role: str) -> APIClient:
    """An API client signed in as a new member of ``party``'s organisation with ``role`` (admin or member)."""
    email = f"{role}-{get_user_model().objects.count()}@{party.email.split('@')[1]}"
    member_add(organization=party.organization, email=email, role=role)
    client = APIClient()
    client.force_login(get_user_model().objects.get(username=email))
    return client


def signed_in(party: Party, *, lang: str = "en") -> Client:
    client = Client(headers={"accept-language": lang})
    client.force_login(get_user_model().objects.get(username=party.email))
    return client


def text(response: Any) -> str:
    return response.content.decode()


def offer_data(**overrides: Any) -> dict[str, Any]:
    """The offer form as the browser posts it, left at the template's defaults."""
    warranties = {f"warranties__{item}": level for item, level in DEFAULTS["warranties"].items()}
    return {
        "template": "meti-data-provision",
        "unlimited": "on",
        "license_seats": "",
        "currency": "JPY",
        "purpose": DEFAULTS["purpose"],
        "processing": DEFAULTS["processing"],
        "license_type": DEFAULTS["license_type"],
        "third_party_provision": DEFAULTS["third_party_provision"],
        "sublicense": DEFAULTS["sublicense"],
        "derived_data__rights": DEFAULTS["derived_data"]["rights"],
        "derived_data__provider_access": DEFAULTS["derived_data"]["provider_access"],
        "territory": "JP",
        "duration_days": str(DEFAULTS["duration_days"]),
        **warranties,
        "liability_cap__basis": DEFAULTS["liability_cap"]["basis"],
        "liability_cap__amount": "",
        "confidentiality_years": str(DEFAULTS["confidentiality_years"]),
        "end_of_term": DEFAULTS["end_of_term"],
        "governing_law": DEFAULTS["governing_law"],
        "forum": DEFAULTS["forum"],
        "action": "publish",
        **overrides,
    }


def publish(party: Party, dataset: Dataset, **overrides: Any) -> Offering:
    response = signed_in(party).post(f"/sell/datasets/{dataset.id}/offer/", offer_data(**overrides))
    assert response.status_code == 302, text(response)
    offering = Offering.objects.filter(dataset=dataset).order_by("-created_at").first()
    assert offering is not None and response["Location"] == f"/offerings/{offering.id}/"
    return offering


def section(page: str, element_id: str) -> str:
    """The markup of the element with this id, up to its closing tag (same-name tags nested inside counted)."""
    start = page.index(f'id="{element_id}"')
    tag = page[page.rindex("<", 0, start) + 1 : start].split()[0]
    depth, position = 1, start
    for match in re.finditer(rf"<(/?){tag}[\s>]", page[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return page[start : start + match.start()]
        position = match.end()
    raise AssertionError(f"#{element_id} is not closed after {position}")


def bid_form(offering: Offering, *, price: int, quantity: int, **extra: Any) -> dict[str, Any]:
    return {
        "action": "bid",
        "price": price,
        "quantity": quantity,
        "time_in_force": "gtc",
        "accepted_terms_sha256": offering.terms_sha256,
        "accept_terms": "on",
        **extra,
    }


def buy_form(offering: Offering, *, price: int, quantity: int, **extra: Any) -> dict[str, Any]:
    """The buy-now form as a buyer sends it, terms accepted (``price``: the best ask it showed)."""
    return {
        "action": "buy_now",
        "price": price,
        "quantity": quantity,
        "accepted_terms_sha256": offering.terms_sha256,
        "accept_terms": "on",
        **extra,
    }


def hidden_fields(form: str) -> dict[str, str]:
    """The hidden inputs of a form's markup, by name (the values unescaped)."""
    found = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
    return {name: html.unescape(value) for name, value in found}


def review_and_confirm(client: Client, offering: Offering, form: dict[str, Any]) -> Any:
    """A buyer's order form sent as people send it: the review opened with its values (a GET, as the form does),
    then the review's confirmation posted. The review's own response when it offers no confirmation (the form or
    the buyer was refused)."""
    return through_review(client, f"/offerings/{offering.id}/review/", form)


def through_review(client: Client, review: str, form: dict[str, Any]) -> Any:
    """A purchase form sent to its ``review`` page (GET), then the review's confirmation posted where it posts; the
    review's own response when it offers no confirmation."""
    response = client.get(review, form)
    page = text(response)
    if response.status_code != 200 or 'id="confirm-form"' not in page:
        return response
    confirm = section(page, "confirm-form")
    action = re.search(r'<form method="post" action="([^"]+)" id="confirm-form"', page)
    assert action is not None, "the confirmation posts somewhere"
    return client.post(html.unescape(action.group(1)), hidden_fields(confirm))


# --- processes ---------------------------------------------------------------------------------------------


def run_python(code: str, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by this interpreter in the project, with no Django, Ichiba or service settings in its
    environment but ``settings``, as on a server where nobody set the others."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "ICHIBA_", "STRIPE_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    environment.update(settings)
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- the DCAT-AP catalog (dataspace) -------------------------------------------------------------------------------


@dataclass
class ListedCatalog:
    """What the catalog's tests list and hide: a feed sold by subscription whose versions span a time range, an
    anonymised dataset's licence, a published dataset without a book offering (but with a private offer's and an
    auction's offering, never listed), a withdrawn offering (not listed) and a draft (not listed)."""

    feed: Offering
    anonymised: Offering
    unoffered: Dataset
    private: Offering
    auction: Offering
    withdrawn: Offering
    draft: Dataset


def listed_catalog(seller: Party, buyer: Party) -> ListedCatalog:
    from django.utils import timezone

    from marketplace.services.offerings import SellerAcceptance, deal_offering_open, offering_withdraw

    feed = subscription_offer(seller, period_days=7, term_periods=4, min_versions_per_period=1)
    version_published(seller, feed.dataset, readings_csv())  # readings from 2024-01-01, before the first file's
    anonymised = offer(seller, data_class="anonymized")
    withdrawn = publish_terms(seller, anonymised.dataset, duration_days=90)
    offering_withdraw(principal=principal(seller), offering_id=withdrawn.id, reason="replaced")
    unoffered = published_dataset(seller)

    def deal(channel: str) -> Offering:
        return deal_offering_open(
            channel=channel,
            dataset_id=unoffered.id,
            acceptance=SellerAcceptance(seller_id=seller.organization.id, accepted_at=timezone.now()),
            template_code="meti-data-provision",
            template_version=1,
            terms={},
            license_seats=1,
            currency="JPY",
            buyer_id=buyer.organization.id if channel == "private" else None,
        )

    draft = dataset_create(
        seller_id=seller.organization.id,
        title="Draft 下書き",
        description="Not listed.",
        data_class="iot",
        category="weather",
        tags=[],
        region="",
        update_frequency="once",
        anonymization=None,
    )
    return ListedCatalog(
        feed=feed,
        anonymised=anonymised,
        unoffered=unoffered,
        private=deal("private"),
        auction=deal("auction"),
        withdrawn=withdrawn,
        draft=draft,
    )


def publish_terms(seller: Party, dataset: Dataset, **terms: Any) -> Offering:
    """Another licence offering of ``terms`` on the seller's published dataset."""
    return offering_publish(
        principal=principal(seller),
        dataset_id=dataset.id,
        template_code="meti-data-provision",
        terms=terms,
        license_seats=10,
    )


# --- quality figures and renditions, as profiling stores them ------------------------------------------------------


def quality_figures(*, rows: int = 40, freshness_seconds: float = 3 * 3600 + 12 * 60) -> dict[str, Any]:
    """A hand-made ``catalog.quality.Quality`` of strain readings from three sensors (one column with a few empty
    cells, one whose distinct count is estimated), with a 17-minute gap of sensor SG-02: the figures a page shows."""
    return {
        "rows": rows,
        "columns": [
            {
                "name": "timestamp",
                "type": "datetime",
                "null_count": 0,
                "null_rate": 0.0,
                "distinct": rows,
                "distinct_approximate": False,
                "min": "2024-04-01T00:00:00+09:00",
                "max": "2024-04-01T00:39:00+09:00",
            },
            {
                "name": "sensor_id",
                "type": "string",
                "null_count": 0,
                "null_rate": 0.0,
                "distinct": 123_456,
                "distinct_approximate": True,
                "min": None,
                "max": None,
            },
            {
                "name": "strain_microstrain",
                "type": "number",
                "null_count": 5,
                "null_rate": 0.125,
                "distinct": 35,
                "distinct_approximate": False,
                "min": -12.5,
                "max": 139.25,
            },
        ],
        "timing": {
            "timestamp_column": "timestamp",
            "sensor_column": "sensor_id",
            "sensors": 3,
            "interval_median_seconds": 180.0,
            "interval_p99_seconds": 540.0,
            "largest_gap": {
                "sensor": "SG-02",
                "start": "2024-04-01T00:10:00+09:00",
                "end": "2024-04-01T00:27:00+09:00",
                "seconds": 1020.0,
            },
            "newest_reading": "2024-04-01T00:39:00+09:00",
            "freshness_seconds": freshness_seconds,
        },
    }


def converted(content: bytes, source: str, target: str) -> bytes:
    """``content`` (a file in format ``source``) written in format ``target`` with pyarrow: a rendition's bytes."""
    import io
    import json

    import pyarrow.csv as pa_csv
    import pyarrow.json as pa_json
    import pyarrow.parquet as pq

    if source == "csv":
        table = pa_csv.read_csv(io.BytesIO(content))
    elif source == "jsonl":
        table = pa_json.read_json(io.BytesIO(content))
    else:
        table = pq.read_table(io.BytesIO(content))
    out = io.BytesIO()
    if target == "parquet":
        pq.write_table(table, out)
    elif target == "csv":
        pa_csv.write_csv(table, out)
    else:
        for row in table.to_pylist():
            out.write((json.dumps(row, ensure_ascii=False, default=str) + "\n").encode())
    return out.getvalue()


def version_profiled(
    version: DatasetVersion,
    *,
    quality: dict[str, Any] | None = None,
    renditions: dict[str, bytes] | None = None,
) -> DatasetVersion:
    """A published version given quality figures (default ``quality_figures()``) and renditions (format -> bytes;
    default its file converted to every other format), stored as ``catalog.tasks.profile_version`` stores them, in
    place of whatever profiling stored: tests of what buyers see start from known figures and files, not from
    profiling's own."""
    import hashlib

    from catalog.models import FileFormat, VersionRendition

    if renditions is None:
        with version.file.open("rb") as handle:
            original = handle.read()
        renditions = {
            target: converted(original, version.file_format, target)
            for target in FileFormat.values
            if target != version.file_format
        }
    DatasetVersion.objects.filter(pk=version.pk).update(quality=quality_figures() if quality is None else quality)
    VersionRendition.objects.filter(version=version).delete()
    for file_format, content in renditions.items():
        rendition = VersionRendition(
            version=version,
            file_format=file_format,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        rendition.file.save(f"rendition.{file_format}", ContentFile(content), save=False)
        rendition.save()
    version.refresh_from_db()
    return version


class FakeS3:
    """Stands in for django-storages' S3Storage: presigns, never serves bytes."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def url(self, name: str, parameters: dict[str, str] | None = None, expire: int | None = None) -> str:
        self.calls.append({"name": name, "parameters": parameters, "expire": expire})
        return f"https://bucket.s3.example/{name}?X-Amz-Expires={expire}&X-Amz-Signature=fake"


# --- metrics -----------------------------------------------------------------------------------------------------


def metric_samples(exposition: bytes) -> Iterator[tuple[str, dict[str, str], float]]:
    """The samples of a Prometheus text exposition (config/metrics.py): name, labels, value."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(exposition.decode()):
        for sample in family.samples:
            yield sample.name, dict(sample.labels), sample.value


def metric_total(exposition: bytes, name: str, **labels: str) -> float:
    """The sum of the samples named ``name`` whose labels include ``labels``."""
    return sum(
        value
        for sample, found, value in metric_samples(exposition)
        if sample == name and all(found.get(k) == v for k, v in labels.items())
    )
