"""A gunicorn an integration test owns, on a free loopback port of its own; its Redis is
``tests.fixtures.redis_server`` (never the machine's 6379).

The server can be crashed (SIGKILL: master and workers, requests in flight) and started again on the same port,
so the clients and workers that know its address reconnect as they would to a production server that came back.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures import free_port, unavailable

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def require_gunicorn() -> None:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        unavailable('needs gunicorn: pip install "gunicorn>=23,<24" (a dependency of the project)')


def _answers(port: int, probe: bytes, expected: bytes) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(probe)
            return sock.recv(64).startswith(expected)
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes] | None, *, group: bool = False) -> None:
    if process is None or process.poll() is not None:
        return
    if group:  # gunicorn's master and its workers: a crash of the whole server, not a graceful restart
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait(timeout=20)


class WebServer:
    """``gunicorn config.wsgi:application`` (sync workers) in a process group of its own, with ``env``."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 3) -> None:
        require_gunicorn()
        self.env = env
        self.log = log
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "5"]
        command += ["--log-level", "warning"]
        with self.log.open("ab") as stream:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=stream, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_SECONDS
        # Any HTTP answer will do (a 404 problem): the master listens and a worker serves.
        while not _answers(self.port, b"GET /api/v1/ready-probe HTTP/1.0\r\n\r\n", b"HTTP/1."):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.crash()
                raise AssertionError(f"gunicorn did not start on {self.port}: {self.log_tail()}")
            time.sleep(0.1)

    def crash(self) -> None:
        _stop(self.process, group=True)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
