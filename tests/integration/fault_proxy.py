"""A fault-injecting HTTP proxy in front of localstripe: the real Stripe SDK meets real 500s and timeouts.

Rules apply to the next N requests matching a method and an exact path:

* ``fail`` answers with a status (500) without forwarding: Stripe did nothing;
* ``stall`` waits before forwarding: the client times out, then Stripe does the work anyway (real Stripe
  then dedupes the retry by its Idempotency-Key; localstripe ignores that header, so tests use ``drop``);
* ``drop`` waits, then answers 504 without forwarding: the client timed out and Stripe never saw it;
* ``hold`` forwards at once, then waits before answering: the work is done, the answer comes late (a
  worker killed meanwhile never hears it).
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FORWARDED_HEADERS = ("authorization", "content-type", "idempotency-key", "stripe-version", "user-agent", "accept")


@dataclass
class Rule:
    method: str
    path: str
    action: str  # fail | stall | drop | hold
    remaining: int
    status: int = 500
    seconds: float = 0.0


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[Rule] = []
        self.seen: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                proxy._handle(self)

            def do_POST(self) -> None:
                proxy._handle(self)

            def do_DELETE(self) -> None:
                proxy._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, rule: Rule) -> None:
        with self._lock:
            self.rules.append(rule)

    def _take(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.seen[(method, path)] += 1
            for rule in self.rules:
                if rule.method == method and rule.path == path and rule.remaining > 0:
                    rule.remaining -= 1
                    return rule
        return None

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        rule = self._take(handler.command, path)
        if rule is not None and rule.action == "drop":
            time.sleep(rule.seconds)
        if rule is not None and rule.action in ("fail", "drop"):
            payload = b'{"error": {"type": "api_error", "message": "injected fault"}}'
            handler.send_response(rule.status if rule.action == "fail" else 504)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client timed out already
                handler.wfile.write(payload)
            return
        if rule is not None and rule.action == "stall":
            time.sleep(rule.seconds)
        connection = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=30)
        headers = {name: value for name, value in handler.headers.items() if name.lower() in FORWARDED_HEADERS}
        connection.request(handler.command, handler.path, body=body or None, headers=headers)
        answer = connection.getresponse()
        content = answer.read()
        connection.close()
        if rule is not None and rule.action == "hold":
            time.sleep(rule.seconds)
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            handler.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timed out or was killed)
            pass
