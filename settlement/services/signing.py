"""The market's ES256 key that signs provider-delivery tokens, and its public half as a JWKS.

A seller who delivers from its own server verifies our JWTs offline with the key published at
``/.well-known/jwks.json``; it never calls back. The private key comes from
``ICHIBA_JWT_PRIVATE_KEY`` (PEM; production) or, when that is empty, from the file
``ICHIBA_JWT_KEY_FILE``, which is generated once (dev and tests). Every web process must sign with
the same key, so a multi-host deployment sets the PEM: a generated file is per host.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured

from config.market import market_settings

ALGORITHM = "ES256"


@dataclass(frozen=True)
class SigningKey:
    private_key: ec.EllipticCurvePrivateKey
    kid: str
    public_jwk: dict[str, str]


_lock = threading.Lock()
_cache: dict[tuple[str, str], SigningKey] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _public_jwk(key: ec.EllipticCurvePrivateKey) -> tuple[str, dict[str, str]]:
    numbers = key.public_key().public_numbers()
    members = {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
    }
    # RFC 7638: the thumbprint is over the required members only, sorted, without whitespace.
    thumbprint = _b64url(hashlib.sha256(json.dumps(members, sort_keys=True, separators=(",", ":")).encode()).digest())
    return thumbprint, {**members, "kid": thumbprint, "use": "sig", "alg": ALGORITHM}


def _load_pem(pem: bytes, *, source: str) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{source} is not an unencrypted PEM private key.") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured(f"{source} must be an EC P-256 key (ES256).")
    return key


def _pem_of(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_or_create_file(path: Path) -> ec.EllipticCurvePrivateKey:
    if path.exists():
        return _load_pem(path.read_bytes(), source=str(path))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = _pem_of(ec.generate_private_key(ec.SECP256R1()))
    # Written whole to a private temporary file, then hard-linked into place: the link fails if another
    # process created the key first, so every process ends up with the same (first) key, never a torn file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return _load_pem(path.read_bytes(), source=str(path))


def signing_key() -> SigningKey:
    """The current key (cached per configured source, so tests may point ``JWT_KEY_FILE`` elsewhere)."""
    market = market_settings()
    pem_setting = market.jwt_private_key
    key_file = market.jwt_key_file
    cache_key = (pem_setting, "" if pem_setting or key_file is None else str(key_file))
    with _lock:
        found = _cache.get(cache_key)
        if found is not None:
            return found
        if pem_setting:
            key = _load_pem(pem_setting.encode(), source="ICHIBA_JWT_PRIVATE_KEY")
        elif key_file is not None:
            key = _load_or_create_file(key_file)
        else:
            raise ImproperlyConfigured("Set ICHIBA_JWT_PRIVATE_KEY (PEM) or ICHIBA_JWT_KEY_FILE.")
        kid, jwk = _public_jwk(key)
        found = _cache[cache_key] = SigningKey(private_key=key, kid=kid, public_jwk=jwk)
        return found


def jwks() -> dict[str, Any]:
    """The JSON Web Key Set sellers verify delivery tokens with (RFC 7517)."""
    return {"keys": [signing_key().public_jwk]}
