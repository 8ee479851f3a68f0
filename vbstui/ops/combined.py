"""VBS and CBR side by side, for a project in the middle of the migration.

Listings hold the backups of both services, each marked (`cbr_service.service_of`);
a job goes to the service it belongs to (its `service`, decided by
`vbstui.ops.routing`: CBR when the disk sits in a vault, else VBS).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from vbstui.cloud.cbr_vault_models import Vault
from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup, Job, Quota, Volume
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import TrackedJob
from vbstui.jobs.ports import BackupService as TrackedService
from vbstui.ops.cbr_service import CbrBackupService, service_of
from vbstui.ops.service import VbsBackupService, all_backups

Pages = AsyncIterator[tuple[list[Backup], int | None]]
_REMEMBERED = 100_000  # backup ids whose service a listing told us


class CombinedBackupService:
    """Both backup services of one project; EVS disks are shared."""

    label = "VBS + CBR"
    services = ("vbs", "cbr")

    def __init__(self, vbs: VbsBackupService, cbr: CbrBackupService) -> None:
        self.vbs = vbs
        self.cbr = cbr
        self._service_of: dict[str, str] = {}

    async def project_id(self) -> str:
        return await self.vbs.project_id()

    # -- disks ---------------------------------------------------------------------------

    def volume_pages(self, *, name: str | None = None, status: str | None = None,
                     first_page: int | None = None,
                     first_body: dict[str, Any] | None = None
                     ) -> AsyncIterator[tuple[list[Volume], int | None]]:
        return self.vbs.volume_pages(name=name, status=status, first_page=first_page,
                                          first_body=first_body)

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]:
        return await self.vbs.list_volumes(name=name, status=status)

    def volume_record_pages(self, *, name: str | None = None, status: str | None = None
                            ) -> AsyncIterator[tuple[list[Any], int | None]]:
        return self.vbs.volume_record_pages(name=name, status=status)

    async def get_volume(self, volume_id: str) -> Volume | None:
        return await self.vbs.get_volume(volume_id)

    async def list_vaults(self) -> list[Vault]:
        return await self.cbr.list_vaults()

    # -- backups of both -----------------------------------------------------------------

    async def backup_pages(self, *, volume_id: str | None = None, name: str | None = None,
                           status: str | None = None) -> Pages:
        """VBS's backups, then CBR's; no total (two listings have no one total)."""
        for service in (self.vbs, self.cbr):
            async for page, _total in service.backup_pages(volume_id=volume_id, name=name,
                                                           status=status):
                self._remember(page)
                yield page, None

    async def list_backups(self, *, volume_id: str | None = None, name: str | None = None,
                           status: str | None = None) -> list[Backup]:
        return await all_backups(self.backup_pages(volume_id=volume_id, name=name,
                                                   status=status))

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        return [*await self.vbs.find_backups(volume_id, name),
                *await self.cbr.find_backups(volume_id, name)]

    async def get_backup(self, backup_id: str) -> Backup | None:
        """From the service a listing said it is in; otherwise VBS first, then CBR."""
        order = [self.vbs, self.cbr]
        if self._service_of.get(backup_id) == "cbr":
            order.reverse()
        for service in order:
            backup = await service.get_backup(backup_id)
            if backup is not None:
                self._remember([backup])
                return backup
        return None

    async def delete_backup(self, backup_id: str) -> None:
        backup = await self.get_backup(backup_id)
        owner = self.cbr if backup is not None and service_of(backup) == "cbr" else self.vbs
        await owner.delete_backup(backup_id)

    async def get_quota(self) -> Quota:
        return await self.vbs.get_quota()  # VBS's quota; CBR's limit is a vault's capacity

    def _remember(self, backups: list[Backup]) -> None:
        if len(self._service_of) > _REMEMBERED:
            self._service_of.clear()
        for backup in backups:
            self._service_of[backup.id] = service_of(backup)

    # -- jobs go where they belong -------------------------------------------------------

    def for_job(self, job: TrackedJob) -> TrackedService:
        return self.cbr.for_job(job) if job.service == "cbr" else self.vbs.for_job(job)

    async def create_backups_together(self, place: str, requests: Sequence[BackupRequest]
                                      ) -> dict[str, str | CloudError]:
        """Only CBR backs up several disks with one request (a vault's checkpoint)."""
        return await self.cbr.create_backups_together(place, requests)

    async def get_job(self, job_id: str) -> Job:
        return await self.vbs.get_job(job_id)

    async def create_backup(self, request: BackupRequest) -> str:
        return await self.vbs.create_backup(request)

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        return await self.vbs.restore_backup(backup_id, volume_id)
