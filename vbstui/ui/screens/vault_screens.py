"""The vaults view's modals: a vault's disks (and removing some of them), and the form
for a new disk vault, validated as you type by `vbstui.ops.vault_changes`' rules."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from vbstui.ops.vault_create import vault_create_problems
from vbstui.ops.vaults import VaultDisk, VaultRow
from vbstui.textsafe import plural, visible
from vbstui.ui.keys import changes_cloud
from vbstui.ui.screens.live_form import LiveForm
from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.statebox import StateCheckbox
from vbstui.ui.widgets.vtable import VirtualTable

DISK_COLUMNS: list[Column[VaultDisk]] = [
    Column("name", "NAME", 16, lambda d: d.name or "(no name)", grow=2),
    Column("id", "ID", 8, lambda d: d.id[:8], sort_key=lambda d: d.id),
    Column("size", "SIZE", 8, lambda d: f"{d.size_gb} GB" if d.size_gb is not None else "?",
           sort_key=lambda d: d.size_gb if d.size_gb is not None else -1, align_right=True),
    Column("status", "STATUS", 12, lambda d: d.status,
           style=lambda d: "good" if d.exists else "bad"),
]


class VaultDisksScreen(ModalScreen[list[str] | None]):
    """The disks of one vault; `x` asks to remove the marked ones (or the selected one).
    Dismissed with their ids, or None."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("space", "mark", "Mark"),
        Binding("x,delete", "remove", "Remove from vault",
                tooltip="the marked disks (or this one); asks first"),
    ]
    DEFAULT_CSS = """
    VaultDisksScreen #vault-disks { height: auto; max-height: 20; }
    """

    def __init__(self, vault: VaultRow, disks: list[VaultDisk]) -> None:
        super().__init__()
        self.vault = vault
        self.disks = disks

    def compose(self) -> ComposeResult:
        title = Text(f"Disks of vault {visible(self.vault.name)}", style="bold")
        title.append(f"  {self.vault.capacity_text()} used · "
                     f"{plural(len(self.disks), 'disk')}", style="dim")
        table: VirtualTable[VaultDisk] = VirtualTable(
            DISK_COLUMNS, row_key=lambda d: d.id, markable=True,
            empty_text="no disks in this vault (a in the vaults view adds marked disks)",
            noun="disk", id="vault-disks")
        with Vertical(classes="modal-box wide"):
            yield Static(title, classes="modal-title")
            yield table
            yield Static("space mark · x remove from the vault (asks first) · esc close",
                         classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#vault-disks", VirtualTable)
        table.set_rows(self.disks)
        table.focus()

    def action_mark(self) -> None:
        table = self.query_one("#vault-disks", VirtualTable)
        table.toggle_mark()
        table.action_cursor_down()

    @changes_cloud("remove disks from a vault")
    def action_remove(self) -> None:
        table: VirtualTable[VaultDisk] = self.query_one("#vault-disks", VirtualTable)
        chosen = table.marked_rows() or ([table.current] if table.current else [])
        if chosen:
            self.dismiss([d.id for d in chosen])

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NewVault:
    """What the create form asked for; the ops layer plans and checks it."""

    name: str
    size_gb: int
    volume_ids: list[str]


class VaultCreateForm(LiveForm[NewVault | None]):
    """Name and size of a new disk vault, and whether the marked disks go into it."""

    FORM = "vault"

    BINDINGS = [
        Binding("ctrl+s", "submit", "Create", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, marked: list[str], *, suggested_size: int = 100) -> None:
        super().__init__()
        self.marked = marked
        self.suggested_size = suggested_size
        self.done = False

    AUTO_FOCUS = "#vault-name"

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Text("New disk vault", style="bold").append(
                "  its capacity is billed whether it is used or not", style="dim"),
                id="form-title")
            with Horizontal(classes="form-row"):
                yield Label("Name", classes="form-label")
                yield OrderedInput("", id="vault-name", compact=True,
                                   placeholder="1-64 of A-Z a-z 0-9 _ -")
            yield Static("", id="vault-name-error", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Size (GB)", classes="form-label")
                yield OrderedInput(str(self.suggested_size), id="vault-size", compact=True)
            yield Static("", id="vault-size-error", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Marked disks", classes="form-label")
                yield StateCheckbox(bool(self.marked), id="vault-with-disks", compact=True,
                                    disabled=not self.marked)
                yield Static(f"put the {plural(len(self.marked), 'disk')} marked in the "
                             "volumes view into it" if self.marked else
                             "none marked (space in the volumes view marks disks)",
                             classes="hint")
            with Horizontal(id="form-buttons"):
                yield Button("Create… (ctrl+s)", id="vault-submit", variant="primary",
                             disabled=True, compact=True)
                yield Button("Cancel (esc)", id="vault-cancel", compact=True)
                yield Static("", id="form-state")

    def on_mount(self) -> None:
        self._revalidate()

    def _fields(self) -> tuple[str, str]:
        return (self.query_one("#vault-name", Input).value,
                self.query_one("#vault-size", Input).value)

    def _problems(self) -> dict[str, list[str]]:
        name, size = self._fields()
        return vault_create_problems(name, size)

    def _revalidate(self) -> None:
        problems = self._problems()
        for field, key in (("vault-name", "name"), ("vault-size", "size_gb")):
            self.show_field(field, problems.get(key, []))
        self.show_state(sum(len(m) for m in problems.values()),
                        "ready: the next step shows the cost and asks")

    def action_submit(self) -> None:
        if self.done:
            return
        if self._problems():
            self._revalidate()
            self.notify("fix the marked fields first", severity="warning")
            return
        self.done = True
        name, size = self._fields()
        with_disks = self.query_one("#vault-with-disks", Checkbox).value
        self.dismiss(NewVault(name, int(size.strip()), self.marked if with_disks else []))

    def action_cancel(self) -> None:
        if not self.done:
            self.done = True
            self.dismiss(None)
