"""Seeded dice for faults: one generator, so a seed replays the same failures."""

from __future__ import annotations

import random
from dataclasses import dataclass

from vbstui.sim.faults import FaultSpec

CREATE_FAILURES = (
    ("VolumeBackup.0017", "Failed to create the snapshot."),
    ("VolumeBackup.0027", "Failed to create the backup."),
    ("VolumeBackup.0064", "The backup status is error."),
)
RESTORE_FAILURES = (("VolumeBackup.0200", "Failed to restore data."),)


@dataclass(frozen=True)
class FaultDecision:
    """What happens to one request: extra delay, then an outcome.

    `outcome` is None (normal), 429, 500, 502, 503, 504, "drop", "deep" or "bad_id".
    """

    latency: float = 0.0
    outcome: int | str | None = None


NO_FAULT = FaultDecision()


class FaultInjector:
    """Draws fault outcomes from a single seeded `random.Random`."""

    def __init__(self, spec: FaultSpec, default_seed: int) -> None:
        self.spec = spec
        self._rng = random.Random(spec.seed if spec.seed is not None else default_seed)

    def decide(self, method: str, path: str, *, is_auth: bool) -> FaultDecision:
        spec = self.spec
        if not spec.affects_requests or not spec.applies_to(method, path, is_auth=is_auth):
            return NO_FAULT
        low, high = spec.latency
        latency = self._rng.uniform(low, high) if high > low else low
        roll = self._rng.random()
        outcome: int | str | None = None
        for key, rate in spec.rates().items():
            if roll < rate:
                outcome = int(key) if key.isdigit() else key
                break
            roll -= rate
        return FaultDecision(latency=latency, outcome=outcome)

    def job_failure(self, catalogue: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
        """(error_code, message) if this job is to fail, else None."""
        if self.spec.job_fail <= 0 or self._rng.random() >= self.spec.job_fail:
            return None
        return self._rng.choice(catalogue)
