"""Pages of the catalog for people: search, a dataset's page, and the seller's own pages.

Thin like the API views: read through ``catalog.selectors``, write through ``catalog.services``, and turn
a ``DomainError`` into a message on the page. No rule of the market is decided here.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from catalog import selectors
from catalog.hooks import dataset_panel, offerings_for_dataset
from catalog.models import DataClass, Dataset, DatasetVersion
from catalog.services import datasets as dataset_services
from catalog.services import versions as version_services
from catalog.uploads import HashingUploadHandler
from catalog.web.checks import check_detail
from catalog.web.forms import DatasetCreateForm, DatasetEditForm, SearchForm, VersionUploadForm, WithdrawForm
from config.api.principal import SELLER, Principal, principal_of
from config.errors import DomainError, NotFound
from config.web import principal_required

CATALOG_PAGE_SIZE = 12
SELLER_PAGE_SIZE = 50

# Names of the validation checks (catalog.validation) as people read them; unknown names show as they are.
CHECK_LABELS = {
    "stored_file": gettext_lazy("Stored file"),
    "checksum": gettext_lazy("Checksum (SHA-256)"),
    "encoding": gettext_lazy("Encoding (UTF-8)"),
    "parse": gettext_lazy("File can be read"),
    "schema": gettext_lazy("Columns and types"),
    "row_count": gettext_lazy("Number of rows"),
    "timestamp": gettext_lazy("Timestamps"),
    "direct_identifiers": gettext_lazy("No direct identifiers (e-mail, phone, My Number)"),
    "k_anonymity": gettext_lazy("k-anonymity over the quasi-identifiers"),
}


def _viewer_id(request: HttpRequest) -> uuid.UUID | None:
    principal = principal_of(request)
    return principal.organization_id if principal is not None else None


# Checks only the session, never the request body, so the upload view can still choose its upload handlers
# after it.
seller_required = principal_required(
    refusal=gettext_lazy("Only organisations with the seller role may list data."), role=SELLER
)


def _owned(dataset_id: uuid.UUID, principal: Principal) -> Dataset:
    try:
        return selectors.dataset_get_owned(dataset_id=dataset_id, seller_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _published_versions(queryset: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """Each dataset's published version numbers, newest first, as ``published_versions``."""
    return queryset.prefetch_related(
        Prefetch(
            "versions",
            queryset=DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED)
            .only("number", "dataset_id")
            .order_by("-number"),
            to_attr="published_versions",
        )
    )


def _time_range(version: DatasetVersion | None) -> tuple[Any, Any] | None:
    """First and last timestamp of an IoT version: validation stores ``[start, end]`` (ValidationReport)."""
    value = version.time_range if version is not None else None
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None


def _checks(version: DatasetVersion) -> list[dict[str, Any]]:
    return [
        {
            "name": check.get("name", ""),
            "label": CHECK_LABELS.get(check.get("name", ""), check.get("name", "")),
            "passed": bool(check.get("passed")),
            "detail": check_detail(check.get("name", ""), check.get("detail", "")),
        }
        for check in version.checks or []
        if isinstance(check, dict)
    ]


# --- public pages ----------------------------------------------------------------------------------


def catalog(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error and ignored; the valid ones still apply
    data = form.cleaned_data
    filters = selectors.SearchFilters(
        q=data.get("q") or "",
        data_class=data.get("data_class") or "",
        category=data.get("category") or "",
        tag=data.get("tag") or "",
        seller=data.get("seller"),
    )
    results = _published_versions(selectors.dataset_search(viewer_org_id=_viewer_id(request), filters=filters))
    page = Paginator(results, CATALOG_PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any([filters.q.strip(), filters.data_class, filters.category, filters.tag, filters.seller])
    seller_name = ""
    if filters.seller and page.object_list:
        seller_name = page.object_list[0].seller.name
    return render(
        request,
        "catalog/catalog.html",
        {"form": form, "page": page, "filters": filters, "filtered": filtered, "seller_name": seller_name},
    )


def dataset_detail(request: HttpRequest, dataset_id: uuid.UUID) -> HttpResponse:
    viewer = _viewer_id(request)
    try:
        dataset = selectors.dataset_get(dataset_id=dataset_id, viewer_org_id=viewer)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    latest = selectors.latest_published_version(dataset=dataset)
    return render(
        request,
        "catalog/dataset.html",
        {
            "dataset": dataset,
            "is_owner": viewer is not None and viewer == dataset.seller_id,
            "versions": list(selectors.versions_visible(dataset=dataset, viewer_org_id=viewer)),
            "latest": latest,
            "time_range": _time_range(latest),
            "sample": selectors.dataset_sample(dataset=dataset),
            "offerings": offerings_for_dataset(dataset.id),
            "market_panel": mark_safe(dataset_panel(request, dataset.id)),  # noqa: S308 - rendered by a template
            "withdraw_form": WithdrawForm(),
        },
    )


# --- seller pages ----------------------------------------------------------------------------------


@seller_required
def seller_datasets(request: HttpRequest, principal: Principal) -> HttpResponse:
    own = selectors.dataset_search(
        viewer_org_id=principal.organization_id,
        filters=selectors.SearchFilters(seller=principal.organization_id),
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=DatasetVersion.objects.only("number", "status", "dataset_id", "created_at").order_by("-number"),
            to_attr="version_list",
        )
    )
    page = Paginator(own, SELLER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/seller_datasets.html", {"page": page})


@seller_required
def dataset_create(request: HttpRequest, principal: Principal) -> HttpResponse:
    form = DatasetCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = dataset_services.dataset_create(
                seller_id=principal.organization_id, actor_user_id=principal.user_id, **form.service_arguments()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The dataset was created as a draft. Upload its first version to list it."))
            return redirect("web:version_upload", dataset_id=dataset.id)
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": None})


@seller_required
def dataset_edit(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _owned(dataset_id, principal)
    form = DatasetEditForm(
        request.POST if request.method == "POST" else None,
        initial=DatasetEditForm.initial_for(dataset),
        anonymized=dataset.data_class == DataClass.ANONYMIZED,
        disclosure_locked=selectors.latest_published_version(dataset=dataset) is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            dataset_services.dataset_update(
                dataset_id=dataset.id,
                seller_id=principal.organization_id,
                actor_user_id=principal.user_id,
                changes=form.changes(),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("web:dataset", dataset_id=dataset.id)
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": dataset})


@require_POST
@seller_required
def dataset_withdraw(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _owned(dataset_id, principal)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        dataset_services.dataset_withdraw(
            dataset_id=dataset.id, seller_id=principal.organization_id, actor_user_id=principal.user_id, reason=reason
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The dataset was withdrawn. Licences already concluded for it are not affected."))
    return redirect("web:dataset", dataset_id=dataset.id)


@require_POST
@seller_required
def dataset_relist(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    dataset = _owned(dataset_id, principal)
    try:
        dataset_services.dataset_relist(
            dataset_id=dataset.id, seller_id=principal.organization_id, actor_user_id=principal.user_id
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The dataset is listed again."))
    return redirect("web:dataset", dataset_id=dataset.id)


def _upload_page(request: HttpRequest, dataset: Dataset, form: VersionUploadForm, *, error: str = "") -> HttpResponse:
    return render(
        request,
        "catalog/version_upload.html",
        {
            "dataset": dataset,
            "form": form,
            "upload_error": error,
            "api_url": f"/api/v1/datasets/{dataset.id}/versions",
            # upload.js puts the real number in place of the 0.
            "version_url": reverse("web:version", kwargs={"dataset_id": dataset.id, "number": 0}),
            "max_bytes": settings.ICHIBA["MAX_UPLOAD_BYTES"],
        },
    )


@csrf_exempt  # checked by _version_upload_post, once the upload handler is in place (see below)
@seller_required
def version_upload(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID) -> HttpResponse:
    """The upload page, and its plain-form fallback for browsers without JavaScript.

    The file must stream through ``HashingUploadHandler`` exactly as in the API. Upload handlers can only
    be set before the body is read, and CsrfViewMiddleware reads it (``request.POST``), so this view is
    exempt and the CSRF check runs in the inner view after the handler is set (Django's documented
    pattern for changing upload handlers).
    """
    dataset = _owned(dataset_id, principal)
    if request.method != "POST":
        return _upload_page(request, dataset, VersionUploadForm())
    limit = settings.ICHIBA["MAX_UPLOAD_BYTES"]
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:  # room for the multipart envelope, as in the API
        too_large = _("The file is larger than the limit of %(limit)s bytes.") % {"limit": f"{limit:,}"}
        return _upload_page(request, dataset, VersionUploadForm(), error=too_large)
    request.upload_handlers = [HashingUploadHandler(request, max_bytes=limit)]
    try:
        return _version_upload_post(request, principal, dataset)
    except DomainError as exc:  # refused while the file streamed in: binary, not UTF-8, too large
        return _upload_page(request, dataset, VersionUploadForm(), error=exc.detail)


@csrf_protect
def _version_upload_post(request: HttpRequest, principal: Principal, dataset: Dataset) -> HttpResponse:
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = version_services.version_upload(
                dataset_id=dataset.id,
                seller_id=principal.organization_id,
                actor_user_id=principal.user_id,
                upload=upload,
                original_filename=upload.name or "",
            )
        except DomainError as exc:
            form.add_error("file", exc.detail)
        else:
            messages.success(
                request, _("Version %(number)d was uploaded and is being validated.") % {"number": version.number}
            )
            return redirect("web:version", dataset_id=dataset.id, number=version.number)
    return _upload_page(request, dataset, form)


@seller_required
def version_detail(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID, number: int) -> HttpResponse:
    dataset = _owned(dataset_id, principal)
    try:
        version = selectors.version_get(dataset=dataset, number=number, viewer_org_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    checks = _checks(version)
    return render(
        request,
        "catalog/version.html",
        {
            "dataset": dataset,
            "version": version,
            "checks": checks,
            "time_range": _time_range(version),
            "failed": [check for check in checks if not check["passed"]],
        },
    )
