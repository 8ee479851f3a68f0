"""What happens between a key press and a job: the read-only guard, the pre-flight
checks of the operations layer, the form, the picker, the confirmation, the decision
after an unknown outcome.  The rules are `vbstui.ops`'; this module only asks the user.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import App

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup, Volume
from vbstui.jobs import Severity, TrackedJob
from vbstui.ops.delete import check_deletes, delete_confirmation
from vbstui.ops.guard import Guard
from vbstui.ops.outcome import Decision, submit_again_problem, what_may_exist
from vbstui.ops.plans import BackupPlan, backupable
from vbstui.ops.preflight import Preflight, preflight
from vbstui.ops.restore import (
    backup_problem,
    check_restore,
    restore_candidates,
    restore_confirmation,
)
from vbstui.ops.retry import RetryPlan, retry_plan
from vbstui.ops.routing import offers
from vbstui.ops.vaults import Destinations, backup_destinations
from vbstui.textsafe import plural, visible
from vbstui.ui.connection import Connection
from vbstui.ui.flow_base import FlowBase
from vbstui.ui.job_sends import JobSends
from vbstui.ui.jobrunner import JobRunner
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.main import main_screen
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.pickers import RestoreScreen

PREFLIGHT_TIMEOUT = 15.0  # no checks are better than no form: the server checks anyway
SHOWN_IN_CONFIRMATION = 12


class Flows(FlowBase):
    def __init__(self, app: App[Any], connection: Connection, runner: JobRunner,
                 volumes: dict[str, Volume], guard: Guard, *,
                 clock: Callable[[], datetime]) -> None:
        self.app = app
        self.connection = connection
        self.runner = runner
        self.sends = JobSends(runner)
        self.volumes = volumes
        self.guard = guard
        self.clock = clock

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
        checked = None
        destinations: Destinations | None = None
        service = self.connection.service
        if service is not None:  # a fresh look: the form says what the service would refuse
            try:
                checked = await asyncio.wait_for(preflight(service, [v.id for v in volumes]),
                                                 PREFLIGHT_TIMEOUT)
                if len(volumes) == 1 and offers(service, "cbr"):
                    # Where this disk's backup goes, or could once it is in a vault.
                    destinations = await asyncio.wait_for(
                        backup_destinations(service, volumes[0]), PREFLIGHT_TIMEOUT)
            except (CloudError, asyncio.TimeoutError) as exc:
                reason = exc.message if isinstance(exc, CloudError) else "no answer in time"
                self.say(f"pre-flight checks not made ({reason}); the service still checks",
                         Severity.WARNING)
            else:
                for problem in checked.problems():
                    self.say(f"pre-flight: {problem}", Severity.WARNING)
                if destinations is not None and not destinations.sendable:
                    self.say(destinations.explanation, Severity.WARNING)
        form = BackupForm(volumes, checked=checked, destinations=destinations,
                          vault_name=self.runner.loader.protection.vault_name, now=self.clock())
        self.app.push_screen(form, partial(self._planned, checked))

    def _planned(self, checked: Preflight | None, plan: BackupPlan | None) -> None:
        if plan is not None:
            self.sends.back_up(plan, checked)

    # -- retrying a run's failed backups (R in the jobs view) ------------------------

    def retry(self, job: TrackedJob | None) -> None:
        if self.refused("retry backups"):
            return
        profile = self.connection.target.profile.name
        jobs = [j for j in main_screen(self.app).jobs_view.table.all_rows
                if j.profile == profile]
        plan = retry_plan(jobs, job.run if job is not None else None)
        for undecided in plan.undecided:
            self.say(f"{visible(undecided.label)}: outcome unknown, not retried until you "
                     "decide (c / S / x)", Severity.WARNING)
        if not plan.retry:
            self.app.notify("nothing to retry: no failed backup in this run", markup=False)
            return
        self.runner.run(partial(self._retry, plan), "retry")

    async def _retry(self, plan: RetryPlan) -> None:
        service = self.connection.service
        if service is None:
            return
        checked = await preflight(service, [j.volume_id for j in plan.retry])
        for refusal in checked.refusals:
            self.say(f"not retried: {visible(refusal.text())}", Severity.WARNING)
        if not checked.ready:
            self.app.notify("nothing to retry: the service would refuse every disk (see the "
                            "log)", severity="warning", markup=False)
            return
        ready = {v.id for v in checked.ready}
        again = [j for j in plan.retry if j.volume_id in ready]
        body = Text(f"Send again {plural(len(again), 'failed backup')} of this run, under their "
                    "names:\n\n")
        for failed in again[:SHOWN_IN_CONFIRMATION]:
            body.append(f"  {visible(failed.volume_name or failed.volume_id)}", style="bold")
            body.append(f"  {visible(failed.backup_name)}  {failed.error_code}\n")
        if len(again) > SHOWN_IN_CONFIRMATION:
            body.append(f"  … and {len(again) - SHOWN_IN_CONFIRMATION} more\n")
        for refusal in checked.refusals:
            body.append(f"✗ skips {visible(refusal.short())}\n", style="bold")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen("Retry failed backups?", body, confirm_label="Retry"))
        if confirmed:
            self.sends.back_up(plan.checked_plan(checked), checked)
        else:
            self.say("retry cancelled; nothing was sent")

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
        body = Text(restore_confirmation(check))
        body.highlight_regex(r"ALL DATA .*OVERWRITTEN\.", "bold red")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen("Restore — overwrite disk?", body, confirm_label="Restore",
                          danger=True))
        if not confirmed:
            self.say("restore cancelled")
            return
        await self.sends.restore(check)

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
        head, *lines = delete_confirmation(targets).splitlines()
        body = Text(head + "\n\n", style="bold")
        body.append("\n".join(lines[:SHOWN_IN_CONFIRMATION]))
        if len(lines) > SHOWN_IN_CONFIRMATION:
            body.append(f"\n  … and {len(lines) - SHOWN_IN_CONFIRMATION} more")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen("Delete backups?", body, confirm_label="Delete", danger=True))
        if not confirmed:
            self.say("delete cancelled")
            return
        await self.sends.delete(targets, limit)

    # -- unknown outcomes ------------------------------------------------------------

    def decide(self, job: TrackedJob, decision: Decision) -> None:
        """A decision the user asked for with a key (c / S / x).  Checking again sends
        nothing and is done at once; submitting again and giving up are confirmed first,
        with "decide later" focused: Enter or esc there leaves the job as it is."""
        if self.runner.tracker is None:
            return
        label = visible(job.label)
        profile = self.connection.target.profile.name
        if job.profile and job.profile != profile:
            self.say(f"{label} belongs to profile {visible(job.profile)}: switch to it (F2) "
                     "to decide", Severity.WARNING)
            return
        if self.runner.deciding(job):
            self.app.notify(f"{label}: a decision is already under way", markup=False)
            return
        if decision is Decision.CHECK:  # the tracker says so and shows it checking
            self.runner.decide(job, decision, "checking again")
            return
        if decision is Decision.SUBMIT_AGAIN:
            problem = submit_again_problem(job)
            if problem is not None:
                self.say(f"{label}: {problem}", Severity.WARNING)
                return
            if self.refused("submit again"):
                return
        self.app.push_screen(self._confirmation(job, decision),
                             partial(self._confirmed, job, decision))

    def _confirmation(self, job: TrackedJob, decision: Decision) -> ConfirmScreen:
        body = Text()
        body.append(visible(job.label), style="bold")
        body.append(f" ({job.kind.value}): {visible(job.message or 'outcome unknown')}\n\n")
        if decision is Decision.SUBMIT_AGAIN:
            risk = visible(what_may_exist(job))
            body.append(f"Submitting again sends a new request, and {risk}.", style="bold")
            body.append("\n\nCheck again (c) looks for it once more without sending anything.")
            return ConfirmScreen("Submit again?", body, confirm_label="Submit again",
                                 cancel_label="Decide later", danger=True)
        body.append("Giving up marks the job cancelled, for good: it cannot be decided later. ",
                    style="bold")
        body.append("Nothing is sent and nothing is deleted — if the request did reach the "
                    "service, what it did stays (look in the backups view, F4).")
        return ConfirmScreen("Give up?", body, confirm_label="Give up",
                             cancel_label="Decide later")

    def _confirmed(self, job: TrackedJob, decision: Decision, confirmed: bool | None) -> None:
        label = visible(job.label)
        if not confirmed:
            self.say(f"{label}: decide later — nothing was sent; the outcome stays unknown "
                     "(jobs view: c / S / x)")
            return
        if decision is Decision.SUBMIT_AGAIN:
            self.say(f"{label}: submitting again, as you confirmed", Severity.WARNING)
            self.runner.decide(job, decision, "submitting again")
        else:
            self.runner.decide(job, decision, "giving up")
