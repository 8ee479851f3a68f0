"""Delete checks: only backups that exist now and are settled may be deleted.

Each backup is fetched fresh (a table row may be minutes old), so the CLI and the
TUI refuse the same backups with the same words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from vbstui.cloud.models import Backup
from vbstui.ops.service import BackupService
from vbstui.textsafe import visible

DELETABLE = ("available", "error")


def delete_problem(backup: Backup) -> str | None:
    if backup.status not in DELETABLE:
        return (f"{backup.id} ({visible(backup.name)}): status '{backup.status}' — only "
                "'available' or 'error' backups can be deleted")
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
    return DeleteCheck(targets, refused)
