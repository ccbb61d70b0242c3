"""The catalog's version pages, for the dataset's seller: upload a new version (validated in the background) and
read how its validation went."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from catalog import selectors
from catalog.models import Dataset, DatasetVersion
from catalog.services import versions as version_services
from catalog.uploads import HashingUploadHandler
from catalog.web.access import dataset_owned, seller_required
from catalog.web.checks import check_detail, upload_refusal, upload_refusals_for_script
from catalog.web.quality import quality_panel
from config.api.principal import Principal
from config.errors import DomainError, NotFound
from config.market import market_settings
from config.text import displayable_filename

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
    "limits": gettext_lazy("Within the market's limits (columns, line and cell size)"),
    "interrupted": gettext_lazy("Validation finished"),
}


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Data file"),
        help_text=gettext_lazy(
            "CSV (.csv, UTF-8 or Shift_JIS, with a header row), JSON Lines (.jsonl, UTF-8) or Parquet (.parquet)."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.jsonl,.ndjson,.parquet,text/csv,application/x-ndjson,application/vnd.apache.parquet"
            }
        ),
        validators=[displayable_filename],
    )


def version_time_range(version: DatasetVersion | None) -> tuple[Any, Any] | None:
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
            "detail": check_detail(
                check.get("name", ""), selectors.check_detail_shown(check.get("detail"), selectors.PAGE)
            ),
        }
        for check in version.checks or []
        if isinstance(check, dict)
    ]


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
            "max_bytes": market_settings().max_upload_bytes,
            "upload_refusals": upload_refusals_for_script(),
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
    dataset = dataset_owned(dataset_id, principal)
    if request.method != "POST":
        return _upload_page(request, dataset, VersionUploadForm())
    limit = market_settings().max_upload_bytes
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
        return _upload_page(request, dataset, VersionUploadForm(), error=upload_refusal(exc.detail))


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
            form.add_error("file", upload_refusal(exc.detail))
        else:
            messages.success(
                request, _("Version %(number)d was uploaded and is being validated.") % {"number": version.number}
            )
            return redirect("web:version", dataset_id=dataset.id, number=version.number)
    return _upload_page(request, dataset, form)


@seller_required
def version_detail(request: HttpRequest, principal: Principal, dataset_id: uuid.UUID, number: int) -> HttpResponse:
    dataset = dataset_owned(dataset_id, principal)
    try:
        version = selectors.version_get(dataset=dataset, number=number, viewer_org_id=principal.organization_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    checks = _checks(version)
    schema, schema_omitted = selectors.schema_shown(version.schema, selectors.PAGE)
    return render(
        request,
        "catalog/version.html",
        {
            "dataset": dataset,
            "version": version,
            "schema": schema,
            "schema_omitted": schema_omitted,
            "checks": checks,
            "time_range": version_time_range(version),
            "failed": [check for check in checks if not check["passed"]],
            # A published version's figures; validating and rejected ones have none to show.
            "quality": quality_panel(version) if version.status == DatasetVersion.Status.PUBLISHED else None,
        },
    )
