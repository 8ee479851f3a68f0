"""Sending what the flows checked and confirmed: a backup run (one disk or a bulk), a
restore, a run of deletes.  The jobs are made by `vbstui.ops` (bulk, restore, delete);
the job runner shows and follows them.  Only the flows use this, so it and those rules
load with them, on first use, not before the first rows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from functools import partial
from typing import Any

from vbstui.cloud.models import Backup
from vbstui.jobs import Severity, TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.bulk import new_run_jobs, submit_run
from vbstui.ops.delete import new_delete_jobs
from vbstui.ops.plans import BackupPlan
from vbstui.ops.preflight import Preflight
from vbstui.ops.restore import RestoreCheck, new_restore_job
from vbstui.ops.runs import new_run_id
from vbstui.ops.summary import RunSummary
from vbstui.textsafe import visible
from vbstui.ui.jobrunner import JobRunner


class JobSends:
    """The flows' side of the job runner: makes the jobs, hands them to it."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner

    # -- backups ---------------------------------------------------------------------------

    def back_up(self, plan: BackupPlan, checked: Preflight | None = None) -> None:
        """Send a run; `checked` (the pre-flight checks) says where each disk's backup
        goes (VBS, or its CBR vault) and what existed before (the at-most-once rule's
        snapshot, instead of a listing per disk)."""
        runner = self.runner
        if runner.tracker is None:
            return
        run_id = new_run_id()
        names = {r.volume_id: self._disk_name(r.volume_id) for r in plan.requests}
        tracker = runner.tracker
        if plan.bulk:
            limit = runner.limit()
            tracker = runner.new_tracker(limit)
        jobs = new_run_jobs(tracker, plan, checked, run_id=run_id, names=names)
        for job in jobs:
            runner.show(job)
        for job in jobs:
            if job.service == "cbr":
                vault = visible(runner.loader.protection.vault_name(job.vault_id))
                runner.say(f"{visible(job.label)}: goes into CBR vault '{vault}'")
        if not plan.bulk:
            runner.run(partial(self._send_run, tracker, jobs, checked), "backup")
            return
        runner.say(f"bulk backup of {len(jobs)} disks, at most {limit} requests at a time")
        volumes_view = runner.main.volumes_view
        volumes_view.table.clear_marks()
        volumes_view.update_summary()
        runner.run(partial(self._bulk, tracker, jobs, checked), "bulk backup")

    def _disk_name(self, volume_id: str) -> str:
        """The disk's name for the jobs panel and view ("" when it is not known)."""
        volume = self.runner.loader.volumes.get(volume_id)
        return volume.name if volume else ""

    async def _send_run(self, tracker: JobTracker, jobs: list[TrackedJob],
                        checked: Preflight | None) -> None:
        """One request per VBS disk, one checkpoint per CBR vault; each job followed
        from its submit on."""
        runner = self.runner

        async def follow(job: TrackedJob) -> None:
            runner.show(job)
            runner.loader.refresh_volume(job.volume_id)
            try:
                await tracker.follow(job)
            except Exception as exc:  # one job's trouble stops no other
                runner.say(f"{job.label}: {exc}", Severity.ERROR)
                return
            runner.loader.refresh_volume(job.volume_id)

        await submit_run(tracker, jobs, checked, after_submit=follow)

    async def _bulk(self, tracker: JobTracker, jobs: list[TrackedJob],
                    checked: Preflight | None) -> None:
        await self._send_run(tracker, jobs, checked)
        summary = RunSummary.of(jobs)
        self.runner.say(summary.text(),
                        Severity.SUCCESS if summary.all_succeeded else Severity.WARNING)

    async def _all(self, jobs: Sequence[TrackedJob],
                   one: Callable[[TrackedJob], Coroutine[Any, Any, None]]) -> None:
        """Run every job; one that raises is reported and does not stop the others."""
        results = await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                self.runner.say(f"{job.label}: {result}", Severity.ERROR)

    # -- restore and delete (checked and confirmed by the flows first) ----------------------

    async def restore(self, check: RestoreCheck) -> None:
        """The restore of a passed (and confirmed) check, where the backup lives."""
        runner = self.runner
        tracker = runner.tracker
        if tracker is None or check.volume is None:
            return
        volume = check.volume
        job = new_restore_job(tracker, check)
        runner.show(job)
        await tracker.submit_restore(job)
        runner.show(job)
        await tracker.follow(job)
        runner.loader.refresh_volume(volume.id)
        runner.loader.load_backups()

    async def delete(self, backups: list[Backup], limit: int) -> None:
        runner = self.runner
        tracker = runner.new_tracker(limit)
        jobs = new_delete_jobs(tracker, backups,
                               {b.volume_id: self._disk_name(b.volume_id) for b in backups})
        for job in jobs:
            runner.show(job)

        async def one(job: TrackedJob) -> None:
            await tracker.submit_delete(job)
            runner.show(job)
            await tracker.follow(job)

        runner.main.backups_view.table.clear_marks()
        await self._all(jobs, one)
        summary = RunSummary.of(jobs)
        runner.say(summary.text("delete"),
                   Severity.SUCCESS if summary.all_succeeded else Severity.WARNING)
        runner.loader.load_backups()
