"""The command palette (ctrl+p): every action of the app, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from vbstui.ui.app import VbsApp


def _actions(app: VbsApp) -> list[tuple[str, str, Callable[[], object]]]:
    main = app.main
    volumes = app.volumes_view
    backups = app.backups_view
    jobs = app.jobs_view
    return [
        ("View: volumes", "the disks of the project (F3)", partial(app.switch_view, "volumes")),
        ("View: backups", "all backups, with quota (F4)", partial(app.show_backups, None)),
        ("View: jobs", "jobs in the journal (F6)", partial(app.switch_view, "jobs")),
        ("Back up selected disks", "open the backup form (b)", volumes.action_backup),
        ("Backups of the selected disk", "(B)", volumes.action_backups_of_disk),
        ("Mark all visible disks", "(*)", volumes.action_mark_all),
        ("Unmark all disks", "(u)", volumes.action_unmark),
        ("Restore selected backup", "onto a disk you choose (R)", backups.action_restore),
        ("Delete selected backups", "with confirmation (ctrl+d)", backups.action_delete),
        ("Refresh", "reload the current view (F5)", main.action_refresh),
        ("Filter", "filter the current table (/)", lambda: _current(app).action_filter()),
        ("Raw JSON", "of the selected row (y)", lambda: _current(app).action_raw()),
        ("Job: check again", "an unknown outcome (c)", jobs.action_check_again),
        ("Job: submit again", "an unknown outcome (S)", jobs.action_submit_again),
        ("Job: give up", "an unknown outcome (x)", jobs.action_give_up),
        ("Switch profile", "(F2)", app.action_switch_profile),
        ("Focus log pane", "(ctrl+l)", main.action_focus_log),
        ("Help", "all keys (? or F1)", app.action_help),
        ("Quit", "running jobs go on in the cloud (q)", app.action_quit),
    ]


def _current(app: VbsApp):  # type: ignore[no-untyped-def]
    return {"volumes": app.volumes_view, "backups": app.backups_view,
            "jobs": app.jobs_view}[app.main.current_view]


class VbsCommands(Provider):
    def _app(self) -> VbsApp | None:
        app = self.app
        return app if hasattr(app, "volumes_view") and app.is_screen_installed("main") else None  # type: ignore[return-value]

    async def discover(self) -> Hits:
        app = self._app()
        if app is None:
            return
        for name, help_text, action in _actions(app):
            yield DiscoveryHit(name, action, help=help_text)

    async def search(self, query: str) -> Hits:
        app = self._app()
        if app is None:
            return
        matcher = self.matcher(query)
        for name, help_text, action in _actions(app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
