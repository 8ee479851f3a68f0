"""The decision after an unknown outcome: check again, submit again, or give up.

The tracker could not tell whether the service acted on a request.  Only the user
can decide what next; both front ends offer the same three choices and carry them
out here, with the read-only guard applied to sending again.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from vbstui.errors import UsageError
from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.ops.guard import Guard

if TYPE_CHECKING:  # the tracker is not loaded by commands that only list
    from vbstui.jobs.tracker import JobTracker


class Decision(str, Enum):
    CHECK = "check"  # look for what the request did, once more
    SUBMIT_AGAIN = "resubmit"  # may create a second backup: the user accepted that
    GIVE_UP = "cancel"  # stop tracking; the job is marked cancelled


def what_may_exist(job: TrackedJob) -> str:
    """The warning that goes with "submit again", naming what may already be there."""
    disk = job.volume_name or job.volume_id
    if job.kind is Kind.CREATE:
        return (f"a backup '{job.backup_name}' of disk {disk} may already exist; submitting "
                "again may create a second one")
    if job.kind is Kind.RESTORE:
        return (f"a restore of backup {job.backup_name or job.backup_id} onto disk {disk} "
                "may already be running")
    return f"backup {job.backup_name or job.backup_id} may already be deleted"


def submit_again_problem(job: TrackedJob) -> str | None:
    """Why "submit again" is not offered for this job (None: it is).  Only a create or a
    restore is one request vbstui can send again; a policy run is the service's own."""
    if job.kind in (Kind.CREATE, Kind.RESTORE):
        return None
    if job.kind is Kind.POLICY_RUN:
        return ("a policy run cannot be submitted again from here: run the policy again "
                "(`vbstui policy run`, or the policies view) if its backup is missing")
    return f"a {job.kind.value} job cannot be submitted again: check again or give up"


async def decide(tracker: JobTracker, job: TrackedJob, decision: Decision, guard: Guard
                 ) -> TrackedJob:
    """Carry out the user's decision on a job whose outcome is unknown."""
    if job.phase is not Phase.UNKNOWN:
        return job
    if decision is Decision.CHECK:
        return await tracker.reconcile(job)
    if decision is Decision.SUBMIT_AGAIN:
        problem = submit_again_problem(job)
        if problem is not None:
            raise UsageError(problem)
        guard.check("submit again")
        return await tracker.resubmit(job)
    tracker.cancel(job)
    return job
