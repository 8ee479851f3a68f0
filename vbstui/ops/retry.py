"""Retrying a run's failed backups: which jobs may be sent again, and which may not.

A backup that failed (the job ended in FAIL, or the service refused the request) is
sent again, under its own name, once per disk.  Never retried: a job whose outcome is
unknown (the request may have created the backup: the user decides first, with check
again / submit again / give up), and a failure superseded by a later backup of the same
disk that succeeded or is still under way.  Both front ends take their retries from
here; the retry itself is a new run with the pre-flight checks of any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.jobs.model import request_from
from vbstui.ops.plans import BackupPlan
from vbstui.ops.preflight import Preflight

RETRYABLE = (Phase.FAILED, Phase.REFUSED)
UNDECIDED = (Phase.UNKNOWN, Phase.SUBMITTING, Phase.RECONCILING)
# A later backup of the disk in one of these phases makes an earlier failure moot.
SUPERSEDING = (Phase.SUCCESS, Phase.RUNNING, *UNDECIDED)


@dataclass(frozen=True)
class RetryPlan:
    """The failed backups of one run to send again, and the jobs that must be decided
    before anything of theirs is sent."""

    run_id: str
    retry: list[TrackedJob]
    undecided: list[TrackedJob]

    @property
    def backup_plan(self) -> BackupPlan:
        """The requests as first sent: same disk, name, description, tags."""
        return BackupPlan([request_from(job) for job in self.retry])

    def checked_plan(self, checked: Preflight) -> BackupPlan:
        """Only the disks the pre-flight checks let through, with the run's listing."""
        ready = {v.id for v in checked.ready}
        return BackupPlan([r for r in self.backup_plan.requests if r.volume_id in ready],
                          existing=checked.existing)


def latest_run(jobs: Iterable[TrackedJob]) -> str | None:
    """The run of the most recently submitted backup job."""
    creates = [j for j in jobs if j.kind is Kind.CREATE]
    if not creates:
        return None
    return max(creates, key=lambda j: j.submitted_at).run


def retry_plan(jobs: Iterable[TrackedJob], run_id: str | None = None) -> RetryPlan:
    """What retrying run `run_id` (default: the latest run) would send.  `jobs` are the
    jobs of one profile and project, finished or not, in any order."""
    jobs = [j for j in jobs if j.kind is Kind.CREATE]
    run = run_id or latest_run(jobs) or ""
    in_run = sorted((j for j in jobs if j.run == run), key=lambda j: j.submitted_at)
    retry: list[TrackedJob] = []
    undecided: list[TrackedJob] = []
    disks: set[str] = set()
    for job in in_run:
        if job.phase in UNDECIDED:
            undecided.append(job)
        elif (job.phase in RETRYABLE and job.volume_id not in disks
              and not _superseded(job, jobs)):
            retry.append(job)
            disks.add(job.volume_id)
    return RetryPlan(run, retry, undecided)


def _superseded(job: TrackedJob, jobs: list[TrackedJob]) -> bool:
    return any(other.volume_id == job.volume_id and other.submitted_at > job.submitted_at
               and other.phase in SUPERSEDING for other in jobs if other is not job)
