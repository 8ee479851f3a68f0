"""The VBS policies of the generated demo project, a few days of their task history,
and one backup shared with the second project.

Three policies besides the default one: `nightly-db` (daily, ON) holds the disks the
CBR migration left bound to a VBS policy plus the disk at the 20-backup limit, whose
tasks fail with VolumeBackup.0040 as they would in a real project; `weekly-files`
(week days in a time zone, ON, tagged); `reports-twice-daily` (OFF, no disks).  No
disk of the clean head is touched (see `vbstui.sim.generate`).  Everything is drawn
from a stream of its own, so the rest of the world is what it was.
"""

from __future__ import annotations

import random

from vbstui.sim.config import SimConfig
from vbstui.sim.generate import DAY, World, clean_head_size
from vbstui.sim.ids import IdFactory, derived_uuid
from vbstui.sim.models import BACKUPABLE, Backup, Volume
from vbstui.sim.policy_models import FAIL, SKIP, SUCCESS, TIMEOUT, PolicyTask, Share, VbsPolicy
from vbstui.sim.policy_ops import AUTO_PREFIX
from vbstui.sim.policy_schedule import next_run

HISTORY_RUNS = 3
BOUND_DISKS = 3


def seed_policies(world: World, config: SimConfig, now: float) -> None:
    if not config.has_vbs or not config.demo_policies:
        return
    _PolicyGenerator(world, config, now).seed()


class _PolicyGenerator:
    def __init__(self, world: World, config: SimConfig, now: float) -> None:
        self.world, self.config, self.now = world, config, now
        self.rng = random.Random(f"vbstui-sim/{config.seed}/vbs-policies")
        self.ids = IdFactory(self.rng)

    def _policy(self, name: str, **fields: object) -> VbsPolicy:
        policy = VbsPolicy(id=self.ids.uuid(), name=name,
                           created_at=self.now - self.rng.uniform(60 * DAY, 400 * DAY),
                           **fields)  # type: ignore[arg-type]
        if policy.enabled:
            policy.next_run = next_run(policy, self.now)
        self.world.vbs.policies.append(policy)
        return policy

    def seed(self) -> None:
        nightly = self._policy("nightly-db", start_times=["02:00"], frequency=1, week_days=[],
                               keep_count=7, keep_days=None, keep_first_of_month=True,
                               enabled=True)
        weekly = self._policy("weekly-files", start_times=["23:00"], frequency=None,
                              week_days=["SUN", "WED"], keep_count=None, keep_days=30,
                              keep_first_of_month=False, enabled=True, time_zone="UTC+01:00",
                              tags=[{"key": "env", "value": "prod"},
                                    {"key": "team", "value": "files"}])
        self._policy("reports-twice-daily", start_times=["06:00", "18:00"], frequency=2,
                     week_days=[], keep_count=14, keep_days=None, keep_first_of_month=False,
                     enabled=False)
        bound = self._bound_disks()
        for volume in bound[:2]:
            self._link(nightly, volume)
        for volume in bound[2:]:
            self._link(weekly, volume)
        at_limit = self.world.near_limit[:1]
        for volume in self.world.volumes:
            if volume.id in at_limit:
                self._link(nightly, volume)
        for policy in (nightly, weekly):
            self._history(policy)
        self._share()

    def _bound_disks(self) -> list[Volume]:
        """The disks CBR's migration left bound to a VBS policy, or (a VBS-only project)
        disks with odd names: already awkward, so the plain disks stay plain."""
        bound = [v for v in self.world.volumes if v.vbs_policy is not None]
        if bound:
            return bound
        odd = set(self.world.odd_names)
        busy = {job.volume_id for job in self.world.jobs}
        return [v for v in self.world.volumes
                if v.id in odd and v.status in BACKUPABLE and v.id not in busy][:BOUND_DISKS]

    @staticmethod
    def _link(policy: VbsPolicy, volume: Volume) -> None:
        policy.resources.append(volume.id)
        volume.vbs_policy = policy.id

    def _past_runs(self, policy: VbsPolicy) -> list[float]:
        runs, after = [], self.now - 21 * DAY
        while True:
            when = next_run(policy, after)
            if when is None or when >= self.now:
                break
            runs.append(when)
            after = when
        return runs[-HISTORY_RUNS:]

    def _history(self, policy: VbsPolicy) -> None:
        """Finished tasks of the last runs: backups made, the disk at the limit refused,
        now and then a timeout or a skip."""
        at_limit = set(self.world.near_limit)
        volumes = {v.id: v for v in self.world.volumes}
        for run, when in enumerate(self._past_runs(policy)):
            for position, volume_id in enumerate(policy.resources):
                task = PolicyTask(id=derived_uuid("seed-task", policy.id, str(when), volume_id),
                                  policy_id=policy.id, volume_id=volume_id,
                                  backup_name=AUTO_PREFIX + self.ids.hex32()[:4],
                                  created_at=when, retained=True)
                if volume_id in at_limit:
                    task.status, task.code = FAIL, "VolumeBackup.0040"
                    task.message = ("The number of backups for the disk has reached the "
                                    "upper limit (20).")
                    task.finished_at = when + self.rng.uniform(1, 5)
                elif run == 0 and position == 1:
                    task.status, task.code = TIMEOUT, "VolumeBackup.0039"
                    task.message = "Failed to query the backup status."
                    task.finished_at = when + 4 * 3600
                elif run == 1 and position == 0 and policy.frequency is not None:
                    task.status, task.code = SKIP, "VolumeBackup.0013"
                    task.message = "The previous backup creation task is not complete."
                    task.finished_at = when
                else:
                    task.status = SUCCESS
                    task.finished_at = when + self.rng.uniform(300, 1800)
                    self._backup(volumes[volume_id], task)
                self.world.vbs.tasks.append(task)

    def _backup(self, volume: Volume, task: PolicyTask) -> None:
        created = task.created_at + self.rng.uniform(5, 60)
        self.world.backups.append(Backup(
            id=derived_uuid("seed-backup", task.id), name=task.backup_name,
            volume_id=volume.id, size=volume.size, status="available", created_at=created,
            updated_at=task.finished_at or created, availability_zone=volume.availability_zone,
            volume_type=volume.volume_type, bootable=volume.bootable,
            snapshot_id=self.ids.uuid(), backupurl=self.ids.uuid(), inc=1, seeded=True))

    def _share(self) -> None:
        """The oldest manual backup of a policy disk goes to the second project: old and
        on a disk no first step touches, so it never stands in a newcomer's way."""
        peer = self.config.peer_project_id
        head = {v.id for v in self.world.volumes[:clean_head_size(len(self.world.volumes))]}
        bound = {vid for p in self.world.vbs.policies for vid in p.resources}
        candidates = [b for b in self.world.backups if b.status == "available"
                      and b.volume_id not in head and b.volume_id not in self.world.near_limit
                      and not (b.name or "").startswith(AUTO_PREFIX)]
        # A policy disk's backup when there is one, any quiet disk's otherwise.
        candidates = [b for b in candidates if b.volume_id in bound] or candidates
        if not peer or not candidates:
            return
        backup = min(candidates, key=lambda b: (b.created_at, b.id))
        shared_at = backup.created_at + self.rng.uniform(DAY, 2 * DAY)
        self.world.vbs.shares.append(Share(
            id=derived_uuid("seed-share", backup.id), backup_id=backup.id,
            from_project_id=self.config.project_id, to_project_id=peer, created_at=shared_at))
