"""What happens between a key press and a job: the read-only guard, the pre-flight
checks of the operations layer, the form, the picker, the confirmation, the decision
after an unknown outcome.  The rules are `vbstui.ops`'; this module only asks the user.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import App

from vbstui.cloud.models import Backup, Volume
from vbstui.jobs import Severity, TrackedJob
from vbstui.ops.delete import check_deletes
from vbstui.ops.guard import Guard
from vbstui.ops.outcome import Decision, what_may_exist
from vbstui.ops.plans import BackupPlan, backupable
from vbstui.ops.quota import check_quota
from vbstui.ops.restore import backup_problem, check_restore, restore_candidates
from vbstui.textsafe import visible
from vbstui.ui.connection import Connection
from vbstui.ui.jobrunner import JobRunner
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.main import main_screen
from vbstui.ui.screens.modals import ConfirmScreen, UnknownOutcomeScreen
from vbstui.ui.screens.pickers import RestoreScreen
from vbstui.ui.tables import describe_volume

QUOTA_TIMEOUT = 5.0  # no warning is better than no form: the server checks anyway
SHOWN_IN_CONFIRMATION = 12


class Flows:
    def __init__(self, app: App[Any], connection: Connection, runner: JobRunner,
                 volumes: dict[str, Volume], guard: Guard, *,
                 clock: Callable[[], datetime]) -> None:
        self.app = app
        self.connection = connection
        self.runner = runner
        self.volumes = volumes
        self.guard = guard
        self.clock = clock

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        main_screen(self.app).say(text, severity)

    def refused(self, action: str) -> bool:
        """Say so and stop here if read-only mode refuses this action."""
        reason = self.guard.refusal(action)
        if reason is None:
            return False
        self.say(reason, Severity.WARNING)
        self.app.notify(reason, severity="warning")
        return True

    # -- backing up ------------------------------------------------------------------

    def back_up(self, volumes: list[Volume]) -> None:
        if self.refused("back up"):
            return
        ready = backupable(volumes)
        for reason in ready.refusals:
            self.say(f"cannot back up: {reason}", Severity.WARNING)
        if ready.refusals:
            self.app.notify(visible(ready.refusals[0]), severity="warning", timeout=8)
        if ready.volumes:
            self.app.run_worker(partial(self._open_form, ready.volumes), name="form", group="form",
                                exclusive=True, exit_on_error=False,
                                description="opening the form")

    async def _open_form(self, volumes: list[Volume]) -> None:
        warning = None
        service = self.connection.service
        if service is not None:  # a fresh look, so the form warns before anything is sent
            check = await check_quota(service, [v.id for v in volumes],
                                      timeout=QUOTA_TIMEOUT)
            if check.warnings:
                warning = check.text()
                self.say(f"warning: {warning}", Severity.WARNING)
        self.app.push_screen(BackupForm(volumes, quota_warning=warning, now=self.clock()),
                             self._planned)

    def _planned(self, plan: BackupPlan | None) -> None:
        if plan is not None:
            self.runner.back_up(plan)

    # -- restoring -------------------------------------------------------------------

    def restore(self, backup: Backup) -> None:
        if self.refused("restore"):
            return
        problem = backup_problem(backup)
        if problem:
            self.say(f"cannot restore backup {visible(backup.name)}: {problem}",
                     Severity.WARNING)
            return
        candidates = restore_candidates(backup, self.volumes.values())
        self.app.push_screen(RestoreScreen(backup, candidates), self._restore_target_chosen)

    def _restore_target_chosen(self, chosen: tuple[Backup, Volume] | None) -> None:
        if chosen is not None:
            self.runner.run(partial(self._restore, *chosen), "restore")

    async def _restore(self, backup: Backup, volume: Volume) -> None:
        service = self.connection.service
        if service is None:
            return
        # Check against the current state, not the possibly stale table.
        check = await check_restore(service, backup.id, volume.id)
        if check.problems:
            for problem in check.problems:
                self.say(f"cannot restore: {problem}", Severity.ERROR)
            self.app.notify("restore refused: " + check.problems[0], severity="error",
                            timeout=8)
            return
        assert check.volume is not None
        body = Text("Restore backup ")
        body.append(visible(backup.name or backup.id), style="bold")
        body.append(f" ({backup.size_gb or '?'} GB) onto disk ")
        body.append_text(describe_volume(check.volume))
        body.append("?\n\nALL DATA ON THIS DISK WILL BE OVERWRITTEN.", style="bold red")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen("Restore — overwrite disk?", body, confirm_label="Restore",
                          danger=True))
        if not confirmed:
            self.say("restore cancelled")
            return
        await self.runner.restore(backup, check.volume)

    # -- deleting --------------------------------------------------------------------

    def delete(self, backups: list[Backup]) -> None:
        if self.refused("delete"):
            return
        self.runner.run(partial(self._delete, backups), "delete")

    async def _delete(self, backups: list[Backup]) -> None:
        service = self.connection.service
        if service is None:
            return
        limit = self.runner.limit()
        # Each backup as the server has it now: a table row may be minutes old.
        check = await check_deletes(service, [b.id for b in backups], concurrency=limit)
        for refusal in check.refused:
            self.say(f"cannot delete: {refusal}", Severity.WARNING)
        targets = check.targets
        if not targets:
            return
        body = Text(f"Delete {len(targets)} backup(s)? This cannot be undone.\n\n")
        for backup in targets[:SHOWN_IN_CONFIRMATION]:
            body.append(f"  {visible(backup.name or '(no name)')}", style="bold")
            body.append(f"  {backup.id}  {backup.size_gb or '?'} GB  {backup.status}\n")
        if len(targets) > SHOWN_IN_CONFIRMATION:
            body.append(f"  … and {len(targets) - SHOWN_IN_CONFIRMATION} more\n")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen("Delete backups?", body, confirm_label="Delete", danger=True))
        if not confirmed:
            self.say("delete cancelled")
            return
        await self.runner.delete(targets, limit)

    # -- unknown outcomes ------------------------------------------------------------

    def decide(self, job: TrackedJob, decision: Decision | None) -> None:
        self.runner.run(partial(self._decide, job, decision), "deciding an unknown outcome")

    async def _decide(self, job: TrackedJob, decision: Decision | None) -> None:
        if self.runner.tracker is None:
            return
        if decision is None:
            choice = await self.app.push_screen_wait(UnknownOutcomeScreen(
                job.label, job.message or "the request got no answer", what_may_exist(job)))
            decision = Decision(choice)
        if decision is Decision.SUBMIT_AGAIN and self.refused("submit again"):
            return
        await self.runner.decide(job, decision)
