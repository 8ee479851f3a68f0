"""The CBR side of the generated project, and which services the project has.

With both services the project is mid-migration, as OTC's console migration leaves
it: a vault `default` holding the migrated manual backups, a vault named after the
migrated VBS policy (with a CBR policy applied), a small vault that is nearly full,
a few disks still bound to a VBS policy (they cannot join a vault), and the rest
under VBS only.  Every fourth disk of the clean head sits in `default` and every
fourth in the policy vault, both with room for another full backup of each of their
disks, so a newcomer's first backup succeeds with either service.

`cbr` alone is a project created after VBS closed: the same vaults, no VBS backups,
jobs or policies.  `vbs` alone has no CBR at all.
"""

from __future__ import annotations

import math
import random

from vbstui.sim.cbr_book import MB_PER_GB, usage_mb
from vbstui.sim.cbr_models import (
    BACKUP_TASK,
    VAULT_RESOURCE_LIMIT,
    CbrBackup,
    CbrSeed,
    Checkpoint,
    Policy,
    Task,
    Vault,
)
from vbstui.sim.config import SimConfig
from vbstui.sim.generate import DAY, World, clean_head_size
from vbstui.sim.ids import IdFactory
from vbstui.sim.models import BACKUPABLE, Volume

DEFAULT_VAULT, POLICY_VAULT, FULL_VAULT = "default", "daily-prod", "vault-nearly-full"
NEARLY_FULL_DISKS = 3
VBS_BOUND_DISKS = 3
CBR_BACKUP_CAP = 300
FULL_SHARE = 0.95


def shape_services(world: World, config: SimConfig, now: float) -> None:
    """Make `world` hold what `config.services` says (called right after generation)."""
    if not config.has_vbs:
        _drop_vbs(world)
    if config.has_cbr:
        world.cbr = _CbrGenerator(config, now, world).seed()


def _drop_vbs(world: World) -> None:
    for job in world.jobs:
        volume = next(v for v in world.volumes if v.id == job.volume_id)
        volume.status, volume.resume_status = volume.resume_status or "available", None
    world.backups, world.jobs, world.deletions, world.near_limit = [], [], [], []


class _CbrGenerator:
    def __init__(self, config: SimConfig, now: float, world: World) -> None:
        self.config, self.now, self.world = config, now, world
        self.rng = random.Random(f"vbstui-sim/{config.seed}/cbr")
        self.ids = IdFactory(self.rng)
        self.out = CbrSeed()

    def seed(self) -> CbrSeed:
        volumes = self.world.volumes
        head = clean_head_size(len(volumes))
        awkward = set(self.world.near_limit) | set(self.world.odd_names)
        rest = [v for v in volumes[head:] if v.status in BACKUPABLE and v.id not in awkward]
        daily = Policy(self.ids.uuid(), POLICY_VAULT,
                       "FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=00", 30)
        self.out.policies += [daily, Policy(self.ids.uuid(), "weekly-archive",
                                            "FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=00", 90)]
        head_default, head_policy = volumes[1:head:4], volumes[2:head:4]
        # A tenth of the rest in each vault, but never past CBR's limit of disks per
        # vault: in a large project the others stay under VBS (or in no vault at all).
        default_share = min(len(rest) // 10, VAULT_RESOURCE_LIMIT - len(head_default))
        policy_share = min(len(rest) // 10, VAULT_RESOURCE_LIMIT - len(head_policy))
        in_default = head_default + rest[:default_share]
        policy_rest = rest[default_share:default_share + policy_share]
        in_policy = head_policy + policy_rest
        tail = rest[default_share + policy_share:]
        nearly_full, tail = tail[:NEARLY_FULL_DISKS], tail[NEARLY_FULL_DISKS:]
        migrated = self._vault(DEFAULT_VAULT, in_default, "migrated from VBS")
        self._history(migrated, in_default, auto=False, cap=CBR_BACKUP_CAP // 2)
        migrated.size_gb = self._roomy(migrated, in_default)
        scheduled = self._vault(POLICY_VAULT, in_policy, "migrated VBS policy")
        scheduled.policy_id = daily.id
        self._history(scheduled, in_policy, auto=True, cap=CBR_BACKUP_CAP // 2)
        scheduled.size_gb = self._roomy(scheduled, in_policy)
        if policy_rest:  # never a disk of the clean head
            self._in_flight(scheduled, policy_rest[-1])
        if nearly_full:
            self._nearly_full(nearly_full)
        if self.config.has_vbs:
            for volume in tail[:VBS_BOUND_DISKS]:
                volume.vbs_policy = self.ids.uuid()
        return self.out

    def _vault(self, name: str, members: list[Volume], description: str) -> Vault:
        vault = Vault(id=self.ids.uuid(), name=name, size_gb=10,
                      created_at=self.now - self.rng.uniform(30 * DAY, 200 * DAY),
                      description=description, resources=[v.id for v in members])
        self.out.vaults.append(vault)
        return vault

    def _used_gb(self, vault: Vault) -> int:
        used = sum(b.used_mb for b in self.out.backups if b.vault_id == vault.id)
        return math.ceil(used / MB_PER_GB)

    def _roomy(self, vault: Vault, members: list[Volume]) -> int:
        """1.2 times what the backups use (the migration's rule), plus one more full
        backup of every disk."""
        return max(10, math.ceil(self._used_gb(vault) * 1.2) + sum(v.size for v in members))

    def _history(self, vault: Vault, members: list[Volume], *, auto: bool, cap: int) -> None:
        budget = cap
        for volume in members:
            if budget <= 0:
                return
            count = min(budget, self.rng.randint(1, 3))
            times = sorted(self.now - self.rng.uniform(DAY, 80 * DAY) for _ in range(count))
            for index, created in enumerate(times):
                tag = self.ids.hex32()[:4]
                name = f"autobk_{tag}" if auto else f"manualbk_{tag}"
                self._backup(vault, volume, name, created, incremental=index > 0, auto=auto)
            budget -= count

    def _backup(self, vault: Vault, volume: Volume, name: str, created: float, *,
                incremental: bool, auto: bool, status: str = "available") -> CbrBackup:
        checkpoint = Checkpoint(self.ids.uuid(), vault.id, created, name, "",
                                status="protecting" if status == "protecting" else "available")
        done = created + self.rng.uniform(60, 900)
        backup = CbrBackup(
            id=self.ids.uuid(), name=name, description="", vault_id=vault.id,
            volume_id=volume.id, checkpoint_id=checkpoint.id, status=status,
            created_at=created, updated_at=done if status != "protecting" else created,
            incremental=incremental, used_mb=usage_mb(volume.size, incremental),
            resource_size=volume.size, resource_name=volume.name,
            resource_az=volume.availability_zone, bootable=volume.bootable,
            snapshot_id=self.ids.uuid(), auto_trigger=auto,
            protected_at=done if status == "available" else None,
            expires_at=created + 30 * DAY if auto else None, encrypted=volume.cmk_id is not None,
        )
        checkpoint.backup_ids.append(backup.id)
        self.out.checkpoints.append(checkpoint)
        self.out.backups.append(backup)
        task = Task(self.ids.uuid(), BACKUP_TASK, vault.id, vault.name, volume.id, volume.name,
                    backup.id, name, checkpoint.id, created, done,
                    f"req-{self.ids.uuid()}", incremental=incremental,
                    finished=status != "protecting")
        self.out.tasks.append(task)
        return backup

    def _in_flight(self, vault: Vault, volume: Volume) -> None:
        span = self.config.job_seconds
        started = self.now - self.rng.uniform(0.2, 0.6) * span
        backup = self._backup(vault, volume, f"manualbk_{self.ids.hex32()[:4]}", started,
                              incremental=True, auto=False, status="protecting")
        task = self.out.tasks[-1]
        task.end = self.now + self.rng.uniform(0.3, 1.5) * span
        self.out.events.append((task.end, len(self.out.events) + 1, BACKUP_TASK, task.id))
        backup.used_mb = usage_mb(volume.size, True)
        volume.resume_status, volume.status = volume.status, "backing-up"

    def _nearly_full(self, members: list[Volume]) -> None:
        vault = self._vault(FULL_VAULT, members, "small vault, nearly full")
        for volume in members:
            self._backup(vault, volume, f"manualbk_{self.ids.hex32()[:4]}",
                         self.now - self.rng.uniform(DAY, 20 * DAY), incremental=False,
                         auto=False)
        used = sum(b.used_mb for b in self.out.backups if b.vault_id == vault.id)
        vault.size_gb = max(10, math.ceil(used / MB_PER_GB / FULL_SHARE))
