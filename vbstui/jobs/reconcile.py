"""Looking for what an unanswered request did, instead of sending it again.

A create leaves a backup under the disk with the job's name; a restore leaves the
target disk in `restoring-backup` or the backup in `restoring`.  What we find is
adopted and followed; when nothing shows up in time the outcome is unknown and
the user decides (the tracker never resends on a guess).
"""

from __future__ import annotations

import asyncio

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup, Volume
from vbstui.jobs.model import Kind, Phase, Severity, TrackedJob
from vbstui.jobs.runtime import JobRuntime
from vbstui.jobs.timing import ReconcilePolicy


def newest(backups: list[Backup]) -> Backup:
    # A backup without a creation time sorts first: it is the least likely to be ours.
    return max(backups, key=lambda b: b.created_at.timestamp() if b.created_at else 0)


def new_backups(job: TrackedJob, found: list[Backup]) -> list[Backup]:
    """The backups that did not exist before the job was submitted."""
    return [b for b in found if b.id and b.id not in job.known_backup_ids]


async def after_ambiguous(rt: JobRuntime, job: TrackedJob, exc: CloudError,
                          policy: ReconcilePolicy) -> None:
    """The request may have arrived: journal that we are looking, then look."""
    job.phase = Phase.RECONCILING
    job.message = exc.message
    rt.save(job)
    rt.emit(
        job,
        f"{exc.message}: the service may have acted on the request; looking for "
        f"{job.label} before anything is sent again",
        Severity.WARNING,
    )
    await reconcile(rt, job, policy)


async def reconcile(rt: JobRuntime, job: TrackedJob, policy: ReconcilePolicy) -> TrackedJob:
    """Look for what an unanswered request did; adopt it or declare it unknown."""
    job.phase = Phase.RECONCILING  # shown as "checking" while we look
    if job.kind in (Kind.CREATE, Kind.POLICY_RUN):  # a policy task made a named backup too
        return await reconcile_create(rt, job, policy)
    return await reconcile_restore(rt, job, policy)


async def reconcile_create(rt: JobRuntime, job: TrackedJob, policy: ReconcilePolicy
                           ) -> TrackedJob:
    """Search by disk and name until a new backup appears or the policy says stop."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + policy.window
    quiet_deadline = started + policy.quiet_window
    while True:
        disk_busy = False
        try:
            found = await rt.call(
                lambda: rt.port(job).find_backups(job.volume_id, job.backup_name))
            if not [b for b in found if b.id not in job.known_backup_ids]:
                # Nothing yet: a disk still backing up says something is on its way.
                volume = await rt.call(lambda: rt.port(job).get_volume(job.volume_id))
                disk_busy = volume is not None and volume.status == "backing-up"
        except CloudError as exc:
            rt.emit(job, f"still looking: {exc.message}", Severity.WARNING)
            found = []
            disk_busy = True  # we could not see: do not conclude early
        new = new_backups(job, found)
        if new:
            adopted = newest(new)
            job.backup_id = adopted.id
            return _adopted(rt, job, "RUNNING" if adopted.status == "creating" else job.status,
                            f"submitted — recovered after a network error: backup "
                            f"{adopted.id} of {job.label} exists ({adopted.status})")
        now = loop.time()
        if now >= deadline or (not disk_busy and now >= quiet_deadline):
            return _unknown(rt, job, "outcome unknown: the request may or may not have created "
                            "the backup; check again, submit again, or cancel")
        await rt.sleep(policy.interval)


async def reconcile_restore(rt: JobRuntime, job: TrackedJob, policy: ReconcilePolicy
                            ) -> TrackedJob:
    """A restore shows as the target disk in 'restoring-backup' or the backup 'restoring'."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + policy.window
    while True:
        backup: Backup | None
        volume: Volume | None
        try:
            backup = await rt.call(lambda: rt.port(job).get_backup(job.backup_id))
            volume = await rt.call(lambda: rt.port(job).get_volume(job.volume_id))
        except CloudError as exc:
            rt.emit(job, f"still looking: {exc.message}", Severity.WARNING)
            backup = volume = None
        if (backup is not None and backup.status == "restoring") or (
            volume is not None and volume.status == "restoring-backup"
        ):
            return _adopted(rt, job, "RUNNING",
                            "restore submitted — recovered after a network error")
        if loop.time() >= deadline:
            return _unknown(rt, job, "outcome unknown: the restore may or may not have started")
        await rt.sleep(policy.interval)


def _adopted(rt: JobRuntime, job: TrackedJob, status: str, text: str) -> TrackedJob:
    """What the request did was found: follow it from here."""
    job.recovered = True
    job.phase = Phase.RUNNING
    job.status = status
    rt.save(job)
    rt.emit(job, text, Severity.WARNING)
    return job


def _unknown(rt: JobRuntime, job: TrackedJob, message: str) -> TrackedJob:
    """Nothing showed up in time: only the user can decide now."""
    job.phase = Phase.UNKNOWN
    job.message = message
    rt.save(job)
    rt.emit(job, f"{job.label}: {job.message}", Severity.ERROR)
    return job


async def settle_interrupted(rt: JobRuntime, job: TrackedJob, policy: ReconcilePolicy
                             ) -> None:
    """A request interrupted by a crash: follow it if its job id was kept, else find
    out what the server did instead of sending it again."""
    if job.phase not in (Phase.SUBMITTING, Phase.RECONCILING, Phase.UNKNOWN):
        return
    if job.job_id or job.kind is Kind.DELETE:  # deleting twice is harmless
        job.phase = Phase.RUNNING
        return
    rt.emit(job, f"{job.label}: finding out what happened to a request that was "
                  "interrupted", Severity.WARNING)
    await reconcile(rt, job, policy)
