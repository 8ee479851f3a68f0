"""The summary of a run of jobs: counts by phase and by error code, in one wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vbstui.jobs import Phase, TrackedJob


@dataclass(frozen=True)
class RunSummary:
    total: int
    by_phase: dict[str, int]
    error_codes: dict[str, int]

    @classmethod
    def of(cls, jobs: Iterable[TrackedJob]) -> RunSummary:
        jobs = list(jobs)
        phases = Counter(j.phase.value for j in jobs)
        codes = Counter(j.error_code or "no code" for j in jobs
                        if j.phase in (Phase.FAILED, Phase.REFUSED))
        return cls(len(jobs), dict(sorted(phases.items())), dict(sorted(codes.items())))

    @property
    def succeeded(self) -> int:
        return self.by_phase.get(Phase.SUCCESS.value, 0)

    @property
    def failed(self) -> int:
        return self.by_phase.get(Phase.FAILED.value, 0) + self.by_phase.get(
            Phase.REFUSED.value, 0)

    @property
    def unknown(self) -> int:
        return self.by_phase.get(Phase.UNKNOWN.value, 0)

    @property
    def all_succeeded(self) -> bool:
        return self.succeeded == self.total

    def as_dict(self) -> dict[str, Any]:
        """The `summary` object of `--json`."""
        return {"total": self.total, "by_phase": self.by_phase, "error_codes": self.error_codes}

    def text(self, what: str = "bulk backup") -> str:
        line = f"{what} done: {self.succeeded} of {self.total} succeeded, {self.failed} failed"
        if self.error_codes:
            line += " (" + ", ".join(f"{c} ×{n}" for c, n in self.error_codes.items()) + ")"
        still = self.total - self.succeeded - self.failed - self.unknown
        if self.unknown:
            line += f", {self.unknown} with unknown outcome"
        if still:
            line += f", {still} still running"
        return line
