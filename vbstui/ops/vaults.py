"""CBR disk vaults as the user sees them: the listing, a vault's disks, which vault a
reference means, and where a disk's backup can go.

Adding and removing disks live in `vbstui.ops.vault_changes`, creating a vault in
`vbstui.ops.vault_create`.
Both front ends call these; neither decides again which vault a disk belongs to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vbstui.cloud.cbr import CbrClient
from vbstui.cloud.cbr_models import MB_PER_GB, Vault
from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Volume
from vbstui.errors import UsageError
from vbstui.ops.preflight import gb_text
from vbstui.ops.routing import VBS, Route, offers, vaults_of, vaults_with_room
from vbstui.ops.service import BackupService
from vbstui.textsafe import plural, visible

SHOWN_CANDIDATES = 10
NO_CBR = "this project has no CBR (Cloud Backup and Recovery): it has no vaults"


def cbr_client(service: BackupService) -> CbrClient:
    """The CBR client behind `service`; a `UsageError` when the project has no CBR."""
    if not offers(service, "cbr"):
        raise UsageError(NO_CBR)
    cbr_service: Any = getattr(service, "cbr", service)  # VBS + CBR keeps CBR in `.cbr`
    client: CbrClient = cbr_service.session.cbr
    return client


# -- the listing ------------------------------------------------------------------------


@dataclass(frozen=True)
class VaultRow:
    """One vault of the listing: capacity, disks, policy and status."""

    id: str
    name: str
    status: str
    used_gb: float | None
    allocated_gb: int | None
    free_gb: float | None
    disk_count: int
    policy_id: str
    policy_name: str
    vault: Vault = field(repr=False, compare=False)

    @classmethod
    def of(cls, vault: Vault, policies: dict[str, tuple[str, str]]) -> VaultRow:
        used = None if vault.used_mb is None else vault.used_mb / MB_PER_GB
        policy_id, policy_name = policies.get(vault.id, (vault.policy_id, ""))
        return cls(id=vault.id, name=vault.name, status=vault.status, used_gb=used,
                   allocated_gb=vault.size_gb, free_gb=vault.free_gb,
                   disk_count=len(vault.disk_ids), policy_id=policy_id,
                   policy_name=policy_name, vault=vault)

    def capacity_text(self) -> str:
        """`12.5 / 100 GB`: used of allocated ("?" where CBR did not say); one unit, so a
        large vault's text fits an 80-column table."""
        used = "?" if self.vault.used_mb is None else gb_text(self.vault.used_mb)
        size = "?" if self.allocated_gb is None else f"{self.allocated_gb} GB"
        return f"{used.removesuffix(' GB')} / {size}"

    def policy_text(self) -> str:
        if not self.policy_id:
            return "none"
        return self.policy_name or self.policy_id

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "status": self.status,
                "used_gb": None if self.used_gb is None else round(self.used_gb, 3),
                "allocated_gb": self.allocated_gb,
                "free_gb": None if self.free_gb is None else round(self.free_gb, 3),
                "disk_count": self.disk_count, "policy_id": self.policy_id or None,
                "policy_name": self.policy_name or None, "service": "cbr"}


async def vault_rows(service: BackupService) -> list[VaultRow]:
    """The project's disk vaults by name ([] without CBR).  Policies are best effort: a
    policy listing that fails leaves what the vault itself says."""
    if not offers(service, "cbr"):
        return []
    client = cbr_client(service)

    async def policies() -> dict[str, tuple[str, str]]:
        try:
            return await client.policies_by_vault()
        except CloudError:
            return {}

    vaults, bound = await asyncio.gather(vaults_of(service), policies())
    rows = [VaultRow.of(v, bound) for v in vaults]
    return sorted(rows, key=lambda r: (r.name.lower(), r.id))


# -- a vault's disks --------------------------------------------------------------------


@dataclass(frozen=True)
class VaultDisk:
    """A disk of a vault, as EVS has it now."""

    id: str
    name: str
    size_gb: int | None
    status: str
    exists: bool

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "size_gb": self.size_gb,
                "status": self.status, "exists": self.exists}


async def vault_disks(service: BackupService, vault: Vault) -> list[VaultDisk]:
    """The vault's disks with their EVS name, size and status, by name."""
    wanted = list(vault.disk_ids)
    if not wanted:
        return []
    found: dict[str, Volume] = {}
    if len(wanted) <= 3:
        for volume in await asyncio.gather(*(service.get_volume(v) for v in wanted)):
            if volume is not None:
                found[volume.id] = volume
    else:
        wanted_set = set(wanted)
        found = {v.id: v for v in await service.list_volumes() if v.id in wanted_set}
    disks = []
    for disk_id in wanted:
        volume = found.get(disk_id)
        if volume is None:
            disks.append(VaultDisk(disk_id, "", None, "not found", exists=False))
        else:
            disks.append(VaultDisk(volume.id, volume.name, volume.size_gb, volume.status,
                                   exists=True))
    return sorted(disks, key=lambda d: (not d.exists, d.name.lower(), d.id))


# -- which vault a reference means ------------------------------------------------------


async def resolve_vault(service: BackupService, text: str) -> Vault:
    """The vault with this id, or the one vault with exactly this name; an unknown or
    ambiguous reference is a `UsageError` naming the candidates (nothing is sent)."""
    if not offers(service, "cbr"):
        raise UsageError(NO_CBR)
    return pick_vault(await vaults_of(service), text)


def pick_vault(vaults: Sequence[Vault], text: str) -> Vault:
    """`resolve_vault` among vaults already listed."""
    value = text.strip()
    if not value:
        raise UsageError("--vault: give a vault id or name")
    by_id = [v for v in vaults if v.id in (value, value.lower())]
    if by_id:
        return by_id[0]
    exact = [v for v in vaults if v.name == value]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise UsageError(f"vault {value!r}: {len(exact)} vaults have this name; give the id "
                         "of the one you mean:\n" + _candidates(exact))
    similar = [v for v in vaults if value.lower() in v.name.lower()] or list(vaults)
    message = f"vault {value!r}: no disk vault has this id or name"
    if similar:
        message += "; the project's vaults:\n" + _candidates(similar)
    raise UsageError(message)


def _candidates(vaults: Sequence[Vault]) -> str:
    lines = []
    for vault in vaults[:SHOWN_CANDIDATES]:
        free = "?" if vault.free_mb is None else gb_text(vault.free_mb)
        lines.append(f"  {vault.id}  {visible(vault.name)}  {vault.status}  {free} free  "
                     f"{len(vault.disk_ids)} disks")
    if len(vaults) > SHOWN_CANDIDATES:
        lines.append(f"  … and {len(vaults) - SHOWN_CANDIDATES} more")
    return "\n".join(lines)


# -- where a disk's backup goes ---------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """A place a disk's backup can be made: VBS, or a CBR vault."""

    service: str
    vault: Vault | None
    label: str

    @property
    def route(self) -> Route:
        return Route(self.service, self.vault) if self.service == "cbr" else VBS


@dataclass(frozen=True)
class Destinations:
    """What the backup form shows for one disk: where its backup goes (`current`), and,
    for a disk in no vault, the places it could go once added, with a sentence why."""

    volume_id: str
    current: Destination | None
    choices: list[Destination]
    explanation: str

    @property
    def sendable(self) -> bool:
        return self.current is not None


def _vault_label(vault: Vault) -> str:
    free = "" if vault.free_mb is None else f", {gb_text(vault.free_mb)} free"
    return (f"vault '{visible(vault.name)}' (room for {plural(vault.resource_room, 'more disk')}"
            f"{free})")


async def backup_destinations(service: BackupService, volume: Volume) -> Destinations:
    """Where a backup of `volume` goes: the vault holding it; else VBS where the project
    has it; else nowhere until it is added to one of the vaults with room (the choices)."""
    vaults = await vaults_of(service)
    holder = next((v for v in vaults if volume.id in v.disk_ids), None)
    if holder is not None:
        here = Destination("cbr", holder, _vault_label(holder))
        return Destinations(volume.id, here, [here],
                            f"The disk is in {here.label}: its backup is made there.")
    roomy = vaults_with_room(vaults, volume.size_gb)
    choices = [Destination("cbr", v, _vault_label(v)) for v in roomy]
    if offers(service, "vbs"):
        vbs = Destination("vbs", None, "VBS (Volume Backup Service)")
        note = ("The disk is in no CBR vault, so its backup is made in VBS"
                + (f"; to back it up in CBR instead, add it to a vault first: "
                   f"{len(roomy)} have room." if roomy else "."))
        return Destinations(volume.id, vbs, [vbs, *choices], note)
    if roomy:
        where = ("the vault with room" if len(roomy) == 1
                 else f"one of the {len(roomy)} vaults with room")
        note = (f"The disk is in no vault, and this project has only CBR: add it to {where}, "
                "then back it up.")
    else:
        note = ("The disk is in no vault, and no vault has room for it: create a vault "
                "or enlarge one, then add the disk to it.")
    return Destinations(volume.id, None, choices, note)


async def check_vault_choice(service: BackupService, volume_ids: Sequence[str],
                             vault_text: str) -> Vault:
    """`backup create --vault`: the vault meant, which must already hold every disk.

    A backup never adds a disk to a vault as a side effect: adding one has checks and
    consequences of its own (a disk is in one vault only, the vault's capacity is
    billed), so it is its own confirmed step, `vbstui vault add`."""
    if not offers(service, "cbr"):
        raise UsageError(NO_CBR)
    vaults = await vaults_of(service)
    vault = pick_vault(vaults, vault_text)
    holder = {disk: v for v in vaults for disk in v.disk_ids}
    problems = []
    for disk in dict.fromkeys(volume_ids):
        other = holder.get(disk)
        if other is None:
            problems.append(f"disk {disk} is in no vault: add it with `vbstui vault add "
                            f"{vault.id} --volume {disk}` first")
        elif other.id != vault.id:
            problems.append(f"disk {disk} is in vault '{visible(other.name)}' ({other.id}), "
                            "and a disk is in one vault only: its backups are made there")
    if problems:
        shown = problems[:SHOWN_CANDIDATES]
        if len(problems) > SHOWN_CANDIDATES:
            shown.append(f"… and {len(problems) - SHOWN_CANDIDATES} more")
        raise UsageError(f"--vault {vault_text!r}: vault '{visible(vault.name)}' does not "
                         "hold every disk (a backup never adds one); nothing was sent\n  "
                         + "\n  ".join(shown))
    return vault
