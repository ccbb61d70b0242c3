"""Servers an integration test owns: a ``redis-server`` and a gunicorn, each on a free loopback port of its own.

Each can be crashed (SIGKILL: no shutdown, no save) and started again on the same port, so the clients, the web
server and the workers that know its address reconnect to it as they would to a production server that came back.
The machine's own Redis (6379) is never touched: a test that stops Redis stops only the one it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures import free_port, unavailable

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def require_redis_server() -> str:
    """The ``redis-server`` executable, or skip/fail."""
    path = shutil.which("redis-server")
    if path is None:
        unavailable("needs redis-server: apt-get install -y redis-server (the test runs a Redis of its own)")
    assert path is not None
    return path


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


class RedisServer:
    """A redis-server without persistence (``--save ""``, no AOF): a crash loses every queued message, as a
    Redis that is replaced or restarted without its data does."""

    def __init__(self, directory: Path) -> None:
        self.executable = require_redis_server()
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def ping(self) -> bool:
        return _answers(self.port, b"PING\r\n", b"+PONG")

    def start(self) -> None:
        command = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        command += ["no", "--dir", str(self.directory), "--logfile", str(self.log)]
        self.process = subprocess.Popen(command, cwd=self.directory)
        deadline = time.monotonic() + START_SECONDS
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.crash()
                raise AssertionError(f"redis-server did not start on {self.port}: {self._log_tail()}")
            time.sleep(0.05)

    def crash(self) -> None:
        _stop(self.process)

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""


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
