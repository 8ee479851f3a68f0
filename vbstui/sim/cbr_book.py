"""The books of the simulated CBR service: vaults, backups, checkpoints, tasks, and the
events that finish tasks as the simulated clock passes.

Capacity follows the console's rule of thumb in a form a client can check: a full
backup takes the whole disk size of vault capacity, an incremental one a tenth of it
(at least 1 GB).  A backup takes its capacity when it becomes available; one that
no longer fits then ends in `error` with BackupService.6114.  A deleted backup gives
its capacity back when it is gone.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import TYPE_CHECKING

from vbstui.sim.cbr_codes import message_of
from vbstui.sim.cbr_models import (
    BACKUP_TASK,
    DELETE_TASK,
    CbrSeed,
    Task,
    Vault,
)

if TYPE_CHECKING:
    from vbstui.sim.world import SimWorld

MB_PER_GB = 1024
INCREMENTAL_SHARE = 10


def usage_mb(size_gb: int, incremental: bool) -> int:
    """Vault capacity (MB) a backup of a `size_gb` disk takes."""
    if not incremental:
        return size_gb * MB_PER_GB
    return max(MB_PER_GB, size_gb * MB_PER_GB // INCREMENTAL_SHARE)


class CbrBook:
    def __init__(self, world: SimWorld) -> None:
        self.world = world
        self.created: Counter[tuple[str, str, str]] = Counter()
        self.install(CbrSeed())

    def install(self, seed: CbrSeed) -> None:
        self.policies = {p.id: p for p in seed.policies}
        self.vaults = {v.id: v for v in seed.vaults}
        self.backups = {b.id: b for b in seed.backups}
        self.checkpoints = {c.id: c for c in seed.checkpoints}
        self.tasks = {t.id: t for t in seed.tasks}
        self.vault_of: dict[str, str] = {
            vid: vault.id for vault in seed.vaults for vid in vault.resources}
        self.vault_used: Counter[str] = Counter()
        for backup in seed.backups:
            if backup.status != "protecting":
                self.vault_used[backup.vault_id] += backup.used_mb
        self.running: dict[str, str] = {
            t.resource_id: t.id for t in seed.tasks
            if t.operation_type == BACKUP_TASK and not t.finished}
        self.events = sorted(seed.events)
        self.seq = max([0, *(e[1] for e in self.events)])

    def seed(self) -> CbrSeed:
        return CbrSeed(list(self.policies.values()), list(self.vaults.values()),
                       list(self.backups.values()), list(self.checkpoints.values()),
                       list(self.tasks.values()), list(self.events))

    # -- capacity -----------------------------------------------------------------------

    def free_mb(self, vault: Vault) -> int:
        return vault.size_gb * MB_PER_GB - self.vault_used[vault.id]

    def reserved_mb(self, vault: Vault) -> int:
        """Capacity the backups still running in `vault` will take if they succeed."""
        return sum(b.used_mb for b in self.backups.values()
                   if b.vault_id == vault.id and b.status == "protecting")

    # -- time ---------------------------------------------------------------------------

    def schedule(self, task: Task) -> None:
        self.seq += 1
        heapq.heappush(self.events, (task.end, self.seq, task.operation_type, task.id))

    def advance(self, now: float) -> None:
        """Finish every task whose time has come (called by `SimWorld._advance`)."""
        while self.events and self.events[0][0] <= now:
            when, _, kind, task_id = heapq.heappop(self.events)
            task = self.tasks.get(task_id)
            if task is None or task.finished:
                continue
            task.finished = True
            if kind == BACKUP_TASK:
                self._backup_done(task, when)
            elif kind == DELETE_TASK:
                self._delete_done(task)
            else:
                self._restore_done(task, when)

    def _fail(self, task: Task, code: str, detail: str = "") -> None:
        task.error_code = code
        task.error_msg = f"{message_of(code)} {detail}".strip()

    def _backup_done(self, task: Task, when: float) -> None:
        self.running.pop(task.resource_id, None)
        backup = self.backups.get(task.backup_id)
        vault = self.vaults.get(task.vault_id)
        if backup is not None:
            if task.planned_code:
                self._fail(task, task.planned_code)
            elif vault is not None and backup.used_mb > self.free_mb(vault):
                self._fail(task, "BackupService.6114",
                           f"The backup needs {backup.used_mb} MB, {self.free_mb(vault)} MB "
                           "are free.")
            backup.updated_at = when
            if task.error_code:
                backup.status, backup.used_mb = "error", 0
            else:
                backup.status, backup.protected_at = "available", when
                self.vault_used[backup.vault_id] += backup.used_mb
            self._checkpoint_done(backup.checkpoint_id)
        self._volume_back(task.resource_id, when)

    def _checkpoint_done(self, checkpoint_id: str) -> None:
        checkpoint = self.checkpoints.get(checkpoint_id)
        if checkpoint is None:
            return
        states = [self.backups[b].status for b in checkpoint.backup_ids if b in self.backups]
        if "protecting" not in states:
            checkpoint.status = "available" if "available" in states or not states else "error"

    def _volume_back(self, volume_id: str, when: float) -> None:
        volume = self.world._volumes_by_id.get(volume_id)
        if volume is not None:
            self.world._set_status(volume, volume.resume_status or "available", when)
            volume.resume_status = None

    def _restore_done(self, task: Task, when: float) -> None:
        if task.planned_code:
            self._fail(task, task.planned_code)
        backup = self.backups.get(task.backup_id)
        if backup is not None:
            backup.status, backup.updated_at = "available", when
        volume = self.world._volumes_by_id.get(task.resource_id)
        if volume is not None:
            volume.resume_status = "error_restoring" if task.error_code else "available"
        self._volume_back(task.resource_id, when)

    def _delete_done(self, task: Task) -> None:
        backup = self.backups.pop(task.backup_id, None)
        if backup is not None:
            self.vault_used[backup.vault_id] -= backup.used_mb
