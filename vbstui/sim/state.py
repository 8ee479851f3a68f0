"""The simulated cloud's live state and every operation on it.

Time only moves when someone looks: each public method first applies the scheduled
events (job leaves INIT, job ends, deleted backup disappears, a backup policy starts)
whose time has come, so the simulator behaves the same in-process and served, with no
background task.
All public methods are synchronous and take one lock, so a served instance can be
inspected from another thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vbstui.sim.envelopes import VbsError
from vbstui.sim.faults import FaultSpec
from vbstui.sim.injector import RESTORE_FAILURES, FaultDecision, FaultInjector
from vbstui.sim.models import (
    DELETABLE,
    INIT_SHARE,
    RESTORE_JOB,
    Job,
    Volume,
)
from vbstui.sim.rules import CreateRequest
from vbstui.sim.serialize import JsonDict, backup_json, job_json, volume_json
from vbstui.sim.tokens import Token, TokenCheck
from vbstui.sim.world import SimWorld

if TYPE_CHECKING:  # built by the sharing routes, loaded on their first request
    from vbstui.sim.share_query import ShareQuery


class NotFound(Exception):
    """The addressed resource does not exist (any more)."""


class Refused(Exception):
    """The resource exists but is in a state that forbids the operation."""


class BadMarker(Exception):
    """A paging marker that names no item of the list."""


@dataclass(frozen=True)
class Page:
    """One page of a listing: its items, the total and whether more follow."""

    items: list[Any]  # JSON dicts, or JSON texts (`volume_text`)
    count: int
    more: bool
    last_id: str | None


class SimState(SimWorld):
    """One simulated project: disks, backups, jobs, tokens, faults and counters."""

    # -- requests and faults ------------------------------------------------------------

    def request_started(self, route: str, *, is_create: bool, is_token: bool) -> None:
        with self.lock:
            self.stats.enter(route, is_create=is_create, is_token=is_token)

    def request_finished(self, *, is_create: bool) -> None:
        with self.lock:
            self.stats.leave(is_create=is_create)

    @property
    def faults(self) -> FaultSpec:
        return self._injector.spec

    def set_faults(self, spec: FaultSpec) -> None:
        """Replace the fault settings (and restart the fault generator from its seed)."""
        with self.lock:
            self._injector = FaultInjector(spec, self.config.seed)

    def decide_fault(self, method: str, path: str, *, is_auth: bool) -> FaultDecision:
        with self.lock:
            decision = self._injector.decide(method, path, is_auth=is_auth)
            if decision.outcome is not None:
                self.stats.faults[str(decision.outcome)] += 1
            return decision

    # -- tokens -------------------------------------------------------------------------

    def issue_token(self, project_id: str | None) -> Token:
        with self.lock:
            return self.tokens.issue(project_id, self.clock(), self.config.token_lifetime)

    def check_token(self, value: str | None) -> tuple[TokenCheck, Token | None]:
        with self.lock:
            return self.tokens.check(value, self.clock(), self._injector.spec.token_expiry)

    # -- volumes ------------------------------------------------------------------------

    def volume_page(self, base: str, *, name: str | None, status: str | None,
                    marker: str | None, offset: int, limit: int,
                    render: Callable[[Volume, str, str, str], Any] = volume_json) -> Page:
        """A page of disks, each as `render` makes it (a dict; `volume_text`: JSON text)."""
        with self.lock:
            self._advance()
            volumes = self.volumes
            if name is None and status is None:
                matching, count = volumes, len(volumes)
                start = 0 if marker is None else self._marker_position(marker) + 1
            else:
                matching = [v for v in volumes if (name is None or v.name == name)
                            and (status is None or v.status == status)]
                count = len(matching)
                start = 0
                if marker is not None:
                    after = self._marker_position(marker)
                    start = next((i for i, v in enumerate(matching)
                                  if self._position[v.id] > after), count)
            start += offset
            chunk = matching[start:start + limit]
            pid, uid = self.config.project_id, self.config.user_id
            items = [render(v, base, pid, uid) for v in chunk]
            return Page(items, count, start + limit < count, chunk[-1].id if chunk else None)

    def _marker_position(self, marker: str) -> int:
        try:
            return self._position[marker]
        except KeyError:
            raise BadMarker(marker) from None

    def volume_view(self, base: str, volume_id: str) -> JsonDict:
        with self.lock:
            self._advance()
            volume = self._volumes_by_id.get(volume_id)
            if volume is None:
                raise NotFound(volume_id)
            return volume_json(volume, base, self.config.project_id, self.config.user_id)

    # -- backups ------------------------------------------------------------------------

    def backup_page(self, base: str, *, volume_id: str | None, name: str | None,
                    status: str | None, marker: str | None, offset: int,
                    limit: int) -> Page:
        with self.lock:
            now = self._advance()
            ordered = sorted(self.backups.values(), key=lambda b: (b.created_at, b.id),
                             reverse=True)
            if marker is not None:
                anchor = self.backups.get(marker)
                if anchor is None:
                    raise BadMarker(marker)
                # Items after the marker in the newest-first order.
                key = (anchor.created_at, anchor.id)
                ordered = [b for b in ordered if (b.created_at, b.id) < key]
            matching = [b for b in ordered if (volume_id is None or b.volume_id == volume_id)
                        and (name is None or b.name == name)
                        and (status is None or b.status == status)]
            chunk = matching[offset:offset + limit]
            pid = self.config.project_id
            bases = self.dependent_bases()
            items = [backup_json(b, base, pid, now, has_dependents=b.id in bases)
                     for b in chunk]
            more = offset + limit < len(matching)
            return Page(items, len(matching), more, chunk[-1].id if chunk else None)

    def backup_view(self, base: str, backup_id: str) -> JsonDict:
        with self.lock:
            now = self._advance()
            backup = self.backups.get(backup_id)
            if backup is None:
                raise NotFound(backup_id)
            return backup_json(backup, base, self.config.project_id, now,
                               has_dependents=backup_id == self.dependent_base(backup.volume_id))

    def delete_backup(self, backup_id: str) -> None:
        """Start deleting; the backup disappears `delete_seconds` later."""
        with self.lock:
            now = self._advance()
            backup = self.backups.get(backup_id)
            if backup is None:
                raise NotFound(backup_id)
            if backup.status not in DELETABLE:
                raise Refused("Invalid backup: Backup status must be available or error")
            if self.shares.is_shared(backup_id):
                raise Refused("Invalid backup: the backup is shared with other projects; "
                              "cancel the sharing first.")
            if backup_id == self.dependent_base(backup.volume_id):
                raise Refused("Invalid backup: Incremental backups exist for this backup.")
            self._start_delete(backup, now)
            self.revision += 1
            if self.config.delete_seconds == 0:
                self._advance()

    def quota_view(self) -> JsonDict:
        with self.lock:
            self._advance()
            reserved = [self._volumes_by_id[self.jobs[j].volume_id].size for j in self._pending]
            return {"quotas": {"resources": [
                {"type": "backups", "used": len(self.backups), "reserved": len(reserved),
                 "quota": self.config.backup_quota},
                {"type": "backup_gigabytes", "used": self._used_gb, "reserved": sum(reserved),
                 "quota": self.config.capacity_quota_gb},
            ]}}

    # -- jobs ---------------------------------------------------------------------------

    def create_backup(self, request: CreateRequest) -> str:
        """Check the disk and quotas, start a create job and return its id."""
        with self.lock:
            now = self._advance()
            volume = self._volumes_by_id.get(request.volume_id)
            if volume is None:
                raise VbsError("VolumeBackup.0021",
                               "The EVS disk does not exist or has been deleted.", 404)
            job_id = self._start_create(volume, request, now)
            self.revision += 1
            self.stats.created[volume.id, request.name] += 1
            return job_id

    def restore_backup(self, backup_id: str, volume_id: str) -> str:
        """Check backup and target disk, start a restore job and return its id."""
        with self.lock:
            now = self._advance()
            backup = self.backups.get(backup_id)
            volume = self._volumes_by_id.get(volume_id)
            if backup is None or volume is None:
                raise VbsError("VolumeBackup.0111", "The disk to be restored or the backup "
                               "used to restore the disk does not exist.", 404)
            if backup.status != "available":
                raise VbsError("VolumeBackup.0089",
                               f"The disk backup status is {backup.status}, not available.")
            if volume.id in self._running_create or volume.status == "backing-up":
                raise VbsError("VolumeBackup.0206", "A backup is being created for the disk.")
            if volume.status == "error":
                raise VbsError("VolumeBackup.0202", "The disk status is error.")
            if volume.status != "available":
                raise VbsError("VolumeBackup.0205", f"The disk status is {volume.status}; "
                               "stop the server and detach the disk before restoring.")
            if volume.size < backup.size:
                raise VbsError("VolumeBackup.0209", "The capacity of the disk must be greater "
                               "than or equal to that of the backup.")
            failure = self._injector.job_failure(RESTORE_FAILURES)
            span = self.config.job_seconds
            job = Job(
                id=self._ids.hex32(), job_type=RESTORE_JOB, volume_id=volume.id,
                backup_name=backup.name, snapshot_id=backup.snapshot_id or "",
                begin=now, running_at=now + INIT_SHARE * span, end=now + span,
                backup_id=backup.id,
            )
            if failure is not None:
                job.error_code, job.fail_reason = failure
            backup.status = "restoring"
            backup.updated_at = now
            volume.resume_status = "available"
            self._set_status(volume, "restoring-backup", now)
            self._register(job)
            self.revision += 1
            return job.id

    def job_view(self, job_id: str) -> JsonDict:
        with self.lock:
            now = self._advance()
            job = self.jobs.get(job_id)
            if job is None:
                raise NotFound(job_id)
            return job_json(job, now)

    # -- sharing ------------------------------------------------------------------------

    def share(self, body: Any) -> list[JsonDict]:
        with self.lock:
            return self.shares.share(self, body, self._advance())

    def share_page(self, query: ShareQuery, base: str) -> tuple[list[JsonDict], int]:
        with self.lock:
            return self.shares.page(self, query, base, self._advance())

    def share_view(self, share_id: str, base: str) -> JsonDict:
        with self.lock:
            return self.shares.detail(self, share_id, base, self._advance())

    def unshare(self, item_id: str, *, is_backup_id: bool) -> None:
        with self.lock:
            self._advance()
            self.shares.cancel(self, item_id, is_backup_id=is_backup_id)

    def join_peer(self, peer: SimState) -> None:
        """Serve `peer` as a second project of the same account: one lock, one token
        store and one share book for both."""
        peer.lock = self.lock
        peer.tokens = self.tokens
        peer.shares = self.shares
        self.shares.join(peer)
        self.peers[peer.config.project_id] = peer

    # -- introspection ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The same document `GET /_sim/state` serves."""
        with self.lock:
            now = self._advance()
            job_states = Counter(job.status(now) for job in self.jobs.values())
            near = [
                {"volume_id": vid, "name": self._volumes_by_id[vid].name,
                 "status": self._volumes_by_id[vid].status, "backups": self._per_volume[vid]}
                for vid in self.near_limit
            ]
            return {
                "project_id": self.config.project_id,
                "region": self.config.region,
                "clock": now,
                "volumes": len(self.volumes),
                "volumes_by_status": {k: n for k, n in self._status_counts.items() if n},
                "backups": len(self.backups),
                "backups_by_status": dict(Counter(b.status for b in self.backups.values())),
                "backup_gigabytes": self._used_gb,
                "jobs": dict(job_states),
                "near_limit": near,
                "odd_name_volumes": list(self.odd_names),
                "seeded_jobs": list(self.seeded_jobs),
                "faults": self._injector.spec.to_text(),
                "services": self.config.services,
                **self.stats.as_dict(),
                "cbr": self.cbr.snapshot(),
                "vbs_policies": self.policies.snapshot(now),
                # Disks a policy backs up on its own: tests that want quiet disks skip them.
                "vbs_policy_disks": [v.id for v in self.volumes if v.vbs_policy],
                "shares": len(self.shares.involving(self.config.project_id)),
                "peer_project_id": next(iter(self.peers), ""),
            }
