"""Content negotiation of every API view (RFC 9110, section 12.5.1): which of a view's renderers answers a request.

A view states what it serves by its ``renderer_classes``, its own type first (``StaticHTMLRenderer`` for a contract's
HTML, ``JSONLDRenderer`` then ``JSONRenderer`` for ODRL); nothing else is needed for a client that asks for exactly
that type to get it. DRF's own negotiation ranks Accept entries by how specific they are and ignores their q-values,
so ``text/html;q=0`` still chose HTML and a lone parameter could rule a type out. Here:

* no Accept header, or an empty one, allows anything;
* each served type takes the weight (q) of the most specific entry that matches it: ``type/subtype`` with the
  parameters the renderer states (``charset``) beats ``type/subtype`` beats ``type/*`` beats ``*/*``; parameters the
  renderer does not state (``indent``, ``profile``) are passed on to it, not matched;
* the served type with the highest weight above 0 answers; a tie goes to the view's order (its own type first);
* ``q=0`` rules a type out however general the entry that allows it, and an invalid weight counts as 1;
* nothing above 0: 406, a problem (``application/problem+json``, as every error is: ``config.api.problems``) that
  names the types the endpoint serves;
* ``?format=<name>`` (the OpenAPI document's ``?format=json``) narrows the choice to the renderer of that name.

OPTIONS describes the endpoint rather than serving it, so it is negotiated over JSON alone, whatever the view
renders (an HTML renderer cannot render DRF's description of a view).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.http import parse_header_parameters
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings

_ANY = "*"


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One entry of an Accept header: ``main/sub`` (either may be ``*``), its parameters, its weight."""

    main: str
    sub: str
    params: tuple[tuple[str, str], ...]
    quality: float

    def specificity(self, served_params: dict[str, str]) -> tuple[int, int, int] | None:
        """How closely this entry names a type with ``served_params`` (its main and sub type already matched);
        None if a parameter both state differs."""
        matched = 0
        for key, value in self.params:
            if key in served_params:
                if served_params[key] != value:
                    return None
                matched += 1
        return (self.main != _ANY, self.sub != _ANY, matched)


def _quality(text: str | None) -> float:
    """A q-value; one that is not a number from 0 to 1 is disregarded (weight 1), as Django does."""
    try:
        value = float(text) if text is not None else 1.0
    except ValueError:
        return 1.0
    return round(value, 3) if 0.0 <= value <= 1.0 else 1.0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The entries of an Accept header; an absent or blank header allows anything (``*/*``). Entries that are no
    media range (``text``, ``/json``) are skipped."""
    if header is None or not header.strip():
        return [MediaRange(_ANY, _ANY, (), 1.0)]
    ranges = []
    for token in header.split(","):
        full, params = parse_header_parameters(token.strip())
        main, _slash, sub = full.lower().partition("/")
        if not main or not sub or (main == _ANY and sub != _ANY):
            continue
        quality = _quality(params.pop("q", None))
        ranges.append(MediaRange(main, sub, tuple((k.lower(), v.lower()) for k, v in params.items()), quality))
    return ranges


@dataclass(frozen=True, slots=True)
class _Served:
    renderer: BaseRenderer
    main: str
    sub: str
    params: dict[str, str]

    @classmethod
    def of(cls, renderer: BaseRenderer) -> _Served:
        full, params = parse_header_parameters(renderer.media_type)
        main, _slash, sub = full.lower().partition("/")
        stated = {k.lower(): v.lower() for k, v in params.items()}
        charset = getattr(renderer, "charset", None)
        if charset:
            stated.setdefault("charset", charset.lower())
        return cls(renderer, main, sub, stated)

    def best_match(self, ranges: Sequence[MediaRange]) -> MediaRange | None:
        """The most specific entry that allows this type (its weight is the type's), or None."""
        best: tuple[tuple[int, int, int], MediaRange] | None = None
        for entry in ranges:
            if entry.main not in (_ANY, self.main) or entry.sub not in (_ANY, self.sub):
                continue
            specificity = entry.specificity(self.params)
            if specificity is not None and (best is None or specificity > best[0]):
                best = (specificity, entry)
        return best[1] if best else None


def choose(renderers: Sequence[BaseRenderer], ranges: Sequence[MediaRange]) -> tuple[BaseRenderer, str] | None:
    """The renderer the client prefers and the media type it accepted (the renderer's, with the parameters of the
    Accept entry for it, such as ``indent``); None if it accepts none of them."""
    chosen: tuple[float, _Served, MediaRange] | None = None
    for served in map(_Served.of, renderers):
        entry = served.best_match(ranges)
        if entry is not None and entry.quality > 0 and (chosen is None or entry.quality > chosen[0]):
            chosen = (entry.quality, served, entry)
    if chosen is None:
        return None
    _quality_, served, entry = chosen
    extra = "".join(f"; {key}={value}" for key, value in entry.params if key not in served.params)
    return served.renderer, f"{served.renderer.media_type}{extra}"


def _refusal(renderers: Sequence[BaseRenderer]) -> exceptions.NotAcceptable:
    served = " or ".join(dict.fromkeys(renderer.media_type for renderer in renderers))
    return exceptions.NotAcceptable(
        f"This endpoint serves {served}; the request's Accept header allows none of it.",
        available_renderers=list(renderers),
    )


class ContentNegotiation(DefaultContentNegotiation):
    """The API's ``DEFAULT_CONTENT_NEGOTIATION_CLASS`` (see the module's docstring). The parser is still DRF's
    choice by Content-Type (an unknown one is a 415 problem)."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        offered: list[BaseRenderer] = [JSONRenderer()] if request.method == "OPTIONS" else list(renderers)
        wanted = format_suffix or request.query_params.get(api_settings.URL_FORMAT_OVERRIDE or "")
        if wanted:
            named = [renderer for renderer in offered if renderer.format == wanted]
            if not named:
                raise _refusal(offered)
            offered = named
        chosen = choose(offered, parse_accept(request.META.get("HTTP_ACCEPT")))
        if chosen is None:
            raise _refusal(offered)
        return chosen


class DisregardAccept(BaseContentNegotiation):
    """For a view that answers with one stored file whatever the client asks for (RFC 9110 lets a server disregard
    Accept instead of answering 406): download managers send ``Accept: application/octet-stream`` or ``text/csv``
    for a JSON Lines file, and they must get the file the token names."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type
