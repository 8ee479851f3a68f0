"""Write side of the simulated CBR service: vaults and their disks, backup now
(checkpoints), restore and delete, each checked in the order the service reports.

Every operation takes the world's lock and applies due events first, like `SimState`.
Disks are the EVS disks of the same project: a CBR backup or restore changes the
disk's EVS status just as a VBS job does, so the two services see each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vbstui.sim.cbr_book import usage_mb
from vbstui.sim.cbr_codes import BACKUP_FAILURES, RESTORE_FAILURES, CbrError
from vbstui.sim.cbr_models import (
    BACKUP_TASK,
    DELETE_TASK,
    DISK_RESOURCE,
    RESTORE_TASK,
    VAULT_RESOURCE_LIMIT,
    CbrBackup,
    Checkpoint,
    Task,
    Vault,
)
from vbstui.sim.cbr_queries import CbrQueries
from vbstui.sim.cbr_serialize import JsonDict
from vbstui.sim.models import BACKUPABLE, Volume

if TYPE_CHECKING:  # parsed by the routes that change vaults and make backups
    from vbstui.sim.cbr_rules import CheckpointRequest, VaultRequest

BUSY_STATUSES = frozenset({"backing-up", "restoring-backup"})


class CbrService(CbrQueries):

    # -- vaults -------------------------------------------------------------------------

    def _check_addable(self, vault: Vault, volume_ids: list[str]) -> None:
        if len(vault.resources) + len(volume_ids) > VAULT_RESOURCE_LIMIT:
            raise CbrError("BackupService.6100", f"A vault holds at most {VAULT_RESOURCE_LIMIT} "
                           f"disks; it has {len(vault.resources)}.")
        for volume_id in volume_ids:
            if volume_id not in self.world._volumes_by_id:
                raise CbrError("BackupService.7000", f"No disk {volume_id}.")
            holder = self.vault_of.get(volume_id)
            if holder == vault.id:
                raise CbrError("BackupService.7006", f"Disk {volume_id}.")
            if holder is not None:
                raise CbrError("BackupService.6103", f"Disk {volume_id} is in vault "
                               f"{self.vaults[holder].name!r}.")
            if self.world._volumes_by_id[volume_id].vbs_policy is not None:
                raise CbrError("BackupService.6108", f"Disk {volume_id} is bound to a VBS "
                               "backup policy; remove it from the VBS policy first.")

    def _add(self, vault: Vault, volume_ids: list[str]) -> None:
        vault.resources.extend(volume_ids)
        for volume_id in volume_ids:
            self.vault_of[volume_id] = vault.id

    def create_vault(self, request: VaultRequest) -> JsonDict:
        with self.world.lock:
            now = self._now()
            if request.policy_id is not None and request.policy_id not in self.policies:
                raise CbrError("BackupService.6000")
            vault = Vault(id=self.world._ids.uuid(), name=request.name,
                          size_gb=request.size_gb, created_at=now,
                          description=request.description, policy_id=request.policy_id,
                          auto_expand=request.auto_expand)
            self._check_addable(vault, request.resources)
            self.vaults[vault.id] = vault
            self._add(vault, request.resources)
            self.world.revision += 1
            return self._vault_json(vault, {})

    def update_vault(self, vault_id: str, name: str | None, size: int | None) -> JsonDict:
        with self.world.lock:
            self._now()
            vault = self._vault(vault_id)
            if size is not None and size < vault.size_gb:
                raise CbrError("BackupService.6101", "Vault capacity can only be expanded "
                               f"(now {vault.size_gb} GB).")
            if name is not None:
                vault.name = name
            if size is not None:
                vault.size_gb = size
            self.world.revision += 1
            return self._vault_json(vault, self._totals([vault.id]))

    def delete_vault(self, vault_id: str) -> None:
        """Deletes the vault and all its backups (refused while a task runs in it)."""
        with self.world.lock:
            self._now()
            vault = self._vault(vault_id)
            mine = [b for b in self.backups.values() if b.vault_id == vault.id]
            if any(b.status in {"protecting", "restoring", "deleting"} for b in mine):
                raise CbrError("BackupService.6111", "A task is still running in the vault.")
            for backup in mine:
                del self.backups[backup.id]
            for volume_id in vault.resources:
                self.vault_of.pop(volume_id, None)
            del self.vaults[vault.id]
            self.vault_used.pop(vault.id, None)
            self.world.revision += 1

    def add_resources(self, vault_id: str, volume_ids: list[str]) -> list[str]:
        with self.world.lock:
            self._now()
            vault = self._vault(vault_id)
            self._check_addable(vault, volume_ids)
            self._add(vault, volume_ids)
            self.world.revision += 1
            return volume_ids

    def remove_resources(self, vault_id: str, volume_ids: list[str]) -> list[str]:
        with self.world.lock:
            self._now()
            vault = self._vault(vault_id)
            for volume_id in volume_ids:
                if volume_id not in vault.resources:
                    raise CbrError("BackupService.6135", f"Disk {volume_id}.")
                if volume_id in self.running:
                    raise CbrError("BackupService.6125", f"Disk {volume_id} is being backed up.")
            gone = set(volume_ids)
            vault.resources[:] = [v for v in vault.resources if v not in gone]
            for volume_id in gone:
                self.vault_of.pop(volume_id, None)
            self.world.revision += 1
            return volume_ids

    def set_policy(self, vault_id: str, policy_id: str | None, *, associate: bool) -> JsonDict:
        with self.world.lock:
            self._now()
            vault = self._vault(vault_id)
            if associate:
                if policy_id is None or policy_id not in self.policies:
                    raise CbrError("BackupService.6000")
                vault.policy_id = policy_id
            else:
                if policy_id not in self.policies:
                    raise CbrError("BackupService.6000")
                if vault.policy_id != policy_id:
                    raise CbrError("BackupService.6002")
                vault.policy_id = None
            self.world.revision += 1
            return {"vault_id": vault.id, "policy_id": policy_id}

    # -- backup now ---------------------------------------------------------------------

    def _skip_reason(self, vault: Vault, volume_id: str) -> tuple[str, str] | None:
        volume = self.world._volumes_by_id.get(volume_id)
        if volume is None:
            return "BackupService.7000", "The disk does not exist."
        if volume_id not in vault.resources:
            return "BackupService.6135", "The disk is not associated with this vault."
        if volume_id in self.running or volume.status == "backing-up":
            return "BackupService.6125", "The disk is being backed up."
        if volume.status not in BACKUPABLE:
            return "BackupService.7003", f"The disk status is {volume.status}."
        return None

    def create_checkpoint(self, request: CheckpointRequest) -> str:
        """Start backing up the requested disks of a vault; the new checkpoint's id."""
        with self.world.lock:
            now = self._now()
            vault = self._vault(request.vault_id)
            if vault.status != "available":
                raise CbrError("BackupService.6113", f"The vault status is {vault.status}.")
            wanted = request.resources if request.resources is not None else list(vault.resources)
            if not wanted:
                raise CbrError("BackupService.0001", "The vault has no disks.")
            if self.free_mb(vault) <= 0:
                raise CbrError("BackupService.6114", f"Vault {vault.name!r} is full "
                               f"({vault.size_gb} GB).")
            skipped: list[dict[str, str]] = []
            chosen: list[Volume] = []
            for volume_id in wanted:
                reason = self._skip_reason(vault, volume_id)
                if reason is None:
                    chosen.append(self.world._volumes_by_id[volume_id])
                    continue
                volume = self.world._volumes_by_id.get(volume_id)
                skipped.append({"id": volume_id, "type": DISK_RESOURCE,
                                "name": volume.name if volume else "", "code": reason[0],
                                "reason": reason[1]})
            if not chosen:
                detail = "; ".join(f"{s['id']}: {s['code']} {s['reason']}" for s in skipped)
                raise CbrError("BackupService.0001", detail)
            name = request.name or f"manualbk_{self.world._ids.hex32()[:4]}"
            checkpoint = Checkpoint(id=self.world._ids.uuid(), vault_id=vault.id, created_at=now,
                                    name=name, description=request.description,
                                    skipped=skipped)
            self.checkpoints[checkpoint.id] = checkpoint
            for volume in chosen:
                self._start_backup(vault, volume, checkpoint, request, now)
            self.world.revision += 1
            return checkpoint.id

    def _start_backup(self, vault: Vault, volume: Volume, checkpoint: Checkpoint,
                      request: CheckpointRequest, now: float) -> None:
        has_base = any(b.volume_id == volume.id and b.vault_id == vault.id
                       and b.status == "available" for b in self.backups.values())
        incremental = request.incremental and has_base
        backup = CbrBackup(
            id=self.world._ids.uuid(), name=checkpoint.name, description=request.description,
            vault_id=vault.id, volume_id=volume.id, checkpoint_id=checkpoint.id,
            status="protecting", created_at=now, updated_at=now, incremental=incremental,
            used_mb=usage_mb(volume.size, incremental), resource_size=volume.size,
            resource_name=volume.name, resource_az=volume.availability_zone,
            bootable=volume.bootable, snapshot_id=self.world._ids.uuid(),
            auto_trigger=request.auto_trigger, encrypted=volume.cmk_id is not None,
        )
        self.backups[backup.id] = backup
        checkpoint.backup_ids.append(backup.id)
        task = self._task(BACKUP_TASK, vault, volume, backup, now=now,
                          seconds=self.world.config.job_seconds)
        task.incremental = incremental
        failure = self.world._injector.job_failure(tuple((c, "") for c in BACKUP_FAILURES))
        if failure is not None:
            task.planned_code = failure[0]
        self.running[volume.id] = task.id
        volume.resume_status = volume.status
        self.world._set_status(volume, "backing-up", now)
        self.created[vault.id, volume.id, backup.name] += 1

    def _task(self, kind: str, vault: Vault | None, volume: Volume | None, backup: CbrBackup,
              *, now: float, seconds: float) -> Task:
        task = Task(
            id=self.world._ids.uuid(), operation_type=kind,
            vault_id=backup.vault_id, vault_name=vault.name if vault else "",
            resource_id=volume.id if volume else backup.volume_id,
            resource_name=volume.name if volume else backup.resource_name,
            backup_id=backup.id, backup_name=backup.name, checkpoint_id=backup.checkpoint_id,
            started_at=now, end=now + seconds, request_id=f"req-{self.world._ids.uuid()}",
        )
        self.tasks[task.id] = task
        self.schedule(task)
        return task

    # -- restore and delete -------------------------------------------------------------

    def _backup(self, backup_id: str) -> CbrBackup:
        backup = self.backups.get(backup_id)
        if backup is None:
            raise CbrError("BackupService.6200", f"No backup {backup_id[:64]!r}.")
        return backup

    def restore(self, backup_id: str, volume_id: str) -> None:
        with self.world.lock:
            now = self._now()
            backup = self._backup(backup_id)
            if backup.status != "available":
                raise CbrError("BackupService.2005", f"The backup status is {backup.status}.")
            vault = self.vaults.get(backup.vault_id)
            if vault is not None and vault.status != "available":
                raise CbrError("BackupService.6202")
            volume = self.world._volumes_by_id.get(volume_id)
            if volume is None:
                raise CbrError("BackupService.7000", f"No disk {volume_id}.")
            if volume.id != backup.volume_id:
                raise CbrError("BackupService.2003", "A disk backup restores only to the disk "
                               "it was taken from; create a new disk from it instead.")
            if volume.id in self.running or volume.status == "backing-up":
                raise CbrError("BackupService.2002")
            if volume.status == "restoring-backup":
                raise CbrError("BackupService.2010")
            if volume.status != "available":
                raise CbrError("BackupService.2011", f"The disk status is {volume.status}; stop "
                               "the server and detach the disk first.")
            if volume.size < backup.resource_size:
                raise CbrError("BackupService.2001", f"The disk has {volume.size} GB, the "
                               f"backup {backup.resource_size} GB.")
            if volume.bootable and not backup.bootable:
                raise CbrError("BackupService.2013")
            task = self._task(RESTORE_TASK, vault, volume, backup, now=now,
                              seconds=self.world.config.job_seconds)
            failure = self.world._injector.job_failure(tuple((c, "") for c in RESTORE_FAILURES))
            if failure is not None:
                task.planned_code = failure[0]
            backup.status, backup.updated_at = "restoring", now
            volume.resume_status = "available"
            self.world._set_status(volume, "restoring-backup", now)
            self.world.revision += 1

    def delete_backup(self, backup_id: str) -> None:
        """Starts deleting; the backup is gone (and its capacity free) `delete_seconds` later."""
        with self.world.lock:
            now = self._now()
            backup = self._backup(backup_id)
            if backup.status not in {"available", "error"}:
                raise CbrError("BackupService.6216", f"The backup status is {backup.status}.")
            backup.status, backup.updated_at = "deleting", now
            self._task(DELETE_TASK, self.vaults.get(backup.vault_id), None, backup, now=now,
                       seconds=self.world.config.delete_seconds)
            self.world.revision += 1
            if self.world.config.delete_seconds == 0:
                self._now()
