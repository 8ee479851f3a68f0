"""Shared pieces of the benchmark scripts: a served simulator, an isolated CLI, counts."""

from __future__ import annotations

import json
import os
import selectors
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

DEMO_AUTH = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "demo", "password": "vbstui-demo", "domain": {"name": "OTC-EU-DE-DEMO"}}}},
    "scope": {"project": {"name": "eu-de_demo"}}}}


@contextmanager
def served_sim(*options: str, log: Path) -> Iterator[str]:
    """`vbstui sim --port 0 OPTIONS` as a subprocess; yields its base URL."""
    args = [sys.executable, "-m", "vbstui", "sim", "--port", "0", *options]
    with log.open("wb") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    line = b""
    try:
        while not line.endswith(b"\n"):
            if not selector.select(60):
                raise SystemExit(f"simulator did not start: {log.read_text()}")
            chunk = os.read(proc.stdout.fileno(), 1)
            if not chunk:
                raise SystemExit(f"simulator exited: {log.read_text()}")
            line += chunk
        yield line.decode().strip()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def sim_profile(url: str, path: Path) -> Path:
    """A config file with one profile, `sim`, logging in to the simulator at `url`."""
    path.write_text(f'[profiles.sim]\nauth_url = "{url}/v3"\nregion = "eu-de"\n'
                    'user_domain_name = "OTC-EU-DE-DEMO"\nusername = "demo"\n'
                    'project_name = "eu-de_demo"\n')
    path.chmod(0o600)
    return path


def state(url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{url}/_sim/state", timeout=30).json())


def idle_volumes(url: str, count: int) -> list[str]:
    """Disks that can be backed up and are not near the 20-backup limit."""
    near = {e["volume_id"] for e in state(url)["near_limit"]}
    chosen: list[str] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        response = client.post("/v3/auth/tokens", json=DEMO_AUTH)
        client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        pid = response.json()["token"]["project"]["id"]
        offset = 0
        while len(chosen) < count:
            page = client.get(f"/v2/{pid}/cloudvolumes/detail",
                              params={"limit": 1000, "offset": offset}).json()["volumes"]
            if not page:
                break
            chosen += [v["id"] for v in page
                       if v["status"] in ("available", "in-use") and v["id"] not in near]
            offset += len(page)
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} idle disks")
    return chosen[:count]


def request_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    routes = set(before["requests"]) | set(after["requests"])
    changes = {r: after["requests"].get(r, 0) - before["requests"].get(r, 0) for r in routes}
    return {r: n for r, n in sorted(changes.items()) if n}


class Cli:
    """The headless CLI with its own config, journal, cache and log directories."""

    def __init__(self, root: Path, url: str | None) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
        self.env.update(VBSTUI_PASSWORD="vbstui-demo", VBSTUI_NO_KEYRING="1",
                        VBSTUI_STATE_DIR=str(root / "state"),
                        VBSTUI_CACHE_DIR=str(root / "cache"), VBSTUI_LOG_DIR=str(root / "log"))
        self.base = [sys.executable, "-m", "vbstui"]
        if url is not None:
            config = sim_profile(url, root / "config.toml")
            self.base += ["--config", str(config), "--profile", "sim"]

    def run(self, *args: str, env: dict[str, str] | None = None,
            check: bool = True) -> tuple[float, subprocess.CompletedProcess[bytes]]:
        started = time.perf_counter()
        done = subprocess.run([*self.base, *args], env={**self.env, **(env or {})},
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=900,
                              check=False)
        seconds = time.perf_counter() - started
        if check and done.returncode != 0:
            raise SystemExit(f"vbstui {' '.join(args)} failed ({done.returncode}): "
                             f"{done.stderr.decode()[-2000:]}")
        return seconds, done

    def run_json(self, *args: str) -> tuple[float, Any]:
        seconds, done = self.run(*args)
        return seconds, json.loads(done.stdout)


def timed(command: list[str], *, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, check=True, timeout=120)
    return time.perf_counter() - started


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"median {statistics.median(ordered) * 1000:.0f} ms, "
            f"min {ordered[0] * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms "
            f"(n={len(ordered)})")
