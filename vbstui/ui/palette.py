"""The command palette (ctrl+p): every action of the app, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider

from vbstui.ui.keys import guard_of, method_refusal
from vbstui.ui.messages import BackupsOfDiskRequested
from vbstui.ui.screens.main import MainScreen


def _actions(app: App[Any], main: MainScreen) -> list[tuple[str, str, Callable[[], object]]]:
    volumes = main.volumes_view
    backups = main.backups_view
    jobs = main.jobs_view
    return [
        ("View: volumes", "the disks of the project (F3)", partial(main.action_view, "volumes")),
        ("View: backups", "all backups, with quota (F4)",
         lambda: main.post_message(BackupsOfDiskRequested(None))),
        ("View: jobs", "jobs in the journal (F6)", partial(main.action_view, "jobs")),
        ("View: policies", "VBS backup policies: schedules, run now, link disks (:policies)",
         partial(main.action_view, "policies")),
        ("New backup policy", "a form checked as you type (n in :policies)",
         main.policies_view.action_create),
        ("Back up selected disks", "open the backup form (b)", volumes.action_backup),
        ("Backups of the selected disk", "(B)", volumes.action_backups_of_disk),
        ("Mark all visible disks", "(*)", volumes.action_mark_all),
        ("Unmark all disks", "(u)", volumes.action_unmark),
        ("Restore selected backup", "onto a disk you choose (R)", backups.action_restore),
        ("Delete selected backups", "with confirmation (ctrl+d)", backups.action_delete),
        ("Share selected backup", "with other projects (s)", backups.action_share),
        ("Shares", "of this project's backups and shared with it; revoke (S)",
         backups.action_shares),
        ("Prune marked disks", "keep the newest N backups; previews first (P)",
         volumes.action_prune),
        ("Refresh", "reload the current view (F5)", main.action_refresh),
        ("Filter", "filter the current table (/)", main.view.action_filter),
        ("Raw JSON", "of the selected row (y)", main.view.action_raw),
        ("Job: check again", "an unknown outcome (c)", jobs.action_check_again),
        ("Job: submit again", "an unknown outcome (S)", jobs.action_submit_again),
        ("Job: give up", "an unknown outcome (x)", jobs.action_give_up),
        ("Switch profile", "(F2)", partial(app.run_action, "switch_profile")),
        ("Focus log pane", "(ctrl+l)", main.action_focus_log),
        ("Help", "all keys (? or F1)", partial(app.run_action, "help")),
        ("Quit", "running jobs go on in the cloud (q)", partial(app.run_action, "quit")),
    ]


class VbsCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        if not app.is_screen_installed("main"):
            return []
        main = app.get_screen("main")
        if not isinstance(main, MainScreen):
            return []
        guard = guard_of(app)  # read-only mode: what it refuses is not offered
        return [entry for entry in _actions(app, main)
                if method_refusal(entry[2], guard) is None]

    async def discover(self) -> Hits:
        for name, help_text, action in self._commands():
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
