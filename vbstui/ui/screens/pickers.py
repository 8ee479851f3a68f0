"""Pickers: the profile to switch to, and the disk a backup is restored onto."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from vbstui.cloud.models import Backup, Volume
from vbstui.ops.restore import restore_problems
from vbstui.textsafe import visible
from vbstui.ui.widgets.ordered_input import OrderedInput


class ProfileScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, names: list[str], current: str) -> None:
        super().__init__()
        self.names = names
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Text("Switch profile", style="bold"), classes="modal-title")
            yield OptionList(*(Option(visible(n) + ("  (current)" if n == self.current else ""),
                                      id=n) for n in self.names), id="profiles")
            yield Static("enter switch · esc cancel", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.current in self.names:
            options.highlighted = self.names.index(self.current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _volume_label(volume: Volume, backup: Backup) -> Text:
    problems = restore_problems(backup, volume)
    text = Text()
    text.append("  " if not problems else "⊘ ", style="bold red" if problems else "")
    text.append(visible(volume.name or "(no name)")[:30].ljust(30), style="bold")
    text.append(f" {volume.id[:8]}  {str(volume.size_gb or '?').rjust(5)} GB  "
                f"{volume.status:<12}")
    if volume.id == backup.volume_id:
        text.append("  (source disk)", style="italic")
    if problems:
        text.append(f"  {problems[0]}", style="dim")
    return text


class RestoreScreen(ModalScreen[tuple[Backup, Volume] | None]):
    """Choose the target disk; the backup's own disk is first. Unusable disks say why."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, backup: Backup, volumes: list[Volume]) -> None:
        super().__init__()
        self.backup = backup
        self.volumes = volumes

    def compose(self) -> ComposeResult:
        title = Text("Restore backup ", style="bold")
        title.append(visible(self.backup.name or self.backup.id), style="bold")
        title.append(f"  ({self.backup.size_gb or '?'} GB) onto which disk?", style="bold")
        with Vertical(classes="modal-box wide"):
            yield Static(title, classes="modal-title")
            yield OrderedInput(placeholder="filter disks", id="restore-filter")
            yield OptionList(id="restore-targets")
            yield Static("The disk must be 'available' (stop the server and detach it first) "
                         "and at least as large as the backup. enter choose · esc cancel",
                         classes="hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(OptionList).focus()

    def _fill(self, text: str) -> None:
        wanted = text.casefold()
        options = self.query_one(OptionList)
        options.clear_options()
        for volume in self.volumes:
            if wanted and wanted not in f"{volume.name} {volume.id}".casefold():
                continue
            options.add_option(Option(_volume_label(volume, self.backup), id=volume.id))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#restore-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#restore-filter")
    def _to_list(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        volume = next(v for v in self.volumes if v.id == event.option.id)
        problems = restore_problems(self.backup, volume)
        if problems:
            self.notify(f"cannot restore onto this disk: {problems[0]}", severity="error",
                        timeout=8)
            return
        self.dismiss((self.backup, volume))

    def action_cancel(self) -> None:
        self.dismiss(None)
