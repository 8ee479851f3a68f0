"""The simulated resources. Kept lean (slots, shared objects) because a world may hold
50 000 disks; fields that never change are derived at serialisation time instead."""

from __future__ import annotations

from dataclasses import dataclass, field

BACKUPABLE = frozenset({"available", "in-use"})
DELETABLE = frozenset({"available", "error"})

CREATE_JOB = "bksCreateBackup"
RESTORE_JOB = "bksRestoreBackup"

INIT, RUNNING, SUCCESS, FAIL = "INIT", "RUNNING", "SUCCESS", "FAIL"
# Share of a job's duration spent in INIT before it starts RUNNING.
INIT_SHARE = 0.15


@dataclass(slots=True)
class Server:
    """The server a disk is attached to (shared by its disks)."""

    id: str
    name: str
    host_name: str


@dataclass(slots=True)
class Image:
    """The image a boot disk was made from (shared by its disks)."""

    id: str
    name: str
    os_version: str


@dataclass(slots=True)
class Volume:
    """An EVS disk."""

    id: str
    name: str
    size: int
    volume_type: str
    availability_zone: str
    status: str
    bootable: bool
    created_at: str
    updated_at: str
    description: str | None = None
    server: Server | None = None
    device: str | None = None
    attached_at: str | None = None
    image: Image | None = None
    cmk_id: str | None = None
    # Status to return to when the job that changed it ends.
    resume_status: str | None = None
    # The VBS backup policy the disk is bound to (EVS `metadata.policy`); such a disk
    # cannot join a CBR vault.
    vbs_policy: str | None = None


@dataclass(slots=True)
class Backup:
    """A VBS backup of a disk; times are the simulator's clock values."""

    id: str
    name: str | None
    volume_id: str
    size: int
    status: str
    created_at: float
    updated_at: float
    availability_zone: str | None
    volume_type: str
    bootable: bool
    snapshot_id: str | None
    backupurl: str
    desc: str | None = None
    # INC from the description: 0 full backup, 1 incremental; None: no description JSON.
    inc: int | None = 0
    fail_reason: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    # (start, end) of the creating phase; drives service_metadata.progress.
    progress_window: tuple[float, float] | None = None
    seeded: bool = False


@dataclass(slots=True)
class Job:
    """A VBS job (create or restore); its status follows from its times."""

    id: str
    job_type: str
    volume_id: str
    backup_name: str | None
    snapshot_id: str
    begin: float
    running_at: float
    end: float
    backup_id: str | None = None
    error_code: str | None = None
    fail_reason: str | None = None

    @property
    def fails(self) -> bool:
        return self.error_code is not None

    def status(self, now: float) -> str:
        """Lazily computed from timestamps, so no background task is ever needed."""
        if now < self.running_at:
            return INIT
        if now < self.end:
            return RUNNING
        return FAIL if self.fails else SUCCESS
