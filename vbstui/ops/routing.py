"""Which backup service a disk's backup goes to, and the service object for a project.

The project's token catalog says which backup services it has (`Endpoints.backup_services`,
a profile may pin one).  With CBR, a disk that sits in a disk vault is backed up into
that vault; with VBS as well, every other disk goes to VBS; with CBR only, a disk in no
vault cannot be backed up until it is added to one (the pre-flight says so and names the
vaults with room).  Both front ends call these; neither decides it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vbstui.cloud.cbr_vault_models import Vault
from vbstui.cloud.models import Backup
from vbstui.ops.cbr_service import CbrBackupService, service_of, vault_of
from vbstui.ops.combined import CombinedBackupService
from vbstui.ops.service import BackupService, VbsBackupService

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession


@dataclass(frozen=True)
class Route:
    """Where a backup of one disk is made: `service` "vbs" or "cbr", and the vault."""

    service: str
    vault: Vault | None = None

    @property
    def vault_id(self) -> str:
        return self.vault.id if self.vault is not None else ""

    @property
    def sendable(self) -> bool:
        """A CBR backup needs a vault; VBS needs nothing more."""
        return self.service == "vbs" or self.vault is not None


VBS = Route("vbs")


async def open_backup_service(session: CloudSession) -> BackupService:
    """The service for what the project offers: VBS, CBR, or both.  Raises
    `EndpointNotFound` (with what to do) when it has neither."""
    offered = (await session.endpoints()).require_backup_service()
    if offered == ("cbr",):
        return CbrBackupService(session)
    if "cbr" in offered:
        return CombinedBackupService(VbsBackupService(session), CbrBackupService(session))
    return VbsBackupService(session)


def offers(service: BackupService, name: str) -> bool:
    """Whether `service` works with backup service `name` ("vbs" or "cbr")."""
    return name in getattr(service, "services", ("vbs",))


async def vaults_of(service: BackupService) -> list[Vault]:
    """The project's disk vaults ([] without CBR)."""
    if not offers(service, "cbr"):
        return []
    lister = getattr(service, "list_vaults")  # noqa: B009 - only CBR services have vaults
    vaults: list[Vault] = await lister()
    return [v for v in vaults if v.is_disk_vault or not v.object_type]


def routes_for(service: BackupService, volume_ids: Sequence[str], vaults: Sequence[Vault]
               ) -> dict[str, Route]:
    """Each disk's route: the vault holding it, else VBS where the project has it, else
    CBR without a vault (not sendable)."""
    holder = {disk: vault for vault in vaults for disk in vault.disk_ids}
    fallback = VBS if offers(service, "vbs") else Route("cbr")
    return {disk: Route("cbr", holder[disk]) if disk in holder else fallback
            for disk in volume_ids}


async def disk_routes(service: BackupService, volume_ids: Sequence[str]) -> dict[str, Route]:
    """Each disk's route, from one listing of the vaults (none without CBR)."""
    return routes_for(service, volume_ids, await vaults_of(service))


def vaults_with_room(vaults: Sequence[Vault], size_gb: int | None = None) -> list[Vault]:
    """Disk vaults that can take one more disk (and, with a size, its data), roomiest first."""
    def fits(vault: Vault) -> bool:
        if vault.status not in ("available", "unknown") or vault.resource_room <= 0:
            return False
        free = vault.free_gb
        return free is None or (free > 0 and (size_gb is None or free >= size_gb))

    return sorted((v for v in vaults if fits(v)), key=lambda v: -(v.free_gb or 0.0))


def backup_place(backup: Backup) -> tuple[str, str]:
    """(service, vault id) of an existing backup: what its restore or delete job needs."""
    return service_of(backup), vault_of(backup)
