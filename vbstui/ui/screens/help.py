"""`?` / F1: every key, grouped by where it works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vbstui.ui.keys import KEYMAP


def help_table() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
    table.add_column("key", style="bold", no_wrap=True, width=18)
    table.add_column("action")
    for section, entries in KEYMAP.items():
        table.add_row(Text(section, style="bold underline"), "")
        for keys, action in entries:
            table.add_row(keys, action)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box wide"):
            yield Static(Text("vbstui keys", style="bold"), classes="modal-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_table())
            yield Static("esc close · ctrl+p lists every action as a command", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
