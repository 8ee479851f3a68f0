"""Several jobs sent with one request: a CBR checkpoint backs up the disks of one vault.

Each disk keeps its own tracked job, with the same at-most-once rules as a job sent
alone (`vbstui.jobs.tracker`): every job is journaled, with the backups that already
carry its disk and name, before the one request leaves; a request that provably never
arrived is sent again (all of it); one that may have arrived is never resent, each
job looks for its own backup instead (by vault, disk and name); a disk the service
skipped ends that job refused with the service's code.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vbstui.cloud.errors import ApiError, CloudError, Reached
from vbstui.cloud.validation import ValidationFailed
from vbstui.jobs import reconcile as reconciling
from vbstui.jobs.model import Phase, TrackedJob, request_from
from vbstui.jobs.ports import TogetherCreate

if TYPE_CHECKING:
    from vbstui.jobs.tracker import JobTracker

log = logging.getLogger("vbstui.jobs")
RESEND, AMBIGUOUS, REFUSED = "resend", "ambiguous", "refused"


def decision(exc: Exception, attempt: int, attempts: int) -> str:
    """What to do after a create request failed: send again only what provably never
    arrived, look for what may have arrived, take the rest as refused."""
    if isinstance(exc, ApiError):
        if exc.reached_server is Reached.NO and attempt < attempts:
            return RESEND
        return AMBIGUOUS if exc.reached_server is Reached.MAYBE else REFUSED
    if isinstance(exc, CloudError):
        if exc.reached_server is Reached.NO:
            return RESEND if exc.retryable and attempt < attempts else REFUSED
        return AMBIGUOUS
    return AMBIGUOUS  # a bug reading the answer: the request may have arrived


async def submit_together(tracker: JobTracker, place: str, jobs: Sequence[TrackedJob], *,
                          known: dict[str, list[str] | None]) -> list[TrackedJob]:
    """Send the create jobs of one place (a vault) as one request; ends each job RUNNING,
    REFUSED or UNKNOWN.  `known` maps a job's local id to the backups named like it before
    the run (None: listed here).  Raises ValidationFailed, before anything is journaled or
    sent, when any request is invalid."""
    rt = tracker.rt
    service = rt.service
    if not isinstance(service, TogetherCreate):
        raise TypeError("this backup service cannot back up several disks with one request")
    requests = {job.local_id: request_from(job) for job in jobs}
    for request in requests.values():
        problems = request.problems()
        if problems:
            raise ValidationFailed(problems)
    ready: list[TrackedJob] = []
    for job in jobs:
        if await _prepared(tracker, job, known.get(job.local_id)):
            ready.append(job)
    ready = [job for job in ready if tracker.journaled_before_sending(job)]
    if not ready:
        return list(jobs)
    batch = [requests[job.local_id] for job in ready]
    for attempt in range(1, tracker.submit_attempts + 1):
        try:
            answers = await rt.call(lambda: service.create_backups_together(place, batch))
        except Exception as exc:
            choice = decision(exc, attempt, tracker.submit_attempts)
            if not isinstance(exc, CloudError):
                log.exception("unexpected failure after sending a backup of %d disks",
                              len(ready))
            if choice == RESEND:
                await tracker.wait_before_resend(ready[0], _cloud(exc), attempt)
                continue
            if choice == REFUSED:
                for job in ready:
                    tracker.refused(job, _cloud(exc))
                return list(jobs)
            await asyncio.gather(*(reconciling.after_ambiguous(
                rt, job, _cloud(exc), tracker.reconcile_policy) for job in ready))
            return list(jobs)
        for job in ready:
            _answered(tracker, job, answers.get(job.volume_id))
        return list(jobs)
    return list(jobs)


async def _prepared(tracker: JobTracker, job: TrackedJob, known: list[str] | None) -> bool:
    """The project and the backups already named like this job; False (refused) when
    they cannot be read: nothing was sent."""
    rt = tracker.rt
    try:
        job.project_id = job.project_id or await rt.port(job).project_id()
        if known is None:
            existing = await rt.call(
                lambda: rt.port(job).find_backups(job.volume_id, job.backup_name))
            known = [b.id for b in existing]
    except CloudError as exc:
        exc.message = f"{exc.message} (before sending; nothing was sent)"
        tracker.refused(job, exc)
        return False
    job.known_backup_ids = list(known)
    job.phase = Phase.SUBMITTING
    return True


def _answered(tracker: JobTracker, job: TrackedJob, answer: str | CloudError | None) -> None:
    rt = tracker.rt
    if isinstance(answer, CloudError):
        tracker.refused(job, answer)
        return
    if not answer:
        tracker.refused(job, CloudError("the service's answer did not mention this disk"))
        return
    job.job_id = answer
    job.phase = Phase.RUNNING
    job.status = "INIT"
    rt.save(job)
    rt.emit(job, f"submitted {job.kind.value} of {job.label}: job {job.job_id}")


def _cloud(exc: Exception) -> CloudError:
    if isinstance(exc, CloudError):
        return exc
    return CloudError(f"the answer could not be read ({type(exc).__name__})")
