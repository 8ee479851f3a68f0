"""The main screen: status line, the current view (with the details pane beside it),
the jobs panel and the log pane.

The panes are sized from the terminal: at 24 lines the table keeps most rows, at 60
the jobs panel and the log grow and the details pane opens beside the table.  `z`
cycles the jobs/log panes normal → large → collapsed and `i` shows or hides the
details pane; both choices are remembered for the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus, Resize
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, Static

from vbstui.cloud.models import Volume
from vbstui.jobs import Severity, TrackedJob
from vbstui.local.config import LayoutChoice, load_layout, save_layout
from vbstui.textsafe import plural
from vbstui.ui.messages import RefreshRequested, ViewRequested
from vbstui.ui.policies_view import PoliciesView
from vbstui.ui.protection import Protection
from vbstui.ui.vaults_view import VaultsView
from vbstui.ui.views import BackupsView, JobsView, TableView, VolumesView
from vbstui.ui.widgets.command_bar import CommandBar
from vbstui.ui.widgets.details import DetailsPane
from vbstui.ui.widgets.footer import KeysFooter
from vbstui.ui.widgets.jobspanel import JobsPanel, jobs_table
from vbstui.ui.widgets.logpane import LogPane
from vbstui.ui.widgets.statusline import StatusLine
from vbstui.ui.widgets.vtable import VirtualTable

VIEWS = ("volumes", "backups", "jobs", "vaults", "policies")
DETAILS_FROM_WIDTH = 150  # the details pane opens by itself from this many columns


def pane_rows(height: int, size: str) -> tuple[int, int]:
    """Rows of the jobs panel (with its header) and of the log pane (with its top
    border) for a terminal `height` lines high; (0, 1) when collapsed: only the newest
    log line stays, so an error is still seen."""
    if size == "collapsed":
        return 0, 1
    share, low, high = (0.25, 4, 24) if size == "large" else (0.14, 3, 12)
    rows = max(low, min(high, round(height * share)))
    return rows, rows


def details_width(width: int) -> int:
    return max(34, min(64, round(width * 0.28)))


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("question_mark", "app.help", "Help"),
        Binding("colon", "command_bar", "View", priority=True,
                tooltip="switch view: volumes, backups, jobs, vaults, policies (tab completes)"),
        Binding("f9", "command_bar", "View", show=False),
        # priority: resolved as they arrive, so a '/' typed right after F3 goes to the
        # view F3 opens, not to the one before it.
        Binding("f3", "view('volumes')", "Volumes", show=False, priority=True),
        Binding("f4", "view('backups')", "Backups", show=False, priority=True),
        Binding("f6", "view('jobs')", "Jobs", show=False, priority=True),
        Binding("f12", "view('vaults')", "Vaults (CBR)", show=False, priority=True),
        Binding("f5,ctrl+r", "refresh", "Refresh", show=False, priority=True),
        Binding("ctrl+l", "focus_log", "Log", show=False, tooltip="focus the log pane"),
        Binding("z,f7", "cycle_panes", "Jobs and log panes: normal → large → collapsed",
                show=False),
        Binding("i,f8", "toggle_details", "Details of the selected row: show / hide",
                show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, volume_by_id: Callable[[str], Volume | None],
                 on_ready: Callable[[], None], protection: Protection | None = None, *,
                 after_first_frame: Callable[[Callable[[], object]], None]) -> None:
        super().__init__()
        self.volume_by_id = volume_by_id  # the disk names the backups view shows
        self.protection = protection or Protection()  # the vault columns' answers
        self._on_ready = on_ready  # called once the first widgets exist
        self._after_first_frame = after_first_frame
        # The views not shown at first are made now and mounted just after the first
        # frame: a third of the screen's widgets, whose styling (some 50 ms on one core)
        # held up the first rows.  Until then they are reachable here, not in the DOM:
        # what fills them waits for them (`after_views`).
        self.backups_view = BackupsView(self.volume_by_id, self.protection)
        self.jobs_view = JobsView()
        self.vaults_view = VaultsView()
        self.policies_view = PoliciesView()
        self.views_mounted = False
        self._when_mounted: list[Callable[[], None]] = []
        self.layout_choice: LayoutChoice = load_layout()
        self._undecided = 0
        self._newer_above = False
        self._log_rows = 0

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status-line")
        with Horizontal(id="middle"):
            with ContentSwitcher(initial="volumes-view", id="views"):
                yield VolumesView(self.protection)
            yield DetailsPane(self._disk_name, id="details")
        yield CommandBar(VIEWS, id="command-bar",
                         placeholder=":volumes  :backups  :jobs  :vaults  :policies   "
                                     "(tab completes, esc closes)")
        with Vertical(id="bottom"):
            yield Static("JOBS", id="jobs-title")
            yield jobs_table(id="jobs-panel")
            yield LogPane(id="log")
        yield KeysFooter()

    def on_mount(self) -> None:
        clock = getattr(self.app, "clock", None)
        if callable(clock):
            self.details.clock = clock
        self.size_panes(self.size.width, self.size.height)
        self.query_one(VolumesView).focus_table()
        # A call, not a message: connecting starts while the first frame is drawn.
        self._on_ready()
        self._after_first_frame(self._mount_later_views)
        self.set_interval(1.0, self._tick)

    async def _mount_later_views(self) -> None:
        views = [self.backups_view, self.jobs_view, self.vaults_view, self.policies_view]
        for view in views:
            view.display = False  # as the switcher shows its children: only the current
        await self.query_one("#views", ContentSwitcher).mount_all(views)
        self.views_mounted = True
        waiting, self._when_mounted = self._when_mounted, []
        for callback in waiting:
            callback()

    def when_views_mounted(self, callback: Callable[[], None]) -> bool:
        """Run `callback` once every view is mounted; False when they are already
        (the caller goes on at once)."""
        if self.views_mounted:
            return False
        self._when_mounted.append(callback)
        return True

    def after_views(self, callback: Callable[[], None]) -> None:
        """Run `callback` now if every view is mounted, else once they are."""
        if not self.when_views_mounted(callback):
            callback()

    def _tick(self) -> None:
        """Once a second: a job shown in the details pane moves on; a collapsed panel's
        title counts the jobs."""
        self._refresh_details()
        if self.layout_choice.panes == "collapsed":
            self._show_title()

    def _disk_name(self, volume_id: str) -> str:
        volume = self.volume_by_id(volume_id)
        return volume.name if volume is not None and volume.name else "(name unknown)"

    # -- layout ----------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self.size_panes(event.size.width, event.size.height)

    def size_panes(self, width: int, height: int) -> None:
        """Size the panes for this terminal and the remembered choice."""
        choice = self.layout_choice
        jobs_rows, log_rows = pane_rows(height, choice.panes)
        panel = self.jobs_panel
        panel.display = jobs_rows > 0
        if jobs_rows:
            panel.styles.height = jobs_rows
        log_pane = self.log_pane
        log_pane.set_class(choice.panes == "collapsed", "-collapsed")
        if log_rows != self._log_rows:
            self._log_rows = log_rows
            log_pane.styles.height = log_rows
            # A smaller pane must still show the newest lines, not the oldest.
            self.call_after_refresh(log_pane.scroll_end, animate=False)
        details = self.details
        shown = choice.details if choice.details is not None else width >= DETAILS_FROM_WIDTH
        details.display = shown
        details.styles.width = details_width(width)
        if shown:
            self._refresh_details()
        self._show_title()

    def _remember(self, choice: LayoutChoice) -> None:
        self.layout_choice = choice
        self.size_panes(self.size.width, self.size.height)
        problem = save_layout(choice)
        if problem:
            self.say(problem, Severity.WARNING)

    def action_cycle_panes(self) -> None:
        self._remember(self.layout_choice.next_panes())

    def action_toggle_details(self) -> None:
        self._remember(replace(self.layout_choice, details=not self.details.display))

    # -- the details pane follows the selection ----------------------------------------

    @property
    def details(self) -> DetailsPane:
        return self.query_one(DetailsPane)

    def active_table(self) -> VirtualTable[Any]:
        """The table whose row the details pane shows: the focused one, else the view's."""
        focused = self.focused
        if isinstance(focused, VirtualTable):
            return focused
        return self.view.table

    def _refresh_details(self) -> None:
        details = self.details
        if details.display:
            details.show(self.active_table().current)

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        if event.table is self.active_table():
            self._refresh_details()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._refresh_details()

    def on_jobs_panel_newer_above(self, event: JobsPanel.NewerAbove) -> None:
        self._newer_above = event.waiting
        self._show_title()

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

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        self.log_pane.add(text, severity)

    def show_undecided(self, count: int) -> None:
        """The panel's title says how many jobs wait for the user's decision."""
        self._undecided = count
        self._show_title()

    def _show_title(self) -> None:
        title = Text("JOBS")
        if self._newer_above:
            title.append("  ↑ a newer job is above (g)", style="bold")
        if self._undecided:
            title.append(f"  ⚠ {plural(self._undecided, 'outcome')} unknown: decide in the "
                         "jobs view (:jobs) or here — c check again · S submit again · x give up",
                         style="bold")
        if self.layout_choice.panes == "collapsed":
            count = len(self.jobs_panel.all_rows)
            title.append(f"  {count} job{'' if count == 1 else 's'} · panel hidden: z shows it")
        self.query_one("#jobs-title", Static).update(title)

    # -- views -----------------------------------------------------------------------

    @property
    def current_view(self) -> str:
        current = self.query_one("#views", ContentSwitcher).current or "volumes-view"
        return current.removesuffix("-view")

    @property
    def view(self) -> TableView:
        return {"volumes": self.volumes_view, "backups": self.backups_view,
                "jobs": self.jobs_view, "vaults": self.vaults_view,
                "policies": self.policies_view}[self.current_view]

    def show_view(self, name: str) -> None:
        self.query_one("#views", ContentSwitcher).current = f"{name}-view"

    def focus_view(self) -> None:
        self.view.focus_table()

    def action_view(self, name: str) -> None:
        # Shown and focused at once, so keys typed right after F3 (in the same burst)
        # land in the new view; the app then loads what it needs.
        if self.when_views_mounted(partial(self.action_view, name)):
            return  # a key in the first frame's instant: the view is not there yet
        self.show_view(name)
        self.focus_view()
        self.post_message(ViewRequested(name))

    def action_refresh(self) -> None:
        self.post_message(RefreshRequested(self.current_view))

    def action_focus_log(self) -> None:
        self.query_one(LogPane).focus()

    def action_command_bar(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction  # ':' typed into a field is just a character
        self.query_one(CommandBar).open()

    @on(Input.Submitted, "#command-bar")
    def _command(self, event: Input.Submitted) -> None:
        event.stop()
        bar = self.query_one(CommandBar)
        match, typed = bar.wanted(), event.value.strip()
        bar.hide()
        if match is None:
            if typed:
                self.notify(f"no view named {typed!r}: volumes, backups, jobs, vaults or "
                            "policies", severity="warning", markup=False)
            self.focus_view()
            return
        self.action_view(match)

    @on(CommandBar.Closed)
    def _command_bar_closed(self) -> None:
        self.focus_view()


def main_screen(app: App[Any]) -> MainScreen:
    """The installed main screen, wherever the app's collaborators need its widgets."""
    screen = app.get_screen("main")
    assert isinstance(screen, MainScreen)
    return screen
