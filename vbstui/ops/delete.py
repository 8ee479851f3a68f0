"""Delete checks: only backups that exist now and are settled may be deleted.

Each backup is fetched fresh (a table row may be minutes old), so the CLI and the
TUI refuse the same backups with the same words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from vbstui.cloud.models import Backup, as_bool
from vbstui.jobs import TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.cbr_service import service_of, vault_of
from vbstui.ops.routing import backup_place
from vbstui.ops.service import BackupService
from vbstui.ops.shares import shared_backup_ids, shared_problem
from vbstui.textsafe import visible

DELETABLE = ("available", "error")


def delete_problem(backup: Backup) -> str | None:
    if backup.status not in DELETABLE:
        return (f"{backup.id} ({visible(backup.name)}): status '{backup.status}' — only "
                "'available' or 'error' backups can be deleted")
    if as_bool(backup.raw.get("has_dependent_backups")):
        return (f"{backup.id} ({visible(backup.name)}): other backups depend on it (an "
                "incremental backup builds on it) — try again when they are finished")
    return None


@dataclass(frozen=True)
class DeleteCheck:
    """The backups that may be deleted, as the server has them now, and the refusals."""

    targets: list[Backup]
    refused: list[str]


async def check_deletes(service: BackupService, backup_ids: Sequence[str], *,
                        concurrency: int) -> DeleteCheck:
    """Fetch every backup fresh, `concurrency` at a time; each id counts once."""
    ids = list(dict.fromkeys(backup_ids))
    slots = asyncio.Semaphore(concurrency)

    async def fetch(backup_id: str) -> Backup | None:
        async with slots:
            return await service.get_backup(backup_id)

    found = await asyncio.gather(*(fetch(i) for i in ids))
    targets: list[Backup] = []
    refused: list[str] = []
    for backup_id, backup in zip(ids, found, strict=True):
        if backup is None:
            refused.append(f"{backup_id}: no such backup")
            continue
        problem = delete_problem(backup)
        if problem:
            refused.append(problem)
        else:
            targets.append(backup)
    shared = await shared_backup_ids(service, targets)  # VBS refuses these: say why first
    refused.extend(shared_problem(b, shared[b.id]) for b in targets if b.id in shared)
    return DeleteCheck([b for b in targets if b.id not in shared], refused)


def delete_confirmation(targets: Sequence[Backup]) -> str:
    """The question asked before deleting: every backup, where it lives, no undo."""
    count = len(targets)
    lines = []
    for backup in targets:
        place = service_of(backup).upper() + (f" vault {vault_of(backup)}"
                                              if vault_of(backup) else "")
        lines.append(f"  {backup.id}  {visible(backup.name)}  ({backup.size_gb} GB, {place})")
    return (f"Delete {count} backup{'s' if count != 1 else ''}? This cannot be undone.\n"
            + "\n".join(lines))


def new_delete_jobs(tracker: JobTracker, targets: Sequence[Backup], names: dict[str, str]
                    ) -> list[TrackedJob]:
    """A delete job per backup, each sent to the service (and vault) holding it and
    followed until the backup is gone."""
    jobs = []
    for backup in targets:
        service, vault_id = backup_place(backup)
        jobs.append(tracker.new_delete_job(
            backup.id, backup_name=backup.name, volume_id=backup.volume_id,
            volume_name=names.get(backup.volume_id, ""), service=service, vault_id=vault_id))
    return jobs
