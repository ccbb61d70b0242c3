from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Dataset, DatasetVersion
from config.errors import Conflict, Forbidden, InvalidInput
from dataspace.models import Callback, Negotiation, Transfer
from deals.models import Auction, AuctionBid, DataRequest, PrivateOffer, PrivateOfferRevision
from demo.data import DEMO_BUYERS, DEMO_SELLERS
from demo.management.commands.load_demo import DEMO_PASSWORD
from marketplace.models import ApiKey, Offering, Order, Organization, ParticipantEvent, Trade
from marketplace.services.participants import api_key_create_demo, member_add, organization_create
from settlement.models import Entitlement, Settlement

DEMO_PARTIES = (*DEMO_BUYERS, *DEMO_SELLERS)


def load_demo(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("load_demo", stdout=out)
    return out.getvalue()


def printed_keys(output: str) -> dict[str, str]:
    """E-mail of each demo account -> the API key printed on its line."""
    keys = {}
    for party in DEMO_PARTIES:
        (line,) = [line for line in output.splitlines() if party.email in line.split()]
        (keys[party.email],) = [word for word in line.split() if word.startswith("ichiba_")]
    return keys


@pytest.mark.django_db
def test_demo_data_is_alive_and_loading_it_twice_changes_nothing(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert Dataset.objects.filter(status="published").count() == 5
    assert set(Dataset.objects.values_list("data_class", flat=True)) == {"iot", "anonymized"}
    assert DatasetVersion.objects.filter(status="published").count() == 5
    # Every demo version was measured and converted as any published version is (catalog.profiling).
    for version in DatasetVersion.objects.filter(status="published"):
        assert version.quality["rows"] == version.row_count and version.quality["columns"]
        assert {r.file_format for r in version.renditions.all()} and version.file_format not in {
            r.file_format for r in version.renditions.all()
        }
        if version.dataset.data_class == "iot":
            assert version.quality["timing"]["newest_reading"]
    assert Offering.objects.filter(status="active", kind="licence", channel="book").count() == 5
    assert Organization.objects.filter(verified=True).count() == 5
    # A live market: an ask to buy at once, one earlier sale (settled and delivered), a resting bid.
    for offering in Offering.objects.filter(kind="licence", channel="book"):
        book = Order.objects.filter(offering=offering, status__in=Order.RESTING)
        assert book.filter(side="sell").count() == 1 and book.filter(side="buy").count() == 1
    # The bridge's feed, also sold by the month: its seller's ask per period, nothing traded yet.
    (subscription,) = Offering.objects.filter(kind="subscription")
    assert (subscription.period_days, subscription.term_periods, subscription.min_versions_per_period) == (30, 12, 4)
    assert subscription.dataset.title.startswith("Bridge strain") and subscription.terms["duration_days"] == 360
    book = Order.objects.filter(offering=subscription, status__in=Order.RESTING)
    assert [(order.side, order.price) for order in book] == [("sell", 4_000)]
    assert Trade.objects.count() == 5
    assert set(Settlement.objects.values_list("status", flat=True)) == {"authorized"}
    assert Entitlement.objects.filter(status="active").count() == 5
    # Two requests for data for the sellers to answer, one naming its buyer.
    assert sorted(DataRequest.objects.filter(status="open").values_list("public_identity", flat=True)) == [False, True]
    counts = (
        Organization.objects.count(),
        Dataset.objects.count(),
        Offering.objects.count(),
        Order.objects.count(),
        Trade.objects.count(),
        ApiKey.objects.count(),
        ParticipantEvent.objects.count(),
        DataRequest.objects.count(),
        PrivateOffer.objects.count(),
        PrivateOfferRevision.objects.count(),
        Auction.objects.count(),
        AuctionBid.objects.count(),
        Negotiation.objects.count(),
        Transfer.objects.count(),
        Callback.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert (
        Organization.objects.count(),
        Dataset.objects.count(),
        Offering.objects.count(),
        Order.objects.count(),
        Trade.objects.count(),
        ApiKey.objects.count(),
        ParticipantEvent.objects.count(),
        DataRequest.objects.count(),
        PrivateOffer.objects.count(),
        PrivateOfferRevision.objects.count(),
        Auction.objects.count(),
        AuctionBid.objects.count(),
        Negotiation.objects.count(),
        Transfer.objects.count(),
        Callback.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_the_demo_buyer_signs_in_to_a_private_offer_that_waits_for_it(django_capture_on_commit_callbacks) -> None:
    load_demo(django_capture_on_commit_callbacks)
    (offer,) = PrivateOffer.objects.select_related("seller", "buyer", "dataset", "data_request")
    assert offer.status == "open" and offer.buyer.name == DEMO_BUYERS[0].name
    assert offer.data_request is not None and offer.data_request.buyer_id == offer.buyer_id, "it answers a request"
    assert offer.dataset.seller_id == offer.seller_id and offer.dataset.status == "published"
    revisions = list(offer.revisions.order_by("number"))
    assert [(r.author, r.price) for r in revisions] == [("seller", 240_000), ("buyer", 180_000), ("seller", 210_000)]
    assert revisions[1].terms_sha256 != revisions[2].terms_sha256, "the seller's counter changes a term too"
    assert revisions[2].terms["duration_days"] == 180 and revisions[2].terms["territory"] == ["JP"]

    # The buyer `make run` shows signs in with the published password: its turn, in both languages.
    for lang, your_turn in (("en", "your turn"), ("ja", "あなたの番")):
        web = Client(headers={"accept-language": lang})
        assert web.login(username="buyer@demo.ichiba.example", password=DEMO_PASSWORD)
        listed = web.get("/private-offers/").content.decode()
        (row,) = [row for row in listed.split("<tr") if f'id="private-offer-{offer.id}"' in row]
        assert your_turn in row
        page = web.get(f"/private-offers/{offer.id}/").content.decode()
        assert 'id="your-turn"' in page and 'id="accept-form"' in page
        assert page.count('class="changed"') == 3, "price, amount and duration highlighted"
    # The data request's author stays anonymous to the seller.
    web = Client()
    (machi_data,) = [party for party in DEMO_SELLERS if party.key == "machi-data"]
    assert web.login(username=machi_data.email, password=DEMO_PASSWORD)
    page = web.get(f"/private-offers/{offer.id}/").content.decode()
    assert 'id="their-turn"' in page and DEMO_BUYERS[0].name not in page


@pytest.mark.django_db
def test_every_demo_organisation_gets_a_published_api_key_that_works(django_capture_on_commit_callbacks) -> None:
    keys = printed_keys(load_demo(django_capture_on_commit_callbacks))
    assert keys == {party.email: f"ichiba_demo_{party.key}" for party in DEMO_PARTIES}, "deterministic"
    for party in DEMO_PARTIES:
        organization = Organization.objects.get(name=party.name)
        stored = ApiKey.objects.get(organization=organization)
        assert keys[party.email] not in (stored.key_hash, stored.prefix), "only the digest is kept"
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[party.email]}")
        response = client.get("/api/v1/orders")
        assert response.status_code == 200, party.key
        listed = {order["id"] for order in response.json()["results"]}
        assert listed == {str(order.id) for order in Order.objects.filter(organization=organization)}
        assert listed or party.key == "sakura-logistics", "only the buyer shown by `make run` has no orders yet"
        assert client.get("/api/v1/me").json()["name"] == party.name


@pytest.mark.django_db
def test_load_demo_twice_keeps_one_key_per_organisation_and_prints_the_same_keys(
    django_capture_on_commit_callbacks,
) -> None:
    first = printed_keys(load_demo(django_capture_on_commit_callbacks))
    keys = set(ApiKey.objects.values_list("id", "organization_id", "key_hash"))
    assert len(keys) == len(DEMO_PARTIES)
    assert printed_keys(load_demo(django_capture_on_commit_callbacks)) == first
    assert set(ApiKey.objects.values_list("id", "organization_id", "key_hash")) == keys


@pytest.mark.django_db
def test_a_demo_database_from_before_demo_keys_gets_them_on_the_next_load(django_capture_on_commit_callbacks) -> None:
    load_demo(django_capture_on_commit_callbacks)
    ApiKey.objects.all().delete()
    keys = printed_keys(load_demo(django_capture_on_commit_callbacks))
    assert ApiKey.objects.count() == len(DEMO_PARTIES)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {keys['buyer@demo.ichiba.example']}")
    assert client.get("/api/v1/orders").status_code == 200


@pytest.mark.django_db
def test_demo_keys_do_not_exist_where_load_demo_did_not_run(anonymous) -> None:
    for party in DEMO_PARTIES:
        anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer ichiba_demo_{party.key}")
        assert anonymous.get("/api/v1/orders").status_code == 401


@pytest.mark.django_db
def test_a_demo_key_is_refused_unless_the_organisation_is_a_demo_one() -> None:
    real = organization_create(name="Acme Sensors", roles={"seller"}, verified=True)
    with pytest.raises(Forbidden):
        api_key_create_demo(organization=real, label="acme")  # no members at all
    member_add(organization=real, email="ops@acme.example")
    with pytest.raises(Forbidden):
        api_key_create_demo(organization=real, label="acme")
    member_add(organization=real, email="ops@demo.ichiba.example")
    with pytest.raises(Forbidden, match="demo organisations"):
        api_key_create_demo(organization=real, label="acme")  # one real member is enough to refuse
    lookalike = organization_create(name="Lookalike", roles={"buyer"})
    member_add(organization=lookalike, email="ops@demo.ichiba.example.attacker.test")
    with pytest.raises(Forbidden):
        api_key_create_demo(organization=lookalike, label="lookalike")
    assert not ApiKey.objects.exists()

    demo = organization_create(name="Demo One", roles={"buyer"})
    member_add(organization=demo, email="one@demo-one.demo.ichiba.example")
    other = organization_create(name="Demo Two", roles={"buyer"})
    member_add(organization=other, email="two@demo.ichiba.example")
    issued = api_key_create_demo(organization=demo, label="demo-one")
    assert issued.secret == "ichiba_demo_demo-one"
    assert api_key_create_demo(organization=demo, label="demo-one").api_key.id == issued.api_key.id
    with pytest.raises(Conflict):
        api_key_create_demo(organization=other, label="demo-one")
    for label in ("", "x y", "ünicode", "a" * 65):
        with pytest.raises(InvalidInput):
            api_key_create_demo(organization=other, label=label)
    assert ApiKey.objects.count() == 1


@pytest.mark.django_db
def test_load_demo_refuses_to_run_where_demo_data_is_not_allowed(settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "DEMO_DATA_ALLOWED": False}  # as under config.settings.production
    with pytest.raises(CommandError, match="published password"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Organization.objects.exists()
    assert not ApiKey.objects.exists()


def test_the_local_settings_allow_demo_data_only_on_the_embedded_database_unless_asked() -> None:
    from tests.builders import run_python

    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.local'; django.setup(); "
        "from django.conf import settings; print(settings.ICHIBA['DEMO_DATA_ALLOWED'])"
    )

    def allowed(**environment: str) -> str:
        ran = run_python(code, **environment)
        assert ran.returncode == 0, ran.stderr
        return ran.stdout.strip()

    postgres = "postgres://postgres@127.0.0.1:5432/ichiba"
    assert allowed(DATABASE_URL="sqlite:////tmp/ichiba-demo-check.sqlite3") == "True"
    assert allowed(DATABASE_URL=postgres) == "False", "manage.py load_demo typed on a production host"
    assert allowed(DATABASE_URL=postgres, ICHIBA_DEMO_DATA_ALLOWED="true") == "True", "as make run asks"


@pytest.mark.django_db
def test_the_demo_has_an_open_auction_with_a_sealed_bid_the_demo_buyer_can_beat(
    django_capture_on_commit_callbacks,
) -> None:
    load_demo(django_capture_on_commit_callbacks)
    (auction,) = Auction.objects.select_related("offering", "dataset")
    assert (auction.status, auction.seats, auction.reserve_price) == ("open", 3, 20_000)
    assert auction.offering.channel == "auction" and auction.offering.status == "active"
    assert [(b.bidder.name, b.price) for b in auction.bids.select_related("bidder")] == [
        ("Rheinwerk Analytics GmbH", 26_000)
    ]
    client = Client()
    assert client.login(username=DEMO_BUYERS[0].email, password=DEMO_PASSWORD)
    page = client.get(f"/auctions/{auction.id}/").content.decode()
    assert "26,000" not in page and "Rheinwerk" not in page, "the bid is sealed"
    assert 'name="price"' in page, "the demo buyer may bid"


@pytest.mark.django_db
def test_a_demo_buyers_connector_bought_through_the_dataspace_protocol(django_capture_on_commit_callbacks) -> None:
    load_demo(django_capture_on_commit_callbacks)
    (negotiation,) = Negotiation.objects.select_related("consumer", "contract", "offering__seller")
    (transfer,) = negotiation.transfers.all()
    assert (negotiation.state, transfer.state) == ("FINALIZED", "COMPLETED")
    assert negotiation.contract is not None and negotiation.contract.buyer_id == negotiation.consumer_id
    assert transfer.entitlement.contract_id == negotiation.contract_id and transfer.download_token_id is None
    assert set(Callback.objects.values_list("status", flat=True)) == {"delivered"}
    (consumer,) = [party for party in DEMO_BUYERS if party.name == negotiation.consumer.name]
    (seller,) = [party for party in DEMO_SELLERS if party.name == negotiation.offering.seller.name]

    # The consumer's members see it beside the contract, in both languages; the seller's see the provider's side.
    for party, lang, words in (
        (consumer, "en", ("Dataspace Protocol", "Finalized", "Completed", "connector.rheinwerk-analytics.example")),
        (consumer, "ja", ("データスペースプロトコル", "確定", "完了")),
        (seller, "ja", ("データスペースプロトコル", "確定", "完了")),
    ):
        web = Client(headers={"accept-language": lang})
        assert web.login(username=party.email, password=DEMO_PASSWORD)
        page = web.get(f"/contracts/{negotiation.contract_id}/").content.decode()
        assert 'id="dataspace-protocol"' in page, (party.email, lang)
        assert all(word in page for word in words), (party.email, lang)
        assert (party is consumer) == ("connector.rheinwerk-analytics.example" in page)
        listed = web.get("/dataspace/negotiations/").content.decode()
        assert f'id="dsp-negotiation-{negotiation.id}"' in listed
