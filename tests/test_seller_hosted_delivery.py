"""Seller-hosted delivery end to end (docs/delivery.md): a seller sets its delivery URL through the API, a buyer
buys and mints a token, and the seller's server verifies it with the very code docs/delivery.md gives sellers,
fetching the market's keys over HTTP from a running server."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from config.market import market_settings
from settlement.services import signing
from tests.builders import buy, published_offering

ROOT = Path(__file__).resolve().parents[1]
SELLER_URL = "https://data.seller.example:8443/ichiba/gauges?format=csv"


def sellers_verifier_class() -> Any:
    """The ``python`` block of docs/delivery.md, run as a seller would paste it."""
    docs = (ROOT / "docs" / "delivery.md").read_text(encoding="utf-8")
    [snippet] = [block.split("```", 1)[0] for block in docs.split("```python\n")[1:]]
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "docs/delivery.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["DeliveryTokenVerifier"]


def pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def forged(claims: dict[str, Any], *, kid: str, key: Any = None) -> str:
    return jwt.encode(claims, key or ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": kid})


def test_the_sellers_server_verifies_a_market_token_with_the_code_in_the_docs(
    seller, buyer, live_server, settings, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": pem()}
    offering = published_offering(seller, capture, title="Gauges at home", delivery_url=SELLER_URL)
    assert (offering["delivery"], offering["delivery_url"]) == ("provider", SELLER_URL)
    entitlement = buy(seller, buyer, offering, capture)
    minted = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens")
    assert minted.status_code == 201, minted.content
    token = minted.json()
    assert (token["kind"], token["download_url"]) == ("jwt", SELLER_URL)

    verifier = sellers_verifier_class()(
        market=live_server.url, issuer=market_settings().jwt_issuer, delivery_url=offering["delivery_url"]
    )
    claims = verifier.verify(f"Bearer {token['token']}")
    assert claims["aud"] == "https://data.seller.example:8443"
    assert (claims["ent"], claims["dv"], claims["sub"]) == (
        str(entitlement.id),
        str(entitlement.dataset_version_id),
        buyer.id,
    )
    assert claims["sha256"] == entitlement.dataset_version.sha256, "the seller serves the file with this hash"
    assert claims["nbf"] <= time.time() < claims["exp"] <= claims["iat"] + 15 * 60

    # What the seller's server refuses.
    refuse = pytest.raises(jwt.PyJWTError)
    with refuse:
        verifier.verify(token["token"])  # not a bearer header
    other_server = sellers_verifier_class()(
        market=live_server.url, issuer=market_settings().jwt_issuer, delivery_url="https://other.seller.example/data"
    )
    with pytest.raises(jwt.InvalidAudienceError):
        other_server.verify(f"Bearer {token['token']}")
    head, payload, signature = token["token"].split(".")
    changed = {**claims, "sha256": "0" * 64}
    tampered = base64.urlsafe_b64encode(json.dumps(changed).encode()).decode().rstrip("=")
    with pytest.raises(jwt.InvalidSignatureError):
        verifier.verify(f"Bearer {head}.{tampered}.{signature}")
    market_key = signing.signing_key()
    with pytest.raises(jwt.ExpiredSignatureError):
        verifier.verify(
            "Bearer " + forged({**claims, "exp": int(time.time()) - 60}, kid=market_key.kid, key=market_key.private_key)
        )
    with pytest.raises(jwt.ImmatureSignatureError):
        verifier.verify(
            "Bearer "
            + forged({**claims, "nbf": int(time.time()) + 600}, kid=market_key.kid, key=market_key.private_key)
        )
    with pytest.raises(jwt.MissingRequiredClaimError):
        verifier.verify(
            "Bearer "
            + forged({k: v for k, v in claims.items() if k != "sha256"}, kid=market_key.kid, key=market_key.private_key)
        )
    with pytest.raises(jwt.InvalidAlgorithmError):  # the market's key as an HMAC secret: the algorithm is not ES256
        verifier.verify("Bearer " + jwt.encode(claims, "s" * 32, algorithm="HS256", headers={"kid": market_key.kid}))
    with pytest.raises(jwt.InvalidSignatureError):  # another key under the market's kid
        verifier.verify("Bearer " + forged(claims, kid=market_key.kid))
    with pytest.raises(jwt.PyJWKClientError):  # a key the market does not publish
        verifier.verify("Bearer " + forged(claims, kid="not-the-markets"))

    # The market rotates its key: a token under the new kid makes the verifier fetch the keys again, once (the
    # test does not wait out PyJWKClient's cool-down between refetches).
    verifier.keys.cooldown_duration = 0
    settings.ICHIBA = {**settings.ICHIBA, "JWT_PRIVATE_KEY": pem()}
    rotated = buyer.client.post(f"/api/v1/entitlements/{entitlement.id}/tokens").json()
    assert jwt.get_unverified_header(rotated["token"])["kid"] != market_key.kid
    assert verifier.verify(f"Bearer {rotated['token']}")["ent"] == str(entitlement.id)
