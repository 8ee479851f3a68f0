"""The job tracker: submit at most once, follow every job to its end, lose none.

Creating a backup has no idempotency token, so a request is sent again only when
it provably never reached the server.  After an ambiguous failure (read timeout,
dropped connection, 500/502/504) the tracker looks for the backup by disk and
name instead (`vbstui.jobs.reconcile`), adopts it if it shows up, and otherwise
reports the outcome as unknown and lets the user decide.  Every job is journaled
before its request is sent, so a crash at any moment loses nothing; a create
request that fails validation is never sent and so never journaled.  Following a
job to its end lives in `vbstui.jobs.follow`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict

from vbstui.cloud.errors import ApiError, CloudError
from vbstui.cloud.validation import BackupRequest, ValidationFailed
from vbstui.jobs import follow as following
from vbstui.jobs import grouped
from vbstui.jobs import reconcile as reconciling
from vbstui.jobs.model import (
    Kind,
    Listener,
    Phase,
    Severity,
    TrackedJob,
    request_from,
)
from vbstui.jobs.ports import BackupService
from vbstui.jobs.runtime import JobRuntime
from vbstui.jobs.timing import PollSchedule, ReconcilePolicy
from vbstui.local.journal import Journal, JournalError

log = logging.getLogger("vbstui.jobs")


class JobTracker:
    """Submits, reconciles and follows jobs of one profile; journals and announces each step."""

    def __init__(
        self, service: BackupService, *, profile: str, journal: Journal | None = None,
        listener: Listener | None = None, poll: PollSchedule | None = None,
        reconcile: ReconcilePolicy | None = None, request_slots: asyncio.Semaphore | None = None,
        submit_attempts: int = 4, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rt = JobRuntime(service, journal=journal, listener=listener, slots=request_slots,
                             sleep=sleep, clock=clock)
        self.service = service
        self.profile = profile
        self.journal = journal
        self.poll = poll or PollSchedule()
        self.reconcile_policy = reconcile or ReconcilePolicy()
        self.submit_attempts = submit_attempts
        self._rng = random.Random()

    # -- create -----------------------------------------------------------------------

    def new_backup_job(self, request: BackupRequest, *, volume_name: str = "",
                       run_id: str = "", service: str = "vbs", vault_id: str = ""
                       ) -> TrackedJob:
        """A job of the run `run_id` (jobs journaled with one id are summed up together);
        `service` and `vault_id` say where the backup is made (`vbstui.ops` routes it)."""
        return TrackedJob(
            kind=Kind.CREATE, profile=self.profile, volume_id=request.volume_id,
            volume_name=volume_name, backup_name=request.name, request=asdict(request),
            submitted_at=self.rt.clock(), run_id=run_id, service=service, vault_id=vault_id,
        )

    async def submit_backup(self, job: TrackedJob, *,
                            known_backup_ids: list[str] | None = None) -> TrackedJob:
        """Journal, then send the create request; ends RUNNING, REFUSED or UNKNOWN.

        `known_backup_ids` are the backups already named like this one on its disk, as
        listed once for a whole run before its first request (`vbstui.ops.preflight`);
        without them the disk is listed here.  Either way they are journaled with the
        job, so a search after a lost answer adopts only a backup that is new.

        Raises ValidationFailed, before any request or journal write, for a request
        the service would refuse: the planning layer checks first, this is the guard."""
        request = request_from(job)
        problems = request.problems()
        if problems:
            raise ValidationFailed(problems)
        try:
            job.project_id = job.project_id or await self.rt.port(job).project_id()
        except CloudError as exc:
            self.refused(job, exc)
            return job
        if known_backup_ids is None:
            # What already exists under this disk and name, so a later search can
            # tell our backup from an older namesake.
            try:
                existing = await self.rt.call(
                    lambda: self.rt.port(job).find_backups(job.volume_id, job.backup_name))
            except CloudError as exc:
                exc.message = f"{exc.message} (before sending; nothing was sent)"
                self.refused(job, exc)
                return job
            known_backup_ids = [b.id for b in existing]
        job.known_backup_ids = list(known_backup_ids)
        job.phase = Phase.SUBMITTING
        port = self.rt.port(job)
        if self.journaled_before_sending(job):  # a crash mid-request leaves a trace
            await self._send_once(job, lambda: port.create_backup(request))
        return job

    def journaled_before_sending(self, job: TrackedJob) -> bool:
        """No journal record, no request: otherwise a crash could leave a backup nobody
        knows to look for."""
        try:
            self.rt.save_before_sending(job)
        except JournalError as exc:
            job.message = f"not sent: {exc}"
            job.phase = Phase.REFUSED
            job.finished_at = self.rt.clock()
            self.rt.emit(job, f"{job.kind.value} of {job.label} not sent: {exc}",
                         Severity.ERROR)
            return False
        return True

    async def _send_once(self, job: TrackedJob, send: Callable[[], Awaitable[str]]) -> None:
        """Send a non-idempotent request; resend only what provably never arrived
        (`grouped.decision`, the rule for a request of one job or of several)."""
        for attempt in range(1, self.submit_attempts + 1):
            try:
                job.job_id = await self.rt.call(send)
            except Exception as exc:
                choice = grouped.decision(exc, attempt, self.submit_attempts)
                if not isinstance(exc, CloudError):
                    log.exception("unexpected failure after sending %s", job.kind.value)
                    exc = CloudError(f"the answer could not be read ({type(exc).__name__})")
                if choice == grouped.RESEND:
                    await self.wait_before_resend(job, exc, attempt)
                    continue
                if choice == grouped.REFUSED:
                    self.refused(job, exc)
                    return
                await reconciling.after_ambiguous(self.rt, job, exc, self.reconcile_policy)
                return
            job.phase = Phase.RUNNING
            job.status = "INIT"
            self.rt.save(job)
            self.rt.emit(job, f"submitted {job.kind.value} of {job.label}: job {job.job_id}")
            return

    async def submit_together(self, place: str, jobs: list[TrackedJob], *,
                              known: dict[str, list[str] | None] | None = None
                              ) -> list[TrackedJob]:
        """Create jobs of one place (a CBR vault) sent as ONE request, each followed as
        its own job (`vbstui.jobs.grouped`); `known` as `known_backup_ids`, by local id."""
        return await grouped.submit_together(self, place, jobs, known=known or {})

    async def wait_before_resend(self, job: TrackedJob, exc: CloudError, attempt: int) -> None:
        # Jittered and growing, so a bulk run does not resend in lockstep.
        delay = self._rng.uniform(0.5, min(20.0, 2.0**attempt))
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, 60.0))
        self.rt.emit(
            job,
            f"{exc.message}; the request never reached the service, sending again in "
            f"{delay:.1f} s",
            Severity.WARNING,
        )
        await self.rt.sleep(delay)

    def refused(self, job: TrackedJob, exc: CloudError) -> None:
        job.error_code = getattr(exc, "code", None) or ""
        # With a code, the meaning and what to do come from the catalogue wherever the
        # job is shown: the job keeps what the server said, so neither is said twice.
        job.message = exc.message if job.error_code else exc.describe()
        self.rt.finish(job, Phase.REFUSED)
        self.rt.emit(job, f"{job.kind.value} of {job.label} refused: {exc.describe()}",
                     Severity.ERROR)

    async def reconcile(self, job: TrackedJob) -> TrackedJob:
        """Look for what an unanswered request did; adopt it or declare it unknown."""
        if job.phase is Phase.UNKNOWN:  # the user asked: show at once that we are looking
            job.phase = Phase.RECONCILING
            self.rt.save(job)
            self.rt.emit(job, f"{job.label}: checking again for what the request did "
                              "(nothing is sent)")
        return await reconciling.reconcile(self.rt, job, self.reconcile_policy)

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
        self.rt.finish(job, Phase.CANCELLED)
        self.rt.emit(job, f"{job.label}: given up by the user", Severity.WARNING)

    # -- restore and delete ------------------------------------------------------------

    def new_restore_job(self, backup_id: str, volume_id: str, *, backup_name: str = "",
                        volume_name: str = "", service: str = "vbs", vault_id: str = ""
                        ) -> TrackedJob:
        return TrackedJob(
            kind=Kind.RESTORE, profile=self.profile, volume_id=volume_id,
            volume_name=volume_name, backup_id=backup_id, backup_name=backup_name,
            submitted_at=self.rt.clock(), service=service, vault_id=vault_id,
        )

    async def submit_restore(self, job: TrackedJob) -> TrackedJob:
        job.project_id = job.project_id or await self.rt.port(job).project_id()
        job.phase = Phase.SUBMITTING
        if self.journaled_before_sending(job):
            port = self.rt.port(job)
            await self._send_once(job, lambda: port.restore_backup(job.backup_id, job.volume_id))
        return job

    def new_delete_job(self, backup_id: str, *, backup_name: str = "", volume_id: str = "",
                       volume_name: str = "", service: str = "vbs", vault_id: str = ""
                       ) -> TrackedJob:
        return TrackedJob(
            kind=Kind.DELETE, profile=self.profile, volume_id=volume_id,
            volume_name=volume_name, backup_id=backup_id, backup_name=backup_name,
            submitted_at=self.rt.clock(), service=service, vault_id=vault_id,
        )

    async def submit_delete(self, job: TrackedJob) -> TrackedJob:
        """Deleting twice is harmless (the second gets 404), so ambiguity needs no search."""
        job.project_id = job.project_id or await self.rt.port(job).project_id()
        job.phase = Phase.SUBMITTING
        if not self.journaled_before_sending(job):
            return job
        port = self.rt.port(job)
        for attempt in range(1, self.submit_attempts + 1):
            try:
                await self.rt.call(lambda: port.delete_backup(job.backup_id))
            except ApiError as exc:
                if exc.status == 404 and attempt > 1:
                    break  # an earlier unanswered attempt did it
                if exc.retryable and attempt < self.submit_attempts:
                    await self.wait_before_resend(job, exc, attempt)
                    continue
                self.refused(job, exc)
                return job
            except CloudError as exc:
                if exc.retryable and attempt < self.submit_attempts:
                    await self.wait_before_resend(job, exc, attempt)
                    continue
                self.refused(job, exc)
                return job
            break
        job.phase = Phase.RUNNING
        job.status = "DELETING"
        self.rt.save(job)
        self.rt.emit(job, f"delete of backup {job.label} accepted")
        return job

    # -- following and resumption -------------------------------------------------------

    @property
    def services(self) -> tuple[str, ...]:
        """The backup services whose jobs this tracker can follow (VBS unless it says)."""
        return tuple(getattr(self.service, "services", ("vbs",)))

    async def follow(self, job: TrackedJob) -> TrackedJob:
        """Poll until the job ends.  Transient errors are reported and ridden out."""
        return await following.follow(self.rt, job, self.poll)

    async def resume(self, job: TrackedJob) -> TrackedJob:
        """Continue a job found unfinished in the journal, to its end."""
        await reconciling.settle_interrupted(self.rt, job, self.reconcile_policy)
        if job.phase is Phase.RUNNING:
            self.rt.emit(job, f"resuming {job.kind.value} of {job.label}"
                       + (f" (job {job.job_id})" if job.job_id else ""))
            await self.follow(job)
        return job

    async def check(self, job: TrackedJob) -> TrackedJob:
        """One look at a job found unfinished in the journal, without waiting for its end."""
        await reconciling.settle_interrupted(self.rt, job, self.reconcile_policy)
        if job.phase is Phase.RUNNING:
            try:
                await following.poll_once(self.rt, job)
            except CloudError as exc:
                self.rt.emit(job, f"could not check {job.label}: {exc.message}", Severity.WARNING)
        return job

    def unfinished(self, project_id: str | None = None) -> list[TrackedJob]:
        """Unfinished jobs of this profile from the journal, taken over for this process.
        A job another live vbstui process works on is left to it (see `held_elsewhere`),
        and so is one of a backup service this tracker's service does not speak."""
        if self.journal is None:
            return []
        jobs = []
        for record in self.journal.unfinished(profile=self.profile, project_id=project_id):
            try:
                job = TrackedJob.from_record(record)
            except (TypeError, ValueError, KeyError):
                # A record this version cannot read is skipped, not fatal to the rest.
                log.warning("journal record %r skipped: unreadable", record.get("local_id"))
                continue
            if job.service not in self.services:
                continue  # e.g. a CBR job while the profile pins VBS: left for later
            if self.journal.claim(job.local_id):
                jobs.append(job)
        return jobs

    def held_elsewhere(self, project_id: str | None = None) -> list[tuple[str, int]]:
        """(job label, pid) of the unfinished jobs other live processes work on."""
        if self.journal is None:
            return []
        held = []
        for record in self.journal.unfinished(profile=self.profile, project_id=project_id):
            holder = self.journal.holder(str(record.get("local_id", "")))
            if holder is not None and holder.pid is not None:
                label = record.get("backup_name") or record.get("backup_id") or "?"
                held.append((str(label), holder.pid))
        return held
