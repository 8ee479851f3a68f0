"""Fixtures for the fault, soak and kill tests: simulators as real subprocesses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from faultkit import Client, Sim, start_sim


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[Callable[..., Sim]]:
    """Factory: `sims(job_seconds=..., faults=..., seed=..., volumes=...)`; all are
    stopped with SIGTERM at teardown."""
    started: list[Sim] = []

    def start(**kwargs: Any) -> Sim:
        sim = start_sim(tmp_path, **kwargs)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def clients(tmp_path: Path) -> Callable[..., Client]:
    """Factory: `clients(sim_or_auth_url, **Client options)` -> an isolated vbstui."""
    count = 0

    def make(target: Sim | str, **kwargs: Any) -> Client:
        nonlocal count
        count += 1
        auth_url = target if isinstance(target, str) else f"{target.url}/v3"
        return Client(tmp_path / f"client{count}", auth_url, **kwargs)

    return make
