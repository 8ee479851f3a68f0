"""Following a job to its end: poll the job, or what it acts on when there is no job.

A create or restore is followed by its service job.  When there is no job id
(adopted after a network error) or the service forgot the job, a create is
followed by its backup and a restore by its target disk.  A delete has no job:
it is done when the backup is gone.
"""

from __future__ import annotations

from vbstui.cloud.error_codes import explain
from vbstui.cloud.errors import ApiError, CloudError, NotFound
from vbstui.cloud.models import Job
from vbstui.jobs.model import Kind, Phase, Severity, TrackedJob, duration_text
from vbstui.jobs.reconcile import new_backups, newest
from vbstui.jobs.runtime import JobRuntime
from vbstui.jobs.shared_looks import PortLooks
from vbstui.jobs.timing import PollSchedule

FORGOTTEN_AFTER = 3  # consecutive 404s for a job before we stop asking for it
LOST_ACCESS_AFTER = 3  # consecutive 401/403s before we leave the job for the next start


async def follow(rt: JobRuntime, job: TrackedJob, poll: PollSchedule) -> TrackedJob:
    """Poll until the job ends.  Transient errors are reported and ridden out.  Jobs
    followed at the same time through one port share their looks where the port can
    list its backups in progress (`vbstui.jobs.shared_looks`)."""
    if job.phase is not Phase.RUNNING:
        return job
    with rt.looks.following(rt, job) as looks:
        return await _follow(rt, job, poll, looks)


async def _follow(rt: JobRuntime, job: TrackedJob, poll: PollSchedule,
                  looks: PortLooks | None) -> TrackedJob:
    failures = 0
    forgotten = 0
    delays = poll.delays()
    while job.phase is Phase.RUNNING:
        waited = next(delays)
        await rt.sleep(waited)
        try:
            if looks is not None and await looks.still_made(rt, job, waited):
                _seen_running(rt, job)
                continue
            await poll_once(rt, job)
            failures = forgotten = 0
        except NotFound as exc:
            # Right after a submit a job may not be visible yet; a job the service
            # keeps answering 404 for is gone (jobs expire; a simulator restarts).
            forgotten += 1
            if forgotten >= FORGOTTEN_AFTER:
                await after_forgotten_job(rt, job, exc)
            continue
        except CloudError as exc:
            failures += 1
            rt.emit(
                job, f"could not check {job.label} ({exc.message}); will keep trying",
                Severity.WARNING,
            )
            if (isinstance(exc, ApiError) and exc.status in (401, 403)
                    and failures >= LOST_ACCESS_AFTER):
                job.message = f"lost access while following the job: {exc.message}"
                rt.save(job)
                rt.emit(job, f"{job.label}: {job.message}; it stays in the journal and "
                              "is resumed at the next start", Severity.ERROR)
                return job
    return job


async def after_forgotten_job(rt: JobRuntime, job: TrackedJob, exc: CloudError) -> None:
    """The service no longer knows the job: find the backup, or say we cannot tell."""
    if job.kind in (Kind.CREATE, Kind.POLICY_RUN):  # a policy task made a named backup too
        if not job.backup_id:
            found = await rt.call(
                lambda: rt.port(job).find_backups(job.volume_id, job.backup_name))
            new = new_backups(job, found)
            if new:
                job.backup_id = newest(new).id
        if job.backup_id:
            job.follow_backup = True
            rt.save(job)
            rt.emit(job, f"{job.label}: the service no longer knows job {job.job_id}; "
                          f"following backup {job.backup_id} instead", Severity.WARNING)
            return
    job.phase = Phase.UNKNOWN
    job.message = (f"the service no longer knows job {job.job_id} ({exc.message}) and "
                   "left no trace to follow; check the disk and its backups")
    rt.save(job)
    rt.emit(job, f"{job.label}: outcome unknown: {job.message}", Severity.ERROR)


async def poll_once(rt: JobRuntime, job: TrackedJob) -> None:
    """One look at a running job; finishes it when the service says it ended."""
    job.polls += 1
    if job.kind is Kind.DELETE:
        await _poll_deleted(rt, job)
        return
    if job.kind is Kind.RESTORE and (not job.job_id or job.follow_backup):
        await poll_restore_target(rt, job)  # adopted after a network error
        return
    if not job.job_id or job.follow_backup:
        # Adopted after a network error, or the job expired: follow the backup.
        await poll_backup(rt, job)
        return
    result = await rt.call(lambda: rt.port(job).get_job(job.job_id))
    apply_result(rt, job, result)


async def _poll_deleted(rt: JobRuntime, job: TrackedJob) -> None:
    backup = await rt.call(lambda: rt.port(job).get_backup(job.backup_id))
    if backup is None:
        job.status = "DELETED"
        rt.finish(job, Phase.SUCCESS)
        rt.emit(job, f"backup {job.label} deleted", Severity.SUCCESS)
    elif backup.status == "error_deleting":
        job.status = "ERROR_DELETING"
        job.message = backup.fail_reason or "the service could not delete the backup"
        rt.finish(job, Phase.FAILED)
        rt.emit(job, f"deleting backup {job.label} failed: {job.message}",
                      Severity.ERROR)


def _seen_running(rt: JobRuntime, job: TrackedJob) -> None:
    """The service is making the job's backup: the job runs (its end is read from the
    job itself)."""
    if job.status != "RUNNING":
        job.status = "RUNNING"
        rt.save(job)
        rt.emit(job, f"{job.label}: job {job.job_id} is RUNNING")


def apply_result(rt: JobRuntime, job: TrackedJob, result: Job) -> None:
    """Take over what the service says about the job, and tell the listener."""
    previous = job.status
    job.status = result.status
    if result.backup_id and job.kind in (Kind.CREATE, Kind.POLICY_RUN):
        job.backup_id = result.backup_id
    if result.status == "SUCCESS":
        rt.finish(job, Phase.SUCCESS)
        done = f"{job.kind.value} of {job.label} succeeded in {duration_text(job.elapsed)}"
        if job.kind is Kind.CREATE or (job.kind is Kind.POLICY_RUN and job.backup_id):
            done += f": backup {job.backup_id}"
        rt.emit(job, done, Severity.SUCCESS)
    elif result.status == "FAIL":
        job.error_code = result.failure_code
        job.message = result.fail_reason
        rt.finish(job, Phase.FAILED)
        info = explain(job.error_code, job.message or None)
        text = f"{job.kind.value} of {job.label} FAILED"
        if job.error_code:
            text += f" with {job.error_code}: {info.meaning}"
        if job.message:
            text += f" (server: {job.message})"
        if info.action:
            text += f" → {info.action}"
        rt.emit(job, text, Severity.ERROR)
    elif result.status != previous:  # an unchanged poll is not worth a journal write
        rt.save(job)
        rt.emit(job, f"{job.label}: job {job.job_id} is {result.status}")


async def poll_restore_target(rt: JobRuntime, job: TrackedJob) -> None:
    """A restore without a job id is followed by its disk: the backup stays available
    whether the restore worked or not, the disk tells the difference."""
    volume = await rt.call(lambda: rt.port(job).get_volume(job.volume_id))
    status = volume.status if volume is not None else "gone"
    if status == "restoring-backup":
        if job.status != "RUNNING":
            job.status = "RUNNING"
            rt.save(job)
    elif status in ("available", "in-use"):
        job.status = "SUCCESS"
        rt.finish(job, Phase.SUCCESS)
        rt.emit(job, f"restore of {job.label} onto {job.volume_name or job.volume_id} "
                      f"succeeded in {duration_text(job.elapsed)}", Severity.SUCCESS)
    else:
        job.status = "FAIL"
        job.message = f"the disk is '{status}' after the restore"
        rt.finish(job, Phase.FAILED)
        rt.emit(job, f"restore of {job.label} FAILED: {job.message}", Severity.ERROR)


async def poll_backup(rt: JobRuntime, job: TrackedJob) -> None:
    """A create without a usable job is followed by its backup's status."""
    backup = await rt.call(lambda: rt.port(job).get_backup(job.backup_id))
    if backup is None:
        job.message = "the backup disappeared while it was being created"
        job.status = "FAIL"
        rt.finish(job, Phase.FAILED)
        rt.emit(job, f"{job.label}: {job.message}", Severity.ERROR)
    elif backup.status == "available":
        job.status = "SUCCESS"
        rt.finish(job, Phase.SUCCESS)
        rt.emit(job, f"create of {job.label} succeeded in {duration_text(job.elapsed)}: "
                      f"backup {job.backup_id}", Severity.SUCCESS)
    elif backup.status == "error":
        job.status = "FAIL"
        job.message = backup.fail_reason
        rt.finish(job, Phase.FAILED)
        rt.emit(job, f"create of {job.label} FAILED: backup is in error"
                      + (f" ({backup.fail_reason})" if backup.fail_reason else ""),
                      Severity.ERROR)
    elif job.status != "RUNNING":
        job.status = "RUNNING"
        rt.save(job)
