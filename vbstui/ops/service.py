"""The backup-service seam: disks, backups, jobs and quotas, whatever service holds them.

The front ends and the job tracker speak of disks, backups and jobs through a
`BackupService`; only an implementation knows the wire protocol behind it: VBS
here (`VbsBackupService`), CBR in `vbstui.ops.cbr_service`, both side by side in
`vbstui.ops.combined`; `vbstui.ops.routing.open_backup_service` picks the one the
project's catalog calls for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from vbstui.cloud.listing_text import RecordList
from vbstui.cloud.models import Backup, Job, Quota, Volume
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs.model import Kind, TrackedJob
from vbstui.jobs.ports import BackupService as TrackedService

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

Pages = AsyncIterator[tuple[list[Backup], int | None]]
VolumePages = AsyncIterator[tuple[list[Volume], int | None]]
RecordPages = AsyncIterator[tuple[RecordList, int | None]]


async def all_backups(pages: Pages) -> list[Backup]:
    """Every backup of a paged listing, in the order the pages came."""
    found: list[Backup] = []
    async for page, _total in pages:
        found.extend(page)
    return found


class BackupService(TrackedService):
    """Everything the operations and the front ends need from a backup service."""

    label: str  # what the user calls it: "VBS"

    def volume_pages(self, *, name: str | None = None, status: str | None = None,
                     first_page: int | None = None,
                     first_body: dict[str, Any] | None = None) -> VolumePages: ...

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]: ...

    def volume_record_pages(self, *, name: str | None = None, status: str | None = None
                            ) -> RecordPages: ...

    def backup_pages(self, *, volume_id: str | None = None, name: str | None = None,
                     status: str | None = None) -> Pages: ...

    async def list_backups(self, *, volume_id: str | None = None, name: str | None = None,
                           status: str | None = None) -> list[Backup]: ...

    async def get_quota(self) -> Quota: ...


class VbsBackupService:
    """Volume Backup Service backups of EVS disks, over one `CloudSession`."""

    label = "VBS"
    services = ("vbs",)

    def __init__(self, session: CloudSession) -> None:
        self.session = session

    async def project_id(self) -> str:
        return await self.session.project_id()

    # -- disks (EVS) -------------------------------------------------------------------

    def volume_pages(self, *, name: str | None = None, status: str | None = None,
                     first_page: int | None = None,
                     first_body: dict[str, Any] | None = None) -> VolumePages:
        return self.session.evs.volume_pages(name=name, status=status, first_page=first_page,
                                          first_body=first_body)

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]:
        return await self.session.evs.list_volumes(name=name, status=status)

    def volume_record_pages(self, *, name: str | None = None, status: str | None = None
                            ) -> RecordPages:
        """The disks as EVS sent them, for output that passes records through."""
        return self.session.evs.volume_record_pages(name=name, status=status)

    async def get_volume(self, volume_id: str) -> Volume | None:
        return await self.session.evs.get_volume(volume_id)

    # -- backups and jobs (VBS) ----------------------------------------------------------

    def backup_pages(self, *, volume_id: str | None = None, name: str | None = None,
                     status: str | None = None) -> Pages:
        return self.session.vbs.backup_pages(volume_id=volume_id, name=name, status=status)

    async def list_backups(self, *, volume_id: str | None = None, name: str | None = None,
                           status: str | None = None) -> list[Backup]:
        return await self.session.vbs.list_backups(volume_id=volume_id, name=name,
                                                   status=status)

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        return await self.session.vbs.list_backups(volume_id=volume_id, name=name)

    async def get_backup(self, backup_id: str) -> Backup | None:
        return await self.session.vbs.get_backup(backup_id)

    async def get_job(self, job_id: str) -> Job:
        return await self.session.vbs.get_job(job_id)

    async def backups_in_progress(self) -> tuple[list[Backup], int]:
        """Every backup VBS is still making, and the pages that took: one listing tells
        the tracker about all of a run's running create jobs (`vbstui.jobs.shared_looks`)."""
        found: list[Backup] = []
        pages = 0
        async for page, _total in self.session.vbs.backup_pages(status="creating"):
            found.extend(page)
            pages += 1
        return found, pages

    def for_job(self, job: TrackedJob) -> TrackedService:
        """A policy run's task is read from its policy's task list; other jobs here."""
        if job.kind is Kind.POLICY_RUN:
            from vbstui.ops.policy_runs import policy_task_port  # noqa: PLC0415 - LAZY_IMPORTS

            return policy_task_port(self, self.session, job)
        return self

    async def create_backup(self, request: BackupRequest) -> str:
        return await self.session.vbs.create_backup(request)

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        return await self.session.vbs.restore_backup(backup_id, volume_id)

    async def delete_backup(self, backup_id: str) -> None:
        await self.session.vbs.delete_backup(backup_id)

    async def get_quota(self) -> Quota:
        return await self.session.vbs.get_quota()
