"""Changing CBR vaults: adding disks to a vault, removing them, creating a disk vault.

Each change is planned first from fresh server data (which disks go, which CBR would
refuse and why, with its BackupService code), confirmed by the user with a text that
names the disks, then applied and reported per disk.  None of these requests has an
idempotency token, so none is resent blindly: after an answer that may be lost, the
vault (or the vault listing) is read again and what is true is reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vbstui.cloud.cbr import CbrClient
from vbstui.cloud.cbr_models import MAX_VAULT_RESOURCES, MB_PER_GB, Vault
from vbstui.cloud.cbr_requests import VaultRequest
from vbstui.cloud.errors import ApiError, CloudError, Reached
from vbstui.cloud.models import Volume
from vbstui.cloud.validation import ValidationFailed
from vbstui.ops.preflight import DiskRefusal, fresh_volumes, gb_text
from vbstui.ops.routing import vaults_of
from vbstui.ops.service import BackupService
from vbstui.ops.vaults import cbr_client
from vbstui.textsafe import visible

NOT_FOUND = "BackupService.7000"
VAULT_STATE = "BackupService.6113"
ALREADY_HERE = "BackupService.7006"
IN_OTHER_VAULT = "BackupService.6103"
VBS_BOUND = "BackupService.6108"
TOO_MANY = "BackupService.6100"
NOT_IN_VAULT = "BackupService.6135"
RUNNING = "BackupService.6125"
LISTED_DISKS = 20  # disks named in a confirmation before "… and N more"


def vbs_policy_of(volume: Volume) -> str:
    """The VBS backup policy the disk is bound to (EVS `metadata.policy`), or ""."""
    metadata = volume.raw.get("metadata")
    if not isinstance(metadata, dict):
        return ""
    policy = metadata.get("policy")
    return policy.strip() if isinstance(policy, str) else ""


def _label(volume_id: str, volume: Volume | None) -> str:
    if volume is not None and volume.name:
        return f"'{visible(volume.name)}'"
    return volume_id


def _disk_list(volumes: Sequence[Volume]) -> str:
    lines = [f"  {v.id}  {visible(v.name) or '(no name)'}  "
             f"{'?' if v.size_gb is None else v.size_gb} GB" for v in volumes[:LISTED_DISKS]]
    if len(volumes) > LISTED_DISKS:
        lines.append(f"  … and {len(volumes) - LISTED_DISKS} more")
    return "\n".join(lines)


# -- add and remove ---------------------------------------------------------------------


@dataclass(frozen=True)
class VaultChangePlan:
    """Disks to add to (or remove from) a vault, and the ones CBR would refuse."""

    action: str  # "add" or "remove"
    vault: Vault
    disks: list[Volume]
    refused: list[DiskRefusal]
    warnings: tuple[str, ...] = ()  # e.g. too little free capacity for their backups

    @property
    def sendable(self) -> bool:
        return bool(self.disks)

    def confirmation(self) -> str:
        name = visible(self.vault.name)
        count = f"{len(self.disks)} disk{'s' if len(self.disks) != 1 else ''}"
        if self.action == "add":
            head = (f"Add {count} to vault '{name}' ({self.vault.id})? Their backups will "
                    "use the vault's capacity, which is billed.")
        else:
            head = (f"Remove {count} from vault '{name}' ({self.vault.id})? The vault's "
                    "backups of them stay (and keep using its capacity), but no new backup "
                    "of them is made there.")
        return "\n".join([head, _disk_list(self.disks), *self.warnings])

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "vault_id": self.vault.id, "vault_name": self.vault.name,
                "volume_ids": [v.id for v in self.disks],
                "refused": [r.as_dict() for r in self.refused],
                "warnings": list(self.warnings)}


def add_refusal(volume_id: str, volume: Volume | None, vault: Vault,
                holders: dict[str, Vault]) -> DiskRefusal | None:
    """Why CBR would not add this disk to `vault`, in the order it checks."""
    disk = _label(volume_id, volume)
    if vault.status not in ("available", "unknown"):
        return DiskRefusal(volume_id, disk, VAULT_STATE,
                           f"vault '{visible(vault.name)}' is '{vault.status}'")
    if volume is None:
        return DiskRefusal(volume_id, disk, NOT_FOUND, "not found")
    holder = holders.get(volume_id)
    if holder is not None and holder.id == vault.id:
        return DiskRefusal(volume_id, disk, ALREADY_HERE,
                           f"already in vault '{visible(vault.name)}'")
    if holder is not None:
        return DiskRefusal(volume_id, disk, IN_OTHER_VAULT,
                           f"in vault '{visible(holder.name)}' ({holder.id}); a disk can be "
                           "in one vault only: remove it there first")
    policy = vbs_policy_of(volume)
    if policy:
        return DiskRefusal(volume_id, disk, VBS_BOUND,
                           f"bound to VBS backup policy {visible(policy)}; unlink it from "
                           "the VBS policy first")
    return None


async def plan_add_disks(service: BackupService, vault: Vault, volume_ids: Sequence[str]
                         ) -> VaultChangePlan:
    """Which of these disks can join `vault` now (fresh disks and vaults)."""
    wanted = list(dict.fromkeys(volume_ids))
    volumes, vaults = await asyncio.gather(fresh_volumes(service, wanted), vaults_of(service))
    fresh = next((v for v in vaults if v.id == vault.id), vault)
    holders = {disk: v for v in vaults for disk in v.disk_ids}
    room = MAX_VAULT_RESOURCES - len(fresh.resources)
    disks: list[Volume] = []
    refused: list[DiskRefusal] = []
    for volume_id in wanted:
        volume = volumes.get(volume_id)
        refusal = add_refusal(volume_id, volume, fresh, holders)
        if refusal is None and len(disks) >= room:
            refusal = DiskRefusal(volume_id, _label(volume_id, volume), TOO_MANY,
                                  f"vault '{visible(fresh.name)}' holds {len(fresh.resources)}"
                                  f" of {MAX_VAULT_RESOURCES} resources")
        if refusal is not None:
            refused.append(refusal)
        elif volume is not None:
            disks.append(volume)
    return VaultChangePlan("add", fresh, disks, refused,
                           _capacity_warnings(disks, fresh.free_mb, "the vault has"))


async def plan_remove_disks(service: BackupService, vault: Vault, volume_ids: Sequence[str]
                            ) -> VaultChangePlan:
    """Which of these disks can leave `vault` now: those in it with no backup running."""
    wanted = list(dict.fromkeys(volume_ids))
    client = cbr_client(service)
    volumes, fresh = await asyncio.gather(fresh_volumes(service, wanted),
                                          client.get_vault(vault.id))
    fresh = fresh or vault
    running = {b.resource_id for b in await client.list_backups(vault_id=fresh.id,
                                                               status="protecting")}
    disks: list[Volume] = []
    refused: list[DiskRefusal] = []
    for volume_id in wanted:
        volume = volumes.get(volume_id)
        disk = _label(volume_id, volume)
        if not fresh.holds(volume_id):
            refused.append(DiskRefusal(volume_id, disk, NOT_IN_VAULT,
                                       f"not in vault '{visible(fresh.name)}'"))
        elif volume_id in running or (volume is not None and volume.status == "backing-up"):
            refused.append(DiskRefusal(volume_id, disk, RUNNING, "a backup of it is running"))
        else:
            disks.append(volume or Volume.from_api({"id": volume_id, "status": "unknown"}))
    return VaultChangePlan("remove", fresh, disks, refused)


@dataclass(frozen=True)
class DiskOutcome:
    """What became of one disk of an applied change."""

    volume_id: str
    disk: str
    done: bool
    code: str = ""
    message: str = ""

    def text(self) -> str:
        if self.done:
            return f"disk {self.disk}: done"
        said = f" ({self.code})" if self.code else ""
        return f"disk {self.disk}: not changed{said}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"volume_id": self.volume_id, "done": self.done, "code": self.code or None,
                "message": self.message or None}


@dataclass(frozen=True)
class VaultChangeResult:
    plan: VaultChangePlan
    outcomes: list[DiskOutcome]

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(o.done for o in self.outcomes)

    def lines(self) -> list[str]:
        return [o.text() for o in self.outcomes]

    def as_dict(self) -> dict[str, Any]:
        return {**self.plan.as_dict(), "ok": self.ok,
                "outcomes": [o.as_dict() for o in self.outcomes]}


async def apply_vault_change(service: BackupService, plan: VaultChangePlan
                             ) -> VaultChangeResult:
    """Send the plan's one add or remove request and report each disk.  A refusal is
    every disk's; an answer that may be lost is settled by reading the vault again."""
    client = cbr_client(service)
    ids = [v.id for v in plan.disks]
    labels = {v.id: _label(v.id, v) for v in plan.disks}
    if not ids:
        return VaultChangeResult(plan, [])
    adding = plan.action == "add"
    try:
        if adding:
            await client.add_resources(plan.vault.id, ids)
        else:
            await client.remove_resources(plan.vault.id, ids)
    except CloudError as exc:
        if exc.reached_server is not Reached.MAYBE:
            code = exc.code if isinstance(exc, ApiError) and exc.code else ""
            return VaultChangeResult(plan, [DiskOutcome(i, labels[i], False, code, exc.message)
                                            for i in ids])
        return VaultChangeResult(plan, await _as_it_is(client, plan, ids, labels, exc))
    return VaultChangeResult(plan, [DiskOutcome(i, labels[i], True) for i in ids])


async def _as_it_is(client: CbrClient, plan: VaultChangePlan, ids: list[str],
                    labels: dict[str, str], exc: CloudError) -> list[DiskOutcome]:
    try:
        vault: Vault | None = await client.get_vault(plan.vault.id)
    except CloudError as again:
        return [DiskOutcome(i, labels[i], False, "", f"outcome unknown ({exc.message}; the "
                            f"vault could not be read again: {again.message}): check "
                            "`vbstui vaults` before trying again") for i in ids]
    held = set(vault.disk_ids) if vault is not None else set()
    wanted_in = plan.action == "add"
    return [DiskOutcome(i, labels[i], (i in held) == wanted_in, "",
                        "" if (i in held) == wanted_in else f"not changed after {exc.message}")
            for i in ids]


# -- create a disk vault ----------------------------------------------------------------


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
                     f"{'s' if len(self.disks) != 1 else ''}:\n{_disk_list(self.disks)}")
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
    warnings = _capacity_warnings(disks, size_gb * MB_PER_GB, "the new vault has")
    return VaultCreatePlan(request, disks, refused, before, warnings)


def _capacity_warnings(disks: Sequence[Volume], free_mb: int | None, has: str
                       ) -> tuple[str, ...]:
    """CBR's advice: a vault needs at least the size of its disks (a first backup is full);
    less is allowed, but their backups would soon fail with BackupService.6114."""
    needed_gb = sum(v.size_gb or 0 for v in disks)
    if free_mb is None or needed_gb * MB_PER_GB <= free_mb:
        return ()
    return (f"Warning: {has} {gb_text(free_mb)} free, and a full backup of "
            f"{'this disk' if len(disks) == 1 else 'these disks'} needs {needed_gb} GB: "
            "backups would fail once it is full (BackupService.6114); enlarge the vault "
            "or choose fewer disks.",)


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
            f"the vault may or may not have been created ({exc.message}): check `vbstui "
            "vaults` before creating it again (a second vault is billed too)") from exc
