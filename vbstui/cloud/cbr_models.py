"""CBR vaults, checkpoints (restore points), backups and tasks, parsed leniently.

The same rules as `models` for VBS: never raise on an odd value, keep the raw JSON,
default what is missing.  CBR's own oddities: numbers documented as strings arrive as
numbers and the reverse, `enterprise_project_id` comes as `0`, timestamps carry
`+00:00` (while the filters want `Z`, see `filter_time`), a task's `error_info` holds
empty strings on success, and `incremental` is the string "true" in a task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from vbstui.cloud.cbr_vault_models import (
    DISK_RESOURCE,
    DISK_VAULT,
    MAX_VAULT_RESOURCES,
    MB_PER_GB,
    Vault,
    VaultResource,
    lowered,
    record_of,
)
from vbstui.cloud.lenient import as_bool, as_dict, as_int, as_list, as_str, as_time

# The vault models live in `cbr_vault_models` (a disk listing loads only those); they
# are importable from here too, with the rest of CBR's models.
__all__ = ["BACKUP_FINISHED", "DISK_RESOURCE", "DISK_VAULT", "MAX_VAULT_RESOURCES",
           "MB_PER_GB", "TASK_FINISHED", "CbrBackup", "Checkpoint", "OperationLog",
           "SkippedResource", "Vault", "VaultResource", "filter_time"]

BACKUP_FINISHED = frozenset({"available", "error"})
TASK_FINISHED = frozenset({"success", "failed", "skipped", "timeout"})


def filter_time(moment: datetime) -> str:
    """A time as CBR's filters want it: UTC, seconds, `Z` (2018-02-01T12:00:00Z)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SkippedResource:
    """A disk a checkpoint will not back up, with CBR's code and reason."""

    id: str
    type: str
    name: str
    code: str
    reason: str

    @classmethod
    def from_api(cls, raw: Any) -> SkippedResource:
        data = record_of(raw)
        return cls(id=as_str(data.get("id")), type=as_str(data.get("type")),
                   name=as_str(data.get("name")), code=as_str(data.get("code")).strip(),
                   reason=as_str(data.get("reason")))


@dataclass(frozen=True)
class Checkpoint:
    """A restore point: what `POST /checkpoints` answers (status `protecting`)."""

    id: str
    status: str
    created_at: datetime | None
    project_id: str
    vault_id: str
    vault_name: str
    resources: tuple[VaultResource, ...]
    skipped: tuple[SkippedResource, ...]
    name: str
    description: str
    retention_days: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Checkpoint:
        data = record_of(raw)
        vault = as_dict(data.get("vault"))
        extra = as_dict(data.get("extra_info"))
        return cls(
            id=as_str(data.get("id")),
            status=lowered(data.get("status")),
            created_at=as_time(data.get("created_at")),
            project_id=as_str(data.get("project_id")),
            vault_id=as_str(vault.get("id")),
            vault_name=as_str(vault.get("name")),
            resources=tuple(VaultResource.from_api(r) for r in as_list(vault.get("resources"))),
            skipped=tuple(SkippedResource.from_api(s)
                          for s in as_list(vault.get("skipped_resources"))),
            name=as_str(extra.get("name")),
            description=as_str(extra.get("description")),
            retention_days=as_int(extra.get("retention_duration")),
            raw=data,
        )

    def skipped_ids(self) -> frozenset[str]:
        return frozenset(s.id for s in self.skipped if s.id)


@dataclass(frozen=True)
class CbrBackup:
    """A CBR backup (one per disk of a checkpoint); server backups carry `children`."""

    id: str
    name: str
    status: str
    vault_id: str
    checkpoint_id: str
    resource_id: str
    resource_name: str
    resource_type: str
    resource_size_gb: int | None
    resource_az: str
    description: str
    parent_id: str
    provider_id: str
    image_type: str
    incremental: bool | None
    auto_trigger: bool | None
    created_at: datetime | None
    updated_at: datetime | None
    protected_at: datetime | None
    expired_at: datetime | None
    children: tuple[CbrBackup, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> CbrBackup:
        data = record_of(raw)
        extend = as_dict(data.get("extend_info"))
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            status=lowered(data.get("status")),
            vault_id=as_str(data.get("vault_id")),
            checkpoint_id=as_str(data.get("checkpoint_id")),
            resource_id=as_str(data.get("resource_id")),
            resource_name=as_str(data.get("resource_name")),
            resource_type=as_str(data.get("resource_type")),
            resource_size_gb=as_int(data.get("resource_size")),
            resource_az=as_str(data.get("resource_az")),
            description=as_str(data.get("description")),
            parent_id=as_str(data.get("parent_id")),
            provider_id=as_str(data.get("provider_id")),
            image_type=as_str(data.get("image_type")),
            incremental=as_bool(extend.get("incremental")),
            auto_trigger=as_bool(extend.get("auto_trigger")),
            created_at=as_time(data.get("created_at")),
            updated_at=as_time(data.get("updated_at")),
            protected_at=as_time(data.get("protected_at")),
            expired_at=as_time(data.get("expired_at")),
            children=tuple(CbrBackup.from_api(c) for c in as_list(data.get("children"))),
            raw=data,
        )

    @property
    def is_disk_backup(self) -> bool:
        return self.resource_type == DISK_RESOURCE

    @property
    def finished(self) -> bool:
        """Made (available) or failed (error): no longer protecting or waiting."""
        return self.status in BACKUP_FINISHED


@dataclass(frozen=True)
class OperationLog:
    """A CBR task (`/operation-logs`): a backup, restore, delete, ... and its progress."""

    id: str
    operation_type: str
    status: str
    checkpoint_id: str
    vault_id: str
    vault_name: str
    provider_id: str
    policy_id: str
    error_code: str  # "" on success (CBR sends empty strings then)
    error_message: str
    progress: int | None  # 0..100
    request_id: str
    task_id: str
    backup_id: str
    backup_name: str
    incremental: bool | None
    resource_id: str
    resource_name: str
    resource_type: str
    target_resource_id: str  # a restore's target disk
    target_resource_name: str
    created_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> OperationLog:
        data = record_of(raw)
        error = as_dict(data.get("error_info"))
        extra = as_dict(data.get("extra_info"))
        common = as_dict(extra.get("common"))
        backup = as_dict(extra.get("backup"))
        restore = as_dict(extra.get("restore"))
        resource = as_dict(extra.get("resource"))
        progress = as_int(common.get("progress"))
        return cls(
            id=as_str(data.get("id")),
            operation_type=lowered(data.get("operation_type"), ""),
            status=lowered(data.get("status")),
            checkpoint_id=as_str(data.get("checkpoint_id")),
            vault_id=as_str(data.get("vault_id")),
            vault_name=as_str(data.get("vault_name")),
            provider_id=as_str(data.get("provider_id")),
            policy_id=as_str(data.get("policy_id")),
            error_code=as_str(error.get("code")).strip(),
            error_message=as_str(error.get("message")).strip(),
            progress=None if progress is None else min(100, max(0, progress)),
            request_id=as_str(common.get("request_id")),
            task_id=as_str(common.get("task_id")),
            backup_id=as_str(backup.get("backup_id") or restore.get("backup_id")),
            backup_name=as_str(backup.get("backup_name") or restore.get("backup_name")),
            incremental=as_bool(backup.get("incremental")),
            resource_id=as_str(resource.get("id")),
            resource_name=as_str(resource.get("name")),
            resource_type=as_str(resource.get("type")),
            target_resource_id=as_str(restore.get("target_resource_id")),
            target_resource_name=as_str(restore.get("target_resource_name")),
            created_at=as_time(data.get("created_at")),
            started_at=as_time(data.get("started_at")),
            ended_at=as_time(data.get("ended_at")),
            updated_at=as_time(data.get("updated_at")),
            raw=data,
        )

    @property
    def finished(self) -> bool:
        return self.status in TASK_FINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "timeout")
