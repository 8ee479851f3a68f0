"""The simulated project's world and its clock: disks, backups, jobs, scheduled events.

`SimWorld` keeps the books (counts per disk, used capacity, status counts) and moves
time: scheduled events (a job leaves INIT, a job ends, a deleted backup disappears)
and the starts of VBS backup policies are applied in time order when `_advance` is
called, which every public operation of `SimState` does first.  Manual backups and
policy runs start their jobs through the same `_start_create`.
"""

from __future__ import annotations

import heapq
import random
import threading
from collections import Counter
from dataclasses import dataclass

from vbstui.sim.cbr_generate import shape_services
from vbstui.sim.cbr_ops import CbrService
from vbstui.sim.config import SimConfig
from vbstui.sim.envelopes import VbsError
from vbstui.sim.generate import World, generate_world
from vbstui.sim.ids import IdFactory, derived_uuid
from vbstui.sim.injector import CREATE_FAILURES, FaultInjector
from vbstui.sim.models import BACKUPABLE, CREATE_JOB, INIT_SHARE, Backup, Job, Volume
from vbstui.sim.policy_generate import seed_policies
from vbstui.sim.policy_ops import PolicyService
from vbstui.sim.rules import CreateRequest
from vbstui.sim.share_ops import ShareBook
from vbstui.sim.stats import Stats
from vbstui.sim.timefmt import cinder_time
from vbstui.sim.tokens import TokenStore

_RUNNING, _DONE, GONE = "running", "done", "gone"
MAX_BACKUPS_PER_VOLUME = 20


@dataclass(frozen=True)
class PendingCreate:
    """A create job's request until its backup appears (and whether incremental)."""

    request: CreateRequest
    inc: int


class SimWorld:
    """Disks, backups and jobs of one simulated project, and the events scheduled on them."""

    def __init__(self, config: SimConfig, *, generate: bool = True) -> None:
        """`generate=False` starts with an empty project, for `vbstui.sim.persist` to fill."""
        self.config = config
        self.clock = config.clock
        self.lock = threading.RLock()
        self.tokens = TokenStore()
        self.stats = Stats()
        self._injector = FaultInjector(config.faults, config.seed)
        # Changes whenever a request changes the world (not when time passes): a saved
        # copy is current while its revision matches.
        self.revision = 0
        self.started_at = self.clock()
        world = self._generate() if generate else World(volumes=[])
        # Runtime ids come from their own stream so requests never disturb generation.
        self._ids = IdFactory(random.Random(f"vbstui-sim/{config.seed}/runtime"))
        self.cbr = CbrService(self)
        self.policies = PolicyService(self)
        self.shares = ShareBook()
        self.shares.join(self)
        # Other projects served with this one (see `SimState.join_peer`).
        self.peers: dict[str, SimWorld] = {}
        self._install(world)

    def _generate(self) -> World:
        world = generate_world(self.config, self.started_at)
        shape_services(world, self.config, self.started_at)
        seed_policies(world, self.config, self.started_at)
        return world

    def _install(self, world: World) -> None:
        self.volumes: list[Volume] = world.volumes
        self._index_volumes()
        self.backups: dict[str, Backup] = {}
        self._backups_of: dict[str, dict[str, Backup]] = {}
        self._per_volume: Counter[str] = Counter()
        self._used_gb = 0
        for backup in world.backups:
            self._add_backup(backup)
        self.jobs: dict[str, Job] = {}
        self._pending: dict[str, PendingCreate] = {}
        self._running_create: dict[str, str] = {}
        self._events: list[tuple[float, int, str, str]] = []
        self._seq = 0
        for job in world.jobs:
            self._register(job)
        for when, backup_id in world.deletions:
            self._schedule(when, GONE, backup_id)
        self.near_limit = world.near_limit
        self.odd_names = world.odd_names
        self.seeded_jobs = [job.id for job in world.jobs]
        self.cbr.install(world.cbr)
        self.policies.install(world.vbs)
        self.shares.install(world.vbs.shares)

    def _index_volumes(self) -> None:
        self._position = {v.id: i for i, v in enumerate(self.volumes)}
        self._volumes_by_id = {v.id: v for v in self.volumes}
        self._status_counts: Counter[str] = Counter(v.status for v in self.volumes)

    def regenerate(self) -> None:
        """Start over with a freshly generated project (tokens stay valid)."""
        with self.lock:
            self.started_at = self.clock()
            self._install(self._generate())
            self.revision += 1

    # -- time ---------------------------------------------------------------------------

    def _advance(self) -> float:
        now = self.clock()
        while True:
            due = self.policies.next_due()
            event = self._events[0][0] if self._events else None
            if due is not None and due[0] <= now and (event is None or due[0] < event):
                # A policy start comes before the next event: its jobs join the queue.
                self.policies.run_scheduled(due[1], due[0], now)
                continue
            if event is None or event > now:
                break
            when, _, kind, target = heapq.heappop(self._events)
            if kind == _RUNNING:
                self._job_running(self.jobs[target], when)
            elif kind == _DONE:
                self._job_done(self.jobs[target], when)
            else:
                self._remove_backup(target)
        self.cbr.advance(now)
        return now

    def _schedule(self, when: float, kind: str, target: str) -> None:
        self._seq += 1
        heapq.heappush(self._events, (when, self._seq, kind, target))

    def _register(self, job: Job) -> None:
        self.jobs[job.id] = job
        if job.job_type == CREATE_JOB:
            self._running_create[job.volume_id] = job.id
            if job.backup_id is None:
                self._schedule(job.running_at, _RUNNING, job.id)
        self._schedule(job.end, _DONE, job.id)

    # -- bookkeeping --------------------------------------------------------------------

    def _set_status(self, volume: Volume, status: str, when: float) -> None:
        self._status_counts[volume.status] -= 1
        self._status_counts[status] += 1
        volume.status = status
        volume.updated_at = cinder_time(when)

    def _add_backup(self, backup: Backup) -> None:
        self.backups[backup.id] = backup
        self._backups_of.setdefault(backup.volume_id, {})[backup.id] = backup
        self._per_volume[backup.volume_id] += 1
        self._used_gb += backup.size

    def _remove_backup(self, backup_id: str) -> None:
        backup = self.backups.pop(backup_id, None)
        if backup is not None:
            self._backups_of[backup.volume_id].pop(backup_id, None)
            self._per_volume[backup.volume_id] -= 1
            self._used_gb -= backup.size

    def _job_running(self, job: Job, when: float) -> None:
        pending = self._pending.pop(job.id)
        volume = self._volumes_by_id[job.volume_id]
        request = pending.request
        backup = Backup(
            # Derived from the job, not drawn: time passing must give the same backup in
            # every process that loads a saved world (see `vbstui.sim.persist`).
            id=derived_uuid("backup", job.id), name=request.name, volume_id=volume.id,
            size=volume.size,
            status="creating", created_at=when, updated_at=when,
            availability_zone=volume.availability_zone, volume_type=volume.volume_type,
            bootable=volume.bootable, snapshot_id=job.snapshot_id,
            backupurl=derived_uuid("backupurl", job.id), desc=request.description, inc=pending.inc,
            tags=request.tags, progress_window=(when, job.end),
        )
        self._add_backup(backup)
        job.backup_id = backup.id

    def _job_done(self, job: Job, when: float) -> None:
        volume = self._volumes_by_id[job.volume_id]
        backup = self.backups.get(job.backup_id or "")
        if job.job_type == CREATE_JOB:
            self._running_create.pop(job.volume_id, None)
            if backup is not None:
                backup.status = "error" if job.fails else "available"
                backup.fail_reason = job.fail_reason
                backup.updated_at = when
            self._set_status(volume, volume.resume_status or "available", when)
        else:
            if backup is not None:
                backup.status = "available"
                backup.updated_at = when
            self._set_status(volume, "error_restoring" if job.fails else "available", when)
        volume.resume_status = None
        if job.job_type == CREATE_JOB:
            self.policies.job_done(job, when)

    # -- shared by manual and policy backups --------------------------------------------

    def backups_of(self, volume_id: str) -> list[Backup]:
        return list(self._backups_of.get(volume_id, {}).values())

    def dependent_base(self, volume_id: str) -> str | None:
        """The backup an incremental backup of the disk being created right now builds
        on: the newest available one older than it.  VBS merges finished chains (the
        guide: deleting any backup keeps the others restorable), so only this one has a
        dependent."""
        job_id = self._running_create.get(volume_id)
        backup = self.backups.get(self.jobs[job_id].backup_id or "") if job_id else None
        if backup is None or backup.status != "creating" or backup.inc != 1:
            return None
        older = [b for b in self.backups_of(volume_id)
                 if b.status == "available" and b.created_at < backup.created_at]
        return max(older, key=lambda b: (b.created_at, b.id)).id if older else None

    def dependent_bases(self) -> set[str]:
        bases = (self.dependent_base(volume_id) for volume_id in self._running_create)
        return {base for base in bases if base is not None}

    def protected_backups(self, volume_id: str) -> set[str]:
        """Backups of the disk that cannot be deleted: shared, or others depend on them."""
        ids = {b.id for b in self.backups_of(volume_id)}
        protected = {s.backup_id for s in self.shares.shares.values() if s.backup_id in ids}
        base = self.dependent_base(volume_id)
        return protected if base is None else protected | {base}

    def _start_create(self, volume: Volume, request: CreateRequest, when: float, *,
                      failures: tuple[tuple[str, str], ...] = CREATE_FAILURES,
                      job_id: str | None = None) -> str:
        """Check the disk and quotas and start a create job at `when`; `VbsError` if the
        service refuses.  Manual backups and policy runs both come through here."""
        if volume.id in self._running_create:
            raise VbsError("VolumeBackup.0013",
                           "The previous backup creation task is not complete.")
        if volume.status not in BACKUPABLE:
            raise VbsError("VolumeBackup.0012",
                           f"The disk status is {volume.status}, not available or in-use.")
        if self._per_volume[volume.id] >= MAX_BACKUPS_PER_VOLUME:
            raise VbsError("VolumeBackup.0040", "The number of backups for the disk has "
                           f"reached the upper limit ({MAX_BACKUPS_PER_VOLUME}).")
        self._check_quota(volume)
        failure = self._injector.job_failure(failures)
        span = self.config.job_seconds
        job = Job(
            id=job_id or self._ids.hex32(), job_type=CREATE_JOB, volume_id=volume.id,
            backup_name=request.name,
            # Derived for policy runs, which happen as time passes (see PolicyService).
            snapshot_id=request.snapshot_id or (
                derived_uuid("snapshot", job_id) if job_id else self._ids.uuid()),
            begin=when, running_at=when + INIT_SHARE * span, end=when + span,
        )
        if failure is not None:
            job.error_code, job.fail_reason = failure
        has_base = any(b.status == "available" for b in self.backups_of(volume.id))
        inc = 1 if has_base and not request.full_backup else 0
        self._pending[job.id] = PendingCreate(request, inc)
        volume.resume_status = volume.status
        self._set_status(volume, "backing-up", when)
        self._register(job)
        return job.id

    def _check_quota(self, volume: Volume) -> None:
        quota = self.config.backup_quota
        if quota != -1 and len(self.backups) + len(self._pending) + 1 > quota:
            raise VbsError("VolumeBackup.0080",
                           "The quota for the number of backups has been used up.")
        capacity = self.config.capacity_quota_gb
        if capacity == -1:
            return  # no need to add up the reserved sizes (a policy run may start thousands)
        reserved = sum(self._volumes_by_id[self.jobs[j].volume_id].size for j in self._pending)
        if self._used_gb + reserved + volume.size > capacity:
            raise VbsError("VolumeBackup.0081",
                           "The quota for the capacity of backups has been used up.")

    def _start_delete(self, backup: Backup, when: float) -> None:
        """The backup goes `deleting` and disappears `delete_seconds` later."""
        backup.status = "deleting"
        backup.updated_at = when
        self._schedule(when + self.config.delete_seconds, GONE, backup.id)
