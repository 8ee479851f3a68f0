"""What views and screens ask of the app: Textual messages it routes.

Views never call the app; they post one of these and the app hands it to the
collaborator whose job it is (loading, flows, job runner).  Plain classes rather
than dataclasses: each dataclass costs about half a millisecond at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from vbstui.cloud.models import Backup, Volume
from vbstui.jobs import TrackedJob
from vbstui.ops.outcome import Decision

if TYPE_CHECKING:  # the vault rows' code loads when the vaults view opens
    from vbstui.ops.vaults import VaultRow


class ViewRequested(Message):
    def __init__(self, view: str) -> None:
        super().__init__()
        self.view = view  # "volumes", "backups" or "jobs"


class RefreshRequested(Message):
    def __init__(self, view: str) -> None:
        super().__init__()
        self.view = view


class RawJsonRequested(Message):
    def __init__(self, title: str, data: Any) -> None:
        super().__init__()
        self.title = title
        self.data = data


class BackupRequested(Message):
    def __init__(self, volumes: list[Volume]) -> None:
        super().__init__()
        self.volumes = volumes


class RetryRequested(Message):
    def __init__(self, job: TrackedJob | None) -> None:
        super().__init__()
        self.job = job  # the failed backups of this job's run (None: the latest run)


class BackupsOfDiskRequested(Message):
    def __init__(self, volume_id: str | None) -> None:
        super().__init__()
        self.volume_id = volume_id  # None: the backups of every disk


class RestoreRequested(Message):
    def __init__(self, backup: Backup) -> None:
        super().__init__()
        self.backup = backup


class DeleteRequested(Message):
    def __init__(self, backups: list[Backup]) -> None:
        super().__init__()
        self.backups = backups


class DecisionRequested(Message):
    """The user asked (a key in the jobs view or panel) for this decision on a job whose
    outcome is unknown; the flows confirm it first where it cannot be taken back."""

    def __init__(self, job: TrackedJob, decision: Decision) -> None:
        super().__init__()
        self.job = job
        self.decision = decision


class VaultDisksRequested(Message):
    """Enter in the vaults view: the disks of this vault."""

    def __init__(self, vault: VaultRow) -> None:
        super().__init__()
        self.vault = vault


class AddDisksRequested(Message):
    """The disks marked in the volumes view, to be added to this vault."""

    def __init__(self, vault: VaultRow) -> None:
        super().__init__()
        self.vault = vault


class CreateVaultRequested(Message):
    """`n` in the vaults view: a new disk vault."""


class ShareRequested(Message):
    """`s` in the backups view: share this backup with other projects."""

    def __init__(self, backup: Backup) -> None:
        super().__init__()
        self.backup = backup


class SharesRequested(Message):
    """`S` in the backups view: the shares of this project's backups (and revoking)."""


class PruneRequested(Message):
    """`P` in the volumes view: keep the newest N backups of these disks."""

    def __init__(self, volumes: list[Volume]) -> None:
        super().__init__()
        self.volumes = volumes
