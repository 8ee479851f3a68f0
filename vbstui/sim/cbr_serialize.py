"""CBR resources in the shapes the service answers, messiness included: numbers the
pages call strings arrive as numbers (checkpoint `resource_size`) and the reverse
(vault `resources[].size`), `enterprise_project_id` is the number 0, times end in
`+00:00`, and `error_info` holds empty strings while a task has no error."""

from __future__ import annotations

from typing import Any

from vbstui.sim.cbr_models import DISK_PROVIDER, DISK_RESOURCE, CbrBackup, Checkpoint, Task, Vault
from vbstui.sim.ids import derived_hex, derived_uuid
from vbstui.sim.timefmt import cbr_time

JsonDict = dict[str, Any]


def _time(ts: float | None) -> str | None:
    return None if ts is None else cbr_time(ts)


def vault_json(vault: Vault, *, project_id: str, user_id: str, used_mb: int,
               resources: list[JsonDict]) -> JsonDict:
    return {
        "id": vault.id,
        "name": vault.name,
        "description": vault.description,
        "resources": resources,
        "provider_id": DISK_PROVIDER,
        "created_at": cbr_time(vault.created_at),
        "project_id": project_id,
        "enterprise_project_id": 0,
        "auto_bind": False,
        "bind_rules": {},
        "auto_expand": vault.auto_expand,
        "user_id": user_id,
        "locked": False,
        "billing": {
            "allocated": vault.size_gb,
            "cloud_type": "public",
            "consistent_level": "crash_consistent",
            "charging_mode": "post_paid",
            "protect_type": "backup",
            "object_type": "disk",
            "spec_code": "vault.backup.volume.normal",
            "used": used_mb,
            "status": vault.status,
            "size": vault.size_gb,
            "storage_unit": f"cbr-{derived_hex('bucket', vault.id)[:20]}",
            "frozen_scene": None,
            "order_id": None,
            "product_id": None,
        },
        "tags": [dict(t) for t in vault.tags],
    }


def vault_resource_json(volume_id: str, name: str, size: int, protect_status: str, *,
                        backup_mb: int, backup_count: int) -> JsonDict:
    return {
        "id": volume_id,
        "name": name,
        "type": DISK_RESOURCE,
        "protect_status": protect_status,
        "size": str(size),
        "backup_size": backup_mb,
        "backup_count": backup_count,
        "extra_info": {},
    }


def backup_json(backup: CbrBackup, project_id: str) -> JsonDict:
    return {
        "id": backup.id,
        "name": backup.name,
        "description": backup.description,
        "checkpoint_id": backup.checkpoint_id,
        "created_at": cbr_time(backup.created_at),
        "updated_at": cbr_time(backup.updated_at),
        "protected_at": _time(backup.protected_at),
        "expired_at": _time(backup.expires_at),
        "image_type": "backup",
        "parent_id": None,
        "project_id": project_id,
        "enterprise_project_id": 0,
        "provider_id": DISK_PROVIDER,
        "resource_az": backup.resource_az,
        "resource_id": backup.volume_id,
        "resource_name": backup.resource_name,
        "resource_size": backup.resource_size,
        "resource_type": DISK_RESOURCE,
        "status": backup.status,
        "vault_id": backup.vault_id,
        "children": [],
        "extend_info": {
            "auto_trigger": backup.auto_trigger,
            "bootable": backup.bootable,
            "incremental": backup.incremental,
            "snapshot_id": backup.snapshot_id,
            "support_lld": True,
            "supported_restore_mode": "backup",
            "encrypted": backup.encrypted,
            "system_disk": backup.bootable,
            "os_images_data": [],
            "contain_system_disk": backup.bootable,
        },
    }


def checkpoint_json(checkpoint: Checkpoint, vault: Vault | None, project_id: str,
                    resources: list[JsonDict], *, with_skipped: bool) -> JsonDict:
    plan: JsonDict = {
        "id": checkpoint.vault_id,
        "name": vault.name if vault is not None else "",
        "resources": resources,
    }
    if with_skipped:
        plan["skipped_resources"] = [dict(s) for s in checkpoint.skipped]
    body: JsonDict = {
        "id": checkpoint.id,
        "project_id": project_id,
        "status": checkpoint.status,
        "created_at": cbr_time(checkpoint.created_at),
        "vault": plan,
    }
    if with_skipped:
        body["extra_info"] = {"name": checkpoint.name, "description": checkpoint.description,
                              "retention_duration": -1}
    return body


def checkpoint_resource_json(volume_id: str, name: str, size: int, protect_status: str
                             ) -> JsonDict:
    return {"id": volume_id, "name": name, "type": DISK_RESOURCE, "resource_size": size,
            "protect_status": protect_status, "extra_info": "{}", "backup_size": "0",
            "backup_count": "0"}


def task_json(task: Task, project_id: str, now: float) -> JsonDict:
    extra: JsonDict = {
        "resource": {"type": DISK_RESOURCE, "id": task.resource_id, "name": task.resource_name},
        "common": {"progress": task.progress(now), "request_id": task.request_id,
                   "task_id": derived_uuid("task", task.id)},
    }
    if task.operation_type == "backup":
        extra["backup"] = {"backup_id": task.backup_id, "backup_name": task.backup_name,
                           "incremental": "true" if task.incremental else "false"}
    elif task.operation_type == "delete":
        extra["delete"] = {"backup_id": task.backup_id, "backup_name": task.backup_name}
    else:
        extra["restore"] = {"backup_id": task.backup_id, "backup_name": task.backup_name,
                            "target_resource_id": task.resource_id,
                            "target_resource_name": task.resource_name}
    return {
        "id": task.id,
        "operation_type": task.operation_type,
        "status": task.status(),
        "checkpoint_id": task.checkpoint_id,
        "created_at": cbr_time(task.started_at),
        "started_at": cbr_time(task.started_at),
        "updated_at": cbr_time(task.end if task.finished else now),
        "ended_at": cbr_time(task.end) if task.finished else None,
        "error_info": {"code": task.error_code, "message": task.error_msg},
        "extra_info": extra,
        "policy_id": "",
        "project_id": project_id,
        "provider_id": DISK_PROVIDER,
        "vault_id": task.vault_id,
        "vault_name": task.vault_name,
    }
