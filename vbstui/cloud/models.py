"""Volumes, backups, jobs and quotas, parsed leniently.

Real responses are messier than the documentation: fields go missing or come
as `null`, numbers arrive as strings, timestamps lack a zone, and some fields
are JSON encoded inside a string.  Parsing here never raises on an odd value:
it keeps what it can, defaults the rest, and keeps the raw JSON for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from vbstui.cloud.lenient import (
    MAX_JSON_DEPTH,
    JsonTooDeep,
    as_bool,
    as_dict,
    as_int,
    as_list,
    as_str,
    as_time,
    load_json,
)

T = TypeVar("T")
BACKUPABLE_STATUSES = frozenset({"available", "in-use"})
JOB_FINISHED = frozenset({"SUCCESS", "FAIL"})
# The lenient readers live in `lenient`; they are named here too, where callers have
# always found them.
__all__ = ["BACKUPABLE_STATUSES", "JOB_FINISHED", "MAX_JSON_DEPTH", "Attachment", "Backup",
           "Job", "JsonTooDeep", "Quota", "QuotaResource", "Volume", "as_bool", "as_dict",
           "as_int", "as_list", "as_str", "as_time", "backupable_status", "load_json"]


def _made(cls: type[T], fields: dict[str, Any]) -> T:
    """An instance of the frozen dataclass `cls` with these fields, made without its
    `__init__`: that sets each field through `object.__setattr__`, a third of reading
    a disk, and a big project lists 50,000 (`fields` must name every field)."""
    made = object.__new__(cls)
    made.__dict__.update(fields)
    return made


def _text(value: Any) -> str:
    """`as_str`, with a string (nearly every value) passed through without the call."""
    return value if type(value) is str else as_str(value)


def backupable_status(status: Any) -> bool:
    """Whether a disk in this (raw) status can be backed up, without building a `Volume`."""
    return isinstance(status, str) and status.lower() in BACKUPABLE_STATUSES


@dataclass(frozen=True)
class Attachment:
    """Where a disk is attached: the server and the device name."""

    server_id: str
    device: str
    host_name: str

    @classmethod
    def from_api(cls, raw: Any) -> Attachment:
        data = raw if isinstance(raw, Mapping) else {}
        server_id, device, host_name = map(data.get, _ATTACHMENT_FIELDS)
        return _made(cls, {
            "server_id": _text(server_id),
            "device": _text(device),
            "host_name": _text(host_name),
        })


_ATTACHMENT_FIELDS = ("server_id", "device", "host_name")


# What `Volume.from_api` reads, in the order it unpacks them (one C-level `map`).
_VOLUME_FIELDS = ("id", "name", "status", "size", "volume_type", "availability_zone",
                  "attachments", "bootable", "description")
_BOOL_TEXTS = {"true": True, "false": False}  # as EVS sends `bootable`


@dataclass(frozen=True)
class Volume:
    """An EVS disk."""

    id: str
    name: str
    status: str
    size_gb: int | None
    volume_type: str
    availability_zone: str
    attachments: tuple[Attachment, ...]
    bootable: bool | None
    description: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Volume:
        # A dict fresh from the parser is kept as it is: copying it cost as much as
        # reading two of the fields.
        data = raw if type(raw) is dict else dict(raw) if isinstance(raw, Mapping) else {}
        vid, name, status, size, volume_type, zone, attachments, bootable, description = (
            map(data.get, _VOLUME_FIELDS))
        return _made(cls, {
            "id": _text(vid),
            "name": _text(name),
            "status": (status if type(status) is str else as_str(status, "unknown")).lower(),
            "size_gb": size if type(size) is int else as_int(size),
            "volume_type": _text(volume_type),
            "availability_zone": _text(zone),
            "attachments": (tuple(map(Attachment.from_api, attachments))
                            if isinstance(attachments, (list, tuple)) else ()),
            "bootable": (_BOOL_TEXTS[bootable] if type(bootable) is str
                         and bootable in _BOOL_TEXTS else as_bool(bootable)),
            "description": _text(description),
            "raw": data,
        })

    @cached_property
    def created_at(self) -> datetime | None:
        """Read when first asked for: only a disk's details show it, not the listing."""
        return as_time(self.raw.get("created_at"))

    @property
    def backupable(self) -> bool:
        return backupable_status(self.status)

    @cached_property
    def policy_id(self) -> str:
        """The id of the VBS policy the disk is linked to ("" for none), from EVS
        `metadata.policy`.  Read once: the POLICY column and the filter ask for it per
        row whenever a policy listing arrives, 50,000 times in a big project."""
        metadata = self.raw.get("metadata")
        if not isinstance(metadata, dict):  # a JSON string, or odd: read leniently
            metadata = as_dict(metadata)
        return as_str(metadata.get("policy")).strip()

    @property
    def attached_to(self) -> str:
        return ", ".join(a.server_id for a in self.attachments if a.server_id)

    def why_not_backupable(self) -> str | None:
        if self.backupable:
            return None
        return (
            f"disk '{self.name or self.id}' is '{self.status}': a backup can be made only of a "
            "disk that is 'available' or 'in-use'"
            + (
                " (a backup of it is already running)"
                if self.status == "backing-up"
                else " — wait until its current operation finishes"
                if self.status
                in ("creating", "attaching", "detaching", "extending", "restoring-backup",
                    "downloading", "uploading", "rollbacking")
                else ""
            )
        )


@dataclass(frozen=True)
class Backup:
    """A VBS backup (native OpenStack shape)."""

    id: str
    name: str
    status: str
    volume_id: str
    size_gb: int | None
    created_at: datetime | None
    updated_at: datetime | None
    description: str
    incremental: bool | None
    fail_reason: str
    availability_zone: str
    service_metadata: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Backup:
        data = dict(raw) if isinstance(raw, Mapping) else {}
        description, inc = _parse_description(data.get("description"))
        metadata = as_dict(data.get("service_metadata"))
        incremental = as_bool(data.get("is_incremental"))
        if inc is not None:
            incremental = inc
        elif "Type" in metadata and as_int(metadata.get("Type")) in (0, 1):
            incremental = as_int(metadata.get("Type")) == 1
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            status=as_str(data.get("status"), "unknown").lower(),
            volume_id=as_str(data.get("volume_id")),
            size_gb=as_int(data.get("size")),
            created_at=as_time(data.get("created_at")),
            updated_at=as_time(data.get("updated_at")),
            description=description,
            incremental=incremental,
            fail_reason=as_str(data.get("fail_reason")),
            availability_zone=as_str(data.get("availability_zone")),
            service_metadata=metadata,
            raw=data,
        )


def _parse_description(value: Any) -> tuple[str, bool | None]:
    """VBS stores `{"DESC": text, "INC": 0|1}` as a JSON string in `description`."""
    if value is None:
        return "", None
    if isinstance(value, Mapping):
        decoded: Any = value
    elif isinstance(value, str):
        stripped = value.strip()
        if not stripped.startswith("{"):
            return value, None
        try:
            decoded = load_json(stripped)
        except ValueError:
            return value, None
    else:
        return as_str(value), None
    if not isinstance(decoded, Mapping):
        return as_str(value), None
    inc = as_int(decoded.get("INC"))
    return as_str(decoded.get("DESC")), (None if inc not in (0, 1) else inc == 1)


@dataclass(frozen=True)
class Job:
    """A VBS job (create, restore, delete), from `GET /v1/{project_id}/jobs/{id}`."""

    job_id: str
    status: str
    job_type: str
    begin_time: datetime | None
    end_time: datetime | None
    error_code: str
    fail_reason: str
    entities: dict[str, Any]
    sub_jobs: tuple[Job, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any, job_id: str = "") -> Job:
        data = dict(raw) if isinstance(raw, Mapping) else {}
        return cls(
            job_id=as_str(data.get("job_id")) or job_id,
            status=as_str(data.get("status"), "UNKNOWN").upper(),
            job_type=as_str(data.get("job_type")),
            begin_time=as_time(data.get("begin_time")),
            end_time=as_time(data.get("end_time")),
            error_code=as_str(data.get("error_code")),
            fail_reason=as_str(data.get("fail_reason")),
            entities=as_dict(data.get("entities")),
            sub_jobs=tuple(Job.from_api(s) for s in as_list(data.get("sub_jobs"))),
            raw=data,
        )

    @property
    def finished(self) -> bool:
        return self.status in JOB_FINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESS"

    @property
    def backup_id(self) -> str:
        found = as_str(self.entities.get("backup_id"))
        if not found:
            found = next((s.backup_id for s in self.sub_jobs if s.backup_id), "")
        return found

    @property
    def failure_code(self) -> str:
        """The error code of the job or, when it has none, of its first failed sub-job."""
        if self.error_code:
            return self.error_code
        return next((s.failure_code for s in self.sub_jobs if s.failure_code), "")


@dataclass(frozen=True)
class QuotaResource:
    """One VBS quota: used, reserved and allowed (None: not given)."""

    type: str
    used: int | None
    reserved: int | None
    quota: int | None

    @property
    def unlimited(self) -> bool:
        return self.quota is not None and self.quota < 0

    @property
    def remaining(self) -> int | None:
        if self.quota is None or self.used is None or self.unlimited:
            return None
        return self.quota - self.used - (self.reserved or 0)


@dataclass(frozen=True)
class Quota:
    """The project's VBS backup quotas, by resource type."""

    resources: dict[str, QuotaResource]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Quota:
        data = dict(raw) if isinstance(raw, Mapping) else {}
        quotas = data.get("quotas")
        resources_raw = as_list(quotas.get("resources")) if isinstance(quotas, Mapping) else []
        resources: dict[str, QuotaResource] = {}
        for item in resources_raw:
            if not isinstance(item, Mapping):
                continue
            # The reference itself spells one type "backup_ gigabytes".
            kind = "".join(as_str(item.get("type")).split())
            if kind:
                resources[kind] = QuotaResource(
                    type=kind,
                    used=as_int(item.get("used")),
                    reserved=as_int(item.get("reserved")),
                    quota=as_int(item.get("quota")),
                )
        return cls(resources=resources, raw=data)

    @property
    def backups(self) -> QuotaResource | None:
        return self.resources.get("backups")

    @property
    def gigabytes(self) -> QuotaResource | None:
        return self.resources.get("backup_gigabytes")

    def shortfall(self, *, backups: int, gigabytes: int) -> list[str]:
        """Why `backups` more backups totalling `gigabytes` GB would exceed the quota."""
        problems: list[str] = []
        count = self.backups
        if count is not None and count.remaining is not None and backups > count.remaining:
            problems.append(
                f"backup quota: {count.used} of {count.quota} used, "
                f"{max(count.remaining, 0)} left, {backups} requested"
            )
        size = self.gigabytes
        if size is not None and size.remaining is not None and gigabytes > size.remaining:
            problems.append(
                f"capacity quota: {size.used} of {size.quota} GB used, "
                f"{max(size.remaining, 0)} GB left, about {gigabytes} GB requested"
            )
        return problems
