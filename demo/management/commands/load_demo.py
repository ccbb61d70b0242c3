"""``manage.py load_demo``: sellers, buyers and five realistic datasets, requests for data, a private offer in
negotiation, an auction and a purchase made through the Dataspace Protocol, so the site is alive at first run.

Deterministic and idempotent: running it twice changes nothing the second time. Like the demo password, each
demo organisation's API key is published (``ichiba_demo_<its key in demo.data>``), so the API can be
tried at once; it exists only in a database where this command ran.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog.models import Dataset
from catalog.services.datasets import dataset_create
from catalog.services.versions import version_profile, version_upload, version_validate
from config.market import market_settings
from config.registration import corporate_check_digit
from contracts.models import Contract
from dataspace.models import Negotiation
from deals import selectors
from deals.models import Auction, DataRequest, PrivateOffer
from deals.services.auctions import auction_bid_place, auction_open
from deals.services.data_requests import data_request_create
from deals.services.private_offers import private_offer_counter, private_offer_create
from demo import dsp
from demo.data import DEMO_BUYERS, DEMO_DATASETS, DEMO_SELLERS, demo_dataset
from marketplace import hooks
from marketplace.models import Offering, Organization
from marketplace.services.offerings import offering_publish
from marketplace.services.orders import order_place
from marketplace.services.participants import (
    api_key_create_demo,
    member_add,
    organization_create,
    organization_invoice_number_set,
    principal_for,
)
from marketplace.services.profiles import organization_profile_update
from settlement.models import Entitlement

DEMO_PASSWORD = "ichiba-demo"  # noqa: S105 - published demo credentials for a local site
OPERATOR_EMAIL = "operator@demo.ichiba.example"

# A live book on every demo offering, so "buy now" works at once: the seller's ask (per seat, in yen), one
# earlier purchase by the second demo buyer (a price on the tape, a settled sale for the seller's pages) and
# that buyer's resting bid below the ask. The buyer shown by `make run` has bought nothing yet.
DEMO_ASK_PRICES = {
    "bridge-strain-yodogawa": 12_000,
    "machine-vibration-aichi-plant": 18_000,
    "weather-stations-january": 3_000,
    "people-flow-mesh-250m": 48_000,
    "retail-baskets-weekly": 36_000,
}
MARKET_MAKER_KEY = "rheinwerk-analytics"

# The bridge's strain feed is also sold as a subscription: monthly periods for a year, at least four new versions a
# month (the gauges are read out weekly), priced per seat and period. Only the seller's ask rests on its book.
DEMO_SUBSCRIPTIONS = {
    "bridge-strain-yodogawa": {"period_days": 30, "term_periods": 12, "min_versions_per_period": 4, "ask": 4_000},
}

# Requests for data nobody lists yet, so a seller's "Requests" page has something to answer: one buyer shows its
# name, the other does not. Sellers may answer for 60 days after loading.
DEMO_DATA_REQUESTS = (
    (
        "sakura-logistics",
        {
            "title": "Truck waiting times at Kansai distribution centres 関西の物流拠点のトラック待機時間",
            "description": "Arrival, dock assignment and departure per truck, anonymised carrier, at least 6 months.",
            "data_class": "iot",
            "category": "mobility",
            "territory": ["JP"],
            "purpose": "Planning dock slots and reducing waiting times (物流の2024年問題).",
            "budget_max": 300_000,
            "public_identity": False,
        },
    ),
    (
        "rheinwerk-analytics",
        {
            "title": "Factory load curves, Chūbu 中部の工場の電力負荷曲線",
            "description": "15-minute electricity load of machining plants, one year, with production shifts.",
            "data_class": "iot",
            "category": "energy",
            "territory": ["DE", "JP"],
            "purpose": "Benchmarking demand response potential against German plants.",
            "budget_max": 800_000,
            "public_identity": True,
        },
    ),
)
DEMO_DATA_REQUEST_DAYS = 60

# A private offer in negotiation, answering the first demo request (Sakura Logistics, the buyer `make run` shows):
# Machi Data Lab offers its people-flow data around Umeda and Namba for the request's purpose, the buyer counters
# the price, the seller meets it halfway for a shorter licence. Revision 3 is the seller's, so the buyer signing in
# finds it under "Private offers" with "your turn": the revisions side by side, the change highlighted.
DEMO_PRIVATE_OFFER: dict[str, Any] = {
    "seller": "machi-data",
    "dataset": "people-flow-mesh-250m",
    "answers": "sakura-logistics",  # the author of the demo request it answers
    "valid_days": 30,
    "revisions": (
        (
            "seller",
            {
                "terms": {
                    "territory": ["JP"],
                    "purpose": "Estimating congestion around delivery areas in Osaka (Umeda, Namba) to plan dock slots",
                    "duration_days": 365,
                },
                "price": 240_000,
                "note": "Footfall by hour around Umeda and Namba, a proxy for road congestion near your centres.",
            },
        ),
        ("buyer", {"price": 180_000, "note": "Our budget for this study is ¥180,000."}),
        (
            "seller",
            {
                "terms": {"duration_days": 180},
                "price": 210_000,
                "note": "¥210,000 for a six-month licence, enough for one planning season.",
            },
        ),
    ),
}


# A sealed-bid auction open for a week: three seats of a two-year licence of the machining data with the rights in
# derived data shared, above a reserve; the German market maker has bid already (nobody else sees it), so the buyer
# `make run` shows can bid against it and, after the close, see the uniform price every winner pays.
DEMO_AUCTION: dict[str, Any] = {
    "dataset": "machine-vibration-aichi-plant",
    "terms": {"territory": ["JP", "DE"], "duration_days": 730},
    "seats": 3,
    "reserve_price": 20_000,
    "open_days": 7,
    "bids": (("rheinwerk-analytics", 26_000),),
}


# The German market maker's purchase of the bridge strain data (its earlier sale on the book) was made by its
# connector through the Dataspace Protocol: the negotiation FINALIZED, then one transfer COMPLETED, every message to
# the connector delivered (demo/dsp.py). Signed in as Rheinwerk Analytics, DSP negotiations lists it and the
# contract's page shows the "Dataspace Protocol" panel; Kansai Bridge Monitoring sees the seller's side. The ids are
# derived from the contract's (uuid5), the same at every load.
DEMO_DSP: dict[str, Any] = {
    "dataset": "bridge-strain-yodogawa",
    "consumer": "rheinwerk-analytics",
    "callback_address": "https://connector.rheinwerk-analytics.example/dsp/callback",
}


class Command(BaseCommand):
    help = "Load demo organisations (with published API keys) and datasets (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not market_settings().demo_data_allowed:
            raise CommandError(
                "load_demo creates accounts with a published password and published API keys: it runs only with "
                "the local settings on the embedded database, or where ICHIBA_DEMO_DATA_ALLOWED=true says so "
                "(as `make run` does); never with the production settings."
            )
        organizations: dict[str, Organization] = {}
        for party, roles in [
            *((s, {"seller"}) for s in DEMO_SELLERS),
            *((b, {"buyer"}) for b in DEMO_BUYERS),
        ]:
            organizations[party.key] = self._organization(party, roles)
        self._operator()
        for demo in DEMO_DATASETS:
            self._dataset(demo, organizations[demo.seller_key])
        for demo in DEMO_DATASETS:
            self._market(demo, organizations[demo.seller_key], organizations[MARKET_MAKER_KEY])
        for demo in DEMO_DATASETS:
            if demo.key in DEMO_SUBSCRIPTIONS:
                self._subscription(demo, organizations[demo.seller_key])
        for buyer_key, request in DEMO_DATA_REQUESTS:
            self._data_request(organizations[buyer_key], request)
        self._private_offer(organizations)
        self._auction(organizations)
        # After the purchases' payments are authorised (their tasks run when the orders' transactions commit): the
        # transfer draws on the entitlement the authorisation grants.
        transaction.on_commit(lambda: self._dsp_purchase(organizations))
        self.stdout.write(
            f"Demo accounts (password: {DEMO_PASSWORD}) and API keys (header Authorization: Bearer <key>):"
        )
        for party in (*DEMO_BUYERS, *DEMO_SELLERS):
            issued = api_key_create_demo(organization=organizations[party.key], label=party.key)
            key = issued.secret if issued.api_key.is_active else "(key revoked)"
            role = "buyer" if party in DEMO_BUYERS else "seller"
            self.stdout.write(f"  {party.email:<44} {key:<32} {role:<6} {party.name}")
        self.stdout.write(f"  {OPERATOR_EMAIL:<44} {'':<32} market operator (admin at /admin/)")

    @transaction.atomic
    def _organization(self, party: Any, roles: set[str]) -> Organization:
        existing = Organization.objects.filter(name=party.name).first()
        if existing is not None:
            return existing
        organization = organization_create(name=party.name, roles=roles, country=party.country, verified=True)
        member_add(organization=organization, email=party.email, password=DEMO_PASSWORD)
        if "seller" in roles and party.country == "JP":
            # A made-up registration number (valid check digit), so the demo's sales issue qualified invoices.
            organization_invoice_number_set(
                organization_id=organization.id, number=_demo_registration_number(party.key)
            )
        if party.description or party.website:
            organization_profile_update(
                organization_id=organization.id,
                actor_organization_id=organization.id,
                changes={"description": party.description, "website": party.website},
            )
        if "buyer" in roles:
            # Stripe's test card, honoured by the offline provider: demo purchases are authorised.
            hooks.save_payment_method(organization_id=organization.id, payment_method="pm_card_visa")
        return organization

    def _market(self, demo: Any, seller: Organization, buyer: Organization) -> None:
        offering = Offering.objects.filter(
            dataset__seller=seller,
            dataset__title=demo.title,
            status="active",
            kind=Offering.Kind.LICENCE,
            channel=Offering.Channel.BOOK,
        ).first()
        if offering is None or offering.orders.exists():
            return
        price = DEMO_ASK_PRICES[demo.key]
        seats = None if offering.license_seats is None else min(10, offering.license_seats)
        order_place(principal=principal_for(seller), offering_id=offering.id, side="sell", price=price, quantity=seats)
        for bid_price in (price, price * 8 // 10):
            order_place(
                principal=principal_for(buyer),
                offering_id=offering.id,
                side="buy",
                price=bid_price,
                quantity=1,
                accepted_terms_sha256=offering.terms_sha256,
            )

    @transaction.atomic
    def _subscription(self, demo: Any, seller: Organization) -> None:
        """The dataset's subscription offering and its seller's ask, once."""
        shape = DEMO_SUBSCRIPTIONS[demo.key]
        dataset = Dataset.objects.filter(seller=seller, title=demo.title, status=Dataset.Status.PUBLISHED).first()
        if dataset is None or Offering.objects.filter(dataset=dataset, kind=Offering.Kind.SUBSCRIPTION).exists():
            return
        offering = offering_publish(
            principal=principal_for(seller),
            dataset_id=dataset.id,
            template_code="meti-data-provision",
            terms={"territory": ["JP", "DE"]},
            license_seats=None,
            kind=Offering.Kind.SUBSCRIPTION,
            period_days=shape["period_days"],
            term_periods=shape["term_periods"],
            min_versions_per_period=shape["min_versions_per_period"],
        )
        order_place(
            principal=principal_for(seller), offering_id=offering.id, side="sell", price=shape["ask"], quantity=None
        )

    def _data_request(self, buyer: Organization, request: dict[str, Any]) -> None:
        """A demo buyer's request for data, once."""
        if DataRequest.objects.filter(buyer=buyer, title=request["title"]).exists():
            return
        data_request_create(
            principal=principal_for(buyer),
            respond_by=timezone.now() + timedelta(days=DEMO_DATA_REQUEST_DAYS),
            **request,
        )

    @transaction.atomic
    def _private_offer(self, organizations: dict[str, Organization]) -> None:
        """The demo's private offer and its counter-offers, once: through the private offers' services, as its two
        parties' members would make them on the site."""
        shape = DEMO_PRIVATE_OFFER
        seller, buyer = organizations[shape["seller"]], organizations[shape["answers"]]
        ((_, asked),) = [item for item in DEMO_DATA_REQUESTS if item[0] == shape["answers"]]
        request = DataRequest.objects.filter(buyer=buyer, title=asked["title"]).first()
        if request is None or PrivateOffer.objects.filter(seller=seller, data_request=request).exists():
            return
        if selectors.data_request_status(request) != selectors.DataRequestStatus.OPEN:
            return  # closed or past its date (an old demo database): nothing to answer
        dataset = Dataset.objects.get(
            seller=seller, title=demo_dataset(shape["dataset"]).title, status=Dataset.Status.PUBLISHED
        )
        (_, first), *counters = shape["revisions"]
        offer = private_offer_create(
            principal=principal_for(seller),
            dataset_id=dataset.id,
            template_code="meti-data-provision",
            terms=first["terms"],
            price=first["price"],
            quantity=1,
            expires_at=timezone.now() + timedelta(days=shape["valid_days"]),
            data_request_id=request.id,
            note=first["note"],
        )
        for author, revision in counters:
            private_offer_counter(
                principal=principal_for(seller if author == "seller" else buyer),
                private_offer_id=offer.id,
                terms=revision.get("terms"),
                price=revision.get("price"),
                note=revision["note"],
            )

    @transaction.atomic
    def _auction(self, organizations: dict[str, Organization]) -> None:
        """The demo's open auction and its first sealed bid, once: through the auctions' services."""
        shape = DEMO_AUCTION
        demo = demo_dataset(shape["dataset"])
        seller = organizations[demo.seller_key]
        dataset = Dataset.objects.filter(seller=seller, title=demo.title, status=Dataset.Status.PUBLISHED).first()
        if dataset is None or Auction.objects.filter(dataset=dataset).exists():
            return
        auction = auction_open(
            principal=principal_for(seller),
            dataset_id=dataset.id,
            template_code="meti-data-provision",
            terms=shape["terms"],
            reserve_price=shape["reserve_price"],
            closes_at=timezone.now() + timedelta(days=shape["open_days"]),
            seats=shape["seats"],
        )
        for bidder, price in shape["bids"]:
            auction_bid_place(
                principal=principal_for(organizations[bidder]),
                auction_id=auction.id,
                price=price,
                accepted_terms_sha256=auction.offering.terms_sha256,
            )

    @transaction.atomic
    def _dsp_purchase(self, organizations: dict[str, Organization]) -> None:
        """The market maker's bridge strain contract as concluded through the Dataspace Protocol, once."""
        shape = DEMO_DSP
        consumer = organizations[shape["consumer"]]
        demo = demo_dataset(shape["dataset"])
        contract = (
            Contract.objects.filter(
                buyer=consumer, dataset__title=demo.title, dataset__seller=organizations[demo.seller_key]
            )
            .order_by("concluded_at")
            .first()
        )
        if contract is None or Negotiation.objects.filter(contract=contract).exists():
            return
        entitlement = Entitlement.objects.filter(contract=contract).first()
        if entitlement is None:
            return  # its payment was not authorised (an old demo database): nothing was delivered
        started = contract.concluded_at - timedelta(minutes=1)
        negotiation = dsp.negotiation_record(
            contract,
            negotiation_id=uuid.uuid5(contract.id, "negotiation"),
            consumer_pid=f"urn:uuid:{uuid.uuid5(contract.id, 'consumer negotiation')}",
            callback_address=shape["callback_address"],
            steps=dsp.NEGOTIATION_TO_FINALIZED,
            started=started,
        )
        dsp.transfer_record(
            negotiation,
            entitlement,
            transfer_id=uuid.uuid5(contract.id, "transfer"),
            consumer_pid=f"urn:uuid:{uuid.uuid5(contract.id, 'consumer transfer')}",
            steps=dsp.TRANSFER_TO_COMPLETED,
            started=started + timedelta(minutes=len(dsp.NEGOTIATION_TO_FINALIZED)),
        )

    def _operator(self) -> None:
        User = get_user_model()
        if not User.objects.filter(username=OPERATOR_EMAIL).exists():
            User.objects.create_superuser(username=OPERATOR_EMAIL, email=OPERATOR_EMAIL, password=DEMO_PASSWORD)

    def _dataset(self, demo: Any, seller: Organization) -> None:
        if Dataset.objects.filter(seller=seller, title=demo.title).exists():
            return
        dataset = dataset_create(
            seller_id=seller.id,
            title=demo.title,
            description=demo.description,
            data_class=demo.data_class,
            category=demo.category,
            tags=list(demo.tags),
            region=demo.region,
            update_frequency=demo.update_frequency,
            anonymization=demo.anonymization,
        )
        with tempfile.TemporaryFile() as stream:
            demo.write(stream)
            stream.seek(0)
            version = version_upload(
                dataset_id=dataset.id,
                seller_id=seller.id,
                upload=File(stream, name=demo.filename),
                original_filename=demo.filename,
            )
        version = version_validate(version_id=version.id)
        if version.status == "published":
            # Publishing queued the profiling task; the demo needs its figures and renditions now, worker or
            # not, so it runs the task's service too (a no-op when the task ran first).
            version = version_profile(version_id=version.id)
        self.stdout.write(f"{demo.title}: version {version.number} {version.status}")
        if version.status == "published":
            # One offering on the METI template, usable in Japan and Germany (the demo's buyers are in both):
            # otherwise the template's defaults for IoT data; anonymised data with a longer confidentiality
            # term, so the demo shows terms that differ from the template's.
            terms: dict[str, Any] = {"territory": ["JP", "DE"]}
            if demo.data_class == "anonymized":
                terms["confidentiality_years"] = 5
            offering_publish(
                principal=principal_for(seller),
                dataset_id=dataset.id,
                template_code="meti-data-provision",
                terms=terms,
                license_seats=None if demo.data_class == "iot" else 20,
            )


def _demo_registration_number(key: str) -> str:
    """A made-up invoice registration number for a demo seller: 12 digits from its key, and their check digit."""
    base = str(int(hashlib.sha256(key.encode()).hexdigest(), 16))[:12]
    return f"T{corporate_check_digit(base)}{base}"
