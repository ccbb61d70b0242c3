"""Text people read cannot be made to display as something it is not (issue 13, finding 9; config/text.py).

Every field of the API and the site that accepts such text carries ``config.text.DisplayableText``: the walks below
find every serializer field the API takes and every form field a page or the admin takes, so a field added later
cannot forget it. The behavioural tests go through the API and the pages; what is stored is what was entered."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework import fields as drf
from rest_framework import serializers
from rest_framework.test import APIClient

from catalog.models import Dataset
from config.api.serializers import StrictSerializer
from config.errors import InvalidInput
from config.text import DisplayableText, displayable, displayable_filename, text_refusal
from contracts.registry import templates_current
from marketplace.services.participants import api_key_create, organization_create
from settlement.models import Download
from tests.builders import entitled, offer_data, published_dataset, signed_in, text

ROOT = Path(__file__).resolve().parents[1]
PROJECT_APPS = ("config", "catalog", "contracts", "marketplace", "settlement", "deals", "streams", "demo")

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
SPOOFED = f"Invoice{RLO}gpj.exe"  # shows as "Invoiceexe.jpg"
LEGAL_NAME = "（株）サクラ物流"  # full-width parentheses: NFKC would make them ASCII; stored as typed

# Fields that take input but are not text anyone reads, each with why; every entry must still exist.
NOT_DISPLAYED: dict[str, str] = {
    "marketplace.api.orders.OrderCreateSerializer.accepted_terms_sha256": "64 hex digits (its pattern)",
    "deals.api.auctions.AuctionBidCreateSerializer.accepted_terms_sha256": "64 hex digits (its pattern)",
    "settlement.api.payment_methods.PaymentMethodCreateSerializer.payment_method": "a provider token (its pattern)",
    "marketplace.web.orders.TermsAcceptanceForm.accepted_terms_sha256": "64 hex digits (its pattern)",
    "marketplace.web.orders.BuyNowForm.accepted_terms_sha256": "64 hex digits (its pattern)",
    "marketplace.web.orders.BidForm.accepted_terms_sha256": "64 hex digits (its pattern)",
    "deals.web.auctions.AuctionBidForm.accepted_terms_sha256": "64 hex digits (its pattern)",
    "marketplace.web.session.EmailAuthenticationForm.username": "sign-in: compared with a member, never stored",
    "marketplace.web.session.EmailAuthenticationForm.password": "sign-in: any character may be in a password",
    "marketplace.web.signup.ApplicationForm.password": "a new password: any character may be in it, never shown",
    "marketplace.web.signup.ApplicationForm.password_again": "a new password: any character may be in it, never shown",
    "marketplace.web.members.InvitationForm.password": "a new password: any character may be in it, never shown",
    "marketplace.web.members.InvitationForm.password_again": "a new password: any character may be in it, never shown",
}


# --- the rule ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "multiline", "code"),
    [
        (SPOOFED, False, "bidi_control"),
        ("a\u2066b\u2069", True, "bidi_control"),  # isolates, even in long text
        ("bell\x07", False, "control_character"),
        ("escape\x1b[31m", True, "control_character"),
        ("C1\x85", True, "control_character"),
        ("two\nlines", False, "control_character"),
        ("tab\tbed", False, "control_character"),
        ("line\u2028separator", False, "control_character"),
        ("\u200b\u200b", False, "invisible"),
        ("\u200d\ufeff \u3000\u2060", True, "invisible"),
        ("\u3164\ufe0f", False, "invisible"),  # a Hangul filler and a variation selector draw nothing
    ],
)
def test_what_is_refused(value: str, multiline: bool, code: str) -> None:
    refusal = text_refusal(value, multiline=multiline)
    assert refusal is not None and refusal.code == code
    with pytest.raises(ValidationError) as raised:
        DisplayableText(multiline=multiline)(value)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("value", "multiline"),
    [
        (LEGAL_NAME, False),
        ("Bridge strain gauges 橋梁ひずみ", False),
        ("first line\r\nsecond line\n\tindented", True),
        ("👨\u200d👩\u200d👧 family", False),  # ZWJ inside visible text
        ("עברית\u200fABC", False),  # a right-to-left mark only sets the direction of neutrals
        ("", False),  # whether a value is required is the field's business
    ],
)
def test_what_is_allowed(value: str, multiline: bool) -> None:
    assert text_refusal(value, multiline=multiline) is None


def test_a_refusal_names_the_character() -> None:
    refusal = text_refusal(SPOOFED)
    assert refusal is not None and "U+202E RIGHT-TO-LEFT OVERRIDE" in str(refusal)
    control = text_refusal("bell\x07")
    assert control is not None and "U+0007" in str(control)


def test_an_upload_is_refused_by_its_name() -> None:
    with pytest.raises(ValidationError):
        displayable_filename(SimpleUploadedFile(f"{SPOOFED}.csv", b"a\n1\n"))
    displayable_filename(SimpleUploadedFile("橋梁 2024.csv", b"a\n1\n"))


def test_displayable_drops_what_could_disguise_text() -> None:
    assert displayable(f"Invoice{RLO}gpj.exe\x07\u200b") == "Invoicegpj.exe"
    assert displayable(LEGAL_NAME) == LEGAL_NAME


# --- every field carries it ----------------------------------------------------------------------------------


def _modules(package: str) -> Iterator[ModuleType]:
    for app in PROJECT_APPS:
        try:
            parent = importlib.import_module(f"{app}.{package}")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(getattr(parent, "__path__", [])):
            yield importlib.import_module(f"{app}.{package}.{info.name}")


def _classes(package: str, base: type) -> list[type]:
    return [
        cls
        for module in _modules(package)
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, base) and cls.__module__ == module.__name__
    ]


def _serializers_instantiated_with_data() -> set[str]:
    """Names of the serializers the project's code builds with ``data=``: the ones that validate input."""
    names: set[str] = set()
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and any(keyword.arg == "data" for keyword in node.keywords)
                ):
                    names.add(node.func.id)
    return names


def _request_serializers() -> set[type]:
    """Every serializer the API takes a body with: those its OpenAPI document states as request bodies, and those
    the code validates input with (so an undocumented one is found too)."""
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    # The registry keeps the serializer behind each component (private, but a change there fails this test
    # loudly: the walk checks below that it found the API's request serializers).
    documented = {
        type(component.object)
        for component in generator.registry._components.values()
        if isinstance(component.object, serializers.BaseSerializer) and component.name.endswith("Request")
    }
    validating = _serializers_instantiated_with_data()
    in_code = {cls for cls in _classes("api", serializers.BaseSerializer) if cls.__name__ in validating}
    return documented | in_code


def _serializer_fields(field: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(field, serializers.ListSerializer):
        yield from _serializer_fields(field.child, f"{path}[]")
    elif isinstance(field, serializers.Serializer):
        for name, child in field.fields.items():
            yield from _serializer_fields(child, f"{path}.{name}")
    elif isinstance(field, drf.ListField | drf.DictField):
        yield from _serializer_fields(field.child, f"{path}[]")
    elif not field.read_only:
        yield path, field


def _refusals(path: str, field: Any) -> str | None:
    """Why ``field`` (a serializer's or a form's) lacks the rule, or None."""
    validators = list(field.validators)
    if isinstance(field, drf.FileField | forms.FileField):
        return None if displayable_filename in validators else f"{path}: no displayable_filename"
    if isinstance(field, forms.UUIDField):  # a Django CharField, parsed into a UUID
        return None
    if isinstance(field, drf.CharField | forms.CharField) and not any(
        isinstance(v, DisplayableText) for v in validators
    ):
        return None if path.split("[")[0] in NOT_DISPLAYED else f"{path}: no DisplayableText"
    return None


def test_the_walk_finds_the_apis_request_serializers() -> None:
    names = {cls.__name__ for cls in _request_serializers()}
    assert {"DatasetCreateSerializer", "OfferingCreateSerializer", "WebhookEndpointCreateSerializer"} <= names
    strict = {cls.__name__ for cls in _classes("api", StrictSerializer) if cls is not StrictSerializer}
    assert strict <= names, "every StrictSerializer takes a request body"


def test_every_text_field_the_api_takes_carries_the_rule() -> None:
    missing, seen = [], set()
    for cls in _request_serializers():
        for path, field in _serializer_fields(cls(), f"{cls.__module__}.{cls.__name__}"):
            seen.add(path.split("[")[0])
            missing.append(_refusals(path, field))
    assert not [m for m in missing if m], "add validators=[displayable_line] (config.text) to:\n" + "\n".join(
        m for m in missing if m
    )
    assert "catalog.api.datasets.DatasetCreateSerializer.title" in seen
    assert "catalog.api.datasets.DatasetCreateSerializer.anonymization.method" in seen
    stale = {name for name in NOT_DISPLAYED if ".api." in name} - seen
    assert not stale, f"exempt fields that no longer exist: {stale}"


# Forms whose constructor needs arguments: how the walk builds them (a new one fails the walk until added here).
FORM_FACTORIES: dict[str, Callable[[type], forms.BaseForm]] = {
    "OfferingForm": lambda cls: cls(template=templates_current()[0], data_class="anonymized", lang="en"),
    "AuctionForm": lambda cls: cls(template=templates_current()[0], data_class="anonymized", lang="en"),
    "DatasetEditForm": lambda cls: cls(anonymized=True, disclosure_locked=False),
    "UsageFilterForm": lambda cls: cls(datasets=[]),
}


def _admin_forms() -> Iterator[tuple[str, Any]]:
    """The forms the operator's console edits the project's models with (read-only consoles edit nothing)."""
    request = RequestFactory().get("/admin/")
    # An operator who may do anything: the console's own permission checks decide what is editable.
    operator = SimpleNamespace(is_active=True, is_staff=True, is_superuser=True, has_perm=lambda *a, **k: True)
    request.user = operator  # type: ignore[assignment]
    for model in apps.get_models():
        if model._meta.app_label not in {"api", *PROJECT_APPS} or not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue
        yield f"admin.{model.__name__}", model_admin.get_form(request, None, change=True)
        for inline in model_admin.get_inline_instances(request, None):
            yield f"admin.{model.__name__}.{type(inline).__name__}", inline.get_formset(request, None).form


def test_every_text_field_of_the_pages_and_the_console_carries_the_rule() -> None:
    missing, seen = [], set()
    form_classes = _classes("web", forms.BaseForm)
    assert {"DatasetCreateForm", "OfferingForm", "WithdrawForm"} <= {cls.__name__ for cls in form_classes}
    built: list[tuple[str, dict[str, Any]]] = []
    for cls in form_classes:
        factory = FORM_FACTORIES.get(cls.__name__, lambda cls: cls())
        try:
            form = factory(cls)
        except TypeError as error:
            pytest.fail(f"{cls.__name__} needs arguments: say how to build it in FORM_FACTORIES ({error})")
        built.append((f"{cls.__module__}.{cls.__name__}", form.fields))
    built += [(name, dict(form.base_fields)) for name, form in _admin_forms()]
    assert any(name == "admin.Organization" for name, _ in built)
    for owner, fields in built:
        for name, field in fields.items():
            seen.add(f"{owner}.{name}")
            missing.append(_refusals(f"{owner}.{name}", field))
    assert not [m for m in missing if m], "add validators=[displayable_line] (config.text) to:\n" + "\n".join(
        m for m in missing if m
    )
    assert {"marketplace.web.offerings.OfferingForm.purpose", "admin.Organization.name"} <= seen
    stale = {name for name in NOT_DISPLAYED if ".api." not in name} - seen
    assert not stale, f"exempt fields that no longer exist: {stale}"


# --- through the API -----------------------------------------------------------------------------------------


def _problem_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid"
    return body["errors"]


DATASET = {"data_class": "iot", "category": "infrastructure"}


@pytest.mark.django_db
def test_the_api_refuses_spoofing_text_naming_the_field(seller) -> None:
    post = seller.client.post
    errors = _problem_errors(post("/api/v1/datasets", {**DATASET, "title": SPOOFED}, format="json"))
    assert list(errors) == ["title"] and "U+202E RIGHT-TO-LEFT OVERRIDE" in errors["title"][0]
    errors = _problem_errors(
        post("/api/v1/datasets", {**DATASET, "title": "Gauges", "region": "Osaka\x07"}, format="json")
    )
    assert list(errors) == ["region"] and "control character U+0007" in errors["region"][0]
    errors = _problem_errors(post("/api/v1/datasets", {**DATASET, "title": "\u200b\u200c\u200d"}, format="json"))
    assert list(errors) == ["title"] and "nothing visible" in errors["title"][0]
    errors = _problem_errors(
        post("/api/v1/datasets", {**DATASET, "title": "Gauges", "tags": ["bridge", "\ufeff"]}, format="json")
    )
    assert list(errors) == ["tags.1"]
    assert not Dataset.objects.exists(), "nothing refused was stored"


@pytest.mark.django_db
def test_the_api_stores_what_was_entered(seller) -> None:
    description = "First line.\nSecond line,\r\n\tindented."
    response = seller.client.post(
        "/api/v1/datasets", {**DATASET, "title": LEGAL_NAME, "description": description}, format="json"
    )
    assert response.status_code == 201, response.content
    dataset = Dataset.objects.get(pk=response.json()["id"])
    assert (dataset.title, dataset.description) == (LEGAL_NAME, description)
    changed = seller.client.patch(f"/api/v1/datasets/{dataset.id}", {"title": f"Gauges{RLO}"}, format="json")
    assert list(_problem_errors(changed)) == ["title"]
    dataset.refresh_from_db()
    assert dataset.title == LEGAL_NAME


@pytest.mark.django_db
def test_contract_terms_a_party_reads_follow_the_rule(seller) -> None:
    dataset = published_dataset(seller)
    offering = {"dataset": str(dataset.id), "template": "meti-data-provision", "license_seats": 5}
    refused = seller.client.post(
        "/api/v1/offerings", {**offering, "terms": {"forum": f"Tokyo District Court{RLO}"}}, format="json"
    )
    assert list(_problem_errors(refused)) == ["terms.forum"]
    purpose = "Research on road maintenance.\nNo other use."
    accepted = seller.client.post("/api/v1/offerings", {**offering, "terms": {"purpose": purpose}}, format="json")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["terms"]["purpose"] == purpose


@pytest.mark.django_db
def test_names_typed_without_a_form_follow_the_rule_and_are_kept_as_typed() -> None:
    """``manage.py onboard`` names an organisation and its first key through the services, with no form."""
    with pytest.raises(InvalidInput) as refused:
        organization_create(name=f"Sakura{RLO}", roles={"seller"})
    assert list(refused.value.errors) == ["name"]
    organization = organization_create(name=LEGAL_NAME, roles={"seller"})
    assert organization.name == LEGAL_NAME
    with pytest.raises(InvalidInput):
        api_key_create(organization=organization, name="​")
    assert api_key_create(organization=organization, name="本番キー").api_key.name == "本番キー"


# --- through the pages ---------------------------------------------------------------------------------------


def _form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Tunnel humidity",
        "description": "",
        "data_class": "iot",
        "category": "infrastructure",
        "tags": "",
        "region": "",
        "update_frequency": "once",
        "quasi_identifiers": "",
        "personal_info_items": "",
        "method": "",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "bidi", "invisible"),
    [
        ("en", "a bidirectional control character", "Contains nothing visible"),
        ("ja", "双方向制御文字 U+202E RIGHT-TO-LEFT OVERRIDE", "表示される文字がありません"),
    ],
)
def test_the_pages_refuse_spoofing_text_in_the_readers_language(seller, lang: str, bidi: str, invisible: str) -> None:
    client = signed_in(seller, lang=lang)
    page = text(client.post("/sell/datasets/new/", _form(title=SPOOFED)))
    assert bidi in page
    page = text(client.post("/sell/datasets/new/", _form(tags="bridge, \u200b")))
    assert invisible in page
    assert not Dataset.objects.exists()

    created = client.post("/sell/datasets/new/", _form(title=LEGAL_NAME, description="Line one.\r\nLine two."))
    assert created.status_code == 302
    dataset = Dataset.objects.get()
    assert (dataset.title, dataset.description) == (LEGAL_NAME, "Line one.\r\nLine two.")


@pytest.mark.django_db
def test_the_offer_page_refuses_a_spoofed_purpose(seller) -> None:
    dataset = published_dataset(seller)
    page = signed_in(seller).post(f"/sell/datasets/{dataset.id}/offer/", offer_data(purpose=f"Research{RLO}only."))
    assert page.status_code == 200 and "a bidirectional control character" in text(page)


# --- what the market writes out of stored text ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_download_name_never_carries_a_stored_override(seller, buyer, django_capture_on_commit_callbacks) -> None:
    entitlement = entitled(seller, buyer, django_capture_on_commit_callbacks)
    # A title stored before the rule existed: written to the row, as no form or endpoint takes it any more.
    Dataset.objects.filter(pk=entitlement.dataset_version.dataset_id).update(title=f"Invoice{RLO}vsc.1v-exe.jpg\x07")
    url = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()["download_url"]
    with django_capture_on_commit_callbacks(execute=True):
        response: Any = APIClient().get(url)
        b"".join(response.streaming_content)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "%E2%80%AE" not in disposition.upper() and RLO not in disposition and "\x07" not in disposition
    assert "Invoicevsc.1v-exe.jpg-v1.csv" in disposition
    assert Download.objects.filter(completed=True).count() == 1
