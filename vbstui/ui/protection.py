"""What the PROTECTION column of the volumes view and the SERVICE column of the backups
view show: where each disk's backups go (its vault, VBS, or nowhere yet) and the names of
the vaults, from one vault listing per refresh of the volumes view.

The routing rule is `vbstui.ops.routing`'s; this only keeps its answers for the rows
on screen, so a cell costs a lookup.  Until the vault listing has come, the cells are
empty: the listing starts once the disks' first rows are on screen, and never delays them.
"""

from __future__ import annotations

from collections.abc import Iterable

from vbstui.cloud.cbr_vault_models import Vault
from vbstui.cloud.models import Backup
from vbstui.ops.routing import Route, backup_place, offers, routes_for
from vbstui.ops.service import BackupService

NO_VAULT = "—"  # a CBR-only project's disk in no vault: not protected


class Protection:
    def __init__(self) -> None:
        self.service: BackupService | None = None
        self.vaults: list[Vault] = []
        self.known = False  # the vault listing has come
        self._routes: dict[str, Route] = {}
        self._names: dict[str, str] = {}

    @property
    def shown(self) -> bool:
        """The columns are shown only when the project has CBR."""
        return self.service is not None and offers(self.service, "cbr")

    def reset(self, service: BackupService | None) -> None:
        """A new connection (or profile): nothing is known of its vaults yet."""
        self.service = service
        self.vaults = []
        self.known = False
        self._routes.clear()
        self._names.clear()

    def set_vaults(self, vaults: list[Vault], volume_ids: Iterable[str]) -> None:
        """A fresh vault listing, applied to every disk loaded so far."""
        self.vaults = vaults
        self.known = True
        self._names = {v.id: v.name for v in vaults}
        self._routes.clear()
        self.add_disks(volume_ids)

    def add_disks(self, volume_ids: Iterable[str]) -> None:
        """Routes for disks loaded after the vault listing came."""
        if self.known and self.service is not None:
            self._routes.update(routes_for(self.service, list(volume_ids), self.vaults))

    def route(self, volume_id: str) -> Route | None:
        return self._routes.get(volume_id)

    def label(self, volume_id: str) -> str:
        """A disk's protection: its vault's name, `VBS`, or — (none)."""
        route = self._routes.get(volume_id)
        if route is None:
            return ""
        if route.service == "vbs":
            return "VBS"
        return route.vault.name if route.vault is not None else NO_VAULT

    def vault_name(self, vault_id: str) -> str:
        return self._names.get(vault_id) or vault_id[:8]

    def backup_label(self, backup: Backup) -> str:
        """A backup's service: `VBS`, or `CBR` and its vault."""
        service, vault_id = backup_place(backup)
        if service != "cbr":
            return "VBS"
        return f"CBR {self.vault_name(vault_id)}" if vault_id else "CBR"
