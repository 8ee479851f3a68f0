"""Pruning: keep the newest N backups of some disks and delete the rest.

plan → confirm → run, for both front ends: `plan_prune` lists every backup that would
go and every one that cannot (not 'available'/'error', shared, others depend on it —
the delete rules of `ops.delete`); `start_prune` checks exactly those again, fresh,
and sends their deletes through the normal delete jobs (journalled, followed, bounded
by the tracker's request slots).  Nothing outside the plan is ever deleted.

"Newest" is by creation time, over every backup of the disk whatever its status or
service (VBS and CBR alike: deletes go to the service holding each backup).  A backup
without a creation time counts as the newest: its age is unknown, so it is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vbstui.cloud.models import Backup
from vbstui.errors import UsageError
from vbstui.jobs import Phase, TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.cbr_service import service_of
from vbstui.ops.delete import check_deletes, delete_problem, new_delete_jobs
from vbstui.ops.resolve import DiskChoice
from vbstui.ops.service import BackupService
from vbstui.ops.shares import shared_backup_ids, shared_problem
from vbstui.textsafe import plural, visible

KEEP_MIN = 1  # "keep 0" would delete every backup of a disk: not what pruning is for


def keep_problem(keep: int) -> str | None:
    if keep < KEEP_MIN:
        return (f"keep must be {KEEP_MIN} or more (pruning keeps the newest backups; delete "
                "backups one by one to remove all of them)")
    return None


def _age_key(backup: Backup) -> tuple[bool, float, str]:
    # Newest first; no creation time sorts before every dated backup (kept).
    stamp = backup.created_at.timestamp() if backup.created_at is not None else 0.0
    return (backup.created_at is None, stamp, backup.id)


@dataclass(frozen=True)
class Refusal:
    """A backup the prune would delete but may not, and why."""

    backup: Backup
    reason: str


@dataclass(frozen=True)
class DiskPrune:
    """One disk's part of a plan: what stays, what goes, what should go but cannot."""

    volume_id: str
    volume_name: str
    kept: list[Backup]
    delete: list[Backup]
    refused: list[Refusal]

    @property
    def label(self) -> str:
        return f"{visible(self.volume_name)} ({self.volume_id})" if self.volume_name \
            else self.volume_id


@dataclass(frozen=True)
class PrunePlan:
    """Keep the newest `keep` backups of each disk: what goes, disk by disk."""

    keep: int
    disks: list[DiskPrune]

    @property
    def delete(self) -> list[Backup]:
        return [b for d in self.disks for b in d.delete]

    @property
    def refused(self) -> list[Refusal]:
        return [r for d in self.disks for r in d.refused]

    @property
    def gigabytes(self) -> int:
        """What the planned deletes would free (sizes as listed; unknown sizes count 0)."""
        return sum(b.size_gb or 0 for b in self.delete)

    def text(self) -> list[str]:
        """The preview: per disk, what stays, every backup that would go and every one
        that cannot."""
        lines: list[str] = []
        for disk in self.disks:
            total = len(disk.kept) + len(disk.delete) + len(disk.refused)
            lines.append(f"disk {disk.label}: {plural(total, 'backup')}, keeping the newest "
                         f"{len(disk.kept)}, deleting {len(disk.delete)}"
                         + (f", {len(disk.refused)} cannot be deleted" if disk.refused else ""))
            lines.extend(f"  keep    {_line(b)}" for b in disk.kept)
            lines.extend(f"  delete  {_line(b)}" for b in disk.delete)
            lines.extend(f"  cannot  {_line(r.backup)}: {r.reason}" for r in disk.refused)
        lines.append(f"{plural(len(self.delete), 'backup')} to delete, about "
                     f"{self.gigabytes} GB" + (f"; {plural(len(self.refused), 'backup')} "
                                               "cannot be deleted" if self.refused else ""))
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {"keep": self.keep, "gigabytes": self.gigabytes, "disks": [{
            "volume_id": d.volume_id, "volume_name": d.volume_name or None,
            "kept": [b.id for b in d.kept],
            "delete": [_record(b) for b in d.delete],
            "cannot": [{**_record(r.backup), "reason": r.reason} for r in d.refused],
        } for d in self.disks]}


def _line(backup: Backup) -> str:
    created = backup.created_at.strftime("%Y-%m-%d %H:%M") if backup.created_at else "?"
    size = "?" if backup.size_gb is None else backup.size_gb
    return (f"{backup.id}  {visible(backup.name)}  {backup.status}  {size} GB  {created}  "
            f"{service_of(backup).upper()}")


def _record(backup: Backup) -> dict[str, Any]:
    return {"id": backup.id, "name": backup.name, "status": backup.status,
            "size_gb": backup.size_gb, "service": service_of(backup),
            "created_at": backup.created_at.isoformat() if backup.created_at else None}


def plan_disk(volume_id: str, backups: Sequence[Backup], keep: int, *,
              shared: dict[str, list[str]], volume_name: str = "") -> DiskPrune:
    """The rule for one disk: the `keep` newest stay; of the rest, what the delete rules
    allow goes and every other one is named with its reason."""
    ordered = sorted(backups, key=_age_key, reverse=True)
    kept, older = ordered[:keep], ordered[keep:]
    delete: list[Backup] = []
    refused: list[Refusal] = []
    for backup in older:
        problem = delete_problem(backup)
        if problem is None and backup.id in shared:
            problem = shared_problem(backup, shared[backup.id])
        if problem is None:
            delete.append(backup)
        else:
            refused.append(Refusal(backup, _reason(problem, backup)))
    return DiskPrune(volume_id, volume_name, kept, delete, refused)


def _reason(problem: str, backup: Backup) -> str:
    """The delete rule's words without the backup's own label (the preview shows it)."""
    label = f"{backup.id} ({visible(backup.name)}): "
    return problem[len(label):] if problem.startswith(label) else problem


async def plan_prune(service: BackupService, disks: Sequence[DiskChoice], keep: int, *,
                     concurrency: int) -> PrunePlan:
    """The plan for these disks: one backup listing per disk (`concurrency` at a time) and
    one listing of this project's shares."""
    problem = keep_problem(keep)
    if problem:
        raise UsageError(f"--keep: {problem}")
    unique = list({d.id: d for d in disks}.values())
    slots = asyncio.Semaphore(concurrency)

    async def backups_of(disk: DiskChoice) -> list[Backup]:
        async with slots:
            found = await service.list_backups(volume_id=disk.id)
        return [b for b in found if b.volume_id == disk.id]

    async def name_of(disk: DiskChoice) -> str:
        if disk.volume is not None:
            return disk.volume.name
        async with slots:
            volume = await service.get_volume(disk.id)
        return volume.name if volume is not None else ""

    listed = await asyncio.gather(*(backups_of(d) for d in unique))
    names = await asyncio.gather(*(name_of(d) for d in unique))
    everything = [b for backups in listed for b in backups]
    shared = await shared_backup_ids(service, everything)
    return PrunePlan(keep, [plan_disk(d.id, backups, keep, shared=shared, volume_name=name)
                            for d, backups, name in zip(unique, listed, names, strict=True)])


@dataclass
class PruneRun:
    """The deletes a confirmed plan sent, and what changed since the preview (skipped)."""

    plan: PrunePlan
    jobs: list[TrackedJob] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


async def prepare_prune_run(service: BackupService, tracker: JobTracker, plan: PrunePlan, *,
                            concurrency: int) -> PruneRun:
    """Check the planned deletes again, fresh (minutes may have passed at the question),
    and make a delete job for each one still allowed; a backup that changed meanwhile is
    skipped, never replaced by another.  Nothing is sent yet (`send_prune`): the caller
    can hold the jobs first, so a timeout knows what may be under way."""
    run = PruneRun(plan)
    if not plan.delete:
        return run
    check = await check_deletes(service, [b.id for b in plan.delete], concurrency=concurrency)
    run.skipped = list(check.refused)
    names = {d.volume_id: d.volume_name for d in plan.disks}
    run.jobs = new_delete_jobs(tracker, check.targets, names)
    return run


async def send_prune(tracker: JobTracker, run: PruneRun) -> PruneRun:
    """Send every delete of the run (the tracker's request slots bound how many at once)."""
    await asyncio.gather(*(tracker.submit_delete(j) for j in run.jobs))
    return run


async def start_prune(service: BackupService, tracker: JobTracker, plan: PrunePlan, *,
                      concurrency: int) -> PruneRun:
    """`prepare_prune_run`, then `send_prune`."""
    run = await prepare_prune_run(service, tracker, plan, concurrency=concurrency)
    return await send_prune(tracker, run)


@dataclass(frozen=True)
class PruneSummary:
    """What a prune did: deleted (and the space freed), failed, not yet known."""

    deleted: int
    gigabytes: int
    failed: int
    pending: int
    skipped: int
    cannot: int

    @classmethod
    def of(cls, run: PruneRun) -> PruneSummary:
        sizes = {b.id: b.size_gb or 0 for b in run.plan.delete}
        done = [j for j in run.jobs if j.phase is Phase.SUCCESS]
        failed = [j for j in run.jobs if j.phase in (Phase.FAILED, Phase.REFUSED)]
        return cls(deleted=len(done), gigabytes=sum(sizes.get(j.backup_id, 0) for j in done),
                   failed=len(failed), pending=len(run.jobs) - len(done) - len(failed),
                   skipped=len(run.skipped), cannot=len(run.plan.refused))

    def text(self) -> str:
        parts = [f"pruned: {plural(self.deleted, 'backup')} deleted, {self.gigabytes} GB freed"]
        if self.pending:
            parts.append(f"{plural(self.pending, 'delete')} still running or unknown "
                         "(`vbstui jobs` follows them)")
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (changed since the preview)")
        if self.cannot:
            parts.append(f"{self.cannot} could not be deleted")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, int]:
        return {"deleted": self.deleted, "gigabytes_freed": self.gigabytes,
                "failed": self.failed, "pending": self.pending, "skipped": self.skipped,
                "cannot": self.cannot}
