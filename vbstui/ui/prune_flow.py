"""Pruning in the TUI: "keep the newest N backups of these disks" for the marked disks
(or the selected one) of the volumes view.  Ask N, show `vbstui.ops.prune`'s preview,
and only once confirmed send its deletes through the delete jobs (jobs panel, followed
to the end), then its summary in the log.  The plan, its re-check before sending and the
summary are the operations layer's; nothing here decides what is deleted."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from textual.app import App

from vbstui.cloud.models import Volume
from vbstui.jobs import Severity, TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.guard import Guard
from vbstui.ops.prune import PrunePlan, PruneSummary, plan_prune, prepare_prune_run, send_prune
from vbstui.ops.resolve import DiskChoice
from vbstui.textsafe import plural, visible
from vbstui.ui.connection import Connection
from vbstui.ui.flow_base import FlowBase
from vbstui.ui.jobrunner import JobRunner
from vbstui.ui.screens.main import main_screen
from vbstui.ui.screens.prune_screens import KeepForm, PrunePreviewScreen


class PruneFlow(FlowBase):
    def __init__(self, app: App[Any], connection: Connection, runner: JobRunner,
                 guard: Guard) -> None:
        self.app = app
        self.connection = connection
        self.runner = runner
        self.guard = guard

    def prune(self, volumes: list[Volume]) -> None:
        if self.refused("delete backups"):
            return
        if self.connection.service is None:
            self.say("not connected — F5 retries", Severity.WARNING)
            return
        self.app.push_screen(KeepForm(volumes), partial(self._keep_chosen, volumes))

    def _keep_chosen(self, volumes: list[Volume], keep: int | None) -> None:
        if keep is None:
            self.say("prune cancelled; nothing was deleted")
            return
        self.runner.run(partial(self._prune, volumes, keep), "pruning backups")

    async def _prune(self, volumes: list[Volume], keep: int) -> None:
        service = self.connection.service
        if service is None:
            return
        limit = self.runner.limit()
        plan = await plan_prune(service, [DiskChoice(v.id, v) for v in volumes], keep,
                                concurrency=limit)
        confirmed = await self.app.push_screen_wait(PrunePreviewScreen(plan))
        if not plan.delete:
            self.say(f"prune: nothing to delete — {plan.text()[-1]}")
            return
        if not confirmed:
            self.say(f"prune cancelled; nothing was deleted ({plural(len(plan.delete), 'backup')}"
                     " would have gone)")
            return
        await self._run(plan, limit)

    async def _run(self, plan: PrunePlan, limit: int) -> None:
        service = self.connection.service
        if service is None:
            return
        tracker = self.runner.new_tracker(limit)
        # Checked again, fresh: a backup that changed while the preview was open is
        # skipped, never replaced by another.
        run = await prepare_prune_run(service, tracker, plan, concurrency=limit)
        for line in run.skipped:
            self.say(f"skipped (changed since the preview): {line}", Severity.WARNING)
        for job in run.jobs:
            self.runner.show(job)
        volumes_view = main_screen(self.app).volumes_view
        volumes_view.table.clear_marks()
        volumes_view.update_summary()
        self.say(f"pruning: deleting {plural(len(run.jobs), 'backup')}, at most {limit} "
                 "requests at a time")
        await send_prune(tracker, run)
        results = await asyncio.gather(*(self._follow(tracker, j) for j in run.jobs),
                                       return_exceptions=True)
        for job, result in zip(run.jobs, results, strict=True):
            if isinstance(result, BaseException):
                self.say(f"{visible(job.label)}: {result}", Severity.ERROR)
        summary = PruneSummary.of(run)
        clean = not (summary.failed or summary.pending or summary.skipped)
        self.say(summary.text(), Severity.SUCCESS if clean else Severity.WARNING)
        self.runner.loader.load_backups()

    async def _follow(self, tracker: JobTracker, job: TrackedJob) -> None:
        self.runner.show(job)
        await tracker.follow(job)  # returns at once for a delete refused at sending
        self.runner.show(job)
