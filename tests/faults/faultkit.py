"""Helpers for the fault, soak and kill tests: real processes over real sockets.

The simulator runs as `python -m vbstui sim` in its own process and the client as
`python -m vbstui ...` (the headless CLI), each test isolated in its own state,
cache and log directories.  What the server saw is read from `GET /_sim/state`
and from the VBS API itself with plain httpx (no product client code).
"""

from __future__ import annotations

import json
import os
import random
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PYTHON = sys.executable
USER, PASSWORD, DOMAIN, PROJECT = "demo", "vbstui-demo", "OTC-EU-DE-DEMO", "eu-de_demo"
PROFILE = "sim"
# Error codes the simulator gives failed create jobs (vbstui/sim/injector.py).
CREATE_FAILURE_CODES = ("VolumeBackup.0017", "VolumeBackup.0027", "VolumeBackup.0064")
# Rates are drawn in this order by the simulator's fault injector (FaultSpec.rates()).
RATE_ORDER = ("429", "500", "502", "503", "504", "drop")
# [jobs] settings that shorten the reconciliation after an ambiguous failure (defaults:
# 90 s, or 20 s while the disk shows no activity): the simulator shows a processed create
# at once, so 2 s of nothing seen is as conclusive here as 20 s against a real cloud.
FAST_RECONCILE = {"reconcile_seconds": 30, "reconcile_quiet_seconds": 2}
# [jobs] settings for tests about what is sent, killed or resumed rather than about the poll
# schedule: a look every 0.5 s (default: 2 s growing to 15 s), so a job's end is seen within
# 0.5 s; on whole-second simulated jobs a 0.5 s grid loses nothing to a first poll of 2 s.
FAST_POLL = {"poll_first_seconds": 0.5, "poll_max_seconds": 0.5}


def closed_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.02,
               what: str = "condition") -> Any:
    """Poll until `predicate()` is truthy and return its value; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(interval)


def fault_outcomes(seed: int, rates: dict[str, float], count: int) -> list[str | None]:
    """The first `count` fault outcomes the simulator draws with `seed=` for requests in
    scope, when no latency *range* is set (a range draws one extra number per request).

    Mirrors the documented contract "a seed replays the same failures": one
    `random.Random(seed)`, one roll per request, rates taken in RATE_ORDER.  Tests that
    rely on it also check the simulator's own `faults_injected` counters."""
    rng = random.Random(seed)
    outcomes: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        outcome = None
        for key in RATE_ORDER:
            rate = rates.get(key, 0.0)
            if roll < rate:
                outcome = key
                break
            roll -= rate
        outcomes.append(outcome)
    return outcomes


def find_seed(rates: dict[str, float], wanted: list[str | None], start: int = 1) -> int:
    """The smallest seed >= start whose first outcomes are exactly `wanted`."""
    for seed in range(start, start + 100_000):
        if fault_outcomes(seed, rates, len(wanted)) == wanted:
            return seed
    raise AssertionError(f"no seed gives {wanted}")


# -- the simulator ----------------------------------------------------------------------


@dataclass
class Sim:
    """A `vbstui sim` subprocess."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def state(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/_sim/state", timeout=10.0)
        response.raise_for_status()
        return dict(response.json())

    def api(self) -> SimApi:
        return SimApi(self.url)

    def advance_clock(self, seconds: float) -> None:
        """Move the simulator's clock on: its jobs run that much further at once."""
        response = httpx.post(f"{self.url}/_sim/clock", json={"advance": seconds}, timeout=10.0)
        response.raise_for_status()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_sim(workdir: Path, *, job_seconds: float = 2.0, faults: str = "", seed: int = 1,
              volumes: int = 120, extra: tuple[str, ...] = ()) -> Sim:
    """Start `vbstui sim --port 0` and wait for the base URL on its first stdout line."""
    log = workdir / f"sim-{time.monotonic_ns()}.log"
    args = [PYTHON, "-m", "vbstui", "sim", "--port", "0", "--job-seconds", str(job_seconds),
            "--seed", str(seed), "--volumes", str(volumes), *extra]
    if "--services" not in extra:  # the VBS fault tests: disks in CBR vaults would go to CBR
        args += ["--services", "vbs"]
    if faults:
        args += ["--faults", faults]
    with log.open("wb") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL, env=clean_env())
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    line = b""
    deadline = time.monotonic() + 30
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            proc.kill()
            raise AssertionError(f"simulator did not start: {log.read_text()}")
        chunk = os.read(proc.stdout.fileno(), 1)
        if not chunk:
            proc.wait(5)
            raise AssertionError(f"simulator exited ({proc.returncode}): {log.read_text()}")
        line += chunk
    selector.close()
    url = line.decode().strip()
    assert url.startswith("http://127.0.0.1:"), url
    return Sim(proc, url, log)


class SimApi:
    """A logged-in plain httpx client for reading what the simulated cloud holds.

    Its reads ride out the simulator's own faults (5xx, 429, drops, revoked tokens), so
    it can check a simulator that injects faults into every request."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30.0)
        self.pid = ""
        self._login()

    def _login(self) -> None:
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": USER, "password": PASSWORD, "domain": {"name": DOMAIN}}}},
            "scope": {"project": {"name": PROJECT}},
        }}
        response = self.client.post("/v3/auth/tokens", json=body)
        assert response.status_code == 201, response.text
        self.client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        self.pid = response.json()["token"]["project"]["id"]

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """GET, retried through injected faults (never used for anything but reads)."""
        for _ in range(50):
            try:
                response = self.client.get(path, params=params)
            except httpx.TransportError:
                continue
            if response.status_code == 401:
                self._login()
                continue
            if response.status_code in (429, 500, 502, 503, 504):
                time.sleep(0.05)
                continue
            return response
        raise AssertionError(f"GET {path} kept failing")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> SimApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _all(self, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query = {"limit": 1000, **params}
        while True:
            response = self.get(f"/v2/{self.pid}/{path}", params=query)
            assert response.status_code == 200, response.text
            page = response.json()[key]
            items += page
            if len(page) < query["limit"]:
                return items
            query = {**query, "marker": page[-1]["id"]}

    def volumes(self, **params: Any) -> list[dict[str, Any]]:
        return self._all("cloudvolumes/detail", "volumes", params)

    def backups(self, **params: Any) -> list[dict[str, Any]]:
        return self._all("backups/detail", "backups", params)

    def backups_of(self, volume_id: str, name: str) -> list[dict[str, Any]]:
        return self.backups(volume_id=volume_id, name=name)

    def pick_volumes(self, count: int, *, near_limit: list[str] | None = None
                     ) -> list[str]:
        """`count` idle disks that can take several more backups."""
        skip = set(near_limit or [])
        per_volume: dict[str, int] = {}
        for backup in self.backups():
            per_volume[backup["volume_id"]] = per_volume.get(backup["volume_id"], 0) + 1
        chosen = [v["id"] for v in self.volumes()
                  if v["status"] in ("available", "in-use") and v["id"] not in skip
                  and per_volume.get(v["id"], 0) <= 15]
        assert len(chosen) >= count, f"only {len(chosen)} suitable disks, need {count}"
        return chosen[:count]


# -- the client ---------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    """The environment without anything that could pick another cloud or profile."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("OS_", "VBSTUI_")) and k not in (
                "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy")}


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise AssertionError(f"not JSON ({exc}): {self}") from None

    def __str__(self) -> str:
        return (f"vbstui {' '.join(self.args)} -> exit {self.returncode} in "
                f"{self.seconds:.1f} s\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}")


class Client:
    """One isolated vbstui installation: config, state, cache and log dirs, password."""

    def __init__(self, root: Path, auth_url: str, *, timeouts: dict[str, float] | None = None,
                 endpoints: dict[str, str] | None = None,
                 jobs: dict[str, float] | None = None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "config.toml"
        lines = [f"[profiles.{PROFILE}]", f'auth_url = "{auth_url}"', 'region = "eu-de"',
                 f'user_domain_name = "{DOMAIN}"', f'username = "{USER}"',
                 f'project_name = "{PROJECT}"']
        if timeouts:
            lines.append(f"[profiles.{PROFILE}.timeouts]")
            lines += [f"{k} = {v}" for k, v in timeouts.items()]
        if endpoints:
            lines.append(f"[profiles.{PROFILE}.endpoints]")
            lines += [f'{k} = "{v}"' for k, v in endpoints.items()]
        if jobs:
            lines.append("[jobs]")
            lines += [f"{k} = {v}" for k, v in jobs.items()]
        self.config.write_text("\n".join(lines) + "\n")
        self.config.chmod(0o600)
        self.env = clean_env()
        self.env.update({
            "VBSTUI_PASSWORD": PASSWORD,
            "VBSTUI_STATE_DIR": str(root / "state"),
            "VBSTUI_CACHE_DIR": str(root / "cache"),
            "VBSTUI_LOG_DIR": str(root / "log"),
            "VBSTUI_NO_KEYRING": "1",
            "NO_COLOR": "1",
        })

    @property
    def journal_path(self) -> Path:
        return self.root / "state" / "jobs.sqlite3"

    def argv(self, *args: str) -> list[str]:
        return [PYTHON, "-m", "vbstui", "--config", str(self.config), "--profile", PROFILE,
                *args]

    def run(self, *args: str, timeout: float = 150.0) -> Result:
        started = time.monotonic()
        done = subprocess.run(self.argv(*args), env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, check=False)
        return Result(list(args), done.returncode, done.stdout.decode(errors="replace"),
                      done.stderr.decode(errors="replace"), time.monotonic() - started)

    def spawn(self, *args: str, tag: str = "spawned") -> Spawned:
        """vbstui in the background, with Ctrl-C (SIGINT) at its default as a terminal's
        user has it: a test run started as a background job of a script ignores SIGINT,
        and a child inherits an ignored signal (Python then never raises
        KeyboardInterrupt).  Only the main thread can set a handler; tests run there."""
        out = self.root / f"{tag}-{time.monotonic_ns()}.out"
        err = out.with_suffix(".err")
        previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            with out.open("wb") as stdout, err.open("wb") as stderr:
                proc = subprocess.Popen(self.argv(*args), env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        finally:
            signal.signal(signal.SIGINT, previous)
        return Spawned(list(args), proc, out, err, time.monotonic())

    def journal(self) -> list[dict[str, Any]]:
        """The job records as they are on disk right now (read-only, never blocks writers)."""
        if not self.journal_path.exists():
            return []
        try:
            with closing(sqlite3.connect(f"file:{self.journal_path}?mode=ro", uri=True,
                                         timeout=5.0)) as db:
                rows = db.execute("SELECT data FROM jobs ORDER BY submitted_at").fetchall()
        except sqlite3.OperationalError:
            return []  # created but no table yet
        return [json.loads(data) for (data,) in rows]


@dataclass
class Spawned:
    args: list[str]
    proc: subprocess.Popen[bytes]
    out: Path
    err: Path
    started: float

    def wait(self, timeout: float = 150.0) -> Result:
        self.proc.wait(timeout)
        return self.result()

    def result(self) -> Result:
        return Result(self.args, self.proc.returncode if self.proc.returncode is not None
                      else -999, self.out.read_text(errors="replace"),
                      self.err.read_text(errors="replace"), time.monotonic() - self.started)

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, no last journal write."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def created_count(state: dict[str, Any], volume_id: str, name: str) -> int:
    """How many times the simulator created a backup for (disk, name) in this run."""
    return sum(e["count"] for e in state["created_backups"]
               if e["volume_id"] == volume_id and e["name"] == name)


def route_count(state: dict[str, Any], suffix: str, method: str = "GET") -> int:
    return sum(n for route, n in state["requests"].items()
               if route.startswith(f"{method} ") and route.endswith(suffix))


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr, str(result)
    assert "Traceback" not in result.stdout, str(result)


def iter_chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
