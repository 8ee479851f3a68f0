"""What `--json` and `--jsonl` print for each record: the server's record as sent, plus
one key, `vbstui`, holding what vbstui derived from it.

The server's keys are never changed or removed, so a script written against the API
keeps working; the derived fields (a description decoded from VBS's `{"DESC": ...}`
string, the disk's name next to its id, ...) sit under `vbstui`, where no server key
is.  The shape of each `vbstui` object is listed in `DERIVED`, for the help text.
"""

from __future__ import annotations

from typing import Any

from vbstui.cloud.error_codes import explain
from vbstui.cloud.models import Backup, Job, Quota, backupable_status

KEY = "vbstui"
DERIVED = {
    "volumes": "backupable (status allows a backup)",
    "backups": "service (vbs), description (decoded), incremental, volume_name",
    "job": "backup_id, error_code, meaning, action",
    "quota": "left and unlimited for each resource type",
}


def add_volume_facts(records: list[Any]) -> None:
    """In place, for speed: a listing of 50,000 disks passes here without models."""
    for record in records:
        if isinstance(record, dict):
            record[KEY] = {"backupable": backupable_status(record.get("status"))}


def backup_record(backup: Backup, *, service: str, volume_name: str | None) -> dict[str, Any]:
    return {**backup.raw, KEY: {
        "service": service,
        "description": backup.description,
        "incremental": backup.incremental,
        "volume_name": volume_name,
    }}


def job_record(job: Job) -> dict[str, Any]:
    code = job.failure_code
    info = explain(code, job.fail_reason or None) if code else None
    return {**job.raw, KEY: {
        "backup_id": job.backup_id or None,
        "error_code": code or None,
        "meaning": info.meaning if info else None,
        "action": (info.action or None) if info else None,
    }}


def quota_record(quota: Quota) -> dict[str, Any]:
    """What is left of each quota (used and reserved taken off), as the table shows it."""
    return {**quota.raw, KEY: {
        kind: {"left": resource.remaining, "unlimited": resource.unlimited}
        for kind, resource in quota.resources.items()
    }}
