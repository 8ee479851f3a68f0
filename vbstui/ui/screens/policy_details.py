"""A policy's details (enter / i in the policies view): its fields in words, the next
run in UTC and local time, its tags and the disks linked to it."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vbstui.cloud.models import Volume
from vbstui.textsafe import plural, visible

DISKS_SHOWN = 200  # a policy with thousands of disks: the rest are counted


def details_table(record: dict[str, Any], tags: list[tuple[str, str]] | None,
                  disks: list[Volume]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    rows = [
        ("policy", f"{record['name']} ({record['id']})"),
        ("status", "ON" if record["enabled"] else str(record["status"])),
        ("schedule", record["schedule"]),
        ("next run", f"{record['next_run_text']}  ·  local {record['next_run_local']}"),
        ("retention", record["retention"]),
        ("time zone", record["time_zone"] or "—"),
        ("tags", "?" if tags is None else ", ".join(f"{k}={v}" for k, v in tags) or "—"),
        ("disks", plural(len(disks), "linked disk")),
    ]
    for label, value in rows:
        table.add_row(label, Text(visible(str(value))))
    for volume in disks[:DISKS_SHOWN]:
        table.add_row("", Text(visible(f"{volume.name or '(no name)'}  {volume.id}  "
                                       f"{volume.status}")))
    if len(disks) > DISKS_SHOWN:
        table.add_row("", f"… and {len(disks) - DISKS_SHOWN} more")
    return table


class PolicyDetailsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter,i", "close", "Close")]
    DEFAULT_CSS = """
    PolicyDetailsScreen #policy-details { height: auto; max-height: 30; }
    """

    def __init__(self, record: dict[str, Any], tags: list[tuple[str, str]] | None,
                 disks: list[Volume]) -> None:
        super().__init__()
        self.record = record
        self.tags = tags
        self.disks = disks

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Text(f"Backup policy {visible(self.record['name'])}", style="bold"),
                         classes="modal-title")
            with VerticalScroll(id="policy-details"):
                yield Static(details_table(self.record, self.tags, self.disks),
                             id="policy-details-body")
            yield Static("esc close · the disks are those of the last listing (F3, r "
                         "lists them again)", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
