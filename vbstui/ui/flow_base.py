"""What every flow of the TUI (backups, vaults, policies, sharing, pruning) does alike:
say a line in the log pane, stop at what read-only mode refuses, and run a change in
the background with the current profile's backup service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.app import App

from vbstui.jobs import Severity
from vbstui.ops.guard import Guard
from vbstui.ops.service import BackupService
from vbstui.ui.connection import Connection
from vbstui.ui.screens.main import main_screen


class FlowBase:
    WORKER = "flow"  # the name of the flow's workers
    app: App[Any]
    connection: Connection
    guard: Guard

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        main_screen(self.app).say(text, severity)

    def refused(self, action: str) -> bool:
        """Say so and stop here if read-only mode refuses this action."""
        reason = self.guard.refusal(action)
        if reason is None:
            return False
        self.say(reason, Severity.WARNING)
        self.app.notify(reason, severity="warning", markup=False)
        return True

    def run_with_service(self, work: Callable[[BackupService], Awaitable[None]],
                         description: str) -> None:
        """`work` in a worker with the backup service; several may run at once."""
        service = self.connection.service
        if service is None:
            self.say("not connected — F5 retries", Severity.WARNING)
            return
        self.app.run_worker(partial(work, service), name=self.WORKER, group="jobs",
                            exit_on_error=False, description=description)
