"""Where each disk's backups go and which vault a backup is in, for the headless listings:
the PROTECTION column of `vbstui volumes`, the SERVICE and VAULT columns of
`vbstui backups`, and the same in their `--json` records.

The routing rule is `vbstui.ops.routing`'s (a disk in a vault is backed up there, else
in VBS where the project has it); this only turns its answers into cells and records,
from one vault listing per command, never one per disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vbstui.cloud.cbr_vault_models import Vault
from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup
from vbstui.ops.routing import Route, backup_place, offers, routes_for, vaults_of
from vbstui.ops.service import BackupService

_IN_NO_VAULT = ""  # no disk has an empty id
UNKNOWN = "?"  # the vaults could not be listed
NONE = "none"  # a disk whose backups go nowhere yet (CBR only, in no vault)
VAULT_WIDTH = 20  # a vault's name in a table cell, cut with … past this


class Protections:
    """The project's vaults, read once, and what they mean for disks and backups."""

    def __init__(self, service: BackupService, vaults: Sequence[Vault], *,
                 problem: str = "") -> None:
        self.service = service
        self.vaults = list(vaults)
        self.shown = offers(service, "cbr")  # the columns exist only with CBR
        self.problem = problem  # why the vaults are not known ("": they are)
        self._names = {v.id: v.name for v in self.vaults}
        self._records: dict[tuple[str, str], dict[str, Any] | None] = {}
        # The rule asked once for the disks of every vault and once for a disk in none
        # (whose route does not depend on which disk it is): a listing of 50,000 disks
        # then costs a lookup per disk, not a pass over every vault per page.
        held = [disk for vault in self.vaults for disk in vault.disk_ids]
        self._held = routes_for(service, held, self.vaults)
        self._elsewhere = routes_for(service, [_IN_NO_VAULT], self.vaults)[_IN_NO_VAULT]
        self._held_records = {disk: self.record(route) for disk, route in self._held.items()}
        self._elsewhere_record = self.record(self._elsewhere)

    @property
    def known(self) -> bool:
        return not self.problem

    @classmethod
    async def read(cls, service: BackupService) -> Protections:
        """One vault listing (none at all without CBR).  A listing that fails leaves the
        protection unknown: the disks and backups are still listed."""
        try:
            return cls(service, await vaults_of(service))
        except CloudError as exc:
            return cls(service, [], problem=exc.message)

    def forget_vaults(self) -> None:
        """Keep only each disk's `protection` record (`disk_record`; `route` and
        `vault_name` know no vault after this): a streamed listing of 50,000 disks then
        does not hold the vaults' parsed resources while it runs."""
        self.vaults, self._held, self._names = [], {}, {}

    def route(self, volume_id: str) -> Route:
        return self._held.get(volume_id, self._elsewhere)

    def disk_record(self, volume_id: object) -> dict[str, Any] | None:
        """`protection` for a disk record's id (any value a server sent)."""
        if isinstance(volume_id, str):
            return self._held_records.get(volume_id, self._elsewhere_record)
        return self._elsewhere_record

    def label(self, route: Route) -> str:
        """The PROTECTION cell: the vault's name, `VBS`, `none`, or `?` (not known)."""
        if not self.known:
            return UNKNOWN
        if route.vault is not None:
            return route.vault.name or route.vault.id
        return "VBS" if route.service == "vbs" else NONE

    def record(self, route: Route) -> dict[str, Any] | None:
        """`protection` in a disk's `vbstui` object: one shared dict per vault, so a
        listing of 50,000 disks builds a handful."""
        key = (route.service, route.vault_id)
        if key not in self._records:
            if not route.sendable:
                self._records[key] = None
            else:
                self._records[key] = {
                    "service": route.service, "vault_id": route.vault_id or None,
                    "vault_name": (route.vault.name or None) if route.vault else None}
        return self._records[key]

    def vault_name(self, backup: Backup) -> str:
        """The name of the vault a CBR backup is in ("" for VBS, or a vault not listed)."""
        _service, vault_id = backup_place(backup)
        return self._names.get(vault_id, "")
