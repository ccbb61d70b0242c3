"""A consumer's connector for the tests: a small HTTP server on loopback that receives the provider's DSP callbacks
(agreements, events, offers, transfer starts, terminations) and lets a test wait for them.

    with consumer_connector() as connector:
        ...  # post a ContractRequestMessage naming connector.callback_address
        agreement = connector.wait_for("ContractAgreementMessage")

Each message is kept with the path it was posted to and its parsed JSON body. ``connector.answers`` scripts the
HTTP status of the next replies (200 when empty), to play a connector that is down or refuses a message.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    message: Any
    headers: dict[str, str]


@dataclass
class Connector:
    callback_address: str = ""
    received: list[Received] = field(default_factory=list)
    answers: deque[int] = field(default_factory=deque)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def messages(self, message_type: str) -> list[Received]:
        with self._arrived:
            return [r for r in self.received if isinstance(r.message, dict) and r.message.get("@type") == message_type]

    def wait_for(self, message_type: str, *, count: int = 1, timeout: float = 30.0) -> Received:
        """The ``count``-th message of ``message_type`` received, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [
                    r for r in self.received if isinstance(r.message, dict) and r.message.get("@type") == message_type
                ]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [r.message.get("@type") if isinstance(r.message, dict) else r.message for r in self.received]
                    raise AssertionError(f"no {message_type} #{count} within {timeout:g} s; received {seen}")
                self._arrived.wait(left)

    def record(self, received: Received) -> int:
        with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()
            return self.answers.popleft() if self.answers else 200


@contextlib.contextmanager
def consumer_connector(path: str = "/callback") -> Iterator[Connector]:
    """A connector listening on a free loopback port; its callback address is ``http://127.0.0.1:<port><path>``
    (the tests' settings allow private targets, as local ones do)."""
    connector = Connector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                message: Any = json.loads(body)
            except ValueError:
                message = body
            status = connector.record(Received(self.path, message, dict(self.headers.items())))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    connector.callback_address = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield connector
    finally:
        server.shutdown()
        server.server_close()
