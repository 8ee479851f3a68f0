"""Pre-flight checks: what the service would refuse, said before anything is sent.

From fresh server data, per disk: it no longer exists (VolumeBackup.0021), a backup
of it is being created (0013), its status is not one VBS backs up (0012), it already
has as many backups as a disk may keep (0040); and for the whole run, the project's
quota (0080/0081, through `vbstui.ops.quota`).  A disk routed to CBR
(`vbstui.ops.routing`) is checked against CBR's rules instead: it does not exist
(BackupService.7000), it is in no vault (6135, naming the vaults with room), its vault
is not available (6113), a backup of it is running (6125), its status (7003), and its
size against the vault's free capacity, counting the run's earlier disks of the same
vault (6114, with the numbers).  The service still decides: these checks only say
early, and `--force` (headless) sends anyway.

The backups of the run's disks are listed once for the run, not once per disk, and
the same listing is the at-most-once rule's snapshot: the backups that already carry
a job's disk and name before its request leaves (`ExistingBackups.known_ids`), which
the tracker journals with the job so that a later search adopts only a new one.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from vbstui.cloud.cbr_models import MB_PER_GB, Vault
from vbstui.cloud.error_codes import explain
from vbstui.cloud.models import Backup, Volume
from vbstui.ops.quota import QuotaCheck, check_quota
from vbstui.ops.routing import VBS, Route, routes_for, vaults_of, vaults_with_room
from vbstui.ops.service import BackupService

BACKUPS_PER_DISK = 20  # VolumeBackup.0040: whatever their status, the service counts them all
NOT_FOUND = "VolumeBackup.0021"
RUNNING = "VolumeBackup.0013"
BAD_STATUS = "VolumeBackup.0012"
AT_LIMIT = "VolumeBackup.0040"
CBR_NOT_FOUND = "BackupService.7000"
CBR_NOT_IN_VAULT = "BackupService.6135"
CBR_VAULT_STATE = "BackupService.6113"
CBR_RUNNING = "BackupService.6125"
CBR_BAD_STATUS = "BackupService.7003"
CBR_FULL = "BackupService.6114"
VAULTS_NAMED = 5  # vaults with room named when a disk is in none

T = TypeVar("T")


@dataclass(frozen=True)
class DiskRefusal:
    """A disk the service would refuse to back up now, and what was seen."""

    volume_id: str
    disk: str  # its name, or its id when it has none
    code: str  # what the service would answer
    seen: str  # e.g. "20 backups", "status 'error'"

    @property
    def at_limit(self) -> bool:
        return self.code == AT_LIMIT

    def as_dict(self) -> dict[str, str | None]:
        """The refusal for `--json`."""
        info = explain(self.code)
        return {"volume_id": self.volume_id, "code": self.code, "seen": self.seen,
                "meaning": info.meaning, "action": info.action}

    @property
    def meaning(self) -> str:
        return explain(self.code).meaning

    def short(self) -> str:
        """The disk and what was seen, without the explanation."""
        return f"disk {self.disk}: {self.seen} ({self.code})"

    def text(self) -> str:
        """One line: the disk, what was seen, what it means and what to do."""
        info = explain(self.code)
        line = f"{self.short()} — {info.meaning}"
        return f"{line} → {info.action}" if info.action else line


@dataclass(frozen=True)
class ExistingBackups:
    """The backups of a run's disks, listed once before the run's first request."""

    by_disk: dict[str, list[Backup]]

    def of(self, volume_id: str) -> list[Backup]:
        return self.by_disk.get(volume_id, [])

    def known_ids(self, volume_id: str, name: str) -> list[str] | None:
        """The backups of this disk already named `name` (None: the disk was not listed,
        the tracker then lists it itself before sending)."""
        if volume_id not in self.by_disk:
            return None
        return [b.id for b in self.by_disk[volume_id] if b.id and b.name == name]


@dataclass(frozen=True)
class Preflight:
    """What a run would meet: the disks that can be sent, the ones that would be refused
    (in the order asked), the quota check of the sendable ones, the listing."""

    ready: list[Volume]
    refusals: list[DiskRefusal]
    quota: QuotaCheck
    existing: ExistingBackups = field(default_factory=lambda: ExistingBackups({}))
    routes: dict[str, Route] = field(default_factory=dict)

    def route(self, volume_id: str) -> Route:
        """Where this disk's backup goes (the job's `service` and `vault_id`)."""
        return self.routes.get(volume_id, VBS)

    @property
    def clear(self) -> bool:
        return not self.refusals and not self.quota.warnings

    def problems(self) -> list[str]:
        """Every problem, one line each: the disks first, then the quota of the run."""
        lines = [r.text() for r in self.refusals]
        if self.quota.warnings:
            lines.append(self.quota.text())
        return lines

    def refusal(self, volume_id: str) -> DiskRefusal | None:
        return next((r for r in self.refusals if r.volume_id == volume_id), None)


def _running(volume: Volume, backups: Sequence[Backup]) -> str | None:
    """What shows a backup of the disk already under way (0013 / BackupService.6125)."""
    creating = [b for b in backups if b.status == "creating"]
    if creating:
        return f"backup '{creating[0].name}' is being created"
    return "status 'backing-up'" if volume.status == "backing-up" else None


def disk_refusal(volume_id: str, volume: Volume | None, backups: Sequence[Backup]
                 ) -> DiskRefusal | None:
    """Why the service would refuse a backup of this disk now, checked in its order."""
    if volume is None:
        return DiskRefusal(volume_id, volume_id, NOT_FOUND, "not found")
    disk = f"'{volume.name}'" if volume.name else volume.id
    running = _running(volume, backups)
    if running:
        return DiskRefusal(volume.id, disk, RUNNING, running)
    if not volume.backupable:
        return DiskRefusal(volume.id, disk, BAD_STATUS, f"status '{volume.status}'")
    if len(backups) >= BACKUPS_PER_DISK:
        return DiskRefusal(volume.id, disk, AT_LIMIT, f"{len(backups)} backups")
    return None


async def preflight(service: BackupService, volume_ids: Sequence[str]) -> Preflight:
    """Check a run before sending; raises CloudError when the disks or their backups
    cannot be listed (the quota is best effort: no answer, no warning)."""
    wanted = list(dict.fromkeys(volume_ids))
    volumes, existing, vaults = await asyncio.gather(fresh_volumes(service, wanted),
                                                     existing_backups(service, wanted),
                                                     vaults_of(service))
    routes = routes_for(service, wanted, vaults)
    room = {v.id: v.free_mb for v in vaults}  # what the run's earlier disks leave
    ready: list[Volume] = []
    refusals: list[DiskRefusal] = []
    for volume_id in wanted:
        volume = volumes.get(volume_id)
        route = routes[volume_id]
        if route.service == "cbr":
            refusal = cbr_disk_refusal(volume_id, volume, existing.of(volume_id),
                                       route=route, vaults=vaults, room=room)
        else:
            refusal = disk_refusal(volume_id, volume, existing.of(volume_id))
        if refusal is not None:
            refusals.append(refusal)
        elif volume is not None:
            ready.append(volume)
    by_vbs = [v for v in ready if routes[v.id].service == "vbs"]  # CBR has no quota API
    quota = (await check_quota(service, [v.id for v in by_vbs], volumes=by_vbs) if by_vbs
             else QuotaCheck(None))
    return Preflight(ready, refusals, quota, existing, routes)


def gb_text(megabytes: float) -> str:
    """`40 GB`, `0.5 GB`: capacity for people."""
    gigabytes = megabytes / MB_PER_GB
    if gigabytes >= 10 or gigabytes == int(gigabytes):
        return f"{gigabytes:.0f} GB"
    return f"{gigabytes:.1f} GB"


def cbr_disk_refusal(volume_id: str, volume: Volume | None, backups: Sequence[Backup], *,
                     route: Route, vaults: Sequence[Vault], room: dict[str, int | None]
                     ) -> DiskRefusal | None:
    """Why CBR would refuse (or skip) a backup of this disk into its vault now; a disk
    that passes takes its size from the vault's `room` left for the run."""
    if volume is None:
        return DiskRefusal(volume_id, volume_id, CBR_NOT_FOUND, "not found")
    disk = f"'{volume.name}'" if volume.name else volume.id
    vault = route.vault
    if vault is None:
        roomy = vaults_with_room(vaults, volume.size_gb)
        named = ", ".join(f"'{v.name}' ({gb_text(v.free_mb or 0)} free)"
                          for v in roomy[:VAULTS_NAMED])
        seen = ("in no vault; vaults with room: " + named if roomy
                else "in no vault, and no vault has room for it")
        return DiskRefusal(volume.id, disk, CBR_NOT_IN_VAULT, seen)
    if vault.status not in ("available", "unknown"):
        return DiskRefusal(volume.id, disk, CBR_VAULT_STATE,
                           f"vault '{vault.name}' is '{vault.status}'")
    running = _running(volume, backups)
    if running:
        return DiskRefusal(volume.id, disk, CBR_RUNNING, running)
    if not volume.backupable:
        return DiskRefusal(volume.id, disk, CBR_BAD_STATUS, f"status '{volume.status}'")
    free = room.get(vault.id)
    if free is not None and volume.size_gb is not None:
        needed = volume.size_gb * MB_PER_GB
        if needed > free:
            left = (" after the run's other disks" if vault.free_mb is not None
                    and free < vault.free_mb else "")
            return DiskRefusal(volume.id, disk, CBR_FULL,
                               f"disk {volume.size_gb} GB, vault '{vault.name}' has "
                               f"{gb_text(free)} free of {vault.size_gb} GB{left}")
        room[vault.id] = free - needed
    return None


async def fresh_volumes(service: BackupService, wanted: Sequence[str]) -> dict[str, Volume]:
    """The disks as the service has them now; a missing disk is absent."""
    async def one(volume_id: str) -> list[Volume]:
        volume = await service.get_volume(volume_id)
        return [volume] if volume is not None else []

    wanted_set = set(wanted)
    found = await _whole_or_each(service.volume_pages(), wanted, one)
    return {v.id: v for v in found if v.id in wanted_set}


async def existing_backups(service: BackupService, wanted: Sequence[str]) -> ExistingBackups:
    """Every backup of these disks, whatever its name or status."""
    async def one(volume_id: str) -> list[Backup]:
        return await service.list_backups(volume_id=volume_id)

    wanted_set = set(wanted)
    by_disk: dict[str, list[Backup]] = defaultdict(list)
    for backup in await _whole_or_each(service.backup_pages(), wanted, one):
        if backup.volume_id in wanted_set:
            by_disk[backup.volume_id].append(backup)
    return ExistingBackups({volume_id: by_disk.get(volume_id, []) for volume_id in wanted})


async def _whole_or_each(pages: AsyncIterator[tuple[list[T], int | None]],
                         wanted: Sequence[str],
                         each: Callable[[str], Awaitable[list[T]]]) -> list[T]:
    """One paged listing of the project, unless asking for each disk costs fewer calls:
    one disk is asked for alone; otherwise the first page's total decides."""
    if len(wanted) == 1:
        return await each(wanted[0])
    try:
        first, total = await anext(pages, ([], 0))
        pages_left = math.ceil(total / len(first)) - 1 if total and first else 0
        if pages_left > len(wanted):
            return _flat(await asyncio.gather(*(each(w) for w in wanted)))
        found = list(first)
        async for page, _total in pages:
            found.extend(page)
        return found
    finally:
        close = getattr(pages, "aclose", None)
        if close is not None:
            await close()


def _flat(lists: Iterable[list[T]]) -> list[T]:
    return [item for items in lists for item in items]
