"""The policies view (`:policies`): the project's VBS backup policies — schedule in words
and UTC, next run in UTC and local time, retention, ON/OFF, linked disks — and the keys
that change them.  The words and the next run are `vbstui.ops.policies`' (the CLI's
`policy list` prints the same); what a change may do is decided there too, the keys
here only ask for it.  A row's record is made by the policy flows (`policy_flows`, loaded
after the first rows): this view only shows it, so the policy rules load with them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.binding import Binding

from vbstui.cloud.policy_models import Policy
from vbstui.textsafe import plural
from vbstui.ui.keys import changes_cloud
from vbstui.ui.policy_messages import GUARD_WORDS, PolicyActionRequested
from vbstui.ui.views import TableView
from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.vtable import VirtualTable


@dataclass(frozen=True)
class PolicyRow:
    """One policy and its record as of the listing (`ops.policies.policy_record`)."""

    policy: Policy
    record: dict[str, Any]

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def name(self) -> str:
        return self.policy.name


def _disks(row: PolicyRow) -> str:
    count = row.record["disks"]
    return "?" if count is None else str(count)


def _utc(row: PolicyRow) -> str:
    # The header says UTC: the room goes to the words.
    return str(row.record["next_run_text"]).removesuffix(" UTC")


def _local(row: PolicyRow) -> str:
    """The local time without the year the UTC cell beside it already shows."""
    local, utc = str(row.record["next_run_local"]), str(row.record["next_run_text"])
    return local[5:] if local[:5] == utc[:5] and local[4:5] == "-" else local


# At 120 columns the usual texts are whole (the rare zone note of a week-day schedule is
# cut: the details pane has it); at 80 the table scrolls sideways (← / →), the name,
# state, disks, schedule and next run first.  Short texts grow first.
POLICY_COLUMNS: list[Column[PolicyRow]] = [
    Column("name", "NAME", 12, lambda r: r.name or "(no name)", grow=1),
    Column("status", "ON/OFF", 6, lambda r: r.policy.status,
           style=lambda r: "good" if r.policy.enabled else "warn"),
    Column("disks", "DISKS", 5, _disks, sort_key=lambda r: r.record["disks"] or 0,
           align_right=True),
    Column("schedule", "SCHEDULE (UTC)", 22, lambda r: r.record["schedule"], grow=2),
    Column("next", "NEXT RUN (UTC)", 16, _utc,
           sort_key=lambda r: r.record["next_run_utc"] or "~"),
    Column("local", "NEXT RUN (LOCAL)", 16, _local,
           sort_key=lambda r: r.record["next_run_utc"] or "~"),
    # No ID column: at 120 columns the words need the room; enter, y and `/` have it.
    Column("retention", "RETENTION", 14, lambda r: r.record["retention"], grow=3),
]


class PoliciesView(TableView):
    view_name = "policies"
    BINDINGS = [
        Binding("enter,i", "details", "Details", tooltip="the policy's fields, tags and disks"),
        Binding("n", "create", "New policy", tooltip="a form checked as you type"),
        Binding("e", "act('edit')", "Edit", tooltip="schedule, retention, name"),
        Binding("o", "act('switch')", "ON / OFF", tooltip="switch the policy on or off"),
        Binding("R", "act('run')", "Run now",
                tooltip="back up its disks now; the tasks appear in the jobs panel"),
        Binding("plus,a", "act('link')", "Link marked disks",
                tooltip="the disks marked in the volumes view (space there); asks first"),
        Binding("minus,U", "act('unlink')", "Unlink marked disks",
                tooltip="the disks marked in the volumes view; asks first"),
        Binding("ctrl+d", "act('delete')", "Delete", tooltip="asks first, naming its disks"),
    ]

    def __init__(self) -> None:
        table: VirtualTable[PolicyRow] = VirtualTable(
            POLICY_COLUMNS, row_key=lambda r: r.id,
            search_text=lambda r: f"{r.name} {r.id} {r.policy.status} {r.record['schedule']}",
            empty_text="no backup policies (n creates one)", noun="policy",
            id="policies-table")
        super().__init__(table, id="policies-view")
        self.loading = False

    def raw_title(self, row: PolicyRow) -> str:
        return f"policy {row.name or row.id}"

    def raw_of(self, row: PolicyRow) -> Any:
        return row.policy.raw

    def update_summary(self) -> None:
        rows = self.table.all_rows
        text = self.count_text("backup policy", "backup policies")
        if rows:
            on = sum(1 for r in rows if r.policy.enabled)
            disks = sum(r.record["disks"] or 0 for r in rows)
            text.append(f" · {on} ON · {plural(disks, 'linked disk')}")
        if self.loading:
            text.append(" · loading…", style="italic")
        self.summarize(text)

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        row = self.table.current
        if row is not None:
            self.post_message(PolicyActionRequested("details", row.policy))

    @changes_cloud(GUARD_WORDS["create"])
    def action_create(self) -> None:
        self.post_message(PolicyActionRequested("create", None))

    @changes_cloud(GUARD_WORDS.get)
    def action_act(self, action: str) -> None:
        """`action` on the selected policy."""
        row = self.table.current
        if row is not None:
            self.post_message(PolicyActionRequested(action, row.policy))
