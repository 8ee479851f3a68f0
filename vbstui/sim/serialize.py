"""Turn model objects into the exact JSON shapes of the EVS, Cinder and VBS APIs."""

from __future__ import annotations

import json
from typing import Any

from vbstui.sim.ids import derived_uuid
from vbstui.sim.models import CREATE_JOB, Backup, Job, Volume
from vbstui.sim.timefmt import cinder_time, job_time

JsonDict = dict[str, Any]


def _links(base: str, project_id: str, kind: str, item_id: str) -> list[JsonDict]:
    return [
        {"href": f"{base}/v2/{project_id}/{kind}/{item_id}", "rel": "self"},
        {"href": f"{base}/{project_id}/{kind}/{item_id}", "rel": "bookmark"},
    ]


def volume_json(volume: Volume, base: str, project_id: str, user_id: str) -> JsonDict:
    vid = volume.id
    compact = vid.replace("-", "")
    metadata: JsonDict = {}
    if volume.cmk_id:
        metadata = {"__system__cmkid": volume.cmk_id, "__system__encrypted": "1"}
    if volume.vbs_policy:
        metadata["policy"] = volume.vbs_policy
    attachments: list[JsonDict] = []
    server = volume.server
    if server is not None:
        attachments.append({
            "server_id": server.id,
            "attachment_id": derived_uuid("attachment", vid),
            "attached_at": volume.attached_at,
            "host_name": server.host_name,
            "volume_id": vid,
            "device": volume.device,
            "id": vid,
        })
    image_meta: JsonDict = {}
    if volume.image is not None:
        image_meta = {
            "image_id": volume.image.id,
            "image_name": volume.image.name,
            "__os_version": volume.image.os_version,
            "__os_type": "Windows" if "Windows" in volume.image.name else "Linux",
            "min_disk": "10",
            "__imagetype": "gold",
        }
    return {
        "attachments": attachments,
        "availability_zone": volume.availability_zone,
        "bootable": "true" if volume.bootable else "false",
        "consistencygroup_id": None,
        "created_at": volume.created_at,
        "description": volume.description,
        "encrypted": False,
        "id": vid,
        "links": _links(base, project_id, "volumes", vid),
        "metadata": metadata,
        "multiattach": False,
        "shareable": "false",
        "name": volume.name,
        "os-vol-host-attr:host": f"pod{int(compact[0], 16) % 9 + 1:02d}."
                                 f"{volume.availability_zone}#{volume.volume_type}",
        "volume_image_metadata": image_meta,
        "os-vol-mig-status-attr:migstat": None,
        "os-vol-mig-status-attr:name_id": None,
        "os-vol-tenant-attr:tenant_id": project_id,
        "os-volume-replication:extended_status": None,
        "replication_status": "disabled",
        "size": volume.size,
        "snapshot_id": None,
        "source_volid": None,
        "status": volume.status,
        "updated_at": volume.updated_at,
        "user_id": user_id,
        "volume_type": volume.volume_type,
        "service_type": "EVS",
        "dedicated_storage_id": None,
        "dedicated_storage_name": None,
        "tags": {},
        "wwn": "688860300000" + compact[:20],
        "enterprise_project_id": "0",
    }


def _progress(backup: Backup, now: float) -> int:
    if backup.status != "creating" or backup.progress_window is None:
        return 0 if backup.status in {"creating", "error"} else 100
    start, end = backup.progress_window
    if end <= start:
        return 99
    return max(0, min(99, int((now - start) / (end - start) * 100)))


def backup_json(backup: Backup, base: str, project_id: str, now: float, *,
                has_dependents: bool = False) -> JsonDict:
    # Both of these are JSON *strings* on the real service; clients must decode them.
    metadata = json.dumps({
        "bootable": backup.bootable,
        "backupurl": backup.backupurl,
        "BackupSize": backup.size * 1024 if backup.status == "available" else 0,
        "progress": str(_progress(backup, now)),
        "snap_id": (backup.snapshot_id or "").replace("-", ""),
        "Type": backup.inc if backup.inc is not None else 0,
        "ST": 0,
        "DL": 2,
        "VT": backup.volume_type,
        "AT": 42.5,
    })
    description = None
    if backup.inc is not None:
        description = json.dumps({"DESC": backup.desc or "", "INC": backup.inc})
    return {
        "status": backup.status,
        "description": description,
        "links": _links(base, project_id, "backups", backup.id),
        "availability_zone": backup.availability_zone,
        "volume_id": backup.volume_id,
        "fail_reason": backup.fail_reason,
        "id": backup.id,
        "size": backup.size,
        "object_count": None,
        "container": backup.volume_id,
        "name": backup.name,
        "created_at": cinder_time(backup.created_at),
        "os-bak-tenant-attr:tenant_id": project_id,
        "service_metadata": metadata,
        "updated_at": cinder_time(backup.updated_at),
        "data_timestamp": cinder_time(backup.created_at),
        "has_dependent_backups": has_dependents,
        "snapshot_id": backup.snapshot_id,
        "is_incremental": backup.inc == 1,
    }


def job_json(job: Job, now: float) -> JsonDict:
    status = job.status(now)
    entities: JsonDict = {"volume_id": job.volume_id}
    if job.job_type == CREATE_JOB:
        entities["bks_create_volume_name"] = job.backup_name
        if status != "INIT":
            entities["snapshot_id"] = job.snapshot_id
    if job.backup_id is not None:
        entities["backup_id"] = job.backup_id
    finished = status in {"SUCCESS", "FAIL"}
    return {
        "status": status,
        "entities": entities,
        "job_id": job.id,
        "job_type": job.job_type,
        "begin_time": job_time(job.begin),
        "end_time": job_time(job.end) if finished else None,
        "error_code": job.error_code if status == "FAIL" else None,
        "fail_reason": job.fail_reason if status == "FAIL" else None,
    }
