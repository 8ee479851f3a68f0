"""Fixtures for the end-to-end tests: simulator subprocesses and isolated CLI runs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from e2ekit import SimProcess

SimStarter = Callable[..., SimProcess]


def _starter(make_dir: Callable[[str], Path]) -> tuple[SimStarter, list[SimProcess]]:
    started: list[SimProcess] = []

    def start(*args: str, name: str = "sim") -> SimProcess:
        sim = SimProcess(make_dir(name), *args)
        started.append(sim)
        return sim

    return start, started


def _stop_all(started: list[SimProcess]) -> None:
    codes = {sim.url: sim.stop() for sim in started}
    bad = {url: code for url, code in codes.items() if code != 0}
    assert not bad, f"simulator(s) did not exit 0 on SIGTERM: {bad}"


@pytest.fixture(scope="module")
def module_sims(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimStarter]:
    """Factory for simulators shared by the tests of one module (stopped at its end)."""
    start, started = _starter(tmp_path_factory.mktemp)
    try:
        yield start
    finally:
        _stop_all(started)


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimStarter]:
    """Factory for simulators owned by one test."""
    counter = iter(range(1000))
    start, started = _starter(lambda name: tmp_path / f"{name}-{next(counter)}")
    try:
        yield start
    finally:
        _stop_all(started)

