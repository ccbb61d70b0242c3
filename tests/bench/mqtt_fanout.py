"""MQTT fan-out: one feed, ``ICHIBA_BENCH_MQTT_SUBSCRIBERS`` (50) subscribers; the highest publish rate at which every
subscriber gets every message with p99 latency under 50 ms, on Mosquitto with the market's ACLs (the
dynamic-security plugin, clients and roles exactly as ``streams`` makes them) beside the same Mosquitto without ACLs
(anonymous, no plugin), in the same run. Target: the ACL broker sustains at least 0.8x the reference's rate.

Both brokers run with the same configuration but for the ACLs (loopback listener, ``set_tcp_nodelay``, defaults
otherwise). The market's setup on the ACL broker: the seller's publishing client (``publisher_role``), and one
reading client per subscription (``reader_role``), each bound to its client id, created through the same admin client
the market uses (streams/broker.py). The market's own counter is left out: it is one more subscriber, not an ACL cost.

The measuring clients:

* Subscribers: one ``mosquitto_sub`` process each (C, from mosquitto-clients; QoS 1), printing each message with the
  time it received it (``%U``, CLOCK_REALTIME, nanoseconds) to a file of its own. They stay connected for the whole
  run. Latency = receive time - the send time the publisher wrote into the payload (one machine, one clock).
* The publisher: a Python process of its own per broker (paho-mqtt, QoS 1, up to 10,000 messages in flight),
  connected once, publishing ``rate`` messages a second for ``ICHIBA_BENCH_MQTT_SECONDS`` (2) seconds per trial, each
  at its scheduled instant; ``publish_window_s`` says how long a trial's publishing actually took (longer than
  planned: the publisher could not keep the rate).

A trial passes when every subscriber received every message of the trial and the p99 of all deliveries' latencies is
under 50 ms. The search per broker: start at 250 messages/s, double while trials pass, then halve the gap between the
last pass and the first failure 3 times; the two brokers' searches alternate trial by trial, so both see the same
neighbours. ``max_rate`` is the highest passing rate.

Whether the clients were the bottleneck: every trial records the CPU seconds of the broker, of each subscriber process
and of the publisher while it publishes (and its messages are acknowledged), as shares of one core
(``/proc/<pid>/stat``; the machine's cores are ``cpus``), and how many cores the whole machine kept busy meanwhile
(``machine_busy_cores``, other tenants included: near ``cpus``, the machine itself was the limit).
``clients_not_the_bottleneck`` is true when the same clients passed a higher rate on the reference broker than the
ACL broker's first failing rate (so what failed there was the broker), or, if the ACL broker never failed, when the
clients stayed below half a core each. The figures show the rest: the broker's share of a core at its best rate, the
busiest subscriber's share, the publisher's.

One JSON line, ``streams.mqtt_fanout`` (``skipped`` without mosquitto, mosquitto_sub or the plugin).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.common import ROOT, emit, free_port, wait_for_port

BENCH = "streams.mqtt_fanout"
SUBSCRIBERS = int(os.environ.get("ICHIBA_BENCH_MQTT_SUBSCRIBERS", 50))
SECONDS = float(os.environ.get("ICHIBA_BENCH_MQTT_SECONDS", 2.0))
START_RATE = 250
MAX_RATE = int(os.environ.get("ICHIBA_BENCH_MQTT_MAX_RATE", 64_000))
BISECTIONS = 4
P99_LIMIT_MS = 50.0
DRAIN_SECONDS = 1.5
TARGET = 0.8
PLUGIN = os.environ.get("ICHIBA_MOSQUITTO_DYNSEC", "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so")
ADMIN, ADMIN_PASSWORD = "ichiba-admin", "bench-admin-password"
TICK = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy so far (``/proc/stat``: all but idle and iowait), whoever
    ran: on a shared machine, the other tenants' load shows here."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


# --- brokers --------------------------------------------------------------------------------------------------


@dataclass
class Broker:
    name: str
    acl: bool
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self, mosquitto: str, ctrl: str) -> None:
        lines = [
            "per_listener_settings false",
            f"listener {self.port} 127.0.0.1",
            "set_tcp_nodelay true",
            "persistence false",
            f"log_dest file {self.directory / 'mosquitto.log'}",
        ]
        if os.geteuid() == 0:
            lines.append("user root")
        if self.acl:
            dynsec = self.directory / "dynamic-security.json"
            subprocess.run(
                [ctrl, "dynsec", "init", str(dynsec), ADMIN, ADMIN_PASSWORD], check=True, capture_output=True
            )
            lines += ["allow_anonymous false", f"plugin {PLUGIN}", f"plugin_opt_config_file {dynsec}"]
        else:
            lines.append("allow_anonymous true")
        config = self.directory / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n")
        self.process = subprocess.Popen(
            [mosquitto, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port, timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass(frozen=True)
class Login:
    username: str | None = None
    password: str | None = None
    client_id: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:12]}")


@dataclass
class Subscriber:
    process: subprocess.Popen[bytes]
    output: Path
    offset: int = 0

    def read_new(self) -> list[str]:
        with self.output.open("rb") as file:
            file.seek(self.offset)
            data = file.read()
        complete = data.rfind(b"\n") + 1
        self.offset += complete
        return data[:complete].decode().splitlines()


@dataclass
class Setup:
    broker: Broker
    topic: str
    publisher: subprocess.Popen[str]
    subscribers: list[Subscriber]


def market_setup(broker: Broker) -> tuple[str, Login, list[Login]]:
    """The feed, the seller's login and the subscribers' logins, as the market makes them on an ACL broker."""
    dataset_id = uuid.uuid4()
    topic = f"feeds/{dataset_id}/gauge"
    if not broker.acl:
        return topic, Login(), [Login() for _ in range(SUBSCRIBERS)]
    from config.market import MqttAddress
    from streams.acl import publisher_role, publisher_username, reader_role, subscriber_username
    from streams.broker import DynsecAdmin, new_password

    admin = DynsecAdmin(MqttAddress(False, "127.0.0.1", broker.port, ADMIN, ADMIN_PASSWORD), timeout=10.0)
    try:
        publishing, reading = publisher_role(dataset_id), reader_role(dataset_id)
        admin.roles_put([publishing, reading])
        name = publisher_username(dataset_id)
        seller = Login(name, new_password(), name)
        admin.client_put(name, password=seller.password or "", clientid=name, roles=[publishing.name], enabled=True)
        subscribers = []
        for _ in range(SUBSCRIBERS):
            name = subscriber_username(uuid.uuid4())
            login = Login(name, new_password(), name)
            admin.client_put(name, password=login.password or "", clientid=name, roles=[reading.name], enabled=True)
            subscribers.append(login)
    finally:
        admin.close()
    return topic, seller, subscribers


def start_subscribers(broker: Broker, topic: str, logins: list[Login], mosquitto_sub: str) -> list[Subscriber]:
    subscribers = []
    for index, login in enumerate(logins):
        output = broker.directory / f"sub-{index}.out"
        command = [mosquitto_sub, "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "--nodelay"]
        command += ["-i", login.client_id, "-t", topic, "-F", "%U %p"]
        if login.username:
            command += ["-u", login.username, "-P", login.password or ""]
        with output.open("wb") as stream:
            process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
        subscribers.append(Subscriber(process, output))
    return subscribers


# --- the publisher (a process of its own: python -m tests.bench.mqtt_fanout publish '<login json>') ---------------


def publish_main(login: dict[str, Any]) -> None:
    """Connect once, then for each trial read on stdin (``{"rate", "count", "trial"}``) publish its messages at their
    instants and answer on stdout with what it sent, how long it took and its CPU share meanwhile."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=login["client_id"], protocol=mqtt.MQTTv311)
    if login["username"]:
        client.username_pw_set(login["username"], login["password"])
    client.max_inflight_messages_set(10_000)
    client.max_queued_messages_set(0)
    acked = [0]

    def on_publish(client: Any, userdata: Any, mid: int, reason: Any, properties: Any) -> None:
        acked[0] += 1

    client.on_publish = on_publish
    client.connect("127.0.0.1", login["port"], keepalive=60)
    client.loop_start()
    topic = login["topic"]
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        rate, count, trial = command["rate"], command["count"], command["trial"]
        acked[0] = 0
        before = os.times()
        started = time.perf_counter()
        for seq in range(count):
            wait = started + seq / rate - time.perf_counter()
            if wait > 0.0005:
                time.sleep(wait)
            client.publish(topic, f"{trial} {seq} {time.time_ns()}", qos=1)
        window = time.perf_counter() - started
        after = os.times()
        deadline = time.monotonic() + 10
        while acked[0] < count and time.monotonic() < deadline:
            time.sleep(0.005)
        cpu = (after.user + after.system) - (before.user + before.system)
        print(json.dumps({"sent": count, "acked": acked[0], "window": window, "cpu_share": cpu / window}), flush=True)
    client.disconnect()
    client.loop_stop()


def start_publisher(broker: Broker, topic: str, login: Login) -> subprocess.Popen[str]:
    arguments = {"port": broker.port, "topic": topic, **login.__dict__}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.mqtt_fanout", "publish", json.dumps(arguments)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert json.loads(process.stdout.readline()) == {"ready": True}
    return process


# --- trials and the search ---------------------------------------------------------------------------------------


@dataclass
class Trial:
    broker: str
    rate: int
    passed: bool
    received_min: int
    sent: int
    p99_ms: float
    p50_ms: float
    broker_cpu: float
    subscriber_cpu_max: float
    subscriber_cpu_total: float
    publisher_cpu: float
    machine_busy_cores: float
    publish_window_s: float


def run_trial(setup: Setup, rate: int, trial: int) -> Trial:
    """Publish ``rate`` messages a second for SECONDS; CPU shares are over the publishing (and acknowledging)."""
    count = max(1, int(rate * SECONDS))
    assert setup.broker.process is not None and setup.publisher.stdin and setup.publisher.stdout
    pids = [setup.broker.process.pid, *(subscriber.process.pid for subscriber in setup.subscribers)]
    before = {pid: cpu_seconds(pid) for pid in pids}
    machine_before = machine_busy_seconds()
    started = time.monotonic()
    setup.publisher.stdin.write(json.dumps({"rate": rate, "count": count, "trial": trial}) + "\n")
    setup.publisher.stdin.flush()
    result = json.loads(setup.publisher.stdout.readline())
    wall = time.monotonic() - started
    after = {pid: cpu_seconds(pid) for pid in pids}
    machine_busy = (machine_busy_seconds() - machine_before) / wall
    time.sleep(DRAIN_SECONDS)
    latencies: list[float] = []
    received: list[int] = []
    for subscriber in setup.subscribers:
        seen: set[int] = set()
        for line in subscriber.read_new():
            received_at, trial_no, seq, sent_ns = line.split()
            if int(trial_no) != trial:
                continue
            seen.add(int(seq))
            latencies.append(float(received_at) - int(sent_ns) / 1e9)
        received.append(len(seen))
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 1 else float("inf")
    p50 = statistics.median(latencies) * 1000 if latencies else float("inf")
    broker_pid, subscriber_pids = pids[0], pids[1:]
    shares = [(after[pid] - before[pid]) / wall for pid in subscriber_pids]
    return Trial(
        broker=setup.broker.name,
        rate=rate,
        passed=min(received) == count and p99 < P99_LIMIT_MS,
        received_min=min(received),
        sent=count,
        p99_ms=round(p99, 2),
        p50_ms=round(p50, 2),
        broker_cpu=round((after[broker_pid] - before[broker_pid]) / wall, 3),
        subscriber_cpu_max=round(max(shares), 3),
        subscriber_cpu_total=round(sum(shares), 3),
        publisher_cpu=round(result["cpu_share"], 3),
        machine_busy_cores=round(machine_busy, 2),
        publish_window_s=round(result["window"], 3),
    )


class Search:
    """Doubling from START_RATE while trials pass, then bisecting between the last pass and the first failure."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed: int | None = None
        self.bisections = 0
        self.best: Trial | None = None
        self.first_failure: Trial | None = None

    def next_rate(self) -> int | None:
        if self.failed is None:
            rate = START_RATE if self.passed == 0 else self.passed * 2
            return rate if rate <= MAX_RATE else None
        if self.bisections >= BISECTIONS or self.failed - self.passed <= max(10, self.passed // 50):
            return None
        return (self.passed + self.failed) // 2

    def record(self, trial: Trial) -> None:
        if self.failed is not None:
            self.bisections += 1
        if trial.passed:
            self.passed, self.best = trial.rate, trial
        else:
            self.failed = trial.rate
            if self.first_failure is None or trial.rate < self.first_failure.rate:
                self.first_failure = trial


def run() -> None:
    mosquitto = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    ctrl, mosquitto_sub = shutil.which("mosquitto_ctrl"), shutil.which("mosquitto_sub")
    if not (mosquitto and ctrl and mosquitto_sub and os.path.exists(PLUGIN)):
        emit(
            bench=BENCH,
            skipped="needs mosquitto with its dynamic-security plugin and mosquitto_sub: "
            "apt-get install -y mosquitto mosquitto-clients",
        )
        return
    with tempfile.TemporaryDirectory(prefix="ichiba-bench-mqtt-") as work:
        brokers = [Broker("acl", True, Path(work) / "acl"), Broker("reference", False, Path(work) / "reference")]
        setups: list[Setup] = []
        try:
            for broker in brokers:
                broker.directory.mkdir()
                broker.start(mosquitto, ctrl)
                topic, seller, logins = market_setup(broker)
                subscribers = start_subscribers(broker, topic, logins, mosquitto_sub)
                setups.append(Setup(broker, topic, start_publisher(broker, topic, seller), subscribers))
            time.sleep(1.0)  # every subscriber connected and subscribed
            trial = 0
            for setup in setups:  # warm-up, unmeasured
                trial += 1
                run_trial(setup, START_RATE // 2, trial)
            searches = {setup.broker.name: Search() for setup in setups}
            trials: list[Trial] = []
            while True:
                progressed = False
                for setup in setups:
                    search = searches[setup.broker.name]
                    rate = search.next_rate()
                    if rate is None:
                        continue
                    trial += 1
                    result = run_trial(setup, rate, trial)
                    search.record(result)
                    trials.append(result)
                    progressed = True
                if not progressed:
                    break
        finally:
            for setup in setups:
                if setup.publisher.stdin:
                    setup.publisher.stdin.close()
                setup.publisher.wait(timeout=20)
                for subscriber in setup.subscribers:
                    subscriber.process.terminate()
                for subscriber in setup.subscribers:
                    subscriber.process.wait(timeout=10)
            for broker in brokers:
                broker.stop()
    acl, reference = searches["acl"], searches["reference"]
    ratio = acl.passed / reference.passed if reference.passed else None
    if acl.first_failure is not None:
        clients_fine = reference.passed > acl.first_failure.rate
    else:
        clients_fine = acl.best is not None and acl.best.subscriber_cpu_max < 0.5 and acl.best.publisher_cpu < 0.5

    def summary(search: Search) -> dict[str, Any]:
        best, failure = search.best, search.first_failure
        return {
            "max_rate": search.passed,
            "deliveries_per_s": search.passed * SUBSCRIBERS,
            "at_max": best.__dict__ if best else None,
            "first_failure": failure.__dict__ if failure else None,
        }

    emit(
        bench=BENCH,
        subscribers=SUBSCRIBERS,
        qos=1,
        seconds_per_trial=SECONDS,
        p99_limit_ms=P99_LIMIT_MS,
        acl_max_rate=acl.passed,
        reference_max_rate=reference.passed,
        ratio_to_reference=round(ratio, 3) if ratio is not None else None,
        target=TARGET,
        clients_not_the_bottleneck=clients_fine,
        acl=summary(acl),
        reference=summary(reference),
        trial_columns=[
            "broker",
            "rate",
            "passed",
            "p99_ms",
            "received_min",
            "sent",
            "broker_cpu",
            "machine_busy_cores",
        ],
        trials=[
            (t.broker, t.rate, t.passed, t.p99_ms, t.received_min, t.sent, t.broker_cpu, t.machine_busy_cores)
            for t in trials
        ],
        cpus=os.cpu_count(),
    )


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "publish":
        publish_main(json.loads(sys.argv[2]))
    else:
        run()
