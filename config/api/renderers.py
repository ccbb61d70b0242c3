"""Renderers for the JSON dialects the API serves besides plain JSON; each view lists what it serves in its
``renderer_classes`` and ``config.api.negotiation`` picks one per request."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer


class JSONLDRenderer(JSONRenderer):
    """JSON-LD (ODRL policies): a JSON document, served as ``application/ld+json``."""

    media_type = "application/ld+json"
    format = "jsonld"


class JWKSetRenderer(JSONRenderer):
    """A JSON Web Key Set (RFC 7517), served as ``application/jwk-set+json``."""

    media_type = "application/jwk-set+json"
    format = "jwks"
