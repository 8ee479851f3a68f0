"""The job tracker: submit at most once, follow every job to its end, lose none.

Creating a backup has no idempotency token, so a request is sent again only when
it provably never reached the server.  After an ambiguous failure (read timeout,
dropped connection, 500/502/504) the tracker looks for the backup by disk and
name instead, adopts it if it shows up, and otherwise reports the outcome as
unknown and lets the user decide.  Every job is journaled before its request is
sent, so a crash at any moment loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, TypeVar

from vbstui.cloud.client import CloudSession
from vbstui.cloud.error_codes import explain
from vbstui.cloud.errors import ApiError, CloudError, NotFound, Reached
from vbstui.cloud.models import Job
from vbstui.cloud.validation import BackupRequest
from vbstui.local.journal import Journal

log = logging.getLogger("vbstui.jobs")
T = TypeVar("T")
FORGOTTEN_AFTER = 3  # consecutive 404s for a job before we stop asking for it


class Phase(str, Enum):
    SUBMITTING = "submitting"  # journaled; the request is on its way
    RECONCILING = "reconciling"  # ambiguous failure: looking for what the server did
    UNKNOWN = "unknown"  # could not tell whether the server acted; the user decides
    REFUSED = "refused"  # the cloud refused the request: nothing was created
    RUNNING = "running"  # the job exists; following it
    SUCCESS = "success"
    FAILED = "failed"  # the job ended in FAIL
    CANCELLED = "cancelled"  # the user gave up on an unknown outcome

    @property
    def finished(self) -> bool:
        return self in (Phase.REFUSED, Phase.SUCCESS, Phase.FAILED, Phase.CANCELLED)


class Kind(str, Enum):
    CREATE = "create"
    RESTORE = "restore"
    DELETE = "delete"


@dataclass
class TrackedJob:
    """What the tracker knows about one job; also its journal record."""

    kind: Kind
    profile: str
    volume_id: str
    backup_name: str = ""
    volume_name: str = ""
    backup_id: str = ""  # the new backup (create), the source (restore), the target (delete)
    request: dict[str, Any] = field(default_factory=dict)
    project_id: str = ""
    local_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    job_id: str = ""
    phase: Phase = Phase.SUBMITTING
    status: str = ""  # the service's job status: INIT, RUNNING, SUCCESS, FAIL
    error_code: str = ""
    message: str = ""
    recovered: bool = False  # found again after a network error
    known_backup_ids: list[str] = field(default_factory=list)  # existed before we submitted
    submitted_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    polls: int = 0
    follow_backup: bool = False  # the service forgot the job: follow the backup instead

    @property
    def finished(self) -> bool:
        return self.phase.finished

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.submitted_at

    @property
    def label(self) -> str:
        return self.backup_name or self.backup_id or self.volume_name or self.volume_id

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["kind"] = self.kind.value
        record["phase"] = self.phase.value
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TrackedJob:
        known = {f for f in cls.__dataclass_fields__}
        data = {k: v for k, v in record.items() if k in known}
        data["kind"] = Kind(data.get("kind", "create"))
        data["phase"] = Phase(data.get("phase", "submitting"))
        return cls(**data)

    def outcome(self) -> dict[str, Any]:
        """The machine-readable summary printed by `--json`."""
        info = explain(self.error_code) if self.error_code else None
        return {
            "local_id": self.local_id,
            "kind": self.kind.value,
            "job_id": self.job_id or None,
            "phase": self.phase.value,
            "status": self.status or None,
            "volume_id": self.volume_id,
            "backup_name": self.backup_name or None,
            "backup_id": self.backup_id or None,
            "error_code": self.error_code or None,
            "error_meaning": info.meaning if info else None,
            "error_action": info.action if info else None,
            "message": self.message or None,
            "recovered_after_network_error": self.recovered,
            "submitted_at": self.submitted_at,
            "duration_seconds": round(self.elapsed, 1),
        }


class Severity(str, Enum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class JobEvent:
    job: TrackedJob
    text: str
    severity: Severity = Severity.INFO


Listener = Callable[[JobEvent], None]


@dataclass(frozen=True)
class PollSchedule:
    """About 2 s growing to 15 s: cheap for 10-minute jobs, quick for short ones."""

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


class JobTracker:
    def __init__(
        self,
        session: CloudSession,
        *,
        profile: str,
        journal: Journal | None = None,
        listener: Listener | None = None,
        poll: PollSchedule | None = None,
        reconcile: ReconcilePolicy | None = None,
        request_slots: asyncio.Semaphore | None = None,
        submit_attempts: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self.profile = profile
        self.journal = journal
        self.listener = listener
        self.poll = poll or PollSchedule()
        self.reconcile_policy = reconcile or ReconcilePolicy()
        self.slots = request_slots
        self.submit_attempts = submit_attempts
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random()

    # -- plumbing -------------------------------------------------------------------

    def _emit(self, job: TrackedJob, text: str, severity: Severity = Severity.INFO) -> None:
        log.info("job %s: %s", job.local_id[:8], text)
        if self.listener is not None:
            try:
                self.listener(JobEvent(job, text, severity))
            except Exception:  # a broken display must not stop the tracking
                log.exception("job listener failed")

    def _save(self, job: TrackedJob) -> None:
        if self.journal is not None:
            self.journal.save(job.to_record(), finished=job.finished)

    async def _call(self, action: Callable[[], Awaitable[T]]) -> T:
        if self.slots is None:
            return await action()
        async with self.slots:
            return await action()

    def _finish(self, job: TrackedJob, phase: Phase) -> None:
        job.phase = phase
        job.finished_at = self._clock()
        self._save(job)

    # -- create -----------------------------------------------------------------------

    def new_backup_job(self, request: BackupRequest, *, volume_name: str = "") -> TrackedJob:
        return TrackedJob(
            kind=Kind.CREATE,
            profile=self.profile,
            volume_id=request.volume_id,
            volume_name=volume_name,
            backup_name=request.name,
            request=asdict(request),
            submitted_at=self._clock(),
        )

    async def submit_backup(self, job: TrackedJob, *, name_max: int = 64,
                            known_backup_ids: list[str] | None = None) -> TrackedJob:
        """Journal, then send the create request; ends RUNNING, REFUSED or UNKNOWN."""
        request = _request_from(job)
        try:
            job.project_id = job.project_id or await self.session.project_id()
        except CloudError as exc:
            self._refused(job, exc)
            return job
        if known_backup_ids is None:
            # What already exists under this disk and name, so a later search can
            # tell our backup from an older namesake.
            try:
                existing = await self._call(lambda: self.session.vbs.list_backups(
                    volume_id=job.volume_id, name=job.backup_name))
            except CloudError as exc:
                exc.message = f"{exc.message} (before sending; nothing was sent)"
                self._refused(job, exc)
                return job
            known_backup_ids = [b.id for b in existing]
        job.known_backup_ids = list(known_backup_ids)
        job.phase = Phase.SUBMITTING
        self._save(job)
        await self._send_once(
            job, lambda: self.session.vbs.create_backup(request, name_max=name_max)
        )
        return job

    async def _send_once(self, job: TrackedJob, send: Callable[[], Awaitable[str]]) -> None:
        """Send a non-idempotent request; resend only what provably never arrived."""
        for attempt in range(1, self.submit_attempts + 1):
            try:
                job.job_id = await self._call(send)
            except ApiError as exc:
                if exc.reached_server is Reached.NO and attempt < self.submit_attempts:
                    await self._wait_before_resend(job, exc, attempt)
                    continue
                if exc.reached_server is Reached.MAYBE:
                    await self._after_ambiguous(job, exc)
                    return
                self._refused(job, exc)
                return
            except CloudError as exc:
                if exc.reached_server is Reached.NO and exc.retryable and (
                    attempt < self.submit_attempts
                ):
                    await self._wait_before_resend(job, exc, attempt)
                    continue
                if exc.reached_server is Reached.NO:
                    self._refused(job, exc)
                    return
                await self._after_ambiguous(job, exc)
                return
            job.phase = Phase.RUNNING
            job.status = "INIT"
            self._save(job)
            self._emit(job, f"submitted {job.kind.value} of {job.label}: job {job.job_id}")
            return

    async def _wait_before_resend(self, job: TrackedJob, exc: CloudError, attempt: int) -> None:
        delay = self._rng.uniform(0.5, min(20.0, 2.0**attempt))
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, 60.0))
        self._emit(
            job,
            f"{exc.message}; the request never reached the service, sending again in "
            f"{delay:.1f} s",
            Severity.WARNING,
        )
        await self._sleep(delay)

    def _refused(self, job: TrackedJob, exc: CloudError) -> None:
        job.error_code = getattr(exc, "code", None) or ""
        job.message = exc.describe()
        self._finish(job, Phase.REFUSED)
        self._emit(job, f"{job.kind.value} of {job.label} refused: {job.message}", Severity.ERROR)

    async def _after_ambiguous(self, job: TrackedJob, exc: CloudError) -> None:
        job.phase = Phase.RECONCILING
        job.message = exc.message
        self._save(job)
        self._emit(
            job,
            f"{exc.message}: the service may have acted on the request; looking for "
            f"{job.label} before anything is sent again",
            Severity.WARNING,
        )
        await self.reconcile(job)

    async def reconcile(self, job: TrackedJob) -> TrackedJob:
        """Look for what an unanswered request did; adopt it or declare it unknown."""
        if job.kind is not Kind.CREATE:
            return await self._reconcile_restore(job)
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self.reconcile_policy.window
        quiet_deadline = started + self.reconcile_policy.quiet_window
        while True:
            disk_busy = False
            try:
                found = await self._call(
                    lambda: self.session.vbs.list_backups(
                        volume_id=job.volume_id, name=job.backup_name
                    )
                )
                if not [b for b in found if b.id not in job.known_backup_ids]:
                    volume = await self._call(lambda: self.session.evs.get_volume(job.volume_id))
                    disk_busy = volume is not None and volume.status == "backing-up"
            except CloudError as exc:
                self._emit(job, f"still looking: {exc.message}", Severity.WARNING)
                found = []
                disk_busy = True  # we could not see: do not conclude early
            new = [b for b in found if b.id and b.id not in job.known_backup_ids]
            if new:
                newest = max(new, key=lambda b: b.created_at.timestamp() if b.created_at else 0)
                job.backup_id = newest.id
                job.recovered = True
                job.phase = Phase.RUNNING
                job.status = "RUNNING" if newest.status == "creating" else job.status
                self._save(job)
                self._emit(
                    job,
                    f"submitted — recovered after a network error: backup {newest.id} of "
                    f"{job.label} exists ({newest.status})",
                    Severity.WARNING,
                )
                return job
            now = loop.time()
            if now >= deadline or (not disk_busy and now >= quiet_deadline):
                job.phase = Phase.UNKNOWN
                job.message = (
                    "outcome unknown: the request may or may not have created the backup; "
                    "check again, submit again, or cancel"
                )
                self._save(job)
                self._emit(job, f"{job.label}: {job.message}", Severity.ERROR)
                return job
            await self._sleep(self.reconcile_policy.interval)

    async def _reconcile_restore(self, job: TrackedJob) -> TrackedJob:
        """A restore shows as the target disk in 'restoring-backup' or the backup 'restoring'."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.reconcile_policy.window
        while True:
            try:
                backup = await self._call(lambda: self.session.vbs.get_backup(job.backup_id))
                volume = await self._call(lambda: self.session.evs.get_volume(job.volume_id))
            except CloudError as exc:
                self._emit(job, f"still looking: {exc.message}", Severity.WARNING)
                backup = volume = None
            if (backup is not None and backup.status == "restoring") or (
                volume is not None and volume.status == "restoring-backup"
            ):
                job.recovered = True
                job.phase = Phase.RUNNING
                job.status = "RUNNING"
                self._save(job)
                self._emit(job, "restore submitted — recovered after a network error",
                           Severity.WARNING)
                return job
            if loop.time() >= deadline:
                job.phase = Phase.UNKNOWN
                job.message = "outcome unknown: the restore may or may not have started"
                self._save(job)
                self._emit(job, f"{job.label}: {job.message}", Severity.ERROR)
                return job
            await self._sleep(self.reconcile_policy.interval)

    async def resubmit(self, job: TrackedJob) -> TrackedJob:
        """The user chose to send again after an unknown outcome."""
        if job.kind is Kind.CREATE:
            job.phase = Phase.SUBMITTING
            job.message = ""
            return await self.submit_backup(job)
        if job.kind is Kind.RESTORE:
            return await self.submit_restore(job)
        raise ValueError(f"cannot resubmit a {job.kind.value} job")

    def cancel(self, job: TrackedJob) -> None:
        job.message = job.message or "cancelled by the user"
        self._finish(job, Phase.CANCELLED)
        self._emit(job, f"{job.label}: given up by the user", Severity.WARNING)

    # -- restore and delete ------------------------------------------------------------

    def new_restore_job(self, backup_id: str, volume_id: str, *, backup_name: str = "",
                        volume_name: str = "") -> TrackedJob:
        return TrackedJob(
            kind=Kind.RESTORE, profile=self.profile, volume_id=volume_id,
            volume_name=volume_name, backup_id=backup_id, backup_name=backup_name,
            submitted_at=self._clock(),
        )

    async def submit_restore(self, job: TrackedJob) -> TrackedJob:
        job.project_id = job.project_id or await self.session.project_id()
        job.phase = Phase.SUBMITTING
        self._save(job)
        await self._send_once(
            job, lambda: self.session.vbs.restore_backup(job.backup_id, job.volume_id)
        )
        return job

    def new_delete_job(self, backup_id: str, *, backup_name: str = "", volume_id: str = ""
                       ) -> TrackedJob:
        return TrackedJob(
            kind=Kind.DELETE, profile=self.profile, volume_id=volume_id,
            backup_id=backup_id, backup_name=backup_name, submitted_at=self._clock(),
        )

    async def submit_delete(self, job: TrackedJob) -> TrackedJob:
        """Deleting twice is harmless (the second gets 404), so ambiguity needs no search."""
        job.project_id = job.project_id or await self.session.project_id()
        job.phase = Phase.SUBMITTING
        self._save(job)
        for attempt in range(1, self.submit_attempts + 1):
            try:
                await self._call(lambda: self.session.vbs.delete_backup(job.backup_id))
            except ApiError as exc:
                if exc.status == 404 and attempt > 1:
                    break  # an earlier unanswered attempt did it
                if exc.retryable and attempt < self.submit_attempts:
                    await self._wait_before_resend(job, exc, attempt)
                    continue
                self._refused(job, exc)
                return job
            except CloudError as exc:
                if exc.retryable and attempt < self.submit_attempts:
                    await self._wait_before_resend(job, exc, attempt)
                    continue
                self._refused(job, exc)
                return job
            break
        job.phase = Phase.RUNNING
        job.status = "DELETING"
        self._save(job)
        self._emit(job, f"delete of backup {job.label} accepted")
        return job

    # -- following ---------------------------------------------------------------------

    async def follow(self, job: TrackedJob) -> TrackedJob:
        """Poll until the job ends.  Transient errors are reported and ridden out."""
        if job.phase is not Phase.RUNNING:
            return job
        failures = 0
        forgotten = 0
        delays = self.poll.delays()
        while job.phase is Phase.RUNNING:
            await self._sleep(next(delays))
            try:
                await self._poll_once(job)
                failures = forgotten = 0
            except NotFound as exc:
                # Right after a submit a job may not be visible yet; a job the service
                # keeps answering 404 for is gone (jobs expire; a simulator restarts).
                forgotten += 1
                if forgotten >= FORGOTTEN_AFTER:
                    await self._after_forgotten_job(job, exc)
                continue
            except CloudError as exc:
                failures += 1
                self._emit(
                    job, f"could not check {job.label} ({exc.message}); will keep trying",
                    Severity.WARNING,
                )
                if isinstance(exc, ApiError) and exc.status in (401, 403) and failures >= 3:
                    job.message = f"lost access while following the job: {exc.message}"
                    self._save(job)
                    self._emit(job, f"{job.label}: {job.message}; it stays in the journal and "
                               "is resumed at the next start", Severity.ERROR)
                    return job
        return job

    async def _after_forgotten_job(self, job: TrackedJob, exc: CloudError) -> None:
        """The service no longer knows the job: find the backup, or say we cannot tell."""
        if job.kind is Kind.CREATE:
            if not job.backup_id:
                found = await self._call(lambda: self.session.vbs.list_backups(
                    volume_id=job.volume_id, name=job.backup_name))
                new = [b for b in found if b.id and b.id not in job.known_backup_ids]
                if new:
                    job.backup_id = max(
                        new, key=lambda b: b.created_at.timestamp() if b.created_at else 0).id
            if job.backup_id:
                job.follow_backup = True
                self._save(job)
                self._emit(job, f"{job.label}: the service no longer knows job {job.job_id}; "
                           f"following backup {job.backup_id} instead", Severity.WARNING)
                return
        job.phase = Phase.UNKNOWN
        job.message = (f"the service no longer knows job {job.job_id} ({exc.message}) and "
                       "left no trace to follow; check the disk and its backups")
        self._save(job)
        self._emit(job, f"{job.label}: outcome unknown: {job.message}", Severity.ERROR)

    async def _poll_once(self, job: TrackedJob) -> None:
        job.polls += 1
        if job.kind is Kind.DELETE:
            backup = await self._call(lambda: self.session.vbs.get_backup(job.backup_id))
            if backup is None:
                job.status = "DELETED"
                self._finish(job, Phase.SUCCESS)
                self._emit(job, f"backup {job.label} deleted", Severity.SUCCESS)
            elif backup.status == "error_deleting":
                job.status = "ERROR_DELETING"
                job.message = backup.fail_reason or "the service could not delete the backup"
                self._finish(job, Phase.FAILED)
                self._emit(job, f"deleting backup {job.label} failed: {job.message}",
                           Severity.ERROR)
            return
        if job.kind is Kind.RESTORE and (not job.job_id or job.follow_backup):
            await self._poll_restore_target(job)  # adopted after a network error
            return
        if not job.job_id or job.follow_backup:
            # Adopted after a network error, or the job expired: follow the backup.
            await self._poll_backup(job)
            return
        result = await self._call(lambda: self.session.vbs.get_job(job.job_id))
        self._apply(job, result)

    def _apply(self, job: TrackedJob, result: Job) -> None:
        previous = job.status
        job.status = result.status
        if result.backup_id and job.kind is Kind.CREATE:
            job.backup_id = result.backup_id
        if result.status == "SUCCESS":
            self._finish(job, Phase.SUCCESS)
            done = f"{job.kind.value} of {job.label} succeeded in {_duration(job.elapsed)}"
            if job.kind is Kind.CREATE:
                done += f": backup {job.backup_id}"
            self._emit(job, done, Severity.SUCCESS)
        elif result.status == "FAIL":
            job.error_code = result.failure_code
            job.message = result.fail_reason
            self._finish(job, Phase.FAILED)
            info = explain(job.error_code, job.message or None)
            text = f"{job.kind.value} of {job.label} FAILED"
            if job.error_code:
                text += f" with {job.error_code}: {info.meaning}"
            if job.message:
                text += f" (server: {job.message})"
            if info.action:
                text += f" → {info.action}"
            self._emit(job, text, Severity.ERROR)
        elif result.status != previous:  # an unchanged poll is not worth a journal write
            self._save(job)
            self._emit(job, f"{job.label}: job {job.job_id} is {result.status}")

    async def _poll_restore_target(self, job: TrackedJob) -> None:
        """A restore without a job id is followed by its disk: the backup stays available
        whether the restore worked or not, the disk tells the difference."""
        volume = await self._call(lambda: self.session.evs.get_volume(job.volume_id))
        status = volume.status if volume is not None else "gone"
        if status == "restoring-backup":
            if job.status != "RUNNING":
                job.status = "RUNNING"
                self._save(job)
        elif status in ("available", "in-use"):
            job.status = "SUCCESS"
            self._finish(job, Phase.SUCCESS)
            self._emit(job, f"restore of {job.label} onto {job.volume_name or job.volume_id} "
                       f"succeeded in {_duration(job.elapsed)}", Severity.SUCCESS)
        else:
            job.status = "FAIL"
            job.message = f"the disk is '{status}' after the restore"
            self._finish(job, Phase.FAILED)
            self._emit(job, f"restore of {job.label} FAILED: {job.message}", Severity.ERROR)

    async def _poll_backup(self, job: TrackedJob) -> None:
        backup = await self._call(lambda: self.session.vbs.get_backup(job.backup_id))
        if backup is None:
            job.message = "the backup disappeared while it was being created"
            job.status = "FAIL"
            self._finish(job, Phase.FAILED)
            self._emit(job, f"{job.label}: {job.message}", Severity.ERROR)
        elif backup.status == "available":
            job.status = "SUCCESS"
            self._finish(job, Phase.SUCCESS)
            self._emit(job, f"create of {job.label} succeeded in {_duration(job.elapsed)}: "
                       f"backup {job.backup_id}", Severity.SUCCESS)
        elif backup.status == "error":
            job.status = "FAIL"
            job.message = backup.fail_reason
            self._finish(job, Phase.FAILED)
            self._emit(job, f"create of {job.label} FAILED: backup is in error"
                       + (f" ({backup.fail_reason})" if backup.fail_reason else ""),
                       Severity.ERROR)
        elif job.status != "RUNNING":
            job.status = "RUNNING"
            self._save(job)

    # -- whole runs and resumption --------------------------------------------------------

    async def run_backup(self, request: BackupRequest, *, volume_name: str = "",
                         name_max: int = 64, wait: bool = True) -> TrackedJob:
        job = self.new_backup_job(request, volume_name=volume_name)
        await self.submit_backup(job, name_max=name_max)
        if wait:
            await self.follow(job)
        return job

    async def _settle_interrupted(self, job: TrackedJob) -> None:
        """A request interrupted by a crash: follow it if its job id was kept, else find
        out what the server did instead of sending it again."""
        if job.phase not in (Phase.SUBMITTING, Phase.RECONCILING, Phase.UNKNOWN):
            return
        if job.job_id or job.kind is Kind.DELETE:  # deleting twice is harmless
            job.phase = Phase.RUNNING
            return
        self._emit(job, f"{job.label}: finding out what happened to a request that was "
                   "interrupted", Severity.WARNING)
        await self.reconcile(job)

    async def resume(self, job: TrackedJob) -> TrackedJob:
        """Continue a job found unfinished in the journal, to its end."""
        await self._settle_interrupted(job)
        if job.phase is Phase.RUNNING:
            self._emit(job, f"resuming {job.kind.value} of {job.label}"
                       + (f" (job {job.job_id})" if job.job_id else ""))
            await self.follow(job)
        return job

    async def check(self, job: TrackedJob) -> TrackedJob:
        """One look at a job found unfinished in the journal, without waiting for its end."""
        await self._settle_interrupted(job)
        if job.phase is Phase.RUNNING:
            try:
                await self._poll_once(job)
            except CloudError as exc:
                self._emit(job, f"could not check {job.label}: {exc.message}", Severity.WARNING)
        return job

    def unfinished(self, project_id: str | None = None) -> list[TrackedJob]:
        if self.journal is None:
            return []
        jobs = []
        for record in self.journal.unfinished(profile=self.profile, project_id=project_id):
            with contextlib.suppress(TypeError, ValueError):
                jobs.append(TrackedJob.from_record(record))
        return jobs


def _request_from(job: TrackedJob) -> BackupRequest:
    data = dict(job.request)
    data["tags"] = tuple(tuple(t) for t in data.get("tags", ()))
    return BackupRequest(**data)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
