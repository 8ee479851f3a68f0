"""Helpers for driving the real TUI against the real (in-process) simulator."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from vbstui.jobs.timing import PollSchedule
from vbstui.local.config import Config
from vbstui.local.credentials import KeyringAccess
from vbstui.ops.target import Target, demo_profile
from vbstui.sim import FaultSpec, SimConfig, create_app
from vbstui.ui.app import VbsApp

FIXED_NOW = datetime(2026, 11, 27, 10, 15, 0, tzinfo=timezone.utc)
SIZE = (120, 36)


class MemoryKeyring:
    """A tiny in-memory keyring backend (the real ones need D-Bus)."""

    name = "memory"

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.store.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.store[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        self.store.pop((service, user))


def demo_target(*, volumes: int = 40, job_seconds: float = 1.0, faults: str = "",
                **sim: Any) -> Target:
    config = SimConfig(volumes=volumes, job_seconds=job_seconds,
                       faults=FaultSpec.parse(faults), **sim)
    return Target(profile=demo_profile(), config=Config(path=None, profiles={}), demo=True,
                  sim_app=create_app(config))


def make_app(target: Target | None = None, **kwargs: Any) -> VbsApp:
    kwargs.setdefault("poll", PollSchedule(first=0.1, factor=1.0, maximum=0.1))
    kwargs.setdefault("keyring", KeyringAccess(backend=MemoryKeyring()))
    kwargs.setdefault("clock", lambda: FIXED_NOW)
    return VbsApp(target or demo_target(), **kwargs)


def sim_state(app: VbsApp) -> dict[str, Any]:
    return app.target.sim_app.state.sim.snapshot()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], *,
                     timeout: float = 15.0, what: str = "condition") -> None:
    """Let the app run until `condition` holds; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def loaded(pilot: Pilot[Any], app: VbsApp, count: int | None = None) -> None:
    await wait_until(pilot, lambda: app.session is not None, what="connection")
    await wait_until(
        pilot,
        lambda: (len(app.volumes_view.table.all_rows) >= (count or 1)
                 and not app.volumes_view.loading_text),
        what="volumes loaded",
    )


def log_text(app: VbsApp) -> str:
    return "\n".join(app.log_pane.plain_lines())


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def settle() -> None:
    await asyncio.sleep(0)


@contextlib.contextmanager
def served_simulator(directory: Path, *options: str) -> Iterator[tuple[str, Path]]:
    """`vbstui sim --port 0 OPTIONS` in a subprocess, and a private config file in
    `directory` whose profile `sim` points at it: (base URL, config path)."""
    sim = subprocess.Popen([sys.executable, "-m", "vbstui", "sim", "--port", "0", *options],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL, text=True)
    try:
        assert sim.stdout is not None
        url = sim.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        config = directory / "config.toml"
        config.write_text(f'[profiles.sim]\nauth_url = "{url}/v3"\nregion = "eu-de"\n'
                          'user_domain_name = "OTC-EU-DE-DEMO"\nusername = "demo"\n'
                          'project_name = "eu-de_demo"\n', encoding="utf-8")
        config.chmod(0o600)
        yield url, config
    finally:
        sim.terminate()
        sim.wait(timeout=10)
