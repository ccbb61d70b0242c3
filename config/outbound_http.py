"""The one HTTP client for requests to other parties' servers: partner webhooks (settlement) and Dataspace Protocol
callbacks to connectors (dataspace). Every connection goes to an address checked public at connect time (the SSRF
guard of ``config.outbound``, unless private targets are allowed), and every request ends at its deadline.

``requests``' timeout bounds each socket operation, not the call: a receiver that sends one byte of its headers every
few seconds would keep a call, and a worker, busy for minutes. ``_Deadline`` shuts the request's sockets down when
its time is up, for HTTP and HTTPS alike.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from config.outbound import TargetRefused, private_targets_allowed, public_address, within

__all__ = ["RESPONSE_SNIPPET_CHARS", "Outcome", "guarded_post"]

# How much of a non-2xx response body is kept for the sender's log.
RESPONSE_SNIPPET_CHARS = 200


class _Deadline:
    """The hard end of one delivery attempt: ``ICHIBA_WEBHOOK_TIMEOUT_SECONDS`` after it starts, whatever the
    receiver does.

    ``requests``' timeout bounds each socket operation, not the call: a receiver that sends one byte of its
    headers every few seconds keeps a call alive for minutes, and with it a worker. So every socket an attempt
    opens is registered here, and when the deadline passes a timer thread shuts them down. That ends whatever
    the call is blocked in (connecting, the TLS handshake, sending, reading the headers or the body snippet) at
    once, for HTTP and HTTPS alike, since it acts below TLS. Name resolution, which no socket timeout bounds,
    runs in a helper thread waited on for the time left (``config.outbound.within``).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.0)

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it already has)."""
        # A duplicate descriptor: TLS wrapping detaches the original object, and shutdown(2) acts on the
        # connection whichever descriptor names it.
        watched = sock.dup()
        with self._lock:
            self._watched.append(watched)
            expired = self.expired
        if expired:
            _shutdown(watched)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched = list(self._watched)
        for sock in watched:
            _shutdown(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            watched, self._watched = self._watched, []
        for sock in watched:
            sock.close()


def _shutdown(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed by the client, or never connected
        sock.shutdown(socket.SHUT_RDWR)


# The attempt in progress in this thread (or task), if any: its connections register their sockets with it.
_attempt_deadline: ContextVar[_Deadline | None] = ContextVar("outbound_attempt_deadline", default=None)


def _addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """Where to connect: the one checked public address unless private targets are allowed (then every
    address the name has, tried in order, as urllib3 would)."""
    if not private_targets_allowed():
        return [public_address(host, port)]
    return [tuple(info[4]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _connect(addresses: list[tuple[Any, ...]], port: int, timeout: Any, **options: Any) -> socket.socket:
    error: OSError | None = None
    for address in addresses:
        try:
            return urllib3_connection.create_connection((str(address[0]), port), timeout, **options)
        except OSError as exc:  # TimeoutError included: the next address, then the last error
            error = exc
    raise error or OSError(f"no address to connect to on port {port}")


class _GuardedConnectionMixin:
    """Every delivery connects through here: to an address checked public (the SSRF guard, unless private
    targets are allowed), within the attempt's deadline, and registered with it."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        # Mirrors urllib3's HTTPConnection._new_conn, but connects to the checked address; TLS still
        # verifies the certificate against ``self.host`` (server_hostname), not the address.
        deadline = _attempt_deadline.get()
        timeout = self.timeout
        if deadline is not None:
            left = deadline.remaining()
            timeout = min(timeout, left) if isinstance(timeout, int | float) else left
        try:
            resolve = functools.partial(_addresses, self.host, self.port)
            addresses = resolve() if deadline is None else within(deadline.remaining(), resolve)
            sock = _connect(
                addresses, self.port, timeout, source_address=self.source_address, socket_options=self.socket_options
            )
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc  # type: ignore[arg-type]
        if deadline is not None:
            deadline.watch(sock)
        return sock


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _PublicTargetsAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    # No environment proxies: a proxy would be the peer, hiding the partner's address from the guard
    # (and a partner URL must not be able to reach whatever the proxy can).
    session.trust_env = False
    adapter = _PublicTargetsAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass(frozen=True)
class Outcome:
    """What one POST came to: the status code if an answer came, else None, and what went wrong (empty when
    nothing did)."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def guarded_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``url`` through the SSRF guard, ending at ``timeout`` seconds whatever the receiver does;
    never raises for a network failure or a refusal: the outcome says what happened. Redirects are not followed,
    and of a non-2xx answer's body only a snippet is read (for the sender's log)."""
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    with _Deadline(timeout) as deadline:
        token = _attempt_deadline.set(deadline)
        try:
            with _session() as session:
                # stream=True: only the status line and headers are awaited; at most a snippet of the body is read.
                response = session.post(
                    url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
                )
                with response:
                    status_code = response.status_code
                    if not 200 <= status_code < 300:
                        snippet = response.raw.read(RESPONSE_SNIPPET_CHARS * 4, decode_content=True) or b""
                        text = snippet.decode("utf-8", "replace")[:RESPONSE_SNIPPET_CHARS]
                        where = f" to {response.headers.get('Location', '')}" if 300 <= status_code < 400 else ""
                        error = f"HTTP {status_code}{where}" + (f": {text}" if text.strip() else "")
                        if 300 <= status_code < 400:
                            error += " (redirects are not followed)"
        except TargetRefused as exc:
            error = str(exc)
        except requests.Timeout:
            error = f"Timed out after {timeout:g} s."
        except requests.ConnectionError as exc:
            error = f"Connection failed: {exc}"
        except (requests.RequestException, HTTPError, OSError) as exc:  # HTTPError: urllib3's, from the snippet
            error = f"Request failed: {exc}"
        finally:
            _attempt_deadline.reset(token)
    if deadline.expired and not (status_code is not None and 200 <= status_code < 300):
        # Cut at the deadline: whatever the shut-down socket made the client report, this is a timeout.
        error = (
            f"Timed out after {timeout:g} s."
            if status_code is None
            else (f"HTTP {status_code}; timed out after {timeout:g} s reading the response body.")
        )
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(status_code=status_code, error=error[:500], duration_ms=duration_ms)
