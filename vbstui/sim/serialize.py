"""Turn model objects into the exact JSON shapes of the EVS, Cinder and VBS APIs."""

from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import encode_basestring
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


# A string as JSON text, escaped as json.dumps escapes it with ensure_ascii=False (as
# Starlette's JSONResponse encodes every other answer).
_quote = encode_basestring


@lru_cache(maxsize=1 << 16)
def _attachment_id(volume_id: str) -> str:
    # An md5 per attached disk was a third of writing a listing page.
    return derived_uuid("attachment", volume_id)


def _text(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _links_text(base: str, project_id: str, kind: str, item_id: str) -> str:
    return (f'[{{"href":{_quote(f"{base}/v2/{project_id}/{kind}/{item_id}")},"rel":"self"}},'
            f'{{"href":{_quote(f"{base}/{project_id}/{kind}/{item_id}")},"rel":"bookmark"}}]')


def volume_text(volume: Volume, base: str, project_id: str, user_id: str) -> str:
    """The disk as EVS lists it, as JSON text (compact, like every answer here).

    Written as text rather than a dict for `json.dumps`: a listing of 50,000 disks is 50
    pages of 1.5 MB, and building and encoding a dict per disk took the simulator ~22 ms
    a page, most of the CPU a big listing costs on a small machine."""
    vid = volume.id
    compact = vid.replace("-", "")
    metadata = ""
    if volume.cmk_id:
        metadata = f'"__system__cmkid":{_quote(volume.cmk_id)},"__system__encrypted":"1"'
    if volume.vbs_policy:
        metadata += f'{"," if metadata else ""}"policy":{_quote(volume.vbs_policy)}'
    attachments = ""
    server = volume.server
    if server is not None:
        attachments = (
            f'{{"server_id":{_quote(server.id)},'
            f'"attachment_id":{_quote(_attachment_id(vid))},'
            f'"attached_at":{_text(volume.attached_at)},'
            f'"host_name":{_quote(server.host_name)},"volume_id":{_quote(vid)},'
            f'"device":{_text(volume.device)},"id":{_quote(vid)}}}')
    image_meta = ""
    image = volume.image
    if image is not None:
        os_type = "Windows" if "Windows" in image.name else "Linux"
        image_meta = (f'"image_id":{_quote(image.id)},"image_name":{_quote(image.name)},'
                      f'"__os_version":{_quote(image.os_version)},"__os_type":"{os_type}",'
                      '"min_disk":"10","__imagetype":"gold"')
    zone = _quote(volume.availability_zone)
    host = f"pod{int(compact[0], 16) % 9 + 1:02d}.{volume.availability_zone}#{volume.volume_type}"
    return (
        f'{{"attachments":[{attachments}],'
        f'"availability_zone":{zone},'
        f'"bootable":"{"true" if volume.bootable else "false"}",'
        '"consistencygroup_id":null,'
        f'"created_at":{_quote(volume.created_at)},'
        f'"description":{_text(volume.description)},'
        '"encrypted":false,'
        f'"id":{_quote(vid)},'
        f'"links":{_links_text(base, project_id, "volumes", vid)},'
        f'"metadata":{{{metadata}}},'
        '"multiattach":false,'
        '"shareable":"false",'
        f'"name":{_quote(volume.name)},'
        f'"os-vol-host-attr:host":{_quote(host)},'
        f'"volume_image_metadata":{{{image_meta}}},'
        '"os-vol-mig-status-attr:migstat":null,'
        '"os-vol-mig-status-attr:name_id":null,'
        f'"os-vol-tenant-attr:tenant_id":{_quote(project_id)},'
        '"os-volume-replication:extended_status":null,'
        '"replication_status":"disabled",'
        f'"size":{int(volume.size)},'
        '"snapshot_id":null,'
        '"source_volid":null,'
        f'"status":{_quote(volume.status)},'
        f'"updated_at":{_quote(volume.updated_at)},'
        f'"user_id":{_quote(user_id)},'
        f'"volume_type":{_quote(volume.volume_type)},'
        '"service_type":"EVS",'
        '"dedicated_storage_id":null,'
        '"dedicated_storage_name":null,'
        '"tags":{},'
        f'"wwn":"688860300000{compact[:20]}",'
        '"enterprise_project_id":"0"}'
    )


def volume_json(volume: Volume, base: str, project_id: str, user_id: str) -> JsonDict:
    """The disk as EVS shows it (`volume_text`, decoded)."""
    result: JsonDict = json.loads(volume_text(volume, base, project_id, user_id))
    return result


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def listing_body(before: JsonDict, items_key: str, items: list[str], after: JsonDict) -> bytes:
    """A listing's JSON body from items already JSON text: the fields of `before`, the
    items under `items_key`, the fields of `after` (the same bytes as encoding it whole)."""
    parts = [_compact(before)[:-1] if before else "{"]
    if before:
        parts.append(",")
    parts += [f"{_quote(items_key)}:[", ",".join(items), "]"]
    if after:
        parts += [",", _compact(after)[1:]]
    else:
        parts.append("}")
    return "".join(parts).encode()


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
