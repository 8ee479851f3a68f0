"""The vaults view (`:vaults`, F12): the project's CBR disk vaults — capacity used of
allocated, disks, policy, status — and the keys that change them.  What a change may do
is for `vbstui.ops.vault_changes` and `vault_create` to decide; the keys only ask."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from vbstui.textsafe import plural
from vbstui.ui.keys import changes_cloud
from vbstui.ui.messages import AddDisksRequested, CreateVaultRequested, VaultDisksRequested
from vbstui.ui.views import TableView
from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.vtable import VirtualTable

if TYPE_CHECKING:  # the rows and their code come when the view first opens (loading.py)
    from vbstui.ops.vaults import VaultRow


def _free(row: VaultRow) -> str:
    return "?" if row.free_gb is None else f"{row.free_gb:.0f} GB"


def _status_style(row: VaultRow) -> str:
    return "good" if row.status == "available" else "warn"


def _free_style(row: VaultRow) -> str:
    # Nearly full: a disk's next backup may not fit (the pre-flight says so with numbers).
    if row.free_gb is not None and row.allocated_gb and row.free_gb < 0.1 * row.allocated_gb:
        return "warn"
    return ""


VAULT_COLUMNS: list[Column[VaultRow]] = [
    Column("name", "NAME", 16, lambda r: r.name or "(no name)", grow=2),
    Column("status", "STATUS", 10, lambda r: r.status, style=_status_style),
    Column("capacity", "USED / ALLOCATED", 18, lambda r: r.capacity_text(),
           sort_key=lambda r: r.used_gb if r.used_gb is not None else -1.0),
    Column("free", "FREE", 8, _free, sort_key=lambda r: r.free_gb or 0.0, align_right=True,
           style=_free_style),
    Column("disks", "DISKS", 5, lambda r: r.disk_count, align_right=True),
    Column("policy", "POLICY", 8, lambda r: r.policy_text(), grow=1),
    Column("id", "ID", 8, lambda r: r.id[:8], sort_key=lambda r: r.id),
]


class VaultsView(TableView):
    view_name = "vaults"
    BINDINGS = [
        Binding("enter,d", "disks", "Disks of vault", tooltip="and remove disks from it"),
        Binding("plus,a", "add_disks", "Add marked disks",
                tooltip="the disks marked in the volumes view (space there) go into this vault"),
        Binding("n", "create", "New vault", tooltip="a disk vault: name, size (billed)"),
    ]

    def __init__(self) -> None:
        table: VirtualTable[VaultRow] = VirtualTable(
            VAULT_COLUMNS, row_key=lambda r: r.id,
            search_text=lambda r: f"{r.name} {r.id} {r.status} {r.policy_text()}",
            empty_text="no disk vaults (n creates one)", noun="vault", id="vaults-table")
        super().__init__(table, id="vaults-view")
        self.loading = False

    def raw_title(self, row: VaultRow) -> str:
        return f"vault {row.name or row.id}"

    def raw_of(self, row: VaultRow) -> Any:
        return row.vault.raw

    def update_summary(self) -> None:
        rows = self.table.all_rows
        text = self.count_text("disk vault")
        if rows:
            disks = sum(r.disk_count for r in rows)
            allocated = sum(r.allocated_gb or 0 for r in rows)
            text.append(f" · {plural(disks, 'disk')} · {allocated} GB allocated (billed)")
        if self.loading:
            text.append(" · loading…", style="italic")
        self.summarize(text)

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.action_disks()

    def action_disks(self) -> None:
        row = self.table.current
        if row is not None:
            self.post_message(VaultDisksRequested(row))

    @changes_cloud("add disks to a vault")
    def action_add_disks(self) -> None:
        row = self.table.current
        if row is not None:
            self.post_message(AddDisksRequested(row))

    @changes_cloud("create a vault")
    def action_create(self) -> None:
        self.post_message(CreateVaultRequested())
