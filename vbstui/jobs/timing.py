"""How often a followed job is asked for, and how long a lost answer is looked into:
the timings of the tracker (a listing, which tracks no job, does not load them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PollSchedule:
    """About 2 s growing to 15 s: cheap for 10-minute jobs, quick for short ones
    (`[jobs] poll_first_seconds` and `poll_max_seconds` set the ends, `ops.runs` applies them)."""

    first: float = 2.0
    factor: float = 1.6  # 7 polls for a 60 s job, the end noticed within about 2 s
    maximum: float = 15.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(self.maximum, delay * self.factor)


@dataclass(frozen=True)
class ReconcilePolicy:
    """How long to look for a backup after an ambiguous failure before calling it unknown.

    While the disk shows `backing-up` something is running on it, so we keep looking
    for up to `window`; when the disk shows no activity and no backup appeared within
    `quiet_window`, waiting longer is unlikely to tell more."""

    window: float = 90.0
    quiet_window: float = 20.0
    interval: float = 3.0
