"""The details pane: the fields that matter of the selected disk, backup, job or policy,
readable.

The tables cut long values to their column; here every field is shown whole and
wrapped: names, status (and why a disk cannot be backed up), sizes, times in UTC
with "3 h ago", full ids, the decoded description, a backup's disk name and failure
reason, a job's error code with its meaning and what to do.  The raw JSON stays on
`y`.  Server text is shown as plain `Text`, made printable, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from vbstui.cloud.error_codes import explain
from vbstui.cloud.models import Backup, Volume
from vbstui.jobs import Phase, TrackedJob
from vbstui.textsafe import visible
from vbstui.ui.policies_view import PolicyRow

Field = tuple[str, "str | Text"]
MAX_VALUE = 600  # a hostile server string must not fill the pane


def ago(then: datetime, now: datetime) -> str:
    """ "3 h ago", "in 5 min", "just now": the distance in the largest unit that fits."""
    seconds = (now - then).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            amount = int(seconds // size)
            return f"in {amount} {unit}" if future else f"{amount} {unit} ago"
    return "just now"  # pragma: no cover - 45 s and more always has a unit


def when(value: datetime | None, now: datetime) -> str:
    """A time in UTC and relative to now: `2026-11-27 09:15 UTC (1 h ago)`."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # servers send zone-less times; VBS means UTC
        value = value.replace(tzinfo=timezone.utc)
    utc = value.astimezone(timezone.utc)
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC ({ago(utc, now)})"


def _size(gb: int | None) -> str:
    return f"{gb} GB" if gb is not None else "unknown"


def volume_fields(volume: Volume, now: datetime) -> list[Field]:
    status = Text(volume.status or "unknown")
    reason = volume.why_not_backupable()
    if reason:
        status.append(f" — ⊘ {visible(reason)}")
    else:
        status.append(" — can be backed up")
    attached = [f"{a.server_id} ({a.device})" if a.device else a.server_id
                for a in volume.attachments if a.server_id]
    return [
        ("Disk", volume.name or "(no name)"),
        ("ID", volume.id),
        ("Status", status),
        ("Size", _size(volume.size_gb)),
        ("Type", volume.volume_type or "—"),
        ("Zone", volume.availability_zone or "—"),
        ("Bootable", {True: "yes", False: "no"}.get(volume.bootable, "unknown")),
        ("Attached to", ", ".join(attached) or "— (not attached)"),
        ("Created", when(volume.created_at, now)),
        ("Description", volume.description or "—"),
    ]


def backup_fields(backup: Backup, disk_name: Callable[[str], str], now: datetime) -> list[Field]:
    kind = ("incremental" if backup.incremental else "full"
            if backup.incremental is False else "unknown")
    fields: list[Field] = [
        ("Backup", backup.name or "(no name)"),
        ("ID", backup.id),
        ("Status", backup.status or "unknown"),
    ]
    if backup.fail_reason:
        fields.append(("Failure", Text(visible(backup.fail_reason, limit=MAX_VALUE),
                                       style="bold")))
    fields += [
        ("Disk", disk_name(backup.volume_id) if backup.volume_id else "—"),
        ("Disk ID", backup.volume_id or "—"),
        ("Size", _size(backup.size_gb)),
        ("Type", kind),
        ("Zone", backup.availability_zone or "—"),
        ("Created", when(backup.created_at, now)),
        ("Updated", when(backup.updated_at, now)),
        ("Description", backup.description or "—"),
    ]
    return fields


PHASE_WORDS = {
    Phase.SUBMITTING: "submitting: the request is on its way",
    Phase.RECONCILING: "checking: the answer was lost, looking for what the service did",
    Phase.UNKNOWN: "⚠ outcome unknown: decide with c (check again), S (submit again) "
                   "or x (give up)",
    Phase.REFUSED: "✗ refused: nothing was created",
    Phase.RUNNING: "running in the cloud",
    Phase.SUCCESS: "✓ success",
    Phase.FAILED: "✗ failed",
    Phase.CANCELLED: "cancelled (given up)",
}


def _epoch(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, timezone.utc) if seconds else None


def job_fields(job: TrackedJob, now: datetime) -> list[Field]:
    status = PHASE_WORDS.get(job.phase, job.phase.value)
    if job.status:
        status += f" (service: {job.status})"
    if job.recovered:
        status += " — found again after a network error"
    disk = job.volume_name or "(name unknown)"
    fields: list[Field] = [
        ("Action", {"create": "back up a disk", "restore": "restore a backup onto a disk",
                    "delete": "delete a backup"}.get(job.kind.value, job.kind.value)),
        ("Status", status),
        ("Disk", f"{disk} ({job.volume_id})" if job.volume_id else disk),
        ("Backup", " ".join(part for part in (job.backup_name,
                                              f"({job.backup_id})" if job.backup_id else "")
                            if part) or "—"),
    ]
    if job.error_code:
        info = explain(job.error_code, job.message or None)
        error = Text(info.code, style="bold")
        error.append(f": {visible(info.meaning, limit=MAX_VALUE)}")
        if info.action:
            error.append(f"\n→ {visible(info.action, limit=MAX_VALUE)}")
        fields.append(("Error", error))
    if job.message:
        fields.append(("Message", job.message))
    fields += [
        ("Job ID", job.job_id or "— (none yet)"),
        ("Local ID", job.local_id),
        ("Profile", job.profile or "—"),
        ("Submitted", when(_epoch(job.submitted_at), now)),
        ("Finished", when(_epoch(job.finished_at), now) if job.finished_at else "—"),
        ("Polls", str(job.polls)),
    ]
    return fields


def _next_run(record: dict[str, Any], now: datetime) -> str:
    upcoming = record["next_run_utc"]
    if not upcoming:
        return str(record["next_run_text"])  # "—" for an OFF policy, or why there is none
    return f"{record['next_run_text']} ({ago(datetime.fromisoformat(upcoming), now)})"


def policy_fields(row: PolicyRow, now: datetime) -> list[Field]:
    """The record `vbstui policy show` prints (`ops.policies.policy_record`); its tags
    and linked disks need calls of their own: enter shows them."""
    record = row.record
    disks = record["disks"]
    return [
        ("Policy", record["name"] or "(no name)"),
        ("ID", record["id"]),
        ("Status", "ON" if record["enabled"] else f"{record['status']}: no scheduled runs"),
        ("Schedule", record["schedule"]),
        ("Next run", _next_run(record, now)),
        ("Local time", record["next_run_local"]),
        ("Retention", record["retention"]),
        ("Time zone", record["time_zone"] or "—"),
        ("Disks", "unknown" if disks is None else f"{disks} linked"),
        ("Tags, disks", "enter shows them"),
    ]


def render_fields(title: str, fields: list[Field]) -> RenderableType:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for label, value in fields:
        text = value if isinstance(value, Text) else Text(visible(value, limit=MAX_VALUE))
        grid.add_row(Text(label), text)
    return Group(Text(title, style="bold underline"), grid,
                 Text("y: raw JSON · i: hide this pane", style="italic"))


class DetailsPane(VerticalScroll, can_focus=False):
    """Shows one row; `show(row)` with a disk, a backup, a job, a policy, or None."""

    DEFAULT_CSS = """
    DetailsPane {
        width: 48;
        height: 1fr;
        border-left: solid $primary;
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    DetailsPane > Static { width: 1fr; }
    """

    def __init__(self, disk_name: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.disk_name = disk_name
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.row: object | None = None
        self._shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("nothing selected"), id="details-body")

    def show(self, row: object | None) -> None:
        """Show `row` (re-rendered only when something it shows changed)."""
        self.row = row
        signature = self._signature(row)
        if signature == self._shown:
            return
        self._shown = signature
        self.query_one("#details-body", Static).update(self.render_row(row))

    def _signature(self, row: object | None) -> tuple[Any, ...]:
        """What the text depends on.  A job changes in place; disks and backups are
        replaced when they change; "3 min ago" moves on once a minute."""
        minute = int(self.clock().timestamp() // 60)
        if isinstance(row, TrackedJob):
            return (id(row), minute, row.phase, row.status, row.error_code, row.message,
                    row.job_id, row.backup_id, row.finished_at, row.polls)
        return (id(row), minute)

    def fields_of(self, row: object | None) -> tuple[str, list[Field]]:
        now = self.clock()
        if isinstance(row, Volume):
            return "DISK", volume_fields(row, now)
        if isinstance(row, Backup):
            return "BACKUP", backup_fields(row, self.disk_name, now)
        if isinstance(row, TrackedJob):
            return "JOB", job_fields(row, now)
        if isinstance(row, PolicyRow):
            return "POLICY", policy_fields(row, now)
        return "", []

    def render_row(self, row: object | None) -> RenderableType:
        title, fields = self.fields_of(row)
        if not title:
            return Text("nothing selected", style="italic")
        return render_fields(title, fields)

    def plain(self) -> str:
        """What the pane shows, one `label: value` a line (for tests and scripts)."""
        title, fields = self.fields_of(self.row)
        lines = [title] if title else ["nothing selected"]
        for label, value in fields:
            text = value.plain if isinstance(value, Text) else visible(value, limit=MAX_VALUE)
            lines.append(f"{label}: {text}")
        return "\n".join(lines)
