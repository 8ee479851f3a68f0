"""CBR vaults and the resources (disks) bound to them, parsed leniently (see `cbr_models`
for the rules): all of CBR that a disk listing reads, without the checkpoint, backup and
task models.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vbstui.cloud.lenient import as_bool, as_dict, as_int, as_list, as_str, as_time

DISK_RESOURCE = "OS::Cinder::Volume"
DISK_VAULT = "disk"
MAX_VAULT_RESOURCES = 256  # the API's limit of resources per vault
MB_PER_GB = 1024


def record_of(raw: Any) -> dict[str, Any]:
    """The server's object as a dict ({} for anything else)."""
    return dict(raw) if isinstance(raw, Mapping) else {}


def lowered(value: Any, default: str = "unknown") -> str:
    return as_str(value, default).strip().lower() or default


@dataclass(frozen=True)
class VaultResource:
    """A resource (for vbstui: a disk) bound to a vault."""

    id: str
    name: str
    type: str
    protect_status: str
    size_gb: int | None
    backup_size: int | None
    backup_count: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> VaultResource:
        data = record_of(raw)
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            type=as_str(data.get("type")),
            protect_status=lowered(data.get("protect_status"), ""),
            # The vault pages say `size`, the checkpoint pages `resource_size`.
            size_gb=as_int(data.get("size", data.get("resource_size"))),
            backup_size=as_int(data.get("backup_size")),
            backup_count=as_int(data.get("backup_count")),
            raw=data,
        )

    @property
    def is_disk(self) -> bool:
        return self.type == DISK_RESOURCE


@dataclass(frozen=True)
class Vault:
    """A CBR vault; `billing` holds its capacity (`size` GB allocated, `used` MB used)."""

    id: str
    name: str
    description: str
    status: str
    object_type: str
    protect_type: str
    size_gb: int | None
    used_mb: int | None
    allocated_gb: int | None
    charging_mode: str
    spec_code: str
    policy_id: str
    enterprise_project_id: str
    resources: tuple[VaultResource, ...]
    tags: tuple[tuple[str, str], ...]
    auto_bind: bool | None
    auto_expand: bool | None
    locked: bool | None
    created_at: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Vault:
        data = record_of(raw)
        billing = as_dict(data.get("billing"))
        tags = tuple(
            (as_str(t.get("key")), as_str(t.get("value")))
            for t in as_list(data.get("tags")) if isinstance(t, Mapping)
        )
        return cls(
            id=as_str(data.get("id")),
            name=as_str(data.get("name")),
            description=as_str(data.get("description")),
            status=lowered(billing.get("status")),
            object_type=lowered(billing.get("object_type"), ""),
            protect_type=lowered(billing.get("protect_type"), ""),
            size_gb=as_int(billing.get("size")),
            used_mb=as_int(billing.get("used")),
            allocated_gb=as_int(billing.get("allocated")),
            charging_mode=as_str(billing.get("charging_mode")),
            spec_code=as_str(billing.get("spec_code")),
            # Not in the reference's vault schema, but filtered on and sent by real
            # services under either name.
            policy_id=as_str(data.get("policy_id") or data.get("backup_policy_id")),
            enterprise_project_id=as_str(data.get("enterprise_project_id")),
            resources=tuple(VaultResource.from_api(r) for r in as_list(data.get("resources"))),
            tags=tags,
            auto_bind=as_bool(data.get("auto_bind")),
            auto_expand=as_bool(data.get("auto_expand")),
            locked=as_bool(data.get("locked")),
            created_at=as_time(data.get("created_at")),
            raw=data,
        )

    @property
    def is_disk_vault(self) -> bool:
        return self.object_type == DISK_VAULT

    @property
    def disk_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.resources if r.is_disk and r.id)

    def holds(self, disk_id: str) -> bool:
        return any(r.id == disk_id for r in self.resources)

    @property
    def free_mb(self) -> int | None:
        """Unused capacity in MB (never negative), or None when the vault did not say."""
        if self.size_gb is None or self.used_mb is None:
            return None
        return max(0, self.size_gb * MB_PER_GB - self.used_mb)

    @property
    def free_gb(self) -> float | None:
        free = self.free_mb
        return None if free is None else free / MB_PER_GB

    @property
    def resource_room(self) -> int:
        """How many more resources the vault can take (the limit is 256)."""
        return max(0, MAX_VAULT_RESOURCES - len(self.resources))
