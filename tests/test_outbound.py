"""The one guard for other parties' URLs (config/outbound.py), which partner webhooks and sellers' delivery URLs
share. Its use by each is tested beside it (settlement/tests/test_webhooks_out.py,
marketplace/tests/test_delivery_url.py); here, what it refuses and why, with and without private targets."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from config import outbound
from config.errors import InvalidInput

PUBLIC = "93.184.215.14"


@pytest.fixture
def production(settings: Any) -> None:
    """The guard as production runs it: no private targets (local and test settings allow them)."""
    settings.ICHIBA = {**settings.ICHIBA, "WEBHOOK_ALLOW_PRIVATE_TARGETS": False}


def reason(url: str) -> str:
    with pytest.raises(InvalidInput) as refused:
        outbound.outbound_url_clean(url, field="where", max_length=500)
    [why] = refused.value.errors["where"]
    assert why in outbound.REASONS
    assert refused.value.status == 400 and refused.value.detail.startswith("where ")
    return why


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://data.seller.example/d", "https required"),
        ("ftp://data.seller.example/d", "invalid"),
        ("https:///d", "invalid"),
        ("data.seller.example/d", "invalid"),
        ("https://data.seller.example:0/d", "invalid"),
        ("https://data.seller.example:99999/d", "invalid"),
        ("https://user:secret@data.seller.example/d", "credentials not allowed"),
        ("https://user@data.seller.example/d", "credentials not allowed"),
        ("https://data.seller.example/d#part", "fragment not allowed"),
        ("https://data.seller.example/d#", "fragment not allowed"),
        ("https://☃.example/d", "invalid host"),
        ("https://127.0.0.1/d", "private address"),
        ("https://[::1]/d", "private address"),
        ("https://10.20.30.40/d", "private address"),
        ("https://169.254.169.254/latest/meta-data", "private address"),
        ("https://[64:ff9b::a9fe:a9fe]/d", "private address"),
        ("https://localhost/d", "private address"),
        ("https://LOCALHOST./d", "private address"),
        ("https://metadata.google.internal/d", "private address"),
        ("https://printer.local/d", "private address"),
        ("https://ｍｅｔａｄａｔａ.ｉｎｔｅｒｎａｌ/d", "private address"),
        # RFC 6761: a name under .invalid never resolves, whatever the resolver (the real one is asked).
        ("https://no-such-host.invalid/d", "unresolvable"),
    ],
)
def test_what_production_refuses(production: None, url: str, why: str) -> None:
    assert reason(url) == why


def test_a_name_must_resolve_to_public_addresses_only(production: None, dns: Any) -> None:
    dns.answers["data.seller.example"] = [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    dns.answers["intranet.seller.example"] = ["10.1.2.3"]
    dns.answers["mixed.seller.example"] = [PUBLIC, "127.0.0.1"]
    dns.answers["nat64.seller.example"] = ["64:ff9b::a9fe:a9fe"]
    assert outbound.outbound_url_clean("https://data.seller.example/d", field="where", max_length=500)
    for host in ("intranet", "mixed", "nat64"):
        assert reason(f"https://{host}.seller.example/d") == "private address", host
    assert dns.asked.count("data.seller.example") == 1


def test_the_stored_url_is_the_ascii_uri_with_the_origin_a_token_names(production: None, dns: Any) -> None:
    dns.answers["data.seller.example"] = [PUBLIC]
    dns.answers["xn--r8jz45g.jp"] = [PUBLIC]

    def clean(url: str) -> str:
        return outbound.outbound_url_clean(url, field="where", max_length=500)

    assert clean("  https://Data.Seller.EXAMPLE:443/V1/gauges?format=csv ") == (
        "https://data.seller.example/V1/gauges?format=csv"
    )
    assert clean("https://data.seller.example:8443") == "https://data.seller.example:8443"
    assert clean("https://例え.JP/パス?q=値") == "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%E5%80%A4"
    with pytest.raises(InvalidInput) as refused:
        outbound.outbound_url_clean("https://例え.jp/" + "データ" * 20, field="where", max_length=100)
    assert refused.value.errors == {"where": ["too long"]}


def test_a_name_that_does_not_resolve_in_time_is_refused_without_waiting_for_it(
    production: None, dns: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbound, "RESOLVE_TIMEOUT_SECONDS", 0.3)
    released = threading.Event()
    dns.answers["slow-dns.seller.example"] = lambda: [PUBLIC] if released.wait(30) else []
    started = time.monotonic()
    try:
        assert reason("https://slow-dns.seller.example/d") == "resolution timed out"
        assert time.monotonic() - started < 5
    finally:
        released.set()


def test_with_private_targets_allowed_http_and_any_host_pass_unresolved(dns: Any) -> None:
    """Local and test settings: receivers and sellers' servers on 127.0.0.1 work; no name is looked up."""
    assert outbound.private_targets_allowed()
    assert outbound.outbound_url_clean("http://127.0.0.1:8000/d", field="where", max_length=500) == (
        "http://127.0.0.1:8000/d"
    )
    assert outbound.outbound_url_clean("https://no-such-host.invalid/d", field="where", max_length=500)
    assert dns.asked == []
    # What is wrong whatever the setting stays refused.
    assert reason("https://user:secret@127.0.0.1/d") == "credentials not allowed"
    assert reason("http://127.0.0.1/d#part") == "fragment not allowed"
    assert reason("ftp://127.0.0.1/d") == "invalid"
