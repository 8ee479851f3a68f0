"""What the tables of the views show: columns, status styles, the quota line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text

from vbstui.cloud.models import Backup, Quota, Volume
from vbstui.jobs import Phase, TrackedJob
from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.jobspanel import PHASE_STYLE, UNKNOWN_IN_VIEW, job_state

BUSY = {"creating", "backing-up", "attaching", "detaching", "extending", "restoring-backup",
        "downloading", "uploading", "rollbacking", "deleting", "restoring"}


def _volume_status_style(volume: Volume) -> str:
    if volume.backupable:
        return "good"
    if volume.status in BUSY:
        return "busy"
    if "error" in volume.status:
        return "bad"
    return "warn"


def volume_status(volume: Volume) -> str:
    # The ⊘ reads without colour too: this disk cannot be backed up right now.
    return volume.status if volume.backupable else f"⊘ {volume.status}"


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


VOLUME_COLUMNS: list[Column[Volume]] = [
    Column("name", "NAME", 16, lambda v: v.name or "(no name)", grow=2),
    Column("id", "ID", 8, lambda v: v.id[:8], sort_key=lambda v: v.id),
    Column("status", "STATUS", 18, volume_status, sort_key=lambda v: v.status,
           style=_volume_status_style),
    Column("size", "SIZE", 8, lambda v: f"{v.size_gb} GB" if v.size_gb is not None else "?",
           sort_key=lambda v: v.size_gb if v.size_gb is not None else -1, align_right=True),
    Column("type", "TYPE", 6, lambda v: v.volume_type),
    Column("az", "AZ", 8, lambda v: v.availability_zone),
    Column("server", "ATTACHED TO", 11,
           lambda v: ", ".join(a.server_id[:8] for a in v.attachments if a.server_id) or "—",
           grow=1),
]


def volume_columns(protection: Callable[[str], str] | None = None,
                   policy: Callable[[Volume], str] | None = None) -> list[Column[Volume]]:
    """The volumes view's columns; with CBR, each disk's PROTECTION (its vault, or VBS)
    after its status.  It grows last: the other columns keep their room at 80 columns.
    With VBS policies listed, each disk's POLICY (its VBS backup policy) after that."""
    columns = list(VOLUME_COLUMNS)
    if protection is not None:
        columns.insert(4, Column("protection", "PROTECTION", 10,
                                 lambda v: protection(v.id), grow=1))
    if policy is not None:
        columns.insert(len(columns) - 3, Column("policy", "POLICY", 8, policy, grow=1))
    return columns


def _backup_status_style(backup: Backup) -> str:
    if backup.status == "available":
        return "good"
    if "error" in backup.status:
        return "bad"
    return "busy" if backup.status in BUSY else "warn"


def backup_columns(disk_name: Callable[[str], str],
                   service: Callable[[Backup], str] | None = None) -> list[Column[Backup]]:
    """The backups view's columns; with CBR, each backup's SERVICE (VBS, or CBR and its
    vault) after its status."""
    columns = _backup_columns(disk_name)
    if service is None:
        return columns
    return [*columns[:3], Column("service", "SERVICE", 7, service, grow=1), *columns[3:]]


def _backup_columns(disk_name: Callable[[str], str]) -> list[Column[Backup]]:
    return [
        Column("name", "NAME", 16, lambda b: b.name or "(no name)", grow=2),
        Column("id", "ID", 8, lambda b: b.id[:8], sort_key=lambda b: b.id),
        Column("status", "STATUS", 15, lambda b: b.status, style=_backup_status_style),
        Column("size", "SIZE", 8,
               lambda b: f"{b.size_gb} GB" if b.size_gb is not None else "?",
               sort_key=lambda b: b.size_gb if b.size_gb is not None else -1,
               align_right=True),
        Column("created", "CREATED", 16, lambda b: _when(b.created_at),
               sort_key=lambda b: b.created_at.timestamp() if b.created_at else 0),
        Column("kind", "TYPE", 11, lambda b: "incremental" if b.incremental
               else "full" if b.incremental is False else "?"),
        # The narrowest that leaves room for SERVICE at 120 columns; both grow with room.
        Column("disk", "DISK", 10, lambda b: disk_name(b.volume_id), grow=1),
        Column("description", "DESCRIPTION", 11, lambda b: b.description, grow=2),
    ]


def _job_when(job: TrackedJob) -> str:
    return datetime.fromtimestamp(job.submitted_at).strftime("%m-%d %H:%M:%S")


JOB_HISTORY_COLUMNS: list[Column[TrackedJob]] = [
    Column("submitted", "SUBMITTED", 14, _job_when, sort_key=lambda j: j.submitted_at),
    Column("state", "STATUS", 22, lambda j: job_state(j, UNKNOWN_IN_VIEW),
           style=lambda j: PHASE_STYLE.get(j.phase, "")),
    Column("kind", "ACTION", 10, lambda j: j.kind.value),  # "policy-run" whole
    Column("profile", "PROFILE", 10, lambda j: j.profile),
    Column("disk", "DISK", 12, lambda j: j.volume_name or j.volume_id, grow=2),
    Column("backup", "BACKUP", 12, lambda j: j.backup_name or j.backup_id, grow=2),
    Column("job", "JOB ID", 33, lambda j: j.job_id or "—"),
    Column("result", "RESULT", 12, lambda j: j.backup_id if j.phase is Phase.SUCCESS
           else j.message, grow=2),
]


def quota_line(quota: Quota) -> tuple[Text, bool]:
    """The quota line of the backups view, and whether it warns (90 % used or more)."""
    parts = []
    warn = False
    for label, resource, unit in (("backups", quota.backups, ""),
                                  ("capacity", quota.gigabytes, " GB")):
        if resource is None:
            continue
        if resource.unlimited:
            parts.append(f"{label}: {resource.used}{unit} used of unlimited")
        else:
            remaining = resource.remaining
            parts.append(f"{label}: {resource.used}{unit} of {resource.quota}{unit} used"
                         + (f" ({remaining}{unit} left)" if remaining is not None else ""))
            if resource.quota and resource.used is not None and (
                    resource.used >= 0.9 * resource.quota):
                warn = True
    return Text(("⚠ " if warn else "") + "quota — " + " · ".join(parts)), warn
