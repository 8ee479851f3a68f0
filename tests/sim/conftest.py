"""Fixtures: simulators served over real sockets, driven by a hand-moved clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from simkit import Api, Served, login, serve_in_thread

from vbstui.sim import ManualClock, SimConfig

JOB_SECONDS = 10.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def stopping_servers() -> Iterator[list[threading.Thread]]:
    """Servers stop in the background; the session waits for all of them at the end."""
    threads: list[threading.Thread] = []
    yield threads
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads), "a simulator did not stop"


@pytest.fixture
def serve_sim(clock: ManualClock,
              stopping_servers: list[threading.Thread]) -> Iterator[Callable[..., Served]]:
    """Factory: `serve_sim(**SimConfig fields)` -> a served simulator (stopped at teardown).

    The clock defaults to the test's ManualClock and jobs to JOB_SECONDS.
    """
    with ExitStack() as stack:

        def start(**overrides: Any) -> Served:
            settings: dict[str, Any] = {"clock": clock, "job_seconds": JOB_SECONDS}
            settings.update(overrides)
            return stack.enter_context(
                serve_in_thread(SimConfig(**settings), stopping_servers))

        yield start


@pytest.fixture
def served(serve_sim: Callable[..., Served]) -> Served:
    return serve_sim()


@pytest.fixture
def api(served: Served) -> Iterator[Api]:
    with served.client() as client:
        yield login(client)
