"""The main screen: status line, the current view, the jobs panel and the log pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import ContentSwitcher, Footer, Input, Static

from vbstui.ui.views import BackupsView, JobsView, VolumesView
from vbstui.ui.widgets.jobspanel import jobs_table
from vbstui.ui.widgets.logpane import LogPane
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.statusline import StatusLine

if TYPE_CHECKING:
    from vbstui.ui.app import VbsApp

VIEWS = ("volumes", "backups", "jobs")
MUTATING = {"backup", "restore", "delete", "submit_again"}


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("question_mark", "app.help", "Help"),
        Binding("colon", "command_bar", "View", priority=True),
        Binding("f9", "command_bar", "View", show=False),
        Binding("f3", "view('volumes')", "Volumes", show=False),
        Binding("f4", "view('backups')", "Backups", show=False),
        Binding("f6", "view('jobs')", "Jobs", show=False),
        Binding("f5,ctrl+r", "refresh", "Refresh", show=False, priority=True),
        Binding("ctrl+l", "focus_log", "Log", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def vbs_app(self) -> VbsApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-line")
        with ContentSwitcher(initial="volumes-view", id="views"):
            yield VolumesView()
            yield BackupsView()
            yield JobsView()
        yield OrderedInput(placeholder=":volumes  :backups  :jobs   (tab completes, esc closes)",
                    id="command-bar", suggester=SuggestFromList(VIEWS, case_sensitive=False))
        with Vertical(id="bottom"):
            yield Static("JOBS", id="jobs-title")
            yield jobs_table(id="jobs-panel")
            yield LogPane(id="log")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VolumesView).focus_table()
        self.vbs_app.main_ready()

    @property
    def current_view(self) -> str:
        current = self.query_one("#views", ContentSwitcher).current or "volumes-view"
        return current.removesuffix("-view")

    def action_view(self, name: str) -> None:
        self.vbs_app.switch_view(name)

    def action_refresh(self) -> None:
        self.vbs_app.refresh_view(self.current_view)

    def action_focus_log(self) -> None:
        self.query_one(LogPane).focus()

    def action_command_bar(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction  # ':' typed into a field is just a character
        bar = self.query_one("#command-bar", Input)
        bar.value = ""
        bar.add_class("-active")
        self.set_focus(bar)  # at once, so keys typed right after ':' land in the bar

    @on(Input.Submitted, "#command-bar")
    def _command(self, event: Input.Submitted) -> None:
        event.stop()
        bar = event.input
        bar.remove_class("-active")
        wanted = event.value.strip().lstrip(":").lower()
        match = next((v for v in VIEWS if v.startswith(wanted)), None) if wanted else None
        if match is None:
            if wanted:
                self.notify(f"no view named {wanted!r}: volumes, backups or jobs",
                            severity="warning")
            self.vbs_app.focus_view()
            return
        self.vbs_app.switch_view(match)

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        bar = self.query_one("#command-bar", Input)
        if event.key == "escape" and bar.has_focus:
            event.stop()
            bar.remove_class("-active")
            self.vbs_app.focus_view()
