"""Creating a CBR disk vault: the fields checked as you type, a plan with the disks that
go into it (checked like an add), a confirmation that says it costs money, and one
create request, never resent: after an answer that may be lost, a new vault of the name
is looked for and taken as ours, or the outcome is reported unknown."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vbstui.cloud.cbr_models import MB_PER_GB, Vault
from vbstui.cloud.cbr_requests import VaultRequest
from vbstui.cloud.errors import CloudError, Reached
from vbstui.cloud.models import Volume
from vbstui.cloud.validation import ValidationFailed
from vbstui.ops.preflight import DiskRefusal, fresh_volumes
from vbstui.ops.routing import vaults_of
from vbstui.ops.service import BackupService
from vbstui.ops.vault_changes import add_refusal, capacity_warnings, disk_list
from vbstui.ops.vaults import cbr_client
from vbstui.textsafe import visible


def vault_create_problems(name: str, size_gb: int | str, description: str = ""
                          ) -> dict[str, list[str]]:
    """Problems with the fields typed for a new vault, keyed by field (as you type);
    the size may be the text typed."""
    size = size_gb
    if isinstance(size_gb, str):
        text = size_gb.strip()
        size = int(text) if text.isascii() and text.isdigit() else -1
    problems = VaultRequest(name=name, size_gb=size, description=description).problems()
    if size == -1:
        problems["size_gb"] = ["must be a whole number of GB"]
    return problems


@dataclass(frozen=True)
class VaultCreatePlan:
    """A new disk vault: the request, the disks that go into it, the ones refused."""

    request: VaultRequest
    disks: list[Volume]
    refused: list[DiskRefusal]
    ids_before: frozenset[str] = frozenset()  # vault ids named like it before sending
    warnings: tuple[str, ...] = ()

    def confirmation(self) -> str:
        req = self.request
        head = (f"Create disk vault '{visible(req.name)}' of {req.size_gb} GB? It costs "
                "money: the vault's capacity is billed whether it is used or not.")
        if self.disks:
            head += (f"\nIt will hold {len(self.disks)} disk"
                     f"{'s' if len(self.disks) != 1 else ''}:\n{disk_list(self.disks)}")
        return "\n".join([head, *self.warnings])

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.request.name, "size_gb": self.request.size_gb,
                "volume_ids": [v.id for v in self.disks],
                "refused": [r.as_dict() for r in self.refused],
                "warnings": list(self.warnings)}


async def plan_create_vault(service: BackupService, name: str, size_gb: int,
                            volume_ids: Sequence[str] = (), description: str = ""
                            ) -> VaultCreatePlan:
    """The vault request and its disks checked like an add; `ValidationFailed` (nothing
    sent) for bad fields."""
    problems = vault_create_problems(name, size_gb, description)
    if problems:
        raise ValidationFailed(problems)
    wanted = list(dict.fromkeys(volume_ids))
    volumes, vaults = await asyncio.gather(
        fresh_volumes(service, wanted) if wanted else _none(), vaults_of(service))
    holders = {disk: v for v in vaults for disk in v.disk_ids}
    blank = Vault.from_api({"id": "", "name": name, "billing": {"status": "available"}})
    disks: list[Volume] = []
    refused: list[DiskRefusal] = []
    for volume_id in wanted:
        volume = volumes.get(volume_id)
        refusal = add_refusal(volume_id, volume, blank, holders)
        if refusal is not None:
            refused.append(refusal)
        elif volume is not None:
            disks.append(volume)
    request = VaultRequest(name=name, size_gb=size_gb, description=description,
                           disk_ids=tuple(v.id for v in disks))
    problems = request.problems()
    if problems:
        raise ValidationFailed(problems)
    before = frozenset(v.id for v in vaults if v.name == name)
    warnings = capacity_warnings(disks, size_gb * MB_PER_GB, "the new vault has")
    if before:  # CBR takes a second vault of the same name
        warnings = (f"Warning: a vault named '{visible(name)}' exists already "
                    f"({', '.join(sorted(before))}): this one is billed too, and the name "
                    "will no longer pick one vault (use its id).", *warnings)
    return VaultCreatePlan(request, disks, refused, before, warnings)


async def _none() -> dict[str, Volume]:
    return {}


class VaultOutcomeUnknown(CloudError):
    """The create may have reached CBR and no new vault of its name shows."""

    reached_server = Reached.MAYBE


async def create_vault(service: BackupService, plan: VaultCreatePlan) -> Vault:
    """Create the vault, sent once (a second one would be billed too).  After an answer
    that may be lost, a new vault of the name is looked for and taken as ours."""
    client = cbr_client(service)
    try:
        return await client.create_vault(plan.request)
    except CloudError as exc:
        if exc.reached_server is not Reached.MAYBE:
            raise
        try:
            found = [v for v in await client.list_vaults(name=plan.request.name)
                     if v.name == plan.request.name and v.id not in plan.ids_before]
        except CloudError:
            found = []
        if len(found) == 1:
            return found[0]
        raise VaultOutcomeUnknown(
            f"the vault may or may not have been created ({exc.message}): check the vaults "
            "(`vbstui vaults`, or the vaults view) before creating it again (a second "
            "vault is billed too)") from exc
