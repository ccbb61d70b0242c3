"""The market's settings object (config/market.py): parsed once from ``settings.ICHIBA``, checked, rebuilt when a
test overrides ``ICHIBA``, and a bad ``ICHIBA_*`` variable stops a process at start with the variable named."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.market import MarketSettings, MqttAddress, Rate, market_settings, streams_enabled
from settlement.services.settlements import published_fee_rate

ROOT = Path(__file__).resolve().parents[1]


def raw(**changes: Any) -> dict[str, Any]:
    """A complete ``settings.ICHIBA`` as the environment gives it (strings, ints, floats), with ``changes``."""
    return {
        "DEMO_DATA_ALLOWED": False,
        "API_KEY_CACHE_SECONDS": 30,
        "MAX_UPLOAD_BYTES": 5 * 1024**3,
        "K_ANONYMITY": 5,
        "VALIDATION_STUCK_AFTER_SECONDS": 3600,
        "MAX_COLUMNS": 1000,
        "MAX_LINE_BYTES": 1024**2,
        "MAX_CELL_BYTES": 64 * 1024,
        "VALIDATION_MAX_ATTEMPTS": 3,
        "PLATFORM_FEE_RATE": "0.05",
        "CONSUMPTION_TAX_RATE": "0.10",
        "PAYMENT_PROVIDER": "offline",
        "FAT_FINGER_RATIO": "1.5",
        "ACCEPTANCE_WINDOW_HOURS": 72,
        "SETTLEMENT_STUCK_AFTER_SECONDS": 120,
        "DOWNLOAD_TOKEN_SECONDS": 900,
        "PROVIDER_TIMEOUT_SECONDS": 10.0,
        "PROVIDER_RETRY_BASE_SECONDS": 5.0,
        "OFFLINE_PROVIDER_DELAY_SECONDS": 0.0,
        "OFFLINE_PROVIDER_FAILURES": 0,
        "WEBHOOK_MAX_ATTEMPTS": 10,
        "WEBHOOK_TIMEOUT_SECONDS": 5.0,
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
        "WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT": 2,
        "WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION": 4,
        "WORKER_CONCURRENCY_SETTLEMENT": 2,
        "WORKER_CONCURRENCY_VALIDATION": 1,
        "WORKER_CONCURRENCY_PROFILING": 1,
        "WORKER_CONCURRENCY_WEBHOOKS": 8,
        "JWT_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n",
        "JWT_KEY_FILE": "/srv/ichiba/keys/delivery-es256.pem",
        "JWT_ISSUER": "ichiba",
        "ORGANIZATION_RATE": "1200/min",
        "SIGNIN_FAILURE_LIMIT": 5,
        "SIGNIN_ADDRESS_FAILURE_LIMIT": 50,
        "SIGNIN_LOCKOUT_SECONDS": 900,
        "TRUSTED_PROXY_COUNT": 0,
        "SUBSCRIPTION_GRACE_DAYS": 7,
        "SUBSCRIPTION_TEST_CLOCK": False,
        "MQTT_URL": "",
        "MQTT_PUBLIC_URL": "",
        "MQTT_TIMEOUT_SECONDS": 5.0,
        "MQTT_CA_FILE": "",
        "MARKET_NAME": "Ichiba",
        "PUBLIC_URL": "",
        "OPERATOR_NAME": "",
        "INVOICE_REGISTRATION_NUMBER": "",
        "DSP_CALLBACK_MAX_ATTEMPTS": 8,
        "DSP_CALLBACK_RETRY_BASE_SECONDS": 10,
        "SIGNUP_LINK_HOURS": 24,
        "SIGNUP_EMAIL_INTERVAL_SECONDS": 600,
        "SIGNUP_EMAILS_PER_CLIENT_HOUR": 5,
        "INVITATION_DAYS": 7,
        "METRICS_TOKEN": "",
        "WORKER_METRICS_PORT": 0,
        "WORKER_METRICS_HOST": "127.0.0.1",
        "WORKER_METRICS_DIR": "",
        "MATCHERS": "in-process",
        "MATCHER_SHARDS": 2,
        "MATCHER_BATCH": 256,
        "MATCHER_REPLY_TIMEOUT_SECONDS": 5.0,
        "MATCHER_KEY_PREFIX": "",
        **changes,
    }


def test_values_are_parsed_into_their_types() -> None:
    market = MarketSettings.from_mapping(raw())
    assert market == MarketSettings(
        demo_data_allowed=False,
        api_key_cache=timedelta(seconds=30),
        max_upload_bytes=5 * 1024**3,
        k_anonymity=5,
        validation_stuck_after=timedelta(hours=1),
        max_columns=1000,
        max_line_bytes=1024**2,
        max_cell_bytes=64 * 1024,
        validation_max_attempts=3,
        platform_fee_rate=Decimal("0.05"),
        consumption_tax_rate=Decimal("0.10"),
        payment_provider="offline",
        fat_finger_ratio=Decimal("1.5"),
        acceptance_window=timedelta(days=3),
        settlement_stuck_after=timedelta(minutes=2),
        download_token_lifetime=timedelta(minutes=15),
        provider_timeout=timedelta(seconds=10),
        provider_retry_base=timedelta(seconds=5),
        offline_provider_delay=timedelta(0),
        offline_provider_failures=0,
        webhook_max_attempts=10,
        webhook_timeout=timedelta(seconds=5),
        webhook_allow_private_targets=False,
        webhook_max_in_flight_per_endpoint=2,
        webhook_max_in_flight_per_organization=4,
        worker_concurrency_settlement=2,
        worker_concurrency_validation=1,
        worker_concurrency_profiling=1,
        worker_concurrency_webhooks=8,
        jwt_private_key=raw()["JWT_PRIVATE_KEY"],
        jwt_key_file=Path("/srv/ichiba/keys/delivery-es256.pem"),
        jwt_issuer="ichiba",
        organization_rate=Rate(requests=1200, period=timedelta(minutes=1)),
        signin_failure_limit=5,
        signin_address_failure_limit=50,
        signin_lockout=timedelta(minutes=15),
        trusted_proxy_count=0,
        subscription_grace_days=7,
        subscription_test_clock=False,
        mqtt_admin=None,
        mqtt_public=None,
        mqtt_timeout=timedelta(seconds=5),
        mqtt_ca_file=None,
        market_name="Ichiba",
        public_url=None,
        operator_name="Ichiba",
        invoice_registration_number=None,
        dsp_callback_max_attempts=8,
        dsp_callback_retry_base=timedelta(seconds=10),
        signup_link_lifetime=timedelta(days=1),
        signup_email_interval=timedelta(minutes=10),
        signup_emails_per_client_hour=5,
        invitation_lifetime=timedelta(days=7),
        metrics_token="",
        worker_metrics_port=0,
        worker_metrics_host="127.0.0.1",
        worker_metrics_dir=None,
        matchers="in-process",
        matcher_shards=2,
        matcher_batch=256,
        matcher_reply_timeout=timedelta(seconds=5),
        matcher_key_prefix="",
    )
    assert str(market.platform_fee_rate) == "0.05"  # as published: the rules endpoint shows it so


def test_numbers_given_as_text_or_fractions_are_read_as_such() -> None:
    market = MarketSettings.from_mapping(
        raw(
            PLATFORM_FEE_RATE=" 0.125 ",
            FAT_FINGER_RATIO=" 2 ",
            DOWNLOAD_TOKEN_SECONDS="60",
            OFFLINE_PROVIDER_DELAY_SECONDS=0.3,
            ACCEPTANCE_WINDOW_HOURS=1.5,
            MAX_UPLOAD_BYTES="1000",
            JWT_KEY_FILE="",
        )
    )
    assert market.platform_fee_rate == Decimal("0.125")
    assert market.fat_finger_ratio == Decimal(2)
    assert market.download_token_lifetime == timedelta(minutes=1)
    assert market.offline_provider_delay == timedelta(milliseconds=300)
    assert market.acceptance_window == timedelta(minutes=90)
    assert market.max_upload_bytes == 1000
    assert market.jwt_key_file is None
    assert MarketSettings.from_mapping(raw(PLATFORM_FEE_RATE=0)).platform_fee_rate == 0
    assert MarketSettings.from_mapping(raw(PLATFORM_FEE_RATE="0.9999")).platform_fee_rate == Decimal("0.9999")


def test_the_invoice_issuer_is_the_operator_named_or_the_market_with_its_number_as_typed() -> None:
    market = MarketSettings.from_mapping(raw(INVOICE_REGISTRATION_NUMBER="Ｔ７０００-０１２０-５０００２"))
    assert (market.operator_name, market.invoice_registration_number) == ("Ichiba", "T7000012050002")
    named = MarketSettings.from_mapping(raw(OPERATOR_NAME="Ichiba K.K.", INVOICE_REGISTRATION_NUMBER=""))
    assert (named.operator_name, named.invoice_registration_number) == ("Ichiba K.K.", None)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("PLATFORM_FEE_RATE", "1", "below 1"),
        ("MATCHERS", "kafka", "in-process"),
        ("MATCHER_SHARDS", 0, "at least 1"),
        ("PLATFORM_FEE_RATE", "1.5", "below 1"),
        ("PLATFORM_FEE_RATE", "-0.01", "at least 0"),
        ("PLATFORM_FEE_RATE", "five percent", "decimal fraction"),
        ("PLATFORM_FEE_RATE", "NaN", "below 1"),
        ("PLATFORM_FEE_RATE", "0.00005", "4 decimal places"),
        ("PLATFORM_FEE_RATE", True, "decimal fraction"),
        ("CONSUMPTION_TAX_RATE", "1", "below 1"),
        ("CONSUMPTION_TAX_RATE", "10%", "decimal fraction"),
        ("FAT_FINGER_RATIO", "1", "above 1"),
        ("FAT_FINGER_RATIO", "0.5", "above 1"),
        ("FAT_FINGER_RATIO", "Infinity", "above 1"),
        ("FAT_FINGER_RATIO", "double", "decimal number"),
        ("ACCEPTANCE_WINDOW_HOURS", -1, "at least 0 hours"),
        ("SETTLEMENT_STUCK_AFTER_SECONDS", -0.5, "at least 0 seconds"),
        ("VALIDATION_STUCK_AFTER_SECONDS", "soon", "could not convert"),
        ("DOWNLOAD_TOKEN_SECONDS", 0, "more than 0 seconds"),
        ("WEBHOOK_TIMEOUT_SECONDS", float("inf"), "number of seconds"),
        ("PROVIDER_TIMEOUT_SECONDS", None, "number of seconds"),
        ("K_ANONYMITY", 0, "at least 1"),
        ("WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION", 0, "at least 1"),
        ("WORKER_CONCURRENCY_WEBHOOKS", "many", "invalid literal"),
        ("MAX_UPLOAD_BYTES", 2.5, "whole number"),
        ("MAX_COLUMNS", 0, "at least 1"),
        ("VALIDATION_MAX_ATTEMPTS", 0, "at least 1"),
        ("OFFLINE_PROVIDER_FAILURES", -1, "at least 0"),
        ("WEBHOOK_MAX_ATTEMPTS", True, "whole number"),
        ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "yes", "true or false"),
        ("PAYMENT_PROVIDER", "paypal", "offline, stripe"),
        ("JWT_ISSUER", "", "must not be empty"),
        ("ORGANIZATION_RATE", "fast", "rate such as 1200/min"),
        ("ORGANIZATION_RATE", "100/fortnight", "rate such as 1200/min"),
        ("ORGANIZATION_RATE", "0/min", "at least one request"),
        ("SIGNIN_FAILURE_LIMIT", 0, "at least 1"),
        ("SIGNIN_LOCKOUT_SECONDS", 0, "more than 0 seconds"),
        ("TRUSTED_PROXY_COUNT", -1, "at least 0"),
        ("SUBSCRIPTION_GRACE_DAYS", -1, "at least 0"),
        ("SUBSCRIPTION_GRACE_DAYS", 1.5, "whole number"),
        ("SUBSCRIPTION_TEST_CLOCK", "on", "true or false"),
        ("MQTT_URL", "http://admin:pw@broker:1883", "mqtt:// or mqtts:// URL"),
        ("MQTT_URL", "mqtt://broker:1883", "must name the dynamic-security admin"),
        ("MQTT_URL", "mqtt://admin@broker:1883", "must name the dynamic-security admin"),
        ("MQTT_URL", "mqtt://admin:pw@:1883", "names no host"),
        ("MQTT_URL", "mqtt://admin:pw@broker:99999", "Port out of range"),
        ("MQTT_URL", "mqtt://admin:pw@broker:1883/feeds", "takes no path"),
        ("MQTT_PUBLIC_URL", "mqtts://someone:pw@broker:8883", "must not carry credentials"),
        ("MQTT_TIMEOUT_SECONDS", 0, "more than 0 seconds"),
        ("MARKET_NAME", "", "must not be empty"),
        ("PUBLIC_URL", "ichiba.example", "base URL such as https://ichiba.example"),
        ("PUBLIC_URL", "ftp://ichiba.example", "base URL such as https://ichiba.example"),
        ("PUBLIC_URL", "https://ichiba.example/?a=1", "takes no path, query"),
        ("PUBLIC_URL", "https://ichiba.example/market", "takes no path, query"),
        ("INVOICE_REGISTRATION_NUMBER", "7000012050002", "T followed by 13 digits"),
        ("INVOICE_REGISTRATION_NUMBER", "T8000012050002", "check digit"),
    ],
)
def test_a_bad_value_is_refused_with_its_environment_variable_named(key: str, value: object, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=f"^ICHIBA_{key} .*{message}"):
        MarketSettings.from_mapping(raw(**{key: value}))


def test_the_public_url_is_kept_without_its_trailing_slash() -> None:
    assert (
        MarketSettings.from_mapping(raw(PUBLIC_URL=" https://ichiba.example/ ")).public_url == "https://ichiba.example"
    )
    assert MarketSettings.from_mapping(raw(PUBLIC_URL="http://127.0.0.1:8000")).public_url == "http://127.0.0.1:8000"


def test_the_broker_urls_are_parsed_with_their_default_ports_and_the_public_address_defaults_to_the_admins() -> None:
    off = MarketSettings.from_mapping(raw())
    assert off.mqtt_admin is None and off.mqtt_public is None
    market = MarketSettings.from_mapping(raw(MQTT_URL="mqtt://admin:p%40ss%3Aword@broker.internal"))
    assert market.mqtt_admin == MqttAddress(False, "broker.internal", 1883, "admin", "p@ss:word")
    assert market.mqtt_public == MqttAddress(False, "broker.internal", 1883)  # no credentials for clients
    assert "p@ss" not in repr(market)
    tls = MarketSettings.from_mapping(
        raw(MQTT_URL="mqtts://admin:pw@10.0.0.5", MQTT_PUBLIC_URL="mqtts://mqtt.ichiba.example", MQTT_CA_FILE="/ca.pem")
    )
    assert tls.mqtt_admin == MqttAddress(True, "10.0.0.5", 8883, "admin", "pw")
    assert tls.mqtt_public is not None and tls.mqtt_public.url == "mqtts://mqtt.ichiba.example:8883"
    assert tls.mqtt_ca_file == Path("/ca.pem")
    v6 = MarketSettings.from_mapping(raw(MQTT_URL="mqtt://admin:pw@[::1]:1884"))
    assert v6.mqtt_public is not None and v6.mqtt_public.url == "mqtt://[::1]:1884"
    with pytest.raises(ImproperlyConfigured, match="ICHIBA_MQTT_PUBLIC_URL is set but ICHIBA_MQTT_URL is not"):
        MarketSettings.from_mapping(raw(MQTT_PUBLIC_URL="mqtts://mqtt.ichiba.example"))


def test_streams_are_enabled_by_the_admin_url_alone(settings) -> None:
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": ""}
    assert not streams_enabled()
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": "mqtt://admin:pw@127.0.0.1:1883"}
    assert streams_enabled()


def test_a_missing_or_unknown_key_is_refused() -> None:
    incomplete = raw()
    del incomplete["ACCEPTANCE_WINDOW_HOURS"]
    with pytest.raises(ImproperlyConfigured, match="lacks 'ACCEPTANCE_WINDOW_HOURS'"):
        MarketSettings.from_mapping(incomplete)
    with pytest.raises(ImproperlyConfigured, match="no setting reads: PLATFORM_FEE"):
        MarketSettings.from_mapping(raw(PLATFORM_FEE="0.1"))  # a misspelt override


def test_the_object_is_frozen_and_keeps_the_signing_key_out_of_its_repr() -> None:
    market = MarketSettings.from_mapping(raw())
    with pytest.raises(dataclasses.FrozenInstanceError):
        market.platform_fee_rate = Decimal("0.5")  # type: ignore[misc]
    assert "secret" not in repr(market)
    assert "platform_fee_rate=Decimal('0.05')" in repr(market)


def test_market_settings_is_built_once_and_rebuilt_when_a_test_overrides_ichiba(settings) -> None:
    first = market_settings()
    assert market_settings() is first
    with override_settings(ICHIBA={**django_settings.ICHIBA, "PLATFORM_FEE_RATE": "0.1"}):
        assert market_settings().platform_fee_rate == Decimal("0.1")
        assert published_fee_rate() == Decimal("0.1")  # what settlements charge
    assert market_settings() == first
    settings.ICHIBA = {**settings.ICHIBA, "DOWNLOAD_TOKEN_SECONDS": 60}  # pytest-django's fixture, as tests do
    assert market_settings().download_token_lifetime == timedelta(minutes=1)
    broken = override_settings(ICHIBA={**django_settings.ICHIBA, "PLATFORM_FEE_RATE": "2"})
    with broken, pytest.raises(ImproperlyConfigured, match="ICHIBA_PLATFORM_FEE_RATE"):
        market_settings()


def _start(**environment: str) -> subprocess.CompletedProcess[str]:
    """``manage.py check`` (the local settings, as ``make run``) with no Ichiba variables but ``environment``."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "ICHIBA_"))}
    clean["DATABASE_URL"] = "sqlite:///:memory:"
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_process_with_a_bad_variable_does_not_start() -> None:
    started = _start(ICHIBA_PLATFORM_FEE_RATE="0.05")
    assert started.returncode == 0, started.stderr[-2000:]
    for name, value in (("ICHIBA_PLATFORM_FEE_RATE", "1.2"), ("ICHIBA_DOWNLOAD_TOKEN_SECONDS", "-60")):
        refused = _start(**{name: value})
        assert refused.returncode != 0
        assert f"ImproperlyConfigured: {name} " in refused.stderr, refused.stderr[-2000:]


def test_the_defaults_are_those_the_readme_documents() -> None:
    code = (
        "import django; django.setup(); from config.market import market_settings as m; s = m(); "
        "print(s.platform_fee_rate, s.acceptance_window, s.download_token_lifetime, s.max_upload_bytes, "
        "s.k_anonymity, s.payment_provider)"
    )
    prefixes = ("DJANGO_", "ICHIBA_", "STRIPE_")
    clean = {name: value for name, value in os.environ.items() if not name.startswith(prefixes)}
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.split() == ["0.05", "3", "days,", "0:00:00", "0:15:00", str(5 * 1024**3), "5", "offline"]


def test_the_organisation_rate_still_reads_its_former_name() -> None:
    """ICHIBA_ORGANIZATION_RATE was ICHIBA_API_KEY_RATE (a budget per key); a deployment that set the old name
    keeps its rate, and the new name wins when both are set."""
    code = "import django; django.setup(); from config.market import market_settings as m; print(m().organization_rate)"
    prefixes = ("DJANGO_", "ICHIBA_", "STRIPE_")
    clean = {name: value for name, value in os.environ.items() if not name.startswith(prefixes)}
    base = {**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": "sqlite:///:memory:"}
    shown = [
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**base, **extra}, capture_output=True, text=True, check=False
        )
        for extra in (
            {},
            {"ICHIBA_API_KEY_RATE": "50/hour"},
            {"ICHIBA_API_KEY_RATE": "50/hour", "ICHIBA_ORGANIZATION_RATE": "7/sec"},
        )
    ]
    assert [run.stdout.strip() for run in shown] == ["1200/60s", "50/3600s", "7/1s"], [r.stderr[-500:] for r in shown]
