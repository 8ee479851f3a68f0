"""Restore checks: what must be true before a backup is restored onto a disk.

Checked against the server's current state, never a table row that may be stale;
the same rules for `vbstui backup restore` and the TUI's restore picker, for VBS and
CBR backups alike (CBR restores a disk backup only onto the disk it was taken from).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vbstui.cloud.models import Backup, Volume
from vbstui.jobs import TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.cbr_service import service_of, vault_of
from vbstui.ops.routing import backup_place
from vbstui.ops.service import BackupService
from vbstui.textsafe import visible

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
    cbr = service == "cbr"

    def code(number: str) -> str:  # CBR's code for the refusal, to look it up by
        return f" (BackupService.{number})" if cbr else ""

    if cbr and volume.id != backup.volume_id:
        problems.append((f"{CBR_OTHER_DISK} ({backup.volume_id}){code('2003')}",
                         CBR_OTHER_DISK))
    if volume.status != "available":
        hint = (f" — stop the server and detach the disk first ({service.upper()} restores "
                "only detached disks)" if volume.status == "in-use" else "")
        told = f"the disk is '{volume.status}', it must be 'available'{hint}"
        problems.append((told + code("2011"), told))
    if backup.size_gb is not None and volume.size_gb is not None and (
        volume.size_gb < backup.size_gb
    ):
        problems.append((f"the disk ({volume.size_gb} GB) is smaller than the backup "
                         f"({backup.size_gb} GB): pick a disk at least as large{code('2001')}",
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
    """Fresh from the server; the target defaults to the backup's own disk.  A CBR
    backup's vault must be available too (BackupService.6202)."""
    backup = await service.get_backup(backup_id)
    target = volume_id or (backup.volume_id if backup else None)
    volume = await service.get_volume(target) if target else None
    problems = restore_problems(backup, volume)
    if backup is not None and service_of(backup) == "cbr" and vault_of(backup):
        problem = await _vault_problem(service, vault_of(backup))
        if problem:
            problems.append(problem)
    return RestoreCheck(backup, volume, problems)


async def _vault_problem(service: BackupService, vault_id: str) -> str | None:
    cbr: Any = getattr(service, "cbr", service)  # VBS + CBR keeps CBR in `.cbr`
    vault = await cbr.session.cbr.get_vault(vault_id)
    if vault is None:
        return f"the backup's vault {vault_id} does not exist"
    if vault.status not in ("available", "unknown"):
        return (f"vault '{visible(vault.name)}' is '{vault.status}': CBR restores only from "
                "an available vault (BackupService.6202)")
    return None


def restore_confirmation(check: RestoreCheck) -> str:
    """The question asked before a restore: the backup, the disk, and that its data goes."""
    backup, volume = check.backup, check.volume
    assert backup is not None and volume is not None
    disk = visible(volume.name or volume.id)
    where = f" from vault {vault_of(backup)}" if vault_of(backup) else ""
    return (f"Restore {service_of(backup).upper()} backup '{visible(backup.name)}' "
            f"({backup.id}){where} onto disk '{disk}' ({volume.id}, {volume.size_gb} GB)?\n"
            "ALL DATA ON THAT DISK WILL BE OVERWRITTEN.")


def new_restore_job(tracker: JobTracker, check: RestoreCheck) -> TrackedJob:
    """The restore job of a passed check, sent to the service holding the backup."""
    backup, volume = check.backup, check.volume
    assert backup is not None and volume is not None
    service, vault_id = backup_place(backup)
    return tracker.new_restore_job(backup.id, volume.id, backup_name=backup.name,
                                   volume_name=volume.name, service=service,
                                   vault_id=vault_id)


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
