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
from vbstui.ops.restore import restore_problems, restore_targets
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


def _volume_label(volume: Volume, backup: Backup, *, usable: bool) -> Text:
    text = Text(style="" if usable else "dim")
    text.append("  " if usable else "⊘ ", style="" if usable else "bold red")
    text.append(visible(volume.name or "(no name)")[:30].ljust(30), style="bold")
    text.append(f" {volume.id[:8]}  {str(volume.size_gb or '?').rjust(5)} GB  "
                f"{visible(volume.status):<12}")
    if volume.id == backup.volume_id:
        text.append("  (source disk)", style="italic")
    return text


def _heading(text: str, count: int, *, usable: bool) -> Option:
    label = Text(f"{text} ({count})", style="bold" if usable else "bold red")
    return Option(label, disabled=True)


class RestoreScreen(ModalScreen[tuple[Backup, Volume] | None]):
    """Choose the target disk: those that can take the backup first (its own disk
    first among them), then the others, grouped under one reason each."""

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
            yield Static("enter choose · tab to the filter · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(OptionList).focus()

    def _fill(self, text: str) -> None:
        wanted = text.casefold()
        shown = [v for v in self.volumes
                 if not wanted or wanted in f"{v.name} {v.id}".casefold()]
        targets = restore_targets(self.backup, shown)
        items: list[Option | None] = []
        if targets.usable:
            items.append(_heading("can take the backup", len(targets.usable), usable=True))
            items += [Option(_volume_label(v, self.backup, usable=True), id=v.id)
                      for v in targets.usable]
        elif shown:
            items.append(_heading("no disk shown can take the backup", 0, usable=True))
        for reason, volumes in targets.refused:
            items.append(None)  # a separator line between the groups
            items.append(_heading(f"cannot: {reason}", len(volumes), usable=False))
            items += [Option(_volume_label(v, self.backup, usable=False), id=v.id)
                      for v in volumes]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(items)
        # The first disk that can take it; otherwise the first disk, whose reason tells.
        first = next((i for i, item in enumerate(items)
                      if item is not None and not item.disabled), None)
        options.highlighted = first

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
