"""A policy's details (enter / i in the policies view): its fields in words, the next
run in UTC and local time, its tags, the disks linked to it and its newest backup
tasks (a failed one with its error code and what it means)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from vbstui.cloud.models import Volume
from vbstui.cloud.policy_answers import PolicyTask
from vbstui.ops.policy_runs import task_problem
from vbstui.textsafe import plural, visible

DISKS_SHOWN = 200  # a policy with thousands of disks: the rest are counted


def task_rows(tasks: list[PolicyTask] | None, disk_name: Mapping[str, str]
              ) -> list[tuple[str, Text]]:
    """The newest tasks, one line each: when, status, disk, and what went wrong."""
    if tasks is None:
        return [("tasks", Text("? (not read)"))]
    if not tasks:
        return [("tasks", Text("— (the policy has not run yet)"))]
    rows = []
    for index, task in enumerate(tasks):
        when = f"{task.created_at:%Y-%m-%d %H:%M} UTC" if task.created_at else "?"
        disk = disk_name.get(task.resource_id) or task.resource_id or "?"
        line = Text(visible(f"{when}  "))
        line.append(task.status, style="bold" if task.status != "EXECUTE_SUCCESS" else "")
        line.append(visible(f"  {disk}"))
        problem = task_problem(task)
        if problem:
            line.append("\n  ")
            line.append(visible(problem, limit=300), style="italic")
        rows.append(("tasks" if index == 0 else "", line))
    return rows


def details_table(record: dict[str, Any], tags: list[tuple[str, str]] | None,
                  disks: list[Volume], tasks: list[PolicyTask] | None = None,
                  disk_name: Mapping[str, str] | None = None) -> Table:
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
    for label, line in task_rows(tasks, disk_name or {}):
        table.add_row(label, line)
    return table


class PolicyDetailsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter,i", "close", "Close")]
    DEFAULT_CSS = """
    PolicyDetailsScreen #policy-details { height: auto; max-height: 30; }
    """

    def __init__(self, record: dict[str, Any], tags: list[tuple[str, str]] | None,
                 disks: list[Volume], tasks: list[PolicyTask] | None = None,
                 disk_name: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.record = record
        self.tags = tags
        self.disks = disks
        self.tasks = tasks
        self.disk_name = disk_name or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Text(f"Backup policy {visible(self.record['name'])}", style="bold"),
                         classes="modal-title")
            with VerticalScroll(id="policy-details"):
                yield Static(details_table(self.record, self.tags, self.disks, self.tasks,
                                           self.disk_name), id="policy-details-body")
            yield Static("esc close · the disks are those of the last listing (F3, r "
                         "lists them again)", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
