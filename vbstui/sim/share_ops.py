"""Backup sharing between the simulated projects (`/os-vendor-backup-sharing`).

One `ShareBook` serves every project of a simulator (they share one lock): a share
names the owner's backup, so listings read the backup from the owner's world.  No
sharing error code is documented; refusals use the Cinder envelopes, as the
OpenStack-style extension they belong to.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vbstui.sim.models import Backup
from vbstui.sim.policy_models import Share
from vbstui.sim.serialize import JsonDict, backup_json
from vbstui.sim.timefmt import cinder_time

if TYPE_CHECKING:
    from vbstui.sim.share_query import ShareQuery  # built by the sharing routes
    from vbstui.sim.world import SimWorld

_PROJECT_RE = re.compile(r"^[0-9a-f]{32}\Z")
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at",
             "updated_at")
_BACKUP_FIELDS = ("availability_zone", "container", "created_at", "data_timestamp",
                  "description", "fail_reason", "has_dependent_backups", "id",
                  "is_incremental", "name", "object_count", "size", "snapshot_id", "status",
                  "updated_at", "volume_id", "service_metadata")


class ShareRefused(Exception):
    """400 badRequest; the message says why."""


class ShareNotFound(Exception):
    """404 itemNotFound."""


class ShareBook:
    def __init__(self) -> None:
        self.projects: dict[str, SimWorld] = {}
        self.shares: dict[str, Share] = {}

    def join(self, world: SimWorld) -> None:
        self.projects[world.config.project_id] = world

    def install(self, shares: list[Share]) -> None:
        """Replace the shares; those naming a backup that is not there are dropped."""
        self.shares = {s.id: s for s in shares if self._backup(s) is not None}

    def is_shared(self, backup_id: str) -> bool:
        return any(s.backup_id == backup_id for s in self.shares.values())

    def involving(self, project_id: str) -> list[Share]:
        return [s for s in self.shares.values()
                if project_id in (s.from_project_id, s.to_project_id)]

    def _backup(self, share: Share) -> Backup | None:
        owner = self.projects.get(share.from_project_id)
        return None if owner is None else owner.backups.get(share.backup_id)

    # -- requests (the caller holds the lock and has applied due events) -----------------

    def share(self, world: SimWorld, body: Any, now: float) -> list[JsonDict]:
        shared = body.get("shared") if isinstance(body, dict) else None
        if not isinstance(shared, dict):
            raise ShareRefused("Invalid input: the body must be {\"shared\": {\"backup_id\", "
                               "\"to_project_ids\"}}.")
        backup_id, targets = shared.get("backup_id"), shared.get("to_project_ids")
        if not isinstance(backup_id, str) or not backup_id:
            raise ShareRefused("Invalid input: backup_id is required.")
        backup = world.backups.get(backup_id)
        if backup is None:
            raise ShareNotFound(f"Backup {backup_id} could not be found.")
        if backup.status != "available":
            raise ShareRefused(f"Invalid backup: only an available backup can be shared; "
                               f"it is {backup.status}.")
        if (not isinstance(targets, list) or not targets
                or len(set(map(str, targets))) != len(targets)):
            raise ShareRefused("Invalid input: to_project_ids is a non-empty list of distinct "
                               "project ids.")
        own = world.config.project_id
        for target in targets:
            if not isinstance(target, str) or not _PROJECT_RE.match(target):
                raise ShareRefused(f"Invalid project id {target!r}: 32 hexadecimal "
                                   "characters.")
            if target == own:
                raise ShareRefused("Invalid project id: a backup cannot be shared with its "
                                   "own project.")
            if any(s.backup_id == backup_id and s.to_project_id == target
                   for s in self.shares.values()):
                raise ShareRefused(f"Invalid input: the backup is already shared with "
                                   f"project {target}.")
        made = []
        for target in targets:
            share = Share(id=world._ids.uuid(), backup_id=backup_id, from_project_id=own,
                          to_project_id=target, created_at=now)
            self.shares[share.id] = share
            made.append({**self._share_json(share), "deleted": False, "deleted_at": None})
        world.revision += 1
        return made

    def cancel(self, world: SimWorld, item_id: str, *, is_backup_id: bool) -> None:
        own = world.config.project_id
        if is_backup_id:
            doomed = [s.id for s in self.shares.values()
                      if s.backup_id == item_id and s.from_project_id == own]
            if not doomed and item_id not in world.backups:
                raise ShareNotFound(f"Backup {item_id} could not be found.")
        else:
            share = self.shares.get(item_id)
            if share is None or share.from_project_id != own:
                raise ShareNotFound(f"Backup sharing {item_id} could not be found.")
            doomed = [item_id]
        for share_id in doomed:
            del self.shares[share_id]
        world.revision += 1

    def detail(self, world: SimWorld, share_id: str, base: str, now: float) -> JsonDict:
        own = world.config.project_id
        share = self.shares.get(share_id)
        if share is None or own not in (share.from_project_id, share.to_project_id):
            raise ShareNotFound(f"Backup sharing {share_id} could not be found.")
        return self._full_json(share, base, now)

    def page(self, world: SimWorld, query: ShareQuery, base: str, now: float
             ) -> tuple[list[JsonDict], int]:
        own = world.config.project_id
        rows = []
        for share in self.shares.values():
            mine = share.to_project_id if query.to_me else share.from_project_id
            backup = self._backup(share)
            if mine != own or backup is None or not _matches(share, backup, query):
                continue
            rows.append((share, backup))
        rows.sort(key=lambda pair: _sort_value(pair, query.sort_key),
                  reverse=not query.ascending)
        total = len(rows)
        end = None if query.limit is None else query.offset + query.limit
        return [self._full_json(s, base, now) for s, _ in rows[query.offset:end]], total

    # -- shapes ---------------------------------------------------------------------------

    @staticmethod
    def _share_json(share: Share) -> JsonDict:
        return {
            "id": share.id, "backup_id": share.backup_id,
            "from_project_id": share.from_project_id, "to_project_id": share.to_project_id,
            "created_at": cinder_time(share.created_at),
            "updated_at": None if share.updated_at is None else cinder_time(share.updated_at),
        }

    def _full_json(self, share: Share, base: str, now: float) -> JsonDict:
        owner = self.projects[share.from_project_id]
        backup = owner.backups[share.backup_id]
        native = backup_json(backup, base, share.from_project_id, now,
                             has_dependents=backup.id == owner.dependent_base(backup.volume_id))
        return {**self._share_json(share), "backup": {k: native[k] for k in _BACKUP_FIELDS}}


def _matches(share: Share, backup: Backup, query: ShareQuery) -> bool:
    checks = (
        (query.volume_id, backup.volume_id), (query.status, backup.status),
        (query.backup_id, backup.id), (query.from_project_id, share.from_project_id),
        (query.to_project_id, share.to_project_id),
        (query.availability_zone, backup.availability_zone),
    )
    if any(wanted is not None and wanted != actual for wanted, actual in checks):
        return False
    return query.name is None or query.name in (backup.name or "")


def _sort_value(pair: tuple[Share, Backup], key: str) -> tuple[Any, ...]:
    share, backup = pair
    values: dict[str, Any] = {
        "name": backup.name or "", "status": backup.status, "size": backup.size,
        "id": share.id, "created_at": share.created_at,
        "updated_at": share.updated_at or share.created_at,
        "container_format": "", "disk_format": "",
    }
    return values[key], share.id
