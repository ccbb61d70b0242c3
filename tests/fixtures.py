"""Shared pytest fixtures and the rule for optional services (a plugin declared in the root conftest.py).

A test that needs PostgreSQL, Redis or Chromium skips with a message saying how to enable it, except
under CI (``CI=true``), where CI provides them all and a skip is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection

if TYPE_CHECKING:  # imported lazily: this plugin loads before Django is configured (or without it)
    from rest_framework.test import APIClient

    from tests.builders import Party

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("ICHIBA_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_TIMEOUT_MS = 20_000


def unavailable(reason: str) -> None:
    """Skip (locally) or fail (in CI) a test whose service is missing."""
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/ichiba")


def require_redis() -> None:
    from django.conf import settings

    if not settings.REDIS_URL:
        unavailable("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")


def require_localstripe() -> str:
    """The ``localstripe`` executable (a fake Stripe server) of this virtualenv, or skip/fail."""
    beside = os.path.join(os.path.dirname(sys.executable), "localstripe")
    path = beside if os.access(beside, os.X_OK) else shutil.which("localstripe")
    if path is None:
        unavailable("needs localstripe: pip install localstripe (it is in the dev extras)")
    assert path is not None
    return path


def require_chromium() -> str:
    path = shutil.which(CHROMIUM) or shutil.which("chromium")
    if path is None:
        unavailable("needs Chromium: apt-get install -y chromium (or set ICHIBA_CHROMIUM)")
    assert path is not None
    return path


@pytest.fixture
def seller(db: Any) -> Party:
    from tests.builders import make_party

    return make_party("Kansai Bridge Monitoring", {"seller"})


@pytest.fixture
def other_seller(db: Any) -> Party:
    from tests.builders import make_party

    return make_party("Hokuriku Sensors", {"seller"})


@pytest.fixture
def buyer(db: Any) -> Party:
    from tests.builders import make_party

    return make_party("Osaka Analytics", {"buyer"})


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    """``with capture(execute=True):`` runs what the block's transactions deferred to their commit (tasks enqueued
    after commit, run eagerly in the tests)."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def on_broker(transactional_db: Any) -> Iterator[None]:
    """This process publishes tasks to Redis (as a web server does) instead of running them in-process, for tests
    with real workers (tests/integration/workers.py); needs PostgreSQL and Redis."""
    from tests.integration.workers import publishing_to_broker

    require_postgres()
    require_redis()
    with publishing_to_broker():
        yield


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    """The real workers a test starts (append them); each stopped when the test ends."""
    from tests.integration.workers import stop_worker

    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        stop_worker(process)


@pytest.fixture
def anonymous() -> APIClient:
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(request: pytest.FixtureRequest) -> Iterator[None]:
    """Before the test database is dropped, end sessions that threads of live servers or worker processes
    left open (PostgreSQL refuses to drop a database that is in use). A no-op without pytest-django
    (``-p no:django`` runs of the pure modules)."""
    if not request.config.pluginmanager.has_plugin("django"):
        yield
        return
    request.getfixturevalue("django_db_setup")
    yield
    if connection.vendor != "postgresql":
        return
    with request.getfixturevalue("django_db_blocker").unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def browser_context(live_server: Any) -> Iterator[Any]:
    """A Japanese-speaking headless Chromium (the site's default language) on the live server."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="ja-JP", base_url=live_server.url, viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(BROWSER_TIMEOUT_MS)
            yield context
            context.close()
        finally:
            browser.close()


@pytest.fixture
def browser_page(browser_context: Any) -> Any:
    return browser_context.new_page()


# --- DNS: this network resolves no public name, so a test that needs one says what it resolves to ------------------


@dataclass
class Resolver:
    """Answers for the names a test sets (``dns.answers["seller.example"] = ["93.184.215.14"]``, or a callable
    returning the addresses, asked at each lookup: a name that changes its answer, or stalls); every other name
    goes to the real resolver (``localhost``, ``*.invalid``)."""

    answers: dict[str, list[str] | Callable[[], list[str]]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    resolver = Resolver()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = str(host).rstrip(".").lower()
        answer = resolver.answers.get(name)
        if answer is None:
            return real(host, port, *args, **kwargs)
        resolver.asked.append(name)
        addresses = answer() if callable(answer) else answer
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return resolver


# --- localstripe: the stripe provider is tested against a real fake Stripe on loopback ---------------------------

LOCALSTRIPE_SECRET_KEY = "sk_test_ichiba_localstripe"
LOCALSTRIPE_START_SECONDS = 20


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _localstripe_request(base_url: str, path: str, method: str = "GET") -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback URL built here
        f"{base_url}{path}", method=method, headers={"Authorization": f"Bearer {LOCALSTRIPE_SECRET_KEY}"}
    )
    with urllib.request.urlopen(request, timeout=2):  # noqa: S310
        pass


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[str]:
    """One localstripe process for the session (``--from-scratch``: no state from an earlier run); its base URL."""
    executable = require_localstripe()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--from-scratch"], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + LOCALSTRIPE_START_SECONDS
            while True:
                try:
                    _localstripe_request(base_url, "/v1/customers?limit=1")
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"localstripe did not start on port {port}: {log.read().decode()[-2000:]}")
                    time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def localstripe(localstripe_server: str, settings: Any) -> str:
    """An empty localstripe, and ``settings.STRIPE`` pointed at it; yields its base URL."""
    _localstripe_request(localstripe_server, "/_config/data", method="DELETE")
    settings.STRIPE = {**settings.STRIPE, "SECRET_KEY": LOCALSTRIPE_SECRET_KEY, "API_BASE": localstripe_server}
    return localstripe_server


# --- S3-compatible storage: moto's S3 server on loopback stands in for the object store --------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server in a thread of this process; its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        unavailable("needs moto's S3 server: pip install 'moto[server]' (it is in the dev extras)")
        raise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server: str, settings: Any) -> Iterator[str]:
    """Dataset files in a fresh bucket of the S3 server (``ICHIBA_DATA_STORAGE=s3``); yields the bucket."""
    import boto3

    bucket = f"ichiba-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_server, **credentials).create_bucket(Bucket=bucket)
    settings.DATA_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "datasets": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "file_overwrite": False,
            },
        },
    }
    # A FileField calls its storage callable once, when models load (as a process started with
    # ICHIBA_DATA_STORAGE=s3 does): point the field at the bucket for this test, then back.
    from catalog.models import DatasetVersion, VersionRendition, dataset_storage

    file_fields = [model._meta.get_field("file") for model in (DatasetVersion, VersionRendition)]
    local = [file_field.storage for file_field in file_fields]
    for file_field in file_fields:
        file_field.storage = dataset_storage()
    try:
        yield bucket
    finally:
        for file_field, storage in zip(file_fields, local, strict=True):
            file_field.storage = storage


# --- a Redis of the test's own, to stop and start (the machine's Redis is shared and never stopped) -------------

REDIS_START_SECONDS = 20


class RedisServer:
    """A ``redis-server`` on a free loopback port, with no persistence (or, given a ``directory``, an append-only
    file there, written through at every command); ``kill`` it and ``start`` it again on the same port to play an
    outage and a recovery, which loses everything, or nothing with the file."""

    def __init__(self, executable: str, *, directory: str | None = None) -> None:
        self.executable = executable
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        persistence = ["--appendonly", "no"]
        if self.directory is not None:
            persistence = ["--appendonly", "yes", "--appendfsync", "always", "--dir", self.directory]
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + REDIS_START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the outage comes without warning, as a crashed or partitioned Redis does."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A running Redis of this test's own (skips with how to install redis-server; fails under CI)."""
    executable = shutil.which("redis-server")
    if executable is None:
        unavailable("needs redis-server on PATH: apt-get install -y redis-server")
    assert executable is not None
    server = RedisServer(executable)
    server.start()
    try:
        yield server
    finally:
        server.kill()


# --- Mosquitto: live streams are tested against a real broker of the test's own, with the dynamic-security plugin ---

MOSQUITTO_DYNSEC_PLUGIN = os.environ.get(
    "ICHIBA_MOSQUITTO_DYNSEC", "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"
)
MOSQUITTO_ADMIN = "ichiba-admin"
MOSQUITTO_ADMIN_PASSWORD = "ichiba-test-admin-password"
MOSQUITTO_START_SECONDS = 20


class MosquittoServer:
    """A ``mosquitto`` on a free loopback port (never the machine's own on 1883), with its own folder: the
    dynamic-security plugin's file (initialised with ``mosquitto_ctrl dynsec init``) and its persistence, so a
    ``kill`` and a ``start`` on the same port play a broker crash and restart. ``acl=False``: the same broker
    without the plugin, anyone may connect and do anything (the benchmark's reference)."""

    def __init__(
        self, executable: str, ctrl: str, directory: str, *, acl: bool = True, tls: tuple[str, str] | None = None
    ) -> None:
        self.executable = executable
        self.ctrl = ctrl
        self.directory = directory
        self.acl = acl
        self.tls = tls  # (certificate, key) files: the listener speaks TLS only
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.dynsec_file = os.path.join(directory, "dynamic-security.json")
        self.log_file = os.path.join(directory, "mosquitto.log")

    @property
    def admin_url(self) -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{MOSQUITTO_ADMIN}:{MOSQUITTO_ADMIN_PASSWORD}@127.0.0.1:{self.port}"

    def _config(self) -> str:
        lines = [
            "per_listener_settings false",
            f"listener {self.port} 127.0.0.1",
            *([f"certfile {self.tls[0]}", f"keyfile {self.tls[1]}"] if self.tls else []),
            # Sessions and retained messages survive a restart (written at shutdown and every second).
            "persistence true",
            f"persistence_location {self.directory}/",
            "autosave_interval 1",
            # A persistent session holds this many QoS 1 messages while its client is away (the default is 1000).
            "max_queued_messages 100000",
            f"log_dest file {self.log_file}",
        ]
        if os.geteuid() == 0:  # mosquitto started by root drops to the mosquitto user, who cannot write here
            lines.append("user root")
        if self.acl:
            lines += [
                "allow_anonymous false",
                f"plugin {MOSQUITTO_DYNSEC_PLUGIN}",
                f"plugin_opt_config_file {self.dynsec_file}",
            ]
        else:
            lines.append("allow_anonymous true")
        return "\n".join(lines) + "\n"

    def start(self) -> None:
        if self.acl and not os.path.exists(self.dynsec_file):
            subprocess.run(
                [self.ctrl, "dynsec", "init", self.dynsec_file, MOSQUITTO_ADMIN, MOSQUITTO_ADMIN_PASSWORD],
                check=True,
                capture_output=True,
                timeout=30,
            )
        config = os.path.join(self.directory, "mosquitto.conf")
        with open(config, "w", encoding="utf-8") as file:
            file.write(self._config())
        self.process = subprocess.Popen(
            [self.executable, "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + MOSQUITTO_START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mosquitto did not start on port {self.port}: {self.log()[-2000:]}")
            time.sleep(0.05)

    def log(self) -> str:
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as file:
                return file.read()
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL: the broker vanishes without saving anything since its last autosave."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        """SIGTERM: a clean shutdown (sessions and the plugin's file saved)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def require_mosquitto() -> tuple[str, str]:
    """The ``mosquitto`` and ``mosquitto_ctrl`` executables, with the dynamic-security plugin, or skip/fail."""
    executable = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    ctrl = shutil.which("mosquitto_ctrl")
    if executable is None or ctrl is None or not os.path.exists(MOSQUITTO_DYNSEC_PLUGIN):
        unavailable(
            "needs Mosquitto with its dynamic-security plugin: apt-get install -y mosquitto "
            "(or set ICHIBA_MOSQUITTO_DYNSEC to the plugin's path)"
        )
    assert executable is not None and ctrl is not None
    return executable, ctrl


def mosquitto_server(directory: str, *, acl: bool = True, tls: tuple[str, str] | None = None) -> MosquittoServer:
    """A started broker in ``directory`` (the caller stops it); skips or fails without Mosquitto."""
    executable, ctrl = require_mosquitto()
    server = MosquittoServer(executable, ctrl, directory, acl=acl, tls=tls)
    server.start()
    return server


@pytest.fixture(scope="session")
def mosquitto_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoServer]:
    """One broker with the dynamic-security plugin for the session (tests use ids of their own, so they never meet)."""
    server = mosquitto_server(str(tmp_path_factory.mktemp("mosquitto")))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mosquitto(tmp_path: Any) -> Iterator[MosquittoServer]:
    """A broker of this test's own, to kill and restart."""
    server = mosquitto_server(str(tmp_path))
    try:
        yield server
    finally:
        server.stop()


def streams_pointed_at(server: MosquittoServer, settings: Any) -> None:
    """Turn live streams on against ``server`` (``settings``: pytest-django's fixture, undone after the test)."""
    settings.ICHIBA = {**settings.ICHIBA, "MQTT_URL": server.admin_url, "MQTT_TIMEOUT_SECONDS": 3.0}


@pytest.fixture
def streams_on(mosquitto_shared: MosquittoServer, settings: Any) -> MosquittoServer:
    """Live streams on, against the session's broker."""
    streams_pointed_at(mosquitto_shared, settings)
    return mosquitto_shared
