"""The market's settings as one typed, frozen object, parsed and checked once.

The settings modules gather the ``ICHIBA_*`` environment variables into the ``settings.ICHIBA`` dict (names and
defaults: config/settings/base.py, README); code never reads that dict. It calls ``market_settings()``, which
turns the dict into a ``MarketSettings``: the fee rate a ``Decimal``, durations ``timedelta``, each value checked.
A bad value stops the process at start (``config.apps.ConfigConfig.ready``) with an ``ImproperlyConfigured``
naming the environment variable, instead of failing the first trade or download that reads it.

The object is built on first use and kept; ``override_settings(ICHIBA=...)`` (and pytest-django's ``settings``
fixture) send ``setting_changed``, which drops it, so the next call sees the override.
"""

from __future__ import annotations

import functools
import math
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

from config.registration import normalize_registration_number, registration_number_refusal

__all__ = ["PAYMENT_PROVIDERS", "MarketSettings", "MqttAddress", "Rate", "market_settings", "streams_enabled"]

PAYMENT_PROVIDERS = ("offline", "stripe")
MATCHER_MODES = ("in-process", "streams")
# Settlements store the rate they applied with four decimal places; a finer rate would be stored rounded,
# and the stored rate would no longer be the one the fee was computed with.
FEE_RATE_PLACES = 4

T = TypeVar("T")

# MQTT's registered ports: plain and over TLS.
MQTT_PORTS = {"mqtt": 1883, "mqtts": 8883}

# The periods a rate may name, as DRF spells them ("1200/min"; only the first letter counts).
RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most ``requests`` in any ``period`` (a sliding window, config/api/throttling.py)."""

    requests: int
    period: timedelta

    def __str__(self) -> str:
        return f"{self.requests}/{int(self.period.total_seconds())}s"


@dataclass(frozen=True)
class MqttAddress:
    """An MQTT broker's address, ``mqtt://host:port`` or ``mqtts://host:port`` (TLS); the admin's carries the
    dynamic-security admin account's credentials, the one handed to clients none."""

    tls: bool
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def url(self) -> str:
        """The address without credentials (``mqtts://mqtt.example.com:8883``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{host}:{self.port}"


@dataclass(frozen=True)
class MarketSettings:
    # Whether ``manage.py load_demo`` may create the published demo accounts (local and test settings only).
    demo_data_allowed: bool
    # How long an API key's principal is reused without reading the key again (zero: read on every request).
    api_key_cache: timedelta
    # Largest accepted dataset file; past it an upload is refused with 413.
    max_upload_bytes: int
    # Smallest equivalence class allowed over the declared quasi-identifiers of anonymised data.
    k_anonymity: int
    # A version still validating this long after upload is re-driven by the sweeper.
    validation_stuck_after: timedelta
    # Published limits of an uploaded file, refused at validation (check ``limits``): columns (CSV header
    # fields or distinct JSON Lines keys), bytes of one line, bytes of one cell (UTF-8).
    max_columns: int
    max_line_bytes: int
    max_cell_bytes: int
    # Deliveries of one version's validation that may start without finishing (a worker killed mid-task, e.g.
    # by the OOM killer) before the version is rejected instead of validated again.
    validation_max_attempts: int
    # The published fee, a fraction of each trade's amount in [0, 1), deducted from seller proceeds.
    platform_fee_rate: Decimal
    # Japan's consumption tax rate on a taxable sale and on the fee, a fraction in [0, 1) (marketplace/tax.py).
    consumption_tax_rate: Decimal
    # One of PAYMENT_PROVIDERS.
    payment_provider: str
    # A bid placed on the web at more than this multiple of the best ask is shown back for the buyer to confirm
    # (marketplace.web.orders.bid_far_above_best_ask); above 1. The API takes it as it comes.
    fat_finger_ratio: Decimal
    # An authorised payment is captured at the first completed download or when this window passes.
    acceptance_window: timedelta
    # A settlement pending/authorised this long after its last change is re-driven by the sweeper.
    settlement_stuck_after: timedelta
    # Lifetime of a download token (and of any presigned URL it redirects to).
    download_token_lifetime: timedelta
    # A provider call taking longer is a transient failure.
    provider_timeout: timedelta
    # First retry delay after a transient provider failure (it doubles per attempt, capped).
    provider_retry_base: timedelta
    # Test-only fault hooks of the offline provider: a sleep after recording an authorisation, and how many
    # calls per idempotency key fail first (both zero = off; the production settings refuse anything else).
    offline_provider_delay: timedelta
    offline_provider_failures: int
    # Outbound partner webhooks: tries before a delivery is given up, each try's timeout, and whether a
    # delivery may reach loopback or private addresses (off unless local or test settings turn it on: SSRF). The
    # last also governs sellers' delivery URLs: config/outbound.py is the one guard of both.
    webhook_max_attempts: int
    webhook_timeout: timedelta
    webhook_allow_private_targets: bool
    # Attempts in flight at once per endpoint and per organisation; a delivery over either cap waits (it is
    # re-scheduled a little later, counting no attempt), so one partner cannot hold the whole webhooks pool.
    webhook_max_in_flight_per_endpoint: int
    webhook_max_in_flight_per_organization: int
    # Processes (threads for webhooks) of each worker pool ``manage.py workers`` (``make worker``) starts.
    worker_concurrency_settlement: int
    worker_concurrency_validation: int
    worker_concurrency_profiling: int
    worker_concurrency_webhooks: int
    # The ES256 key (PEM) that signs delivery tokens, or, when empty, the file it is generated into once.
    jwt_private_key: str = field(repr=False)
    jwt_key_file: Path | None
    jwt_issuer: str
    # The API budget of one organisation, shared by all its API keys and its members' sessions.
    organization_rate: Rate
    # Failed sign-ins before a lock-out: per (account, address) pair, and per address over all accounts; the
    # lock-out ends this long after the last failure.
    signin_failure_limit: int
    signin_address_failure_limit: int
    signin_lockout: timedelta
    # Reverse proxies in front of the web processes that append to X-Forwarded-For (0: the peer's address is
    # the client's). The client's address keys the sign-in lock-out.
    trusted_proxy_count: int
    # Days a subscription may stay past due (a period's charge declined, retried) before it ends; the subscription
    # clause of every contract states the number in force when it is concluded.
    subscription_grace_days: int
    # Whether ``close_periods --as-of`` may name an instant in the future (a test clock: local and test settings only).
    subscription_test_clock: bool
    # Live streams (streams/): the broker's dynamic-security admin (None: streams are off), the address clients are
    # given (by default the admin's host and port, without credentials), how long one broker command may take
    # before the broker counts as down, and the CA file that verifies an mqtts broker (None: the system's CAs).
    mqtt_admin: MqttAddress | None
    mqtt_public: MqttAddress | None
    mqtt_timeout: timedelta
    mqtt_ca_file: Path | None
    # The market operator, as the DCAT-AP catalog names it (publisher), and the market's public origin without a
    # trailing slash ("https://ichiba.example"; None: the request's own scheme and host make links absolute).
    market_name: str
    public_url: str | None
    # Who issues the market's invoices (docs/domain.md#invoices): the operator's legal name as printed on them
    # (by default the market's name), and its invoice registration number ("T" + 13 digits, config/registration.py;
    # None: the operator is not a registered issuer, so every invoice the market issues is a plain receipt).
    operator_name: str
    invoice_registration_number: str | None
    # Dataspace Protocol callbacks to consumers' connectors (dataspace.services.callbacks): tries before a message
    # is given up (which terminates its process), and the wait before the first retry (doubling, at most 10 min).
    dsp_callback_max_attempts: int
    dsp_callback_retry_base: timedelta
    # Participant sign-up (marketplace.services.signup): how long the e-mail's confirmation link is good for; the
    # limits that keep the sign-up form from mailing whoever a sender names: at most one link per recipient address in
    # this interval, and this many links per client address an hour. An invitation to join an organisation is good
    # for this many days.
    signup_link_lifetime: timedelta
    signup_email_interval: timedelta
    signup_emails_per_client_hour: int
    invitation_lifetime: timedelta
    # Who may read GET /metrics (config/metrics.py): the bearer of this token, or (empty) only this machine.
    metrics_token: str = field(repr=False)
    # Where ``manage.py workers`` serves its pools' metrics (port 0: nowhere), under the same rule.
    worker_metrics_port: int
    worker_metrics_host: str
    # The folder the pools' processes share their counts in (None: a temporary one of the command's own).
    worker_metrics_dir: Path | None
    # Where orders are matched: "in-process" or "streams" (the shards' matcher processes; marketplace.matching).
    matchers: str
    matcher_shards: int
    matcher_batch: int
    matcher_reply_timeout: timedelta
    matcher_key_prefix: str

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> MarketSettings:
        """Parse and check ``settings.ICHIBA``; ImproperlyConfigured names the first bad or missing key."""
        read = _Reader(raw)
        market = cls(
            demo_data_allowed=read("DEMO_DATA_ALLOWED", _boolean),
            api_key_cache=read("API_KEY_CACHE_SECONDS", _duration("seconds")),
            max_upload_bytes=read("MAX_UPLOAD_BYTES", _integer(minimum=1)),
            k_anonymity=read("K_ANONYMITY", _integer(minimum=1)),
            validation_stuck_after=read("VALIDATION_STUCK_AFTER_SECONDS", _duration("seconds")),
            max_columns=read("MAX_COLUMNS", _integer(minimum=1)),
            max_line_bytes=read("MAX_LINE_BYTES", _integer(minimum=1)),
            max_cell_bytes=read("MAX_CELL_BYTES", _integer(minimum=1)),
            validation_max_attempts=read("VALIDATION_MAX_ATTEMPTS", _integer(minimum=1)),
            platform_fee_rate=read("PLATFORM_FEE_RATE", _fee_rate),
            consumption_tax_rate=read("CONSUMPTION_TAX_RATE", _fee_rate),
            payment_provider=read("PAYMENT_PROVIDER", _choice(PAYMENT_PROVIDERS)),
            fat_finger_ratio=read("FAT_FINGER_RATIO", _ratio_above_one),
            acceptance_window=read("ACCEPTANCE_WINDOW_HOURS", _duration("hours")),
            settlement_stuck_after=read("SETTLEMENT_STUCK_AFTER_SECONDS", _duration("seconds")),
            download_token_lifetime=read("DOWNLOAD_TOKEN_SECONDS", _duration("seconds", positive=True)),
            provider_timeout=read("PROVIDER_TIMEOUT_SECONDS", _duration("seconds", positive=True)),
            provider_retry_base=read("PROVIDER_RETRY_BASE_SECONDS", _duration("seconds")),
            offline_provider_delay=read("OFFLINE_PROVIDER_DELAY_SECONDS", _duration("seconds")),
            offline_provider_failures=read("OFFLINE_PROVIDER_FAILURES", _integer(minimum=0)),
            webhook_max_attempts=read("WEBHOOK_MAX_ATTEMPTS", _integer(minimum=1)),
            webhook_timeout=read("WEBHOOK_TIMEOUT_SECONDS", _duration("seconds", positive=True)),
            webhook_allow_private_targets=read("WEBHOOK_ALLOW_PRIVATE_TARGETS", _boolean),
            webhook_max_in_flight_per_endpoint=read("WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT", _integer(minimum=1)),
            webhook_max_in_flight_per_organization=read("WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION", _integer(minimum=1)),
            worker_concurrency_settlement=read("WORKER_CONCURRENCY_SETTLEMENT", _integer(minimum=1)),
            worker_concurrency_validation=read("WORKER_CONCURRENCY_VALIDATION", _integer(minimum=1)),
            worker_concurrency_profiling=read("WORKER_CONCURRENCY_PROFILING", _integer(minimum=1)),
            worker_concurrency_webhooks=read("WORKER_CONCURRENCY_WEBHOOKS", _integer(minimum=1)),
            jwt_private_key=read("JWT_PRIVATE_KEY", _text),
            jwt_key_file=read("JWT_KEY_FILE", _optional_path),
            jwt_issuer=read("JWT_ISSUER", _nonempty_text),
            organization_rate=read("ORGANIZATION_RATE", _rate),
            signin_failure_limit=read("SIGNIN_FAILURE_LIMIT", _integer(minimum=1)),
            signin_address_failure_limit=read("SIGNIN_ADDRESS_FAILURE_LIMIT", _integer(minimum=1)),
            signin_lockout=read("SIGNIN_LOCKOUT_SECONDS", _duration("seconds", positive=True)),
            trusted_proxy_count=read("TRUSTED_PROXY_COUNT", _integer(minimum=0)),
            subscription_grace_days=read("SUBSCRIPTION_GRACE_DAYS", _integer(minimum=0)),
            subscription_test_clock=read("SUBSCRIPTION_TEST_CLOCK", _boolean),
            mqtt_admin=(admin := read("MQTT_URL", _mqtt_url(credentials=True))),
            mqtt_public=_public_address(admin, read("MQTT_PUBLIC_URL", _mqtt_url(credentials=False))),
            mqtt_timeout=read("MQTT_TIMEOUT_SECONDS", _duration("seconds", positive=True)),
            mqtt_ca_file=read("MQTT_CA_FILE", _optional_path),
            market_name=read("MARKET_NAME", _nonempty_text),
            public_url=read("PUBLIC_URL", _public_url),
            operator_name=read("OPERATOR_NAME", _text).strip() or read("MARKET_NAME", _nonempty_text),
            invoice_registration_number=read("INVOICE_REGISTRATION_NUMBER", _registration_number),
            dsp_callback_max_attempts=read("DSP_CALLBACK_MAX_ATTEMPTS", _integer(minimum=1)),
            dsp_callback_retry_base=read("DSP_CALLBACK_RETRY_BASE_SECONDS", _duration("seconds", positive=True)),
            signup_link_lifetime=read("SIGNUP_LINK_HOURS", _duration("hours", positive=True)),
            signup_email_interval=read("SIGNUP_EMAIL_INTERVAL_SECONDS", _duration("seconds")),
            signup_emails_per_client_hour=read("SIGNUP_EMAILS_PER_CLIENT_HOUR", _integer(minimum=1)),
            invitation_lifetime=read("INVITATION_DAYS", _duration("days", positive=True)),
            metrics_token=read("METRICS_TOKEN", _text).strip(),
            worker_metrics_port=read("WORKER_METRICS_PORT", _port),
            worker_metrics_host=read("WORKER_METRICS_HOST", _nonempty_text),
            worker_metrics_dir=read("WORKER_METRICS_DIR", _optional_path),
            matchers=read("MATCHERS", _choice(MATCHER_MODES)),
            matcher_shards=read("MATCHER_SHARDS", _integer(minimum=1)),
            matcher_batch=read("MATCHER_BATCH", _integer(minimum=1)),
            matcher_reply_timeout=read("MATCHER_REPLY_TIMEOUT_SECONDS", _duration("seconds", positive=True)),
            matcher_key_prefix=read("MATCHER_KEY_PREFIX", _text),
        )
        unread = sorted(set(raw) - read.keys)
        if unread:  # most likely a misspelt override, which would otherwise be silently ignored
            raise ImproperlyConfigured(f"settings.ICHIBA has keys no setting reads: {', '.join(unread)}.")
        return market


@functools.cache
def market_settings() -> MarketSettings:
    """The market's settings, parsed from ``settings.ICHIBA`` on first use."""
    return MarketSettings.from_mapping(settings.ICHIBA)


def streams_enabled() -> bool:
    """Whether live streams are on: the broker's admin URL (``ICHIBA_MQTT_URL``) is set."""
    return market_settings().mqtt_admin is not None


@receiver(setting_changed, dispatch_uid="config.market.forget")
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "ICHIBA":
        market_settings.cache_clear()


# -- parsing -------------------------------------------------------------------------------------------------


class _Reader:
    """Reads keys of ``settings.ICHIBA`` through a parser, naming the environment variable when one fails."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.keys: set[str] = set()

    def __call__(self, key: str, parse: Callable[[object], T]) -> T:
        self.keys.add(key)
        if key not in self.raw:
            raise ImproperlyConfigured(f"settings.ICHIBA lacks {key!r} (see config/settings/base.py).")
        try:
            return parse(self.raw[key])
        except (TypeError, ValueError, ArithmeticError) as error:
            raise ImproperlyConfigured(f"ICHIBA_{key} (settings.ICHIBA[{key!r}]): {error}") from None


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, not {value!r}")
    return value


def _integer(*, minimum: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        if isinstance(value, str):
            value = int(value.strip())
        if type(value) is not int:
            raise TypeError(f"expected a whole number, not {value!r}")
        if value < minimum:
            raise ValueError(f"must be at least {minimum}, not {value}")
        return value

    return parse


def _duration(unit: str, *, positive: bool = False) -> Callable[[object], timedelta]:
    """A number of ``unit`` ("seconds", "hours" or "days"), never negative (nor zero if ``positive``)."""

    def parse(value: object) -> timedelta:
        if isinstance(value, str):
            value = float(value.strip())
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise TypeError(f"expected a number of {unit}, not {value!r}")
        if value < 0 or (positive and value == 0):
            raise ValueError(f"must be {'more than' if positive else 'at least'} 0 {unit}, not {value}")
        return timedelta(**{unit: value})

    return parse


def _fee_rate(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError(f"expected a decimal fraction such as 0.05, not {value!r}")
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected a decimal fraction such as 0.05, not {value!r}") from None
    if not rate.is_finite() or not 0 <= rate < 1:
        raise ValueError(f"must be at least 0 and below 1, not {value!r}")
    if rate != rate.quantize(Decimal(1).scaleb(-FEE_RATE_PLACES)):
        raise ValueError(f"at most {FEE_RATE_PLACES} decimal places (settlements store it so), not {value!r}")
    return rate


def _ratio_above_one(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError(f"expected a decimal number such as 1.5, not {value!r}")
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected a decimal number such as 1.5, not {value!r}") from None
    if not ratio.is_finite() or ratio <= 1:
        raise ValueError(f"must be above 1 (a multiple of the best ask), not {value!r}")
    return ratio


def _choice(choices: tuple[str, ...]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    return parse


def _rate(value: object) -> Rate:
    """``<requests>/<period>``, the period one of sec, min, hour, day (DRF's notation: "1200/min")."""
    if not isinstance(value, str):
        raise TypeError(f"expected a rate such as 1200/min, not {value!r}")
    requests, _, period = value.strip().partition("/")
    seconds = RATE_PERIODS.get(period.strip()[:1].lower())
    if not requests.strip().isdigit() or seconds is None:
        raise ValueError(f"expected a rate such as 1200/min (per sec, min, hour or day), not {value!r}")
    if int(requests) < 1:
        raise ValueError(f"must allow at least one request, not {value!r}")
    return Rate(requests=int(requests), period=timedelta(seconds=seconds))


def _port(value: object) -> int:
    port = _integer(minimum=0)(value)
    if port > 65535:
        raise ValueError(f"a TCP port is at most 65535, not {port}")
    return port


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__}")
    return value


def _nonempty_text(value: object) -> str:
    if not _text(value):
        raise ValueError("must not be empty")
    return str(value)


def _registration_number(value: object) -> str | None:
    text = normalize_registration_number(_text(value))
    if not text:
        return None
    refusal = registration_number_refusal(text)
    if refusal is not None:
        with translation.override("en"):
            raise ValueError(str(refusal))
    return text


def _optional_path(value: object) -> Path | None:
    return Path(_text(value)) if value else None


def _public_url(value: object) -> str | None:
    """``https://host[:port]`` (http allowed, for a laptop): an origin, since the links it prefixes are the site's
    own absolute paths (a script prefix included); empty means none."""
    text = _text(value).strip()
    if not text:
        return None
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected the market's base URL such as https://ichiba.example, not {text!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            "takes no path, query, fragment or credentials (expected a URL such as https://ichiba.example)"
        )
    return text.rstrip("/")


def _mqtt_url(*, credentials: bool) -> Callable[[object], MqttAddress | None]:
    """``mqtt://[user:password@]host[:port]`` or ``mqtts://``; empty means none. The admin's URL must carry the
    dynamic-security admin's credentials; the one handed to clients must not carry any."""
    example = "mqtt://admin:password@host:1883" if credentials else "mqtts://host:8883"

    def parse(value: object) -> MqttAddress | None:
        text = _text(value).strip()
        if not text:
            return None
        parts = urllib.parse.urlsplit(text)
        if parts.scheme not in MQTT_PORTS:
            raise ValueError(f"expected an mqtt:// or mqtts:// URL such as {example}, not {parts.scheme or text!r}")
        if not parts.hostname:
            raise ValueError(f"names no host (expected a URL such as {example})")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"takes no path, query or fragment (expected a URL such as {example})")
        port = parts.port or MQTT_PORTS[parts.scheme]  # urlsplit refuses a port outside 0-65535 itself
        username = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        if credentials and not (username and password):
            raise ValueError(f"must name the dynamic-security admin and its password: {example}")
        if not credentials and (username or password):
            raise ValueError("must not carry credentials: each client is given its own")
        return MqttAddress(parts.scheme == "mqtts", parts.hostname, port, username, password)

    return parse


def _public_address(admin: MqttAddress | None, public: MqttAddress | None) -> MqttAddress | None:
    if public is not None and admin is None:
        raise ImproperlyConfigured(
            "ICHIBA_MQTT_PUBLIC_URL is set but ICHIBA_MQTT_URL is not: streams need the broker's admin URL."
        )
    if public is None and admin is not None:
        return MqttAddress(admin.tls, admin.host, admin.port)
    return public
