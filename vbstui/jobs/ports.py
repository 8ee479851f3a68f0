"""What the job tracker needs from a backup service.

The tracker sits below the operations layer, so it names the calls it makes here
and the operations layer hands it an implementation.  The tracker never builds a
URL or knows which API version a job lives under.

A service that holds jobs of more than one kind (CBR vaults; VBS and CBR side by
side) also offers `JobRouting`: the tracker then asks it for the port of each job
(by the job's `service` and `vault_id`), and that port answers the same calls for
that one job — `get_job` of a CBR job reads the backup of its checkpoint and disk.

A port that can list every backup it is still making (`BackupsInProgress`) lets the
tracker look at many running create jobs with one call (`vbstui.jobs.shared_looks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup, Job, Volume
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs.model import TrackedJob


class BackupService(Protocol):
    """Disks, backups and jobs of one project, as the tracker sees them."""

    async def project_id(self) -> str: ...

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        """Backups of this disk with exactly this name (what an unanswered create may have
        made)."""
        ...

    async def get_backup(self, backup_id: str) -> Backup | None: ...

    async def get_volume(self, volume_id: str) -> Volume | None: ...

    async def get_job(self, job_id: str) -> Job: ...

    async def create_backup(self, request: BackupRequest) -> str:
        """Send one create request (never resent here); the job id."""
        ...

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        """Send one restore request (never resent here); the job id."""
        ...

    async def delete_backup(self, backup_id: str) -> None: ...


@runtime_checkable
class JobRouting(Protocol):
    """A service whose jobs live in different places: the port that answers for one job."""

    def for_job(self, job: TrackedJob) -> BackupService: ...


@runtime_checkable
class TogetherCreate(Protocol):
    """A service that backs up several disks of one place with one request (a CBR
    checkpoint of a vault's disks): each disk still gets its own job."""

    async def create_backups_together(self, place: str, requests: Sequence[BackupRequest]
                                      ) -> dict[str, str | CloudError]:
        """Send ONE request for all `requests` (never resent here); per disk, its job id or
        why the service refused that disk alone."""
        ...


@runtime_checkable
class BackupsInProgress(Protocol):
    """A port that lists every backup of the project its service is still making (VBS:
    status `creating`): one listing tells about all the running create jobs at once."""

    async def backups_in_progress(self) -> tuple[list[Backup], int]:
        """The backups being made, and how many calls (pages) the listing took."""
        ...
