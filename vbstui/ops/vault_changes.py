"""Changing CBR vaults: adding disks to a vault and removing them (creating one is
`vbstui.ops.vault_create`'s).

Each change is planned first from fresh server data (which disks go, which CBR would
refuse and why, with its BackupService code), confirmed by the user with a text that
names the disks, then applied and reported per disk.  None of these requests has an
idempotency token, so none is resent blindly: after an answer that may be lost, the
vault (or the vault listing) is read again and what is true is reported.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vbstui.cloud.cbr import CbrClient
from vbstui.cloud.cbr_models import MAX_VAULT_RESOURCES, MB_PER_GB, Vault
from vbstui.cloud.errors import ApiError, CloudError, Reached
from vbstui.cloud.models import Volume
from vbstui.ops.cbr_service import CBR_STATUSES
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
PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # safe to paste into a command line
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


def disk_list(volumes: Sequence[Volume]) -> str:
    lines = [f"  {v.id}  {visible(v.name) or '(no name)'}  "
             f"{'?' if v.size_gb is None else v.size_gb} GB" for v in volumes[:LISTED_DISKS]]
    if len(volumes) > LISTED_DISKS:
        lines.append(f"  … and {len(volumes) - LISTED_DISKS} more")
    return "\n".join(lines)


# -- add and remove ---------------------------------------------------------------------


@dataclass(frozen=True)
class VaultRefusal(DiskRefusal):
    """A refusal whose advice is the vault change's own, not the code's general one (the
    catalogue's advice for 6135 is about backing a disk up, not about removing it)."""

    action: str = ""

    def text(self) -> str:
        return f"{self.short()} — {self.meaning} → {self.action}"

    def as_dict(self) -> dict[str, str | None]:
        return {**super().as_dict(), "action": self.action}


def _not_in_vault(volume_id: str, disk: str, vault: Vault) -> VaultRefusal:
    name = visible(vault.name)
    return VaultRefusal(volume_id, disk, NOT_IN_VAULT, f"not in vault '{name}'",
                        f"nothing to remove: leave the disk out (vault '{name}' lists its "
                        f"disks with `vbstui vault show {vault_ref(vault)}`, or Enter on it "
                        "in the vaults view)")


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
        one = len(self.disks) == 1
        count = f"{len(self.disks)} disk{'' if one else 's'}"
        if self.action == "add":
            head = (f"Add {count} to vault '{name}' ({self.vault.id})? {'Its' if one else 'Their'}"
                    " backups will use the vault's capacity, which is billed.")
        else:
            them = "it" if one else "them"
            head = (f"Remove {count} from vault '{name}' ({self.vault.id})? The vault's "
                    f"backups of {them} stay (and keep using its capacity), but no new backup "
                    f"of {them} is made there.")
        return "\n".join([head, disk_list(self.disks), *self.warnings])

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
                           capacity_warnings(disks, fresh.free_mb, "the vault has"))


async def plan_remove_disks(service: BackupService, vault: Vault, volume_ids: Sequence[str]
                            ) -> VaultChangePlan:
    """Which of these disks can leave `vault` now: those in it with no backup running."""
    wanted = list(dict.fromkeys(volume_ids))
    client = cbr_client(service)
    volumes, fresh = await asyncio.gather(fresh_volumes(service, wanted),
                                          client.get_vault(vault.id))
    fresh = fresh or vault
    running = {b.resource_id for b in await client.list_backups(
        vault_id=fresh.id, status=CBR_STATUSES["creating"])}
    disks: list[Volume] = []
    refused: list[DiskRefusal] = []
    for volume_id in wanted:
        volume = volumes.get(volume_id)
        disk = _label(volume_id, volume)
        if not fresh.holds(volume_id):
            refused.append(_not_in_vault(volume_id, disk, fresh))
        elif volume_id in running or (volume is not None and volume.status == "backing-up"):
            refused.append(DiskRefusal(volume_id, disk, RUNNING, "a backup of it is running"))
        else:
            disks.append(volume or Volume.from_api({"id": volume_id, "status": "unknown"}))
    return VaultChangePlan("remove", fresh, disks, refused)


@dataclass(frozen=True)
class DiskOutcome:
    """What became of one disk of an applied change: done, not changed, or unknown (the
    answer was lost and reading the vault again did not show the change)."""

    volume_id: str
    disk: str
    done: bool
    code: str = ""
    message: str = ""
    unknown: bool = False

    @property
    def outcome(self) -> str:
        return "done" if self.done else "unknown" if self.unknown else "not_changed"

    def text(self) -> str:
        if self.done:
            return f"disk {self.disk}: done"
        if self.unknown:
            return f"disk {self.disk}: OUTCOME UNKNOWN: {self.message}"
        said = f" ({self.code})" if self.code else ""
        return f"disk {self.disk}: not changed{said}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"volume_id": self.volume_id, "done": self.done, "outcome": self.outcome,
                "code": self.code or None, "message": self.message or None}


@dataclass(frozen=True)
class VaultChangeResult:
    """What became of each disk of a vault change."""

    plan: VaultChangePlan
    outcomes: list[DiskOutcome]

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(o.done for o in self.outcomes)

    @property
    def unknown(self) -> bool:
        """Some disk's outcome is unknown (exit 4): nothing says it failed."""
        return any(o.unknown for o in self.outcomes)

    def lines(self) -> list[str]:
        """One line a disk; a done one says what was done, and to which vault."""
        done = (f"{'added to' if self.plan.action == 'add' else 'removed from'} vault "
                f"'{visible(self.plan.vault.name)}'")
        return [f"disk {o.disk}: {done}" if o.done else o.text() for o in self.outcomes]

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


def vault_ref(vault: Vault) -> str:
    """How to name the vault on a command line: its name when that is plain, else its id."""
    return vault.name if PLAIN_NAME.fullmatch(vault.name or "") else vault.id


def how_to_check(vault: Vault) -> str:
    """Where to see whether a change of the vault's disks happened."""
    return (f"check the vault's disks (`vbstui vault show {vault_ref(vault)}`, or "
            "Enter on the vault in the vaults view) before trying again")


async def _as_it_is(client: CbrClient, plan: VaultChangePlan, ids: list[str],
                    labels: dict[str, str], exc: CloudError) -> list[DiskOutcome]:
    """Each disk as the vault shows it after an answer that may be lost.  A disk not
    shown changed is unknown, not failed: the request may still be at work in CBR."""
    check = how_to_check(plan.vault)
    try:
        vault: Vault | None = await client.get_vault(plan.vault.id)
    except CloudError as again:
        return [DiskOutcome(i, labels[i], False, "", f"the answer was lost ({exc.message}) "
                            f"and the vault could not be read again ({again.message}): "
                            f"{check}", unknown=True) for i in ids]
    held = set(vault.disk_ids) if vault is not None else set()
    wanted_in = plan.action == "add"
    shown = "not shown in" if wanted_in else "still shown in"
    return [DiskOutcome(i, labels[i], True) if (i in held) == wanted_in else
            DiskOutcome(i, labels[i], False, "", f"the answer was lost ({exc.message}) and "
                        f"the disk is {shown} vault '{visible(plan.vault.name)}' yet: {check}",
                        unknown=True)
            for i in ids]


def capacity_warnings(disks: Sequence[Volume], free_mb: int | None, has: str
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
