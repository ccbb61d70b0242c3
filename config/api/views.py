from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views import View
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api.problems import PROBLEM_TYPES

_CODE_SPAN = re.compile(r"`([^`]+)`")


def _with_code(text: str) -> SafeString:
    """The explanation with its `backticked` names as code: escaped first, so only the <code> tags are markup."""
    return mark_safe(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))  # noqa: S308 - escaped above


class ProblemTypesView(View):
    """Human documentation of each problem ``type`` URI, as RFC 9457 recommends, in the reader's language
    (the API's problem details keep the English titles)."""

    def get(self, request: HttpRequest, code: str | None = None) -> HttpResponse:
        if code is not None and code not in PROBLEM_TYPES:
            raise Http404
        items = [
            (c, gettext(PROBLEM_TYPES[c][0]), _with_code(gettext(PROBLEM_TYPES[c][1])))
            for c in ([code] if code else sorted(PROBLEM_TYPES))
        ]
        return render(request, "problems.html", {"items": items})


class SchemaView(SpectacularAPIView):
    """The OpenAPI document: YAML by default, JSON for ``Accept: application/json`` or ``?format=json``."""


class DocsView(SpectacularSwaggerView):
    # A page to look at. OPTIONS would render DRF's metadata through the page's HTML renderer, which has no
    # template for it (a 500): every method but GET and HEAD is a 405.
    http_method_names = ["get", "head"]
