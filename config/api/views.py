from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from config.api.problems import PROBLEM_TYPES


class ProblemTypesView(View):
    """Human documentation of each problem ``type`` URI, as RFC 9457 recommends."""

    def get(self, request: HttpRequest, code: str | None = None) -> HttpResponse:
        if code is not None and code not in PROBLEM_TYPES:
            raise Http404
        items = [(c, *PROBLEM_TYPES[c]) for c in ([code] if code else sorted(PROBLEM_TYPES))]
        return render(request, "problems.html", {"items": items})
