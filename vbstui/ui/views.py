"""The three views of the main screen: volumes, backups and jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from vbstui.cloud.models import Backup, Quota, Volume
from vbstui.jobs import Phase, TrackedJob
from vbstui.ops.outcome import Decision
from vbstui.textsafe import plural
from vbstui.ui.keys import changes_cloud
from vbstui.ui.messages import (
    BackupRequested,
    BackupsOfDiskRequested,
    DeleteRequested,
    PruneRequested,
    RawJsonRequested,
    RefreshRequested,
    RestoreRequested,
    RetryRequested,
    ShareRequested,
    SharesRequested,
)
from vbstui.ui.protection import Protection
from vbstui.ui.tables import JOB_HISTORY_COLUMNS, backup_columns, quota_line, volume_columns
from vbstui.ui.widgets.jobspanel import ask_decision
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.vtable import VirtualTable


class TableView(Vertical):
    """A table with a filter line above it; the common keys of every view."""

    BINDINGS = [
        # priority: the app handles '/' before it queues the next keys for the table,
        # so a fast typist's (or a laggy link's) burst "/name" lands in the filter.
        Binding("slash", "filter", "Filter", priority=True,
                tooltip="as you type: name, id, status; esc clears"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("r", "refresh", "Refresh"),
        Binding("y", "raw", "Raw JSON", tooltip="of the selected row, as the server sent it"),
        *(Binding(str(n), f"sort({n})", f"Sort by column {n}", show=False,
                  tooltip="again: reverse") for n in range(1, 8)),
    ]
    DEFAULT_CSS = """
    TableView { height: 1fr; }
    TableView > .view-bar { height: 1; }
    TableView .view-bar Input { width: 40; height: 1; border: none; padding: 0 1;
                                background: $surface; }
    TableView .view-bar Input:focus { background: $boost; }
    TableView .view-bar .summary { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    """
    view_name = "view"

    def __init__(self, table: VirtualTable[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.table = table
        # Made here, not in compose: a view mounted after the first frame (`MainScreen`)
        # is filled and summed up before its widgets are in the DOM.
        self.filter_field = OrderedInput(placeholder="/ filter: name, id, status",
                                         classes="filter", compact=True)
        self.summary = Static("", classes="summary")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="view-bar"):
            # Always laid out (not display:none), so '/' can move focus there at once and
            # the keys typed right after it are not lost.
            yield self.filter_field
            yield self.summary
        yield self.table

    def summarize(self, text: str | Text) -> None:
        # The summary's size does not follow its text (one line, the bar's free width):
        # no layout of the whole screen for each new count while a big listing loads.
        self.summary.update(text if isinstance(text, Text) else Text(text), layout=False)

    def focus_table(self) -> None:
        # At once, not via focus() (which waits for the next idle moment): a '/' typed
        # right after F3 must find this view's table focused.
        self.screen.set_focus(self.table)

    def action_filter(self) -> None:
        field = self.filter_field
        if field.has_focus:
            raise SkipAction  # a '/' typed into the filter itself is just a character
        field.add_class("-active")
        # At once, not via focus(): over SSH the keys typed after '/' arrive in the same
        # burst and must land in the field, not in the table.
        self.screen.set_focus(field)

    def action_clear_filter(self) -> None:
        field = self.filter_field
        if field.value:
            field.value = ""
        field.remove_class("-active")
        self.table.focus()

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)
        self.after_filter()

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.filter_field.remove_class("-active")
        self.table.focus()

    def after_filter(self) -> None:
        """The filter changed what is shown: the summary line says so."""
        self.update_summary()

    def update_summary(self) -> None:
        """Each view's summary line (counts, what is loading)."""

    def count_text(self, noun: str, many: str | None = None) -> Text:
        """"3 disk vaults", or "1 of 3 disk vaults" while a filter hides some."""
        every = plural(len(self.table.all_rows), noun, many)
        if self.table.filter_text:
            return Text(f"{len(self.table.rows)} of {every}")
        return Text(every)

    def action_sort(self, number: int) -> None:
        if 1 <= number <= len(self.table.columns):
            self.table.sort_by(self.table.columns[number - 1].key)

    def action_refresh(self) -> None:
        self.post_message(RefreshRequested(self.view_name))

    def action_raw(self) -> None:
        row = self.table.current
        if row is None:
            return
        self.post_message(RawJsonRequested(self.raw_title(row), self.raw_of(row)))

    def raw_title(self, row: Any) -> str:
        return self.view_name

    def raw_of(self, row: Any) -> Any:
        return getattr(row, "raw", row)


MARK_BINDINGS = [
    Binding("space", "mark", "Mark", tooltip="mark / unmark the row and move down"),
    Binding("v", "mark_range", "Mark range", show=False,
            tooltip="from the last marked row to here"),
    Binding("asterisk", "mark_all", "Mark all", tooltip="mark / unmark every visible row"),
    Binding("u", "unmark", "Unmark all", show=False),
]


class MarkableView(TableView):
    """A view whose rows can be marked for an action on several at once.

    Subclasses list MARK_BINDINGS themselves, after their own main keys, so the
    footer shows the view's main action first."""

    loading_text = ""
    _last_mark: int | None = None

    def what(self) -> str:
        """What the rows are, for the summary line ("disks", "backups of disk x")."""
        return "rows"

    def update_summary(self) -> None:
        table = self.table
        text = Text(f"{len(table.rows)} of {len(table.all_rows)} {self.what()}"
                    if table.filter_text else f"{len(table.all_rows)} {self.what()}")
        if table.marked:
            text.append(f" · {len(table.marked)} marked", style="bold")
        if self.loading_text:
            text.append(f" · {self.loading_text}", style="italic")
        self.summarize(text)

    def action_mark(self) -> None:
        self.table.toggle_mark()
        current = self.table.current
        if current is not None and self.table.row_key(current) in self.table.marked:
            self._last_mark = self.table.cursor
        self.table.action_cursor_down()
        self.update_summary()

    def action_mark_range(self) -> None:
        start = self._last_mark if self._last_mark is not None else self.table.cursor
        low, high = sorted((start, self.table.cursor))
        self.table.mark_rows(self.table.rows[low:high + 1])
        self._last_mark = self.table.cursor
        self.update_summary()

    def action_mark_all(self) -> None:
        self.table.mark_all_visible()
        self.update_summary()

    def action_unmark(self) -> None:
        self.table.clear_marks()
        self._last_mark = None
        self.update_summary()


class VolumesView(MarkableView):
    view_name = "volumes"
    BINDINGS = [
        Binding("b", "backup", "Back up", tooltip="the disk, or the marked disks"),
        Binding("enter", "backup", "Back up", show=False),
        *MARK_BINDINGS,
        Binding("B", "backups_of_disk", "Backups of disk"),
        Binding("P", "prune", "Prune: keep newest N", show=False,
                tooltip="of the marked disks (or this one); previews, then asks"),
    ]

    def __init__(self, protection: Protection | None = None) -> None:
        self.protection = protection or Protection()
        self.policy_label: Callable[[Volume], str] | None = None  # set once policies are listed
        table: VirtualTable[Volume] = VirtualTable(
            volume_columns(), row_key=lambda v: v.id, search_text=self._search_text,
            markable=True, empty_text="no disks (yet)", noun="disk", id="volumes-table")
        super().__init__(table, id="volumes-view")

    def _search_text(self, volume: Volume) -> str:
        text = f"{volume.name} {volume.id} {volume.status}"
        label = self.protection.label(volume.id)
        if self.policy_label is not None:
            label = f"{label} {self.policy_label(volume)}"
        return f"{text} {label}" if label else text

    def show_protection(self) -> None:
        """The PROTECTION column when the project has CBR, with the latest vault listing
        (every row indexed again: `/` finds a vault's name)."""
        shown = self.protection.shown
        self.table.set_columns(volume_columns(self.protection.label if shown else None,
                                              self.policy_label))
        words = "name, id, status" + (", vault" if shown else "") + (
            ", policy" if self.policy_label is not None else "")
        # The field is 40 wide: with both extra columns the word "filter" makes way.
        self.filter_field.placeholder = (
            f"/ filter: {words}" if len(words) < 28 else f"/ {words}")

    def show_policies(self, label: Callable[[Volume], str] | None) -> None:
        """The POLICY column (each disk's VBS backup policy), with the latest policy
        listing; `/` finds a policy's name.  None: no disk is bound to a policy, and the
        column makes way (at 80 columns every column costs the names room)."""
        self.policy_label = label
        self.show_protection()

    def what(self) -> str:
        return "disks"

    def raw_title(self, row: Volume) -> str:
        return f"disk {row.name or row.id}"

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.action_backup()

    @changes_cloud("back up")
    def action_backup(self) -> None:
        marked = self.table.marked_rows()
        current = self.table.current
        volumes = marked or ([current] if current is not None else [])
        if volumes:
            self.post_message(BackupRequested(volumes))

    def action_backups_of_disk(self) -> None:
        volume = self.table.current
        if volume is not None:
            self.post_message(BackupsOfDiskRequested(volume.id))

    @changes_cloud("delete backups")
    def action_prune(self) -> None:
        volumes = self.table.marked_rows() or (
            [self.table.current] if self.table.current is not None else [])
        if volumes:
            self.post_message(PruneRequested(volumes))


class BackupsView(MarkableView):
    view_name = "backups"
    BINDINGS = [
        Binding("R", "restore", "Restore", tooltip="the backup onto a disk you choose"),
        Binding("ctrl+d", "delete", "Delete", tooltip="the backup, or the marked backups"),
        *MARK_BINDINGS,
        Binding("a", "toggle_scope", "All / this disk",
                tooltip="all backups, or the backups of one disk"),
        Binding("s", "share", "Share", show=False,
                tooltip="the backup with other projects (VBS), ids checked as you type"),
        Binding("S", "shares", "Shares", show=False,
                tooltip="of this project's backups and shared with it; revoke there"),
    ]
    DEFAULT_CSS = """
    BackupsView > .quota { height: 1; padding: 0 1; }
    BackupsView > .quota.-warn { color: $warning; text-style: bold; }
    """

    def __init__(self, volume_by_id: Callable[[str], Volume | None],
                 protection: Protection | None = None) -> None:
        self.volume_by_id = volume_by_id
        self.protection = protection or Protection()
        table: VirtualTable[Backup] = VirtualTable(
            backup_columns(self._disk_name), row_key=lambda b: b.id,
            search_text=self._search_text, markable=True, empty_text="no backups",
            noun="backup", id="backups-table")
        super().__init__(table, id="backups-view")
        self.quota = Static("quota: loading…", classes="quota")
        self.volume_filter: str | None = None
        self.services_shown = False

    def _search_text(self, backup: Backup) -> str:
        text = f"{backup.name} {backup.id} {backup.status} {backup.volume_id} {backup.description}"
        return f"{text} {self.protection.backup_label(backup)}" if self.services_shown else text

    def show_services(self) -> None:
        """The SERVICE column when the project has CBR (vault names as last listed)."""
        self.services_shown = self.protection.shown
        self.table.set_columns(backup_columns(
            self._disk_name, self.protection.backup_label if self.services_shown else None))

    def compose(self) -> ComposeResult:
        yield self.quota
        yield from super().compose()

    def _disk_name(self, volume_id: str) -> str:
        volume = self.volume_by_id(volume_id)
        if volume is not None and volume.name:
            return volume.name
        return volume_id[:8] if volume_id else "?"

    def raw_title(self, row: Backup) -> str:
        return f"backup {row.name or row.id}"

    def what(self) -> str:
        if self.volume_filter:
            return f"backups of disk {self._disk_name(self.volume_filter)}"
        return "backups"

    def show_quota(self, quota: Quota | None, problem: str | None = None) -> None:
        line = self.quota
        if quota is None:
            line.update(Text(f"quota: {problem or 'unknown'}"))
            return
        text, warn = quota_line(quota)
        line.set_class(warn, "-warn")
        line.update(text)

    @changes_cloud("restore")
    def action_restore(self) -> None:
        backup = self.table.current
        if backup is not None:
            self.post_message(RestoreRequested(backup))

    @changes_cloud("delete")
    def action_delete(self) -> None:
        backups = self.table.marked_rows()
        if not backups and self.table.current is not None:
            backups = [self.table.current]
        if backups:
            self.post_message(DeleteRequested(backups))

    @changes_cloud("share backups")
    def action_share(self) -> None:
        backup = self.table.current
        if backup is not None:
            self.post_message(ShareRequested(backup))

    def action_shares(self) -> None:
        self.post_message(SharesRequested())

    def action_toggle_scope(self) -> None:
        if self.volume_filter:
            self.post_message(BackupsOfDiskRequested(None))
        else:
            current = self.table.current
            if current is not None and current.volume_id:
                self.post_message(BackupsOfDiskRequested(current.volume_id))


class JobsView(TableView):
    view_name = "jobs"
    BINDINGS = [
        Binding("enter", "details", "Details", tooltip="and the raw JSON of the job"),
        Binding("c", "check_again", "Check again",
                tooltip="outcome unknown (⚠): look again, nothing is sent"),
        Binding("S", "submit_again", "Submit again",
                tooltip="outcome unknown: asks first (may duplicate)"),
        Binding("x", "give_up", "Give up",
                tooltip="outcome unknown: asks first (final: cancelled)"),
        Binding("R", "retry_failed", "Retry failed"),
    ]

    def __init__(self) -> None:
        table: VirtualTable[TrackedJob] = VirtualTable(
            JOB_HISTORY_COLUMNS, row_key=lambda j: j.local_id,
            empty_text="no jobs in the journal yet", noun="job", id="jobs-table")
        super().__init__(table, id="jobs-view")

    def raw_title(self, row: TrackedJob) -> str:
        return f"job {row.job_id or row.local_id}"

    def raw_of(self, row: TrackedJob) -> Any:
        return row.outcome() | {"journal": row.to_record()}

    def update_summary(self) -> None:
        jobs = self.table.all_rows
        running = sum(1 for j in jobs if not j.finished)
        text = Text(f"{plural(len(jobs), 'job')} in the journal · {running} not finished")
        undecided = sum(1 for j in jobs if j.phase is Phase.UNKNOWN)
        if undecided:
            text.append(f" · ⚠ {undecided} need a decision (c / S / x)", style="bold")
        self.summarize(text)

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        self.action_raw()

    # The decisions on an unknown outcome: asked here, confirmed by the flows.

    def action_check_again(self) -> None:
        ask_decision(self, self.table.current, Decision.CHECK)

    @changes_cloud("submit again")
    def action_submit_again(self) -> None:
        ask_decision(self, self.table.current, Decision.SUBMIT_AGAIN)

    def action_give_up(self) -> None:
        ask_decision(self, self.table.current, Decision.GIVE_UP)

    @changes_cloud("back up")
    def action_retry_failed(self) -> None:
        """The failed backups of the selected job's run, sent again (confirmed first)."""
        self.post_message(RetryRequested(self.table.current))
