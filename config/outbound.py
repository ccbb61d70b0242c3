"""The one guard for URLs of other parties' servers the market stores: partner webhook endpoints (settlement posts
to them) and sellers' delivery endpoints (marketplace hands them to buyers with a signed token). SSRF: neither may
point the market, or a buyer's client, at loopback, private, link-local or otherwise internal addresses.

``outbound_url_clean`` checks a URL when it is stored:

- ``https`` only, with a host; ``http`` too only while private targets are allowed
  (``ICHIBA_WEBHOOK_ALLOW_PRIVATE_TARGETS``: local and test settings, never production);
- no credentials (``user:password@``), no fragment, a port that is not 0;
- an internationalised host in its IDNA (punycode) form, the host in lower case and a default port left out, so
  the stored URL is the ASCII URI it stands for and its origin is the one a token's ``aud`` names;
- unless private targets are allowed: a host that is not a private literal (``127.0.0.1``, ``[::1]``,
  ``localhost``, ``*.internal``...) and whose name resolves, within ``RESOLVE_TIMEOUT_SECONDS``, to public
  addresses only. With private targets allowed the name is not resolved at all (any host is taken).

A check when a URL is stored proves little on its own: a name's addresses may change at any time (DNS
rebinding). So whoever connects checks again, at connect time, and connects to exactly the address it checked
(``public_address``; settlement's webhook delivery does).

Refusals are ``InvalidInput`` (400) naming the field, with one stable reason each (the web pages translate
them): ``invalid``, ``https required``, ``credentials not allowed``, ``fragment not allowed``, ``invalid host``,
``too long``, ``private address``, ``unresolvable``, ``resolution timed out``.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

import idna

from config.errors import InvalidInput
from config.market import market_settings

__all__ = [
    "REASONS",
    "RESOLVE_TIMEOUT_SECONDS",
    "TargetRefused",
    "address_is_public",
    "outbound_url_clean",
    "private_targets_allowed",
    "public_address",
    "within",
]

logger = logging.getLogger(__name__)

# How long a name may take to resolve when a URL is stored: a slow or dead DNS server gets a 400, not a hung request.
RESOLVE_TIMEOUT_SECONDS = 5.0

# Every reason a refusal may give (the value in ``errors[field]``).
REASONS = (
    "invalid",
    "https required",
    "credentials not allowed",
    "fragment not allowed",
    "invalid host",
    "too long",
    "private address",
    "unresolvable",
    "resolution timed out",
)

T = TypeVar("T")


class TargetRefused(Exception):
    """The host resolves to an address the market does not send to (loopback, private, ...).

    Deliberately not an OSError: urllib3 would wrap and retry those; this must end a webhook attempt as it is.
    """


def private_targets_allowed() -> bool:
    """Whether URLs may name loopback and private hosts (and plain http): local and test settings only."""
    return market_settings().webhook_allow_private_targets


# IPv6 forms that carry an IPv4 address a gateway may forward to (NAT64, 6to4, IPv4-compatible): refused,
# since Python's is_global judges the IPv6 wrapper, not the IPv4 target inside (169.254.169.254 via NAT64).
_IPV4_WRAPPERS = tuple(ipaddress.IPv6Network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96"))


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in wrapper for wrapper in _IPV4_WRAPPERS):
            return False
    return ip.is_global and not ip.is_multicast


def public_address(host: str, port: int) -> tuple[Any, ...]:
    """Resolve ``host`` once and return a public address to connect to; refuse if *any* is not public.

    Connecting to exactly the address that was checked is what defeats DNS rebinding.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [info[4] for info in infos]
    refused = [address[0] for address in addresses if not address_is_public(str(address[0]))]
    if refused or not addresses:
        # Whoever reads this message (a partner in its delivery log) must not learn our internal addresses.
        logger.warning("Target %s refused: resolves to %s", host, ", ".join(map(str, refused)))
        raise TargetRefused(f"{host} resolves to a non-public address; refused.")
    return tuple(addresses[0])


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, given up (TimeoutError) after ``seconds``. For name resolution: getaddrinfo takes no timeout,
    and a slow DNS server must not hold a request or a webhook attempt past its deadline. The abandoned thread
    ends with the resolver's own timeout."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="outbound-resolve", daemon=True)
    thread.start()
    thread.join(max(seconds, 0.0))
    if thread.is_alive():
        raise TimeoutError("name resolution did not finish in time")
    if "error" in outcome:
        raise outcome["error"]
    return cast(T, outcome["value"])


# Every printable ASCII character: ``quote`` with these as safe percent-encodes only what is not ASCII.
_ASCII_PRINTABLE = "".join(chr(code) for code in range(0x21, 0x7F))
_DEFAULT_PORTS = {"http": 80, "https": 443}


def outbound_url_clean(url: str, *, field: str, max_length: int) -> str:
    """``url`` as it is stored (see the module's docstring), or ``InvalidInput`` naming ``field``.

    May resolve the host's name (up to ``RESOLVE_TIMEOUT_SECONDS``): call it before taking any lock.
    """

    def refuse(detail: str, reason: str) -> InvalidInput:
        return InvalidInput(f"{field} {detail}", errors={field: [reason]})

    allowed = private_targets_allowed()
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise refuse("is not a valid URL.", "invalid") from exc
    schemes = ("http", "https") if allowed else ("https",)
    if parts.scheme == "http" and not allowed:
        raise refuse("must be an https URL.", "https required")
    if parts.scheme not in schemes or not parts.hostname:
        raise refuse(f"must be an absolute {'http(s)' if allowed else 'https'} URL with a host.", "invalid")
    if parts.username is not None or parts.password is not None:
        raise refuse(
            "must not carry credentials (user:password@); the market's signature or token authenticates instead.",
            "credentials not allowed",
        )
    if parts.fragment or url.endswith("#"):
        raise refuse("must not have a fragment (#...).", "fragment not allowed")
    if port == 0:
        raise refuse("has an invalid port.", "invalid")
    host = _host_ascii(parts.hostname, refuse)
    url = _url_ascii(parts, host)
    if len(url) > max_length:
        raise refuse(f"is longer than {max_length} characters once written in ASCII.", "too long")
    if not allowed:
        _check_public(host, port or _DEFAULT_PORTS[parts.scheme], refuse)
    return url


def _host_ascii(hostname: str, refuse: Callable[[str, str], InvalidInput]) -> str:
    """The host a client connects to: IDNA (UTS 46, as ``requests`` does) for a non-ASCII name, lower case."""
    if hostname.isascii():
        return hostname.lower()
    try:
        return idna.encode(hostname, uts46=True).decode("ascii")
    except UnicodeError as exc:  # idna.IDNAError is one
        raise refuse("has a host name that is not a valid internationalised domain name.", "invalid host") from exc


def _url_ascii(parts: SplitResult, host: str) -> str:
    """An IRI as the URI it stands for (RFC 3987 3.1): the host as given, other non-ASCII characters
    percent-encoded as UTF-8; the scheme's default port left out. The API promises ``format: uri``, and a stored
    IRI would break that promise on every read."""
    netloc = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme]:
        netloc = f"{netloc}:{parts.port}"
    path, query = (quote(part, safe=_ASCII_PRINTABLE) for part in (parts.path, parts.query))
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _check_public(host: str, port: int, refuse: Callable[[str, str], InvalidInput]) -> None:
    """Refuse a private literal at once; resolve a name and refuse it unless every address is public."""
    bare = host.rstrip(".")
    try:
        literal_public = address_is_public(bare)
    except ValueError:  # a name, not an address
        if bare == "localhost" or bare.endswith((".localhost", ".local", ".internal")):
            raise refuse("must point to a public internet address.", "private address") from None
    else:
        if not literal_public:
            raise refuse("must point to a public internet address.", "private address")
        return
    try:
        within(RESOLVE_TIMEOUT_SECONDS, lambda: public_address(bare, port))
    except TargetRefused as exc:
        raise refuse(
            "must point to a public internet address; its host resolves to another.", "private address"
        ) from exc
    except TimeoutError as exc:
        raise refuse(
            f"names a host whose name did not resolve within {RESOLVE_TIMEOUT_SECONDS:g} s; try again later.",
            "resolution timed out",
        ) from exc
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise refuse(f"names a host that does not resolve ({host}).", "unresolvable") from exc
