"""Sharing modals: the form that shares one backup with other projects (the project ids
checked as you type by `vbstui.ops.shares`' rules), and the list of shares — of this
project's backups, or the backups other projects share with it — where shares are
revoked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from vbstui.cloud.models import Backup
from vbstui.cloud.shares import Share
from vbstui.ops.shares import share_target_problems
from vbstui.textsafe import plural, visible
from vbstui.ui.keys import changes_cloud
from vbstui.ui.screens.live_form import LiveForm
from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.vtable import VirtualTable

_SEPARATORS = re.compile(r"[\s,;]+")


def typed_project_ids(text: str) -> list[str]:
    """The project ids in the field: separated by commas, semicolons or blanks."""
    return [part for part in _SEPARATORS.split(text) if part]


class ShareForm(LiveForm[list[str] | None]):
    """Project ids to share one backup with; dismissed with the ids typed, or None."""

    FORM = "share"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Share", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    AUTO_FOCUS = "#share-projects"

    def __init__(self, backup: Backup, *, own_project_id: str,
                 already_shared: list[str]) -> None:
        super().__init__()
        self.backup = backup
        self.own_project_id = own_project_id
        self.already_shared = already_shared
        self.done = False

    def compose(self) -> ComposeResult:
        title = Text("Share backup ", style="bold")
        title.append(visible(self.backup.name or "(no name)"), style="bold")
        title.append(f"  {self.backup.id}", style="dim")
        already = (f"shared already with {', '.join(self.already_shared)}"
                   if self.already_shared else "not shared with any project yet")
        with Vertical(id="form-box"):
            yield Static(title, id="form-title")
            yield Static(Text(f"{already}; the other projects can restore it onto their disks, "
                              "and it cannot be deleted while it is shared"), classes="hint")
            with Horizontal(classes="form-row"):
                yield Label("Projects", classes="form-label")
                yield OrderedInput("", id="share-projects", compact=True,
                                   placeholder="project ids (32 hex digits), comma separated")
            yield Static("", id="share-projects-error", classes="field-error")
            with Horizontal(id="form-buttons"):
                yield Button("Share (ctrl+s)", id="share-submit", variant="primary",
                             disabled=True, compact=True)
                yield Button("Cancel (esc)", id="share-cancel", compact=True)
                yield Static("", id="form-state")

    def on_mount(self) -> None:
        self._revalidate()

    def project_ids(self) -> list[str]:
        return typed_project_ids(self.query_one("#share-projects", Input).value)

    def problems(self) -> list[str]:
        _chosen, problems = share_target_problems(
            self.project_ids(), own_project_id=self.own_project_id,
            already_shared=self.already_shared)
        return problems

    def _revalidate(self) -> None:
        problems = self.problems()
        self.show_field("share-projects", problems,
                        ok=f"✓ {plural(len(self.project_ids()), 'project')}")
        self.show_state(len(problems), "ready: ctrl+s shares it")

    @changes_cloud("share backups")
    def action_submit(self) -> None:
        if self.done:
            return
        if self.problems():
            self._revalidate()
            self.notify("fix the project ids first", severity="warning")
            return
        self.done = True
        self.dismiss(self.project_ids())

    def action_cancel(self) -> None:
        if not self.done:
            self.done = True
            self.dismiss(None)


def _size(share: Share) -> str:
    backup = share.backup
    return f"{backup.size_gb} GB" if backup is not None and backup.size_gb is not None else "?"


def share_columns(to_me: bool) -> list[Column[Share]]:
    other = ("from", "FROM PROJECT", lambda s: s.from_project_id) if to_me else \
        ("to", "TO PROJECT", lambda s: s.to_project_id)
    return [
        Column("name", "BACKUP", 16, lambda s: s.backup_name or "(no name)", grow=2),
        Column("backup", "BACKUP ID", 8, lambda s: s.backup_id[:8], sort_key=lambda s: s.backup_id),
        # The other project whole before the rest: at 80 columns the modal has ~70 cells.
        Column(other[0], other[1], 32, other[2]),
        Column("status", "STATUS", 10,
               lambda s: s.backup.status if s.backup is not None else "?"),
        Column("size", "SIZE", 8, _size, align_right=True),
        Column("shared", "SHARED", 16,
               lambda s: s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "?"),
    ]


@dataclass(frozen=True)
class ShareChoice:
    """What the list was closed for: `toggle` (the other list), or a revoke of `share`
    (`every`: all shares of its backup)."""

    kind: str  # "toggle" or "revoke"
    share: Share | None = None
    every: bool = False


class SharesScreen(ModalScreen[ShareChoice | None]):
    """The shares of this project's backups (`to_me`: those shared with this project).
    `t` shows the other list; `d` revokes the selected share, `D` every share of its
    backup (both ask first, in the flow)."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("t", "toggle", "Mine / shared with me"),
        Binding("d,delete", "revoke", "Revoke share", tooltip="the selected one; asks first"),
        Binding("D", "revoke_all", "Revoke all shares of the backup", tooltip="asks first"),
    ]
    DEFAULT_CSS = """
    SharesScreen #shares-table { height: 1fr; }
    """

    def __init__(self, shares: list[Share], *, to_me: bool) -> None:
        super().__init__()
        self.shares = shares
        self.to_me = to_me

    def compose(self) -> ComposeResult:
        if self.to_me:
            title = Text("Backups other projects share with this project", style="bold")
            hint = "t this project's shares · esc close (only the owner revokes a share)"
        else:
            title = Text("Shares of this project's backups", style="bold")
            hint = ("d revoke the share · D revoke every share of its backup (both ask) · "
                    "t shared with me · esc close")
        title.append(f"  {plural(len(self.shares), 'share')}", style="dim")
        table: VirtualTable[Share] = VirtualTable(
            share_columns(self.to_me), row_key=lambda s: s.id,
            empty_text=("no backup is shared with this project" if self.to_me
                        else "no backup of this project is shared (s in the backups view "
                             "shares one)"),
            noun="share", id="shares-table")
        with Vertical(classes="modal-box wide"):
            yield Static(title, classes="modal-title")
            yield table
            yield Static(hint, classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#shares-table", VirtualTable)
        table.set_rows(self.shares)
        table.focus()

    def _current(self) -> Share | None:
        table: VirtualTable[Share] = self.query_one("#shares-table", VirtualTable)
        return table.current

    def action_toggle(self) -> None:
        self.dismiss(ShareChoice("toggle"))

    @changes_cloud("stop sharing backups")
    def action_revoke(self) -> None:
        self._revoke(every=False)

    @changes_cloud("stop sharing backups")
    def action_revoke_all(self) -> None:
        self._revoke(every=True)

    def _revoke(self, *, every: bool) -> None:
        share = self._current()
        if share is None:
            return
        if self.to_me:
            self.notify("only the project that owns a backup can stop sharing it",
                        severity="warning", markup=False)
            return
        self.dismiss(ShareChoice("revoke", share, every=every))

    def action_close(self) -> None:
        self.dismiss(None)
