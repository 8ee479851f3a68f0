"""A hand-driven clock, so tests and demos can move simulated time without sleeping,
and a fast one, so a demo sees its backup policies run."""

from __future__ import annotations

import threading
from collections.abc import Callable


class ManualClock:
    """Callable clock returning wall seconds that only change when `advance` is called.

    Pass an instance as `SimConfig(clock=...)`. It is safe to advance it from one
    thread while a served simulator reads it from another.
    """

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        # Default start: 2026-01-01T00:00:00Z, a fixed point so output is reproducible.
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += seconds
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now!r})"


class ScaledClock:
    """`base` running `speed` times as fast from the moment it was made, and moved
    forward on request (`POST /_sim/clock`), so a script driving `vbstui sim` can skip
    to a policy's next start instead of waiting for it.

    `SimConfig` wraps the wall clock (and any clock when `clock_speed` is not 1) in
    one: at 3600 an hour of simulated time passes every real second.
    """

    def __init__(self, base: Callable[[], float], speed: float) -> None:
        self.base, self.speed = base, speed
        self._origin = base()
        self._skipped = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._origin + (self.base() - self._origin) * self.speed + self._skipped

    def advance(self, seconds: float) -> float:
        """Skip `seconds` of simulated time (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._skipped += seconds
        return self()

    def __repr__(self) -> str:
        return f"ScaledClock({self.base!r}, speed={self.speed!r})"
