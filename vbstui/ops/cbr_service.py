"""CBR behind the backup-service seam: disk backups in vaults, followed like VBS jobs.

CBR has no job id and no idempotency token; a backup is a checkpoint of one or more
disks of a vault.  The tracker's port is kept as it is by giving each CBR job its own
port (`CbrJobPort`, through `for_job`), bound to the job's vault, disk and kind:

- create: `create_backup` sends one checkpoint for the job's disk in its vault and
  returns the checkpoint id as the job id; `get_job` reads the backup of that
  checkpoint and disk (protecting → RUNNING, available → SUCCESS, error → FAIL with
  the error code of its `backup` task); a disk CBR skipped ends the job refused with
  CBR's code.  `find_backups` looks in the job's vault by disk and name, which is what
  the tracker's at-most-once search (and its journalled `known_backup_ids`) needs.
- restore: `restore_backup` returns the newest restore task of the backup seen before
  sending (or the backup id when there was none) as the job id; `get_job` follows the
  newest restore task after it, and the backup's status while none shows yet.
- delete: the tracker follows the backup until `get_backup` finds it gone.

CBR backups are shown as `Backup`s in VBS's words (`protecting` → `creating`), with
the service, vault and checkpoint in `service_metadata` (`service_of`, `vault_of`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vbstui.cloud.cbr_requests import CheckpointRequest
from vbstui.cloud.cbr_vault_models import Vault
from vbstui.cloud.errors import ApiError, CloudError, NotFound, Reached
from vbstui.cloud.models import Backup, Job, Quota, Volume
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import Kind, TrackedJob
from vbstui.ops.service import all_backups

if TYPE_CHECKING:
    from vbstui.cloud.cbr_models import CbrBackup, OperationLog
    from vbstui.cloud.client import (
        CloudSession,  # the models come from the CBR client: a disk listing loads neither
    )

SERVICE_KEY = "vbstui_service"  # our marker in `Backup.service_metadata`
# CBR's backup statuses in the words the tracker, the checks and the views use.
_STATUS = {"protecting": "creating", "waiting_protect": "creating",
           "waiting_restore": "restoring", "waiting_delete": "deleting"}
# A status filter, back into CBR's words: each of ours stands for all of these.
CBR_STATUSES = {"creating": ("protecting", "waiting_protect"),
                "restoring": ("restoring", "waiting_restore"),
                "deleting": ("deleting", "waiting_delete")}

Pages = AsyncIterator[tuple[list[Backup], int | None]]


def as_backup(backup: CbrBackup, *, fail_reason: str = "") -> Backup:
    """A CBR disk backup as the rest of vbstui sees a backup."""
    return Backup(
        id=backup.id, name=backup.name, status=_STATUS.get(backup.status, backup.status),
        volume_id=backup.resource_id, size_gb=backup.resource_size_gb,
        created_at=backup.created_at, updated_at=backup.updated_at,
        description=backup.description, incremental=backup.incremental,
        fail_reason=fail_reason, availability_zone=backup.resource_az,
        service_metadata={SERVICE_KEY: "cbr", "vault_id": backup.vault_id,
                          "checkpoint_id": backup.checkpoint_id, "cbr_status": backup.status},
        raw=backup.raw,
    )


def service_of(backup: Backup) -> str:
    """"cbr" for a backup in a CBR vault, "vbs" for every other."""
    return "cbr" if backup.service_metadata.get(SERVICE_KEY) == "cbr" else "vbs"


def vault_of(backup: Backup) -> str:
    """The vault a CBR backup lives in ("" for a VBS backup)."""
    if service_of(backup) != "cbr":
        return ""
    return str(backup.service_metadata.get("vault_id", ""))


def _is_disk(backup: CbrBackup) -> bool:
    return backup.is_disk_backup or not backup.resource_type


def _newest(items: list[Any]) -> Any:
    return max(items, key=lambda i: (i.created_at.timestamp() if i.created_at else 0.0))


class DiskSkipped(ApiError):
    """CBR took the checkpoint but will not back up this disk (`skipped_resources`):
    nothing was made for it, so the job is refused with CBR's code."""

    def __init__(self, disk_id: str, code: str, reason: str) -> None:
        super().__init__(status=200, code=code or None, message=reason,
                         method="POST", path="/checkpoints")
        self.reached_server = Reached.YES
        self.message = (f"CBR skipped disk {disk_id}" + (f" with {code}" if code else "")
                        + (f": {reason}" if reason else ""))


class NotSent(CloudError):
    """Refused here, before anything left: the tracker ends the job refused."""

    reached_server = Reached.NO


def _not_found(what: str) -> NotFound:
    return NotFound(status=404, code=None, message=what, method="GET", path="/backups")


class CbrBackupService:
    """Cloud Backup and Recovery disk backups, over one `CloudSession`."""

    label = "CBR"
    services = ("cbr",)

    def __init__(self, session: CloudSession) -> None:
        self.session = session
        self._reading: dict[str, asyncio.Task[list[CbrBackup]]] = {}

    async def project_id(self) -> str:
        return await self.session.project_id()

    async def checkpoint_backups(self, checkpoint_id: str) -> list[CbrBackup]:
        """The backups of one checkpoint.  The jobs of a bulk run's checkpoint poll at the
        same moments: a read already in flight for it is shared, not sent again (never
        anything older than that read)."""
        task = self._reading.get(checkpoint_id)
        if task is None:
            task = asyncio.ensure_future(self.session.cbr.list_backups(
                checkpoint_id=checkpoint_id))
            self._reading[checkpoint_id] = task
            task.add_done_callback(lambda _t: self._reading.pop(checkpoint_id, None))
        return await asyncio.shield(task)

    # -- disks (EVS) -------------------------------------------------------------------

    def volume_pages(self, *, name: str | None = None, status: str | None = None,
                     first_page: int | None = None,
                     first_body: dict[str, Any] | None = None
                     ) -> AsyncIterator[tuple[list[Volume], int | None]]:
        return self.session.evs.volume_pages(name=name, status=status, first_page=first_page,
                                          first_body=first_body)

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]:
        return await self.session.evs.list_volumes(name=name, status=status)

    def volume_record_pages(self, *, name: str | None = None, status: str | None = None
                            ) -> AsyncIterator[tuple[list[Any], int | None]]:
        return self.session.evs.volume_record_pages(name=name, status=status)

    async def get_volume(self, volume_id: str) -> Volume | None:
        return await self.session.evs.get_volume(volume_id)

    # -- vaults --------------------------------------------------------------------------

    async def list_vaults(self) -> list[Vault]:
        """The project's disk vaults, with their disks and capacity."""
        return await self.session.cbr_reader.list_vaults()

    # -- backups -------------------------------------------------------------------------

    async def backup_pages(self, *, volume_id: str | None = None, name: str | None = None,
                           status: str | None = None, vault_id: str | None = None) -> Pages:
        statuses = CBR_STATUSES.get(status, status) if status else None
        async for page, total in self.session.cbr.backup_pages(
                vault_id=vault_id, resource_id=volume_id, name=name, status=statuses):
            yield [as_backup(b) for b in page if _is_disk(b)], total

    async def list_backups(self, *, volume_id: str | None = None, name: str | None = None,
                           status: str | None = None) -> list[Backup]:
        return await all_backups(self.backup_pages(volume_id=volume_id, name=name,
                                                   status=status))

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        """Backups of this disk named exactly `name`, in whichever vault."""
        return [b for b in await self.list_backups(volume_id=volume_id, name=name)
                if b.name == name and b.volume_id == volume_id]

    async def get_backup(self, backup_id: str) -> Backup | None:
        backup = await self.session.cbr.get_backup(backup_id)
        return None if backup is None else as_backup(backup)

    async def delete_backup(self, backup_id: str) -> None:
        await self.session.cbr.delete_backup(backup_id)

    async def get_quota(self) -> Quota:
        # CBR has no quota API: a vault's free capacity is the limit (see preflight).
        raise CloudError("CBR has no backup quota; a vault's free capacity is the limit")

    async def create_backups_together(self, place: str, requests: Sequence[BackupRequest]
                                      ) -> dict[str, str | CloudError]:
        """ONE checkpoint of these disks of vault `place` (a bulk run's disks of one
        vault); per disk the checkpoint id (its job id), or why CBR skipped it.  The
        requests share their name, description and kind: a checkpoint has one of each."""
        first = requests[0]
        if any((r.name, r.description, r.full_backup) != (first.name, first.description,
                                                          first.full_backup)
               for r in requests):
            raise NotSent("the disks of one vault are backed up by one checkpoint, with one "
                          "name and description; nothing was sent")
        if any(r.snapshot_id or r.tags for r in requests):
            raise NotSent("CBR backs up the disks themselves and carries no tags: nothing "
                          "was sent")
        checkpoint_request = CheckpointRequest(
            place, tuple(r.volume_id for r in requests), first.name, first.description,
            incremental=not first.full_backup)
        _check_sendable(checkpoint_request)
        checkpoint = await self.session.cbr.create_checkpoint(checkpoint_request)
        skipped = {s.id: s for s in checkpoint.skipped}
        return {r.volume_id: (DiskSkipped(r.volume_id, skipped[r.volume_id].code,
                                          skipped[r.volume_id].reason)
                              if r.volume_id in skipped else checkpoint.id)
                for r in requests}

    # -- jobs: each has its own port ----------------------------------------------------

    def for_job(self, job: TrackedJob) -> CbrJobPort:
        return CbrJobPort(self, job)

    async def get_job(self, job_id: str) -> Job:
        raise _not_found(f"CBR has no job {job_id}: its jobs are followed through their port")

    async def create_backup(self, request: BackupRequest) -> str:
        raise NotSent("a CBR backup needs its vault: submit it as a job routed to the "
                      "vault (vbstui.ops.routing); nothing was sent")

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        raise NotSent("a CBR restore is submitted as a job (vbstui.ops.routing); nothing "
                      "was sent")


class CbrJobPort:
    """The tracker's calls for one CBR job (its vault, disk and kind)."""

    def __init__(self, service: CbrBackupService, job: TrackedJob) -> None:
        self.service = service
        self.cbr = service.session.cbr
        self.vault_id = job.vault_id
        self.disk_id = job.volume_id
        self.kind = job.kind
        self.backup_id = job.backup_id

    async def project_id(self) -> str:
        return await self.service.project_id()

    async def get_volume(self, volume_id: str) -> Volume | None:
        return await self.service.get_volume(volume_id)

    async def get_backup(self, backup_id: str) -> Backup | None:
        """The backup; for a delete that stopped (no longer `deleting`), with the delete
        task's failure as `error_deleting`, as the tracker knows it from VBS."""
        backup = await self.service.get_backup(backup_id)
        if self.kind is not Kind.DELETE or backup is None or backup.status == "deleting":
            return backup
        task = await self._task("delete", backup_id=backup_id)
        if task is None or not task.failed:
            return backup
        reason = ": ".join(t for t in (task.error_code, task.error_message) if t)
        return replace(backup, status="error_deleting",
                       fail_reason=reason or "CBR could not delete the backup")

    async def delete_backup(self, backup_id: str) -> None:
        await self.service.delete_backup(backup_id)

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        if not self.vault_id:
            return await self.service.find_backups(volume_id, name)
        return [as_backup(b) for b in await self.cbr.find_backups(self.vault_id, volume_id, name)]

    async def create_backup(self, request: BackupRequest) -> str:
        """One checkpoint of this disk in the job's vault; its id is the job id."""
        if not self.vault_id:
            raise NotSent(f"disk {request.volume_id} is in no CBR vault: add it to one "
                          "first; nothing was sent")
        if request.snapshot_id:
            raise NotSent("CBR backs up the disk itself, not one of its snapshots: "
                          "nothing was sent")
        if request.tags:
            raise NotSent("CBR backups carry no tags: remove them to back up into the "
                          "vault; nothing was sent")
        checkpoint_request = CheckpointRequest(
            self.vault_id, (request.volume_id,), request.name, request.description,
            incremental=not request.full_backup)
        _check_sendable(checkpoint_request)
        checkpoint = await self.cbr.create_checkpoint(checkpoint_request)
        for skipped in checkpoint.skipped:
            if skipped.id == request.volume_id:
                raise DiskSkipped(skipped.id, skipped.code, skipped.reason)
        return checkpoint.id

    async def get_job(self, job_id: str) -> Job:
        if self.kind is Kind.RESTORE:
            return await self._restore_job(job_id)
        return await self._create_job(job_id)

    async def _create_job(self, checkpoint_id: str) -> Job:
        """The backup of this checkpoint and disk; a checkpoint without one is "not found"
        (the tracker then searches by disk and name before it gives up)."""
        found = [b for b in await self.service.checkpoint_backups(checkpoint_id)
                 if b.resource_id == self.disk_id and b.checkpoint_id in ("", checkpoint_id)]
        if not found:
            raise _not_found(f"no backup of disk {self.disk_id} in checkpoint {checkpoint_id}")
        backup = _newest(found)
        entities = {"backup_id": backup.id}
        if backup.status == "available":
            return _job(checkpoint_id, "SUCCESS", entities)
        if backup.status == "error":
            task = await self._task("backup", checkpoint_id=checkpoint_id)
            return _job(checkpoint_id, "FAIL", entities, task,
                        default="CBR could not make the backup")
        return _job(checkpoint_id, "RUNNING", entities)

    async def _restore_job(self, handle: str) -> Job:
        task = await self._task("restore", backup_id=self.backup_id)
        entities = {"backup_id": self.backup_id}
        if task is not None and task.id != handle:
            if task.succeeded:
                return _job(handle, "SUCCESS", entities)
            if task.failed:
                return _job(handle, "FAIL", entities, task, default="the restore failed")
            return _job(handle, "RUNNING", entities)
        backup = await self.cbr.get_backup(self.backup_id)
        if backup is None:
            raise _not_found(f"backup {self.backup_id} is gone")
        return _job(handle, "RUNNING" if backup.status == "restoring" else "INIT", entities)

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        """Remember the newest restore task first: the restore's own task comes after it."""
        try:
            before = await self._task("restore", backup_id=backup_id)
        except CloudError as exc:
            raise NotSent(f"{exc.message} (before sending; nothing was sent)") from exc
        await self.cbr.restore_backup(backup_id, volume_id)
        return before.id if before is not None and before.id else backup_id

    async def _task(self, kind: str, *, checkpoint_id: str = "", backup_id: str = ""
                    ) -> OperationLog | None:
        filters: dict[str, str] = {"operation_type": kind}
        if self.vault_id:
            filters["vault_id"] = self.vault_id
        tasks = await self.cbr.tasks_of(checkpoint_id=checkpoint_id, backup_id=backup_id,
                                        **filters)
        mine = [t for t in tasks if t.resource_id in ("", self.disk_id)]
        return _newest(mine) if mine else None


def _check_sendable(request: CheckpointRequest) -> None:
    problems = request.problems()
    if problems:
        said = "; ".join(f"{key}: {', '.join(msgs)}" for key, msgs in problems.items())
        raise NotSent(f"CBR would refuse the backup ({said}); nothing was sent")


def _job(job_id: str, status: str, entities: dict[str, Any], task: OperationLog | None = None,
         *, default: str = "") -> Job:
    code = task.error_code if task is not None else ""
    reason = (task.error_message if task is not None else "") or ("" if code else default)
    return Job(job_id=job_id, status=status, job_type="cbr", begin_time=None, end_time=None,
               error_code=code, fail_reason=reason, entities=entities, sub_jobs=(), raw={})
