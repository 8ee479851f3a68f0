"""The summary of a run of jobs: counts by phase and by error code, in one wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vbstui.jobs import Kind, Phase, TrackedJob


@dataclass(frozen=True)
class RunSummary:
    """A run of jobs in numbers: how many ended how, with which error codes."""

    total: int
    by_phase: dict[str, int]
    error_codes: dict[str, int]
    what: str = "bulk backup"  # what the run was, in the summary's first words

    @classmethod
    def of(cls, jobs: Iterable[TrackedJob]) -> RunSummary:
        jobs = list(jobs)
        phases = Counter(j.phase.value for j in jobs)
        codes = Counter(j.error_code or "no code" for j in jobs
                        if j.phase in (Phase.FAILED, Phase.REFUSED))
        kinds = {j.kind for j in jobs}
        what = "policy run" if kinds == {Kind.POLICY_RUN} else "bulk backup"
        return cls(len(jobs), dict(sorted(phases.items())), dict(sorted(codes.items())), what)

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

    def text(self, what: str | None = None) -> str:
        line = (f"{what or self.what} done: {self.succeeded} of {self.total} succeeded, "
                f"{self.failed} failed")
        if self.error_codes:
            line += " (" + ", ".join(f"{c} ×{n}" for c, n in self.error_codes.items()) + ")"
        still = self.total - self.succeeded - self.failed - self.unknown
        if self.unknown:
            line += f", {self.unknown} with unknown outcome"
        if still:
            line += f", {still} still running"
        return line


def ended(job: TrackedJob) -> bool:
    """Nothing more will happen to the job by itself (an unknown outcome waits for the
    user, as at the end of a run)."""
    return job.finished or job.phase is Phase.UNKNOWN


def resumed_runs(resumed: Iterable[TrackedJob], history: Iterable[TrackedJob]
                 ) -> dict[str, list[TrackedJob]]:
    """The runs of several jobs that resumed jobs belong to, each with every job of it
    from the journal; a resumed job stands in for its own record."""
    resumed = list(resumed)
    live = {j.local_id: j for j in resumed}
    wanted = {j.run for j in resumed}
    runs: dict[str, list[TrackedJob]] = {}
    for job in history:
        if job.run in wanted and job.local_id not in live:
            runs.setdefault(job.run, []).append(job)
    for job in resumed:
        runs.setdefault(job.run, []).append(job)
    return {run: jobs for run, jobs in runs.items() if len(jobs) > 1}


def summary_when_ended(jobs: Iterable[TrackedJob]) -> RunSummary | None:
    """The run's summary once every job of it has ended; None before."""
    jobs = list(jobs)
    if not jobs or not all(ended(j) for j in jobs):
        return None
    return RunSummary.of(jobs)


def readable_jobs(records: Iterable[dict[str, Any]]) -> list[TrackedJob]:
    """The journal's records as jobs; a record this version cannot read is left out."""
    jobs = []
    for record in records:
        try:
            jobs.append(TrackedJob.from_record(record))
        except (TypeError, ValueError, KeyError):
            continue
    return jobs


def journaled_jobs(records: Iterable[dict[str, Any]], *, profile: str, project_id: str
                   ) -> list[TrackedJob]:
    """The journal's jobs of one profile and project."""
    return [j for j in readable_jobs(records)
            if j.profile == profile and j.project_id in (project_id, "")]


def resumed_run_summaries(resumed: Iterable[TrackedJob], records: Iterable[dict[str, Any]]
                          ) -> list[RunSummary]:
    """After resuming jobs from the journal: the summary of every run of several jobs
    that has now ended, as if it had never been interrupted."""
    runs = resumed_runs(resumed, readable_jobs(records))
    found = (summary_when_ended(jobs) for jobs in runs.values())
    return [summary for summary in found if summary is not None]
