"""Restore checks: what must be true before a backup is restored onto a disk.

Checked against the server's current state, never a table row that may be stale;
the same rules for `vbstui backup restore` and the TUI's restore picker, for VBS and
CBR backups alike (CBR restores a disk backup only onto the disk it was taken from).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from vbstui.cloud.models import Backup, Volume
from vbstui.ops.cbr_service import service_of
from vbstui.ops.service import BackupService

CBR_OTHER_DISK = ("CBR restores a disk backup only onto the disk it was taken from; to "
                  "use it elsewhere, create a new disk from the backup")


def backup_problem(backup: Backup) -> str | None:
    """Why this backup cannot be restored at all, whatever the disk."""
    if backup.status != "available":
        return (f"the backup is '{backup.status}': only an 'available' backup can be "
                "restored")
    return None


def restore_problems(backup: Backup | None, volume: Volume | None) -> list[str]:
    """Why a restore of `backup` onto `volume` would be refused; empty when it can go."""
    problems: list[str] = []
    if backup is None:
        problems.append("the backup does not exist")
        return problems
    problem = backup_problem(backup)
    if problem:
        problems.append(problem)
    if volume is None:
        problems.append("the target disk does not exist")
        return problems
    problems.extend(told for told, _ in _disk_problems(backup, volume))
    return problems


def _disk_problems(backup: Backup, volume: Volume) -> list[tuple[str, str]]:
    """Why `volume` cannot take `backup`: what this disk is told, and the same reason
    worded for every disk it applies to (the restore picker groups disks by it)."""
    problems: list[tuple[str, str]] = []
    service = service_of(backup)
    if service == "cbr" and volume.id != backup.volume_id:
        problems.append((f"{CBR_OTHER_DISK} ({backup.volume_id})", CBR_OTHER_DISK))
    if volume.status != "available":
        hint = (f" — stop the server and detach the disk first ({service.upper()} restores "
                "only detached disks)" if volume.status == "in-use" else "")
        told = f"the disk is '{volume.status}', it must be 'available'{hint}"
        problems.append((told, told))
    if backup.size_gb is not None and volume.size_gb is not None and (
        volume.size_gb < backup.size_gb
    ):
        problems.append((f"the disk ({volume.size_gb} GB) is smaller than the backup "
                         f"({backup.size_gb} GB): pick a disk at least as large",
                         f"smaller than the backup ({backup.size_gb} GB): a restore needs "
                         "a disk at least as large"))
    return problems


@dataclass(frozen=True)
class RestoreCheck:
    """The backup and disk as the server has them now, and what stands in the way."""

    backup: Backup | None
    volume: Volume | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def check_restore(service: BackupService, backup_id: str, volume_id: str | None
                        ) -> RestoreCheck:
    """Fresh from the server; the target defaults to the backup's own disk."""
    backup = await service.get_backup(backup_id)
    target = volume_id or (backup.volume_id if backup else None)
    volume = await service.get_volume(target) if target else None
    return RestoreCheck(backup, volume, restore_problems(backup, volume))


def restore_candidates(backup: Backup, volumes: Iterable[Volume]) -> list[Volume]:
    """Disks to offer as the target: the backup's own disk first, then by name."""
    return sorted(volumes, key=lambda v: (v.id != backup.volume_id, v.name))


@dataclass(frozen=True)
class RestoreTargets:
    """The disks a restore can go to, and the others grouped under one reason each
    (the largest group first)."""

    usable: list[Volume]
    refused: list[tuple[str, list[Volume]]]


def restore_targets(backup: Backup, volumes: Iterable[Volume]) -> RestoreTargets:
    usable: list[Volume] = []
    groups: dict[str, list[Volume]] = {}
    for volume in restore_candidates(backup, volumes):
        problems = _disk_problems(backup, volume)
        if problems:
            groups.setdefault(problems[0][1], []).append(volume)
        else:
            usable.append(volume)
    refused = sorted(groups.items(), key=lambda group: -len(group[1]))
    return RestoreTargets(usable, refused)
