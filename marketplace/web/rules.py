"""The market rules page: the platform rules every participant trades under, in the reader's language."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from config.market import market_settings
from contracts.meti.platform_rules import PLATFORM_RULES, PLATFORM_RULES_VERSION


def market_rules(request: HttpRequest) -> HttpResponse:
    """The platform rules every participant trades under, in the reader's language (transparency)."""
    lang = "ja" if translation.get_language() == "ja" else "en"
    sections = [{"code": s.code, "title": s.title[lang], "text": s.text[lang]} for s in PLATFORM_RULES]
    return render(
        request,
        "web/rules.html",
        {
            "sections": sections,
            "version": PLATFORM_RULES_VERSION,
            "fee_percent": market_settings().platform_fee_rate * 100,
        },
    )
