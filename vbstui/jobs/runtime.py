"""What the parts of the tracker share: the service, the journal and the listener, the
request slots of a run, and time — so reconcile and follow need not know the tracker."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from vbstui.jobs.model import JobEvent, Listener, Phase, Severity, TrackedJob
from vbstui.jobs.ports import BackupService, JobRouting
from vbstui.jobs.shared_looks import SharedLooks
from vbstui.local.journal import Journal, JournalError

log = logging.getLogger("vbstui.jobs")
T = TypeVar("T")


@dataclass
class JobRuntime:
    """What following jobs needs: the service, journal, listener, clock and slots."""

    service: BackupService
    journal: Journal | None = None
    listener: Listener | None = None
    slots: asyncio.Semaphore | None = None  # shared by a bulk run: requests in flight
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.time
    looks: SharedLooks = field(default_factory=SharedLooks)  # many running jobs, one listing
    _unjournaled: set[str] = field(default_factory=set)  # jobs whose last write failed

    def port(self, job: TrackedJob) -> BackupService:
        """The service calls for this job (its service and vault decide, when they can)."""
        if isinstance(self.service, JobRouting):
            return self.service.for_job(job)
        return self.service

    def emit(self, job: TrackedJob, text: str, severity: Severity = Severity.INFO) -> None:
        log.info("job %s: %s", job.local_id[:8], text)
        if self.listener is not None:
            try:
                self.listener(JobEvent(job, text, severity))
            except Exception:  # a broken display must not stop the tracking
                log.exception("job listener failed")

    def save(self, job: TrackedJob) -> None:
        """Journal what changed.  Once a request may have reached the service, a journal
        that cannot be written (a full disk) must not end the run: the job is followed
        on, in memory, and the user is told once that it would not survive a crash."""
        if self.journal is None:
            return
        try:
            self.journal.save(job.to_record(), finished=job.finished)
        except JournalError as exc:
            if job.local_id not in self._unjournaled:
                self._unjournaled.add(job.local_id)
                self.emit(job, f"{exc}; {job.label} is still followed, but a crash now "
                          "would lose track of it", Severity.WARNING)

    def save_before_sending(self, job: TrackedJob) -> None:
        """The at-most-once rule needs the job on disk before its request leaves: raises
        `JournalError` (nothing is sent) when it cannot be written."""
        if self.journal is not None:
            self.journal.save(job.to_record(), finished=job.finished)

    def finish(self, job: TrackedJob, phase: Phase) -> None:
        job.phase = phase
        job.finished_at = self.clock()
        self.save(job)

    async def call(self, action: Callable[[], Awaitable[T]]) -> T:
        if self.slots is None:
            return await action()
        async with self.slots:
            return await action()
