"""The main screen: status line, the current view, the jobs panel and the log pane."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import ContentSwitcher, Footer, Input, Static

from vbstui.cloud.models import Volume
from vbstui.jobs import Severity, TrackedJob
from vbstui.ui.messages import RefreshRequested, ViewRequested
from vbstui.ui.views import BackupsView, JobsView, TableView, VolumesView
from vbstui.ui.widgets.jobspanel import jobs_table
from vbstui.ui.widgets.logpane import LogPane
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.statusline import StatusLine
from vbstui.ui.widgets.vtable import VirtualTable

VIEWS = ("volumes", "backups", "jobs")


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

    def __init__(self, volume_by_id: Callable[[str], Volume | None],
                 on_ready: Callable[[], None]) -> None:
        super().__init__()
        self.volume_by_id = volume_by_id  # the disk names the backups view shows
        self._on_ready = on_ready  # called once the widgets exist

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-line")
        with ContentSwitcher(initial="volumes-view", id="views"):
            yield VolumesView()
            yield BackupsView(self.volume_by_id)
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
        # A call, not a message: connecting starts while the first frame is drawn.
        self._on_ready()

    # -- the widgets, for the app's collaborators ------------------------------------

    @property
    def log_pane(self) -> LogPane:
        return self.query_one(LogPane)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def jobs_panel(self) -> VirtualTable[TrackedJob]:
        return self.query_one("#jobs-panel", VirtualTable)

    @property
    def volumes_view(self) -> VolumesView:
        return self.query_one(VolumesView)

    @property
    def backups_view(self) -> BackupsView:
        return self.query_one(BackupsView)

    @property
    def jobs_view(self) -> JobsView:
        return self.query_one(JobsView)

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        self.log_pane.add(text, severity)

    def show_undecided(self, count: int) -> None:
        """The panel's title says how many jobs wait for the user's decision."""
        title = Text("JOBS")
        if count:
            title.append(f"  ⚠ {count} outcome(s) unknown: decide in the jobs view (:jobs) "
                         "or here — c check again · S submit again · x give up",
                         style="bold")
        self.query_one("#jobs-title", Static).update(title)

    # -- views -----------------------------------------------------------------------

    @property
    def current_view(self) -> str:
        current = self.query_one("#views", ContentSwitcher).current or "volumes-view"
        return current.removesuffix("-view")

    @property
    def view(self) -> TableView:
        return {"volumes": self.volumes_view, "backups": self.backups_view,
                "jobs": self.jobs_view}[self.current_view]

    def show_view(self, name: str) -> None:
        self.query_one("#views", ContentSwitcher).current = f"{name}-view"

    def focus_view(self) -> None:
        self.view.focus_table()

    def action_view(self, name: str) -> None:
        self.post_message(ViewRequested(name))

    def action_refresh(self) -> None:
        self.post_message(RefreshRequested(self.current_view))

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
            self.focus_view()
            return
        self.post_message(ViewRequested(match))

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        bar = self.query_one("#command-bar", Input)
        if event.key == "escape" and bar.has_focus:
            event.stop()
            bar.remove_class("-active")
            self.focus_view()


def main_screen(app: App[Any]) -> MainScreen:
    """The installed main screen, wherever the app's collaborators need its widgets."""
    screen = app.get_screen("main")
    assert isinstance(screen, MainScreen)
    return screen
