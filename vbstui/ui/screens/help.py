"""`?` / F1: every key, grouped by where it works, read from the live bindings.

The sections come from the widgets of the main screen as they are (each class that
declares bindings adds its own), then the modal screens; a binding added anywhere
shows up here with its description.  In read-only mode the keys the guard would
refuse are left out, as in the footer.
"""

from __future__ import annotations

import re
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from vbstui.ops.guard import Guard
from vbstui.ui.keys import (
    KeyLine,
    guard_of,
    key_lines,
    live_bindings,
    merge_lines,
    method_refusal,
    own_bindings,
    refusal,
)
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.login import LoginScreen
from vbstui.ui.screens.modals import ConfirmScreen, RawJsonScreen
from vbstui.ui.screens.pickers import ProfileScreen, RestoreScreen
from vbstui.ui.screens.policy_details import PolicyDetailsScreen
from vbstui.ui.screens.policy_form import PolicyForm
from vbstui.ui.screens.prune_screens import KeepForm, PrunePreviewScreen
from vbstui.ui.screens.share_screens import ShareForm, SharesScreen

# Where a class's keys are listed; any other class gets a section of its own name.
SECTION_OF = {
    "App": "Everywhere", "VbsApp": "Everywhere", "Screen": "Everywhere",
    "MainScreen": "Everywhere",
    "TableView": "Tables", "MarkableView": "Tables", "VirtualTable": "Tables",
    "VolumesView": "Volumes", "BackupsView": "Backups",
    "JobsView": "Jobs", "JobsPanel": "Jobs",
    "CommandBar": "The : bar",
}
FIRST_SECTIONS = ("Everywhere", "Tables", "Volumes", "Backups", "Jobs")
PALETTE = KeyLine(("ctrl+p",), "Command palette", "every action by name")

Sections = list[tuple[str, list[KeyLine]]]


def _title(cls: type) -> str:
    if cls.__name__ in SECTION_OF:
        return SECTION_OF[cls.__name__]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__.removesuffix("Screen")).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else cls.__name__


def _ours(cls: type) -> bool:
    return cls.__module__.startswith("vbstui.") or cls in (App, Screen)


def _modals() -> list[tuple[type, str, str | None]]:
    """The screens opened on top of the main one, and the change each one exists for
    (read-only mode never opens those)."""
    return [(BackupForm, "Backup form", "back up"), (RestoreScreen, "Restore picker", "restore"),
            (RawJsonScreen, "Raw JSON (y)", None), (ConfirmScreen, "Confirmation", None),
            (ProfileScreen, "Profile picker (F2)", None), (LoginScreen, "Log in", None),
            (HelpScreen, "This help", None),
            (ShareForm, "Share form (s)", "share backups"), (SharesScreen, "Shares (S)", None),
            (KeepForm, "Prune: keep newest (P)", "delete backups"),
            (PrunePreviewScreen, "Prune preview", "delete backups"),
            (PolicyForm, "Policy form (n / e)", "create a backup policy"),
            (PolicyDetailsScreen, "Policy details", None)]


def help_sections(app: App[Any]) -> Sections:
    guard = guard_of(app)
    sections: dict[str, list[KeyLine]] = {title: [] for title in FIRST_SECTIONS}
    sections["Everywhere"].append(PALETTE)

    def add(title: str, cls: type, node: DOMNode | None) -> None:
        def offered(binding: Binding) -> bool:
            if node is not None:
                return refusal(node, binding.action, guard) is None
            # A modal not open: its own action methods say what the guard refuses.
            namespace, name, parameters = parse(binding.action)
            return bool(namespace) or method_refusal(
                getattr(cls, f"action_{name}", None), guard, *parameters) is None
        bindings = live_bindings(node, cls) if node is not None else own_bindings(cls)
        sections.setdefault(title, []).extend(key_lines(bindings, offered=offered))

    seen: set[type] = set()
    nodes: list[DOMNode] = [app]
    if app.is_screen_installed("main"):
        main = app.get_screen("main")
        nodes += [main, *main.walk_children()]
    for node in nodes:
        for cls in type(node).__mro__:
            if cls not in seen and _ours(cls) and own_bindings(cls):
                seen.add(cls)
                add(_title(cls), cls, node)
    for screen, title, opened_for in _modals():
        if not _refused(guard, opened_for):
            add(title, screen, None)
    return [(title, merge_lines(lines)) for title, lines in sections.items() if lines]


def _refused(guard: Guard | None, what: str | None) -> bool:
    return bool(what and guard and guard.refusal(what))


def help_table(sections: Sections) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
    table.add_column("key", style="bold", no_wrap=True, min_width=14)
    table.add_column("action")
    for section, lines in sections:
        table.add_row(Text(section, style="bold underline"), "")
        for line in lines:
            action = Text(line.description)
            if line.tooltip:
                action.append(f" — {line.tooltip}", style="dim")
            table.add_row(Text(line.keys_text), action)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", "Close"),
        Binding("j,down", "scroll('down')", "Scroll down"),
        Binding("k,up", "scroll('up')", "Scroll up"),
        Binding("ctrl+f,pagedown", "scroll('page_down')", "Page down"),
        Binding("ctrl+b,pageup", "scroll('page_up')", "Page up"),
        Binding("g,home", "scroll('home')", "Top"),
        Binding("G,end", "scroll('end')", "Bottom"),
    ]

    def compose(self) -> ComposeResult:
        sections = help_sections(self.app)
        guard = guard_of(self.app)
        with Vertical(classes="modal-box wide"):
            yield Static(Text("vbstui keys", style="bold"), classes="modal-title")
            if guard is not None and guard.readonly:
                yield Static(Text("read-only mode (--readonly): keys that would change the "
                                  "cloud are not listed", style="bold"), classes="hint")
            with VerticalScroll(id="help-body"):
                yield Static(help_table(sections), id="help-keys")
            yield Static("esc close · j/k scroll · g/G top/bottom · ctrl+p lists every "
                         "action as a command", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        {"down": body.scroll_down, "up": body.scroll_up, "page_down": body.scroll_page_down,
         "page_up": body.scroll_page_up, "home": body.scroll_home,
         "end": body.scroll_end}[where](animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
