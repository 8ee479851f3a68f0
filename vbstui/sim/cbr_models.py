"""The simulated CBR resources: disk vaults, their backups, checkpoints and tasks.

Kept as plain slotted records like `models.py`; statuses that follow from time (a
task's progress) are computed when serialised, statuses that follow from events (a
backup becoming available) are set by `CbrBook` when the event is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DISK_RESOURCE = "OS::Cinder::Volume"
DISK_PROVIDER = "d1603440-187d-4516-af25-121250c7cc97"
VAULT_RESOURCE_LIMIT = 256

BACKUP_TASK, RESTORE_TASK, DELETE_TASK = "backup", "restore", "delete"
TASK_TYPES = (BACKUP_TASK, RESTORE_TASK, DELETE_TASK)
TASK_STATUSES = ("success", "skipped", "failed", "running", "timeout", "waiting")
BACKUP_STATUSES = ("available", "protecting", "deleting", "restoring", "error",
                   "waiting_protect", "waiting_delete", "waiting_restore")


@dataclass(slots=True)
class Policy:
    """A CBR backup policy a vault can be bound to."""

    id: str
    name: str
    pattern: str
    retention_days: int


@dataclass(slots=True)
class Vault:
    """A CBR disk vault: its capacity and the disks in it."""

    id: str
    name: str
    size_gb: int
    created_at: float
    description: str = ""
    resources: list[str] = field(default_factory=list)
    policy_id: str | None = None
    status: str = "available"
    auto_expand: bool = False
    tags: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class CbrBackup:
    """A CBR backup of one disk, made by a checkpoint."""

    id: str
    name: str
    description: str
    vault_id: str
    volume_id: str
    checkpoint_id: str
    status: str
    created_at: float
    updated_at: float
    incremental: bool
    # Vault capacity (MB) the backup takes once available (0 after an error).
    used_mb: int
    resource_size: int
    resource_name: str
    resource_az: str
    bootable: bool
    snapshot_id: str
    auto_trigger: bool = False
    protected_at: float | None = None
    expires_at: float | None = None
    encrypted: bool = False


@dataclass(slots=True)
class Checkpoint:
    """A CBR restore point: the backups one `POST /checkpoints` made."""

    id: str
    vault_id: str
    created_at: float
    name: str
    description: str
    backup_ids: list[str] = field(default_factory=list)
    # [{id, type, name, code, reason}] as answered to the create request.
    skipped: list[dict[str, str]] = field(default_factory=list)
    status: str = "protecting"


@dataclass(slots=True)
class Task:
    """One operation-log entry; `end` is when it finishes (scheduled at start)."""

    id: str
    operation_type: str
    vault_id: str
    vault_name: str
    resource_id: str
    resource_name: str
    backup_id: str
    backup_name: str
    checkpoint_id: str
    started_at: float
    end: float
    request_id: str
    incremental: bool = False
    finished: bool = False
    error_code: str = ""
    error_msg: str = ""
    # Set when a failure is decided at the start (the job_fail fault).
    planned_code: str = ""
    planned_msg: str = ""

    def status(self) -> str:
        if not self.finished:
            return "running"
        return "failed" if self.error_code else "success"

    def progress(self, now: float) -> int:
        if self.finished:
            return 100
        if self.end <= self.started_at:
            return 99
        return max(0, min(99, int((now - self.started_at) / (self.end - self.started_at) * 100)))


@dataclass
class CbrSeed:
    """What generation (or a saved world) hands to the books."""

    policies: list[Policy] = field(default_factory=list)
    vaults: list[Vault] = field(default_factory=list)
    backups: list[CbrBackup] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    # (time, seq, kind, task id) still to happen.
    events: list[tuple[float, int, str, str]] = field(default_factory=list)
