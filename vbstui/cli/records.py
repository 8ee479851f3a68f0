"""What `--json` and `--jsonl` print for each record: the server's record as sent, plus
one key, `vbstui`, holding what vbstui derived from it.

The server's keys are never changed or removed, so a script written against the API
keeps working; the derived fields (a description decoded from VBS's `{"DESC": ...}`
string, the disk's name next to its id, ...) sit under `vbstui`, where no server key
is.  The shape of each `vbstui` object is listed in `DERIVED`, for the help text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vbstui.cli.protection import Protections
from vbstui.cloud.error_codes import explain
from vbstui.cloud.models import Backup, Job, Quota, backupable_status
from vbstui.ops.policy_names import record_policy_id
from vbstui.ops.routing import backup_place

KEY = "vbstui"
DERIVED = {
    "volumes": "backupable (status allows a backup), policy ({id, name} of the VBS "
               "policy the disk is linked to, name null when not known; null for none); "
               "with CBR also protection ({service, vault_id, vault_name} where its "
               "backups go, or null)",
    "backups": "service (vbs or cbr), vault_id and vault_name (CBR), description "
               "(decoded), incremental, volume_name",
    "job": "backup_id, error_code, meaning, action",
    "quota": "left and unlimited for each resource type",
}


def add_volume_facts(records: list[Any], protections: Protections | None = None,
                     policy_names: Mapping[str, str] | None = None) -> None:
    """In place, for speed: a listing of 50,000 disks passes here without models.  With
    CBR, `protections` adds where each disk's backups go (left out when the vaults could
    not be listed: an absent `protection` is not known, null is "none").  `policy_names`
    (policy id -> name, `ops.policy_names.PolicyNames`) names each disk's policy."""
    names = policy_names or {}
    protection = (protections.disk_record if protections is not None and protections.shown
                  and protections.known else None)
    # Disks with equal facts share one dict (the protection records are shared per vault
    # already): a page of 1,000 disks has a handful, and each is encoded once.
    shared: dict[tuple[bool, str, int], dict[str, Any]] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        policy_id = record_policy_id(record)
        backupable = backupable_status(record.get("status"))
        place = protection(record.get("id")) if protection is not None else None
        key = (backupable, policy_id, id(place))
        facts = shared.get(key)
        if facts is None:
            facts = shared[key] = {
                "backupable": backupable,
                "policy": {"id": policy_id, "name": names.get(policy_id)} if policy_id else None,
            }
            if protection is not None:
                facts["protection"] = place
        record[KEY] = facts


def backup_record(backup: Backup, *, protections: Protections | None,
                  volume_name: str | None) -> dict[str, Any]:
    service, vault_id = backup_place(backup)
    vault_name = protections.vault_name(backup) if protections is not None else ""
    return {**backup.raw, KEY: {
        "service": service,
        "vault_id": vault_id or None,
        "vault_name": vault_name or None,
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
