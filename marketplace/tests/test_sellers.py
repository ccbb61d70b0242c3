"""A seller's public profile: its page (signed out too) and ``GET /api/v1/sellers/{id}``; its members' changes to it
(the web form and ``PATCH``), refused to anyone else; the logo's type and size limits."""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.models import Organization, ParticipantEvent
from marketplace.services.profiles import LOGO_MAX_BYTES
from tests.builders import offer, signed_in, subscription_offer, text

pytestmark = pytest.mark.django_db


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG of ``width`` x ``height`` grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_the_seller_page_is_public_and_shows_its_profile_datasets_offerings_and_trades(seller, buyer) -> None:
    Organization.objects.filter(pk=seller.organization.pk).update(
        description="We monitor 120 bridges in Kansai.\n橋梁の健全性を監視しています。",
        website="https://kbm.example.jp/",
    )
    offering = offer(seller)
    response = Client().get(f"/sellers/{seller.id}/")
    assert response.status_code == 200
    page = text(response)
    assert "Kansai Bridge Monitoring" in page and 'id="verified-badge"' in page
    assert "We monitor 120 bridges in Kansai." in page and "橋梁の健全性を監視しています。" in page
    assert 'href="https://kbm.example.jp/"' in page
    assert f'href="/datasets/{offering.dataset_id}/"' in page, "its listed datasets"
    assert f'href="/offerings/{offering.id}/"' in page, "its open offerings"
    assert re.search(r'id="trade-count">0<', page)
    assert 'id="edit-profile"' not in page, "only its members see the edit button"
    assert 'id="edit-profile"' in text(signed_in(seller).get(f"/sellers/{seller.id}/"))
    my_datasets = text(signed_in(seller).get("/sell/"))
    assert f'href="/sellers/{seller.id}/edit/"' in my_datasets, "members find the profile from their datasets"


def test_a_buyer_only_organisation_or_an_unknown_id_has_no_seller_page(buyer) -> None:
    assert Client().get(f"/sellers/{buyer.id}/").status_code == 404
    assert Client().get("/sellers/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert buyer.client.get(f"/api/v1/sellers/{buyer.id}").status_code == 404
    response = Client().get("/api/v1/sellers/not-a-uuid")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_the_api_gives_the_public_profile_signed_out(seller) -> None:
    offering = subscription_offer(seller, min_versions_per_period=1)
    response = Client().get(f"/api/v1/sellers/{seller.id}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Kansai Bridge Monitoring" and body["verified"] is True
    assert body["logo_url"] is None and body["page_url"].endswith(f"/sellers/{seller.id}/")
    assert [o["id"] for o in body["open_offerings"]] == [str(offering.id)]
    assert body["datasets_listed"] == 1 and body["trades"] == 0
    [feed] = body["feeds"]
    assert feed["offering"] == str(offering.id) and feed["min_versions_per_period"] == 1
    assert feed["periods"][0]["current"] is True and feed["periods"][0]["number"] == 1


def test_a_member_edits_the_profile_on_the_web_with_a_logo(seller) -> None:
    client = signed_in(seller)
    form = client.get(f"/sellers/{seller.id}/edit/")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in text(form)
    response = client.post(
        f"/sellers/{seller.id}/edit/",
        {
            "description": "Strain gauges on 120 bridges.",
            "website": "https://kbm.example.jp/",
            "logo": SimpleUploadedFile("logo.png", png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/sellers/{seller.id}/"
    organization = Organization.objects.get(pk=seller.organization.pk)
    assert organization.description == "Strain gauges on 120 bridges."
    assert organization.logo.name.endswith(".png") and "logo.png" not in organization.logo.name
    logo: Any = Client().get(f"/sellers/{seller.id}/logo")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(logo.streaming_content) == png()
    assert f'src="/sellers/{seller.id}/logo"' in text(Client().get(f"/sellers/{seller.id}/"))
    event = ParticipantEvent.objects.filter(organization=organization, kind="profile_changed").get()
    assert event.payload == {"fields": ["description", "logo", "website"]}

    removed = client.post(f"/sellers/{seller.id}/edit/", {"description": "", "website": "", "remove_logo": "on"})
    assert removed.status_code == 302
    organization.refresh_from_db()
    assert not organization.logo and organization.description == ""
    assert Client().get(f"/sellers/{seller.id}/logo").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'/>" * 4, content_type="image/png"),
            "PNG, JPEG or WebP",
        ),
        (SimpleUploadedFile("big.png", png() + b"\x00" * LOGO_MAX_BYTES), "too large"),
    ],
    ids=["not-an-image", "too-large"],
)
def test_a_logo_that_is_not_an_image_or_too_large_is_a_clear_error_and_nothing_changes(
    seller, upload: Any, message: str
) -> None:
    client = signed_in(seller)
    response = client.post(f"/sellers/{seller.id}/edit/", {"description": "New text", "logo": upload})
    assert response.status_code == 400
    assert message in text(response)
    organization = Organization.objects.get(pk=seller.organization.pk)
    assert organization.description == "" and not organization.logo, "a refused change stores nothing"


def test_the_japanese_form_says_the_logo_error_in_japanese(seller) -> None:
    client = signed_in(seller, lang="ja")
    upload = SimpleUploadedFile("logo.gif", b"GIF89a" + b"\x00" * 20)
    page = text(client.post(f"/sellers/{seller.id}/edit/", {"logo": upload}))
    assert "ロゴは PNG、JPEG、WebP のいずれかの画像にしてください。" in page


def test_only_the_organisations_own_members_may_edit_it(seller, other_seller, buyer) -> None:
    assert Client().get(f"/sellers/{seller.id}/edit/").status_code == 302, "signed out: to the sign-in page"
    for party in (other_seller, buyer):
        client = signed_in(party)
        assert client.get(f"/sellers/{seller.id}/edit/").status_code == 403
        assert client.post(f"/sellers/{seller.id}/edit/", {"description": "Hacked"}).status_code == 403
        refused = party.client.patch(f"/api/v1/sellers/{seller.id}", {"description": "Hacked"}, format="json")
        assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert (
        Client()
        .patch(f"/api/v1/sellers/{seller.id}", {"description": "x"}, content_type="application/json")
        .status_code
        == 401
    )
    assert Organization.objects.get(pk=seller.organization.pk).description == ""


def test_patch_changes_the_profile_through_the_api(seller) -> None:
    response = seller.client.patch(
        f"/api/v1/sellers/{seller.id}", {"description": "Bridges.", "website": "https://kbm.example.jp/"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "Bridges." and response.json()["website"] == "https://kbm.example.jp/"

    with_logo = seller.client.patch(
        f"/api/v1/sellers/{seller.id}", {"logo": SimpleUploadedFile("l.png", png())}, format="multipart"
    )
    assert with_logo.status_code == 200, with_logo.content
    assert with_logo.json()["logo_url"] == f"http://testserver/sellers/{seller.id}/logo"
    assert with_logo.json()["description"] == "Bridges.", "fields not sent stay"
    cleared = seller.client.patch(f"/api/v1/sellers/{seller.id}", {"logo": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["logo_url"] is None


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"website": "javascript:alert(1)"}, "website", 400),
        ({"website": "ftp://kbm.example.jp/"}, "website", 400),
        ({"description": "x" * 4001}, "description", 400),
        ({"description": "Invoice\u202egpj.exe"}, "description", 400),
        ({"name": "Someone else"}, "name", 400),
        ({"logo": "not a file"}, "logo", 400),
    ],
    ids=["script-url", "ftp-url", "too-long", "bidi-control", "read-only-name", "logo-not-a-file"],
)
def test_bad_input_is_a_problem_naming_its_field(seller, body: dict[str, Any], field: str, status: int) -> None:
    response = seller.client.patch(f"/api/v1/sellers/{seller.id}", body, format="json")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    organization = Organization.objects.get(pk=seller.organization.pk)
    assert (organization.name, organization.website, organization.description) == ("Kansai Bridge Monitoring", "", "")


def test_api_logo_limits(seller) -> None:
    too_large = seller.client.patch(
        f"/api/v1/sellers/{seller.id}",
        {"logo": SimpleUploadedFile("l.png", png() + b"\x00" * LOGO_MAX_BYTES)},
        format="multipart",
    )
    assert too_large.status_code == 413 and "logo" in too_large.json()["errors"]
    not_image = seller.client.patch(
        f"/api/v1/sellers/{seller.id}", {"logo": SimpleUploadedFile("l.png", b"%PDF-1.7\n")}, format="multipart"
    )
    assert not_image.status_code == 400 and not_image.json()["errors"]["logo"] == ["not a PNG, JPEG or WebP image"]
    assert not Organization.objects.get(pk=seller.organization.pk).logo


def test_seller_names_link_to_their_page(seller, buyer) -> None:
    offering = offer(seller)
    link = f'href="/sellers/{seller.id}/"'
    assert link in text(Client().get("/")), "the catalog's cards"
    assert link in text(Client().get(f"/datasets/{offering.dataset_id}/")), "the dataset page"
    assert link in text(Client().get(f"/offerings/{offering.id}/")), "the offering page"


def test_the_seller_page_says_whether_its_sales_come_with_qualified_invoices(seller) -> None:
    page = re.sub(r"\s+", " ", text(Client().get(f"/sellers/{seller.organization.id}/")))
    assert "Not a registered issuer: its sales come with receipts, not qualified invoices." in page
    Organization.objects.filter(pk=seller.organization.id).update(invoice_registration_number="T7000012050002")
    page = re.sub(
        r"\s+", " ", text(Client(headers={"accept-language": "ja"}).get(f"/sellers/{seller.organization.id}/"))
    )
    assert "適格請求書発行事業者（登録番号 T7000012050002）" in page
