"""Read side of the simulated CBR service: vaults, backups, checkpoints, tasks and
policies as their GET endpoints list them (filters, sort, limit/offset, count)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from vbstui.sim.cbr_book import CbrBook
from vbstui.sim.cbr_codes import CbrError, bad_parameter
from vbstui.sim.cbr_models import CbrBackup, Vault
from vbstui.sim.cbr_serialize import (
    JsonDict,
    backup_json,
    checkpoint_json,
    checkpoint_resource_json,
    task_json,
    vault_json,
    vault_resource_json,
)
from vbstui.sim.timefmt import cbr_time

if TYPE_CHECKING:  # built by the routes that list backups and tasks
    from vbstui.sim.cbr_filters import BackupQuery, TaskQuery

SORT_KEYS = ("created_at", "updated_at", "name", "status", "protected_at", "id")


def _sort_key(key: str) -> Callable[[CbrBackup], Any]:
    if key == "protected_at":
        return lambda b: b.protected_at or 0.0
    return lambda b: getattr(b, key) or ""


def sort_backups(backups: list[CbrBackup], sort: str) -> list[CbrBackup]:
    """`key1[:dir],key2[:dir]`, direction desc unless asc; default created_at:desc."""
    if len(sort) > 255:
        raise bad_parameter("'sort' must be at most 255 characters.")
    specs = [part.strip() for part in sort.split(",") if part.strip()] or ["created_at:desc"]
    parsed = []
    for spec in specs:
        key, _, direction = spec.partition(":")
        direction = direction or "desc"
        if key not in SORT_KEYS or direction not in {"asc", "desc"}:
            raise bad_parameter(f"'sort' keys are {', '.join(SORT_KEYS)} with :asc or :desc.")
        parsed.append((key, direction))
    ordered = sorted(backups, key=lambda b: b.id, reverse=True)  # stable tie-break
    for key, direction in reversed(parsed):
        ordered.sort(key=_sort_key(key), reverse=direction == "desc")
    return ordered


class CbrQueries(CbrBook):

    def _now(self) -> float:
        return self.world._advance()

    def _vault(self, vault_id: str) -> Vault:
        vault = self.vaults.get(vault_id)
        if vault is None:
            raise CbrError("BackupService.6105", f"No vault {vault_id[:64]!r}.")
        return vault

    def _protect_status(self, volume_id: str) -> str:
        if volume_id in self.running:
            return "protecting"
        volume = self.world._volumes_by_id.get(volume_id)
        if volume is not None and volume.status == "restoring-backup":
            return "restoring"
        return "available"

    def _vault_json(self, vault: Vault, totals: dict[tuple[str, str], list[int]]) -> JsonDict:
        resources = []
        for volume_id in vault.resources:
            volume = self.world._volumes_by_id.get(volume_id)
            count, used = totals.get((vault.id, volume_id), (0, 0))
            resources.append(vault_resource_json(
                volume_id, volume.name if volume else "", volume.size if volume else 0,
                self._protect_status(volume_id), backup_mb=used, backup_count=count))
        config = self.world.config
        return vault_json(vault, project_id=config.project_id, user_id=config.user_id,
                          used_mb=self.vault_used[vault.id], resources=resources)

    def _totals(self, vault_ids: Iterable[str]) -> dict[tuple[str, str], list[int]]:
        wanted = set(vault_ids)
        totals: dict[tuple[str, str], list[int]] = {}
        for backup in self.backups.values():
            if backup.vault_id in wanted:
                entry = totals.setdefault((backup.vault_id, backup.volume_id), [0, 0])
                entry[0] += 1
                entry[1] += backup.used_mb if backup.status != "protecting" else 0
        return totals

    def vault_page(self, *, filters: dict[str, str | None], limit: int, offset: int
                   ) -> tuple[list[JsonDict], int]:
        with self.world.lock:
            self._now()
            vaults = list(self.vaults.values())
            checks: list[Callable[[Vault], bool]] = []
            if filters.get("object_type") not in (None, "disk"):
                vaults = []
            if filters.get("protect_type") not in (None, "backup"):
                vaults = []
            for key in ("id", "name", "status"):
                value = filters.get(key)
                if value is not None:
                    attr = {"id": "id", "name": "name", "status": "status"}[key]
                    checks.append(lambda v, a=attr, x=value: getattr(v, a) == x)
            policy = filters.get("policy_id")
            if policy is not None:
                checks.append(lambda v: v.policy_id == policy)
            resource = filters.get("resource_ids")
            if resource is not None:
                checks.append(lambda v: resource in v.resources)
            matching = [v for v in vaults if all(check(v) for check in checks)]
            chunk = matching[offset:offset + limit]
            totals = self._totals(v.id for v in chunk)
            return [self._vault_json(v, totals) for v in chunk], len(matching)

    def vault_view(self, vault_id: str) -> JsonDict:
        with self.world.lock:
            self._now()
            vault = self._vault(vault_id)
            return self._vault_json(vault, self._totals([vault.id]))

    def backup_page(self, query: BackupQuery) -> tuple[list[JsonDict], int]:
        with self.world.lock:
            self._now()
            q = query
            matching = [
                b for b in self.backups.values()
                if (q.vault_id is None or b.vault_id == q.vault_id)
                and (q.resource_id is None or b.volume_id == q.resource_id)
                and (q.checkpoint_id is None or b.checkpoint_id == q.checkpoint_id)
                and (not q.statuses or b.status in q.statuses)
                and (q.name is None or b.name == q.name)
                and (q.resource_name is None or b.resource_name == q.resource_name)
                and (q.start_time is None or b.created_at >= q.start_time)
                and (q.end_time is None or b.created_at <= q.end_time)
            ]
            ordered = sort_backups(matching, q.sort)
            if q.marker is not None:
                at = next((i for i, b in enumerate(ordered) if b.id == q.marker), None)
                if at is None:
                    raise bad_parameter(f"'marker' {q.marker[:64]!r} names no backup.")
                ordered = ordered[at + 1:]
            pid = self.world.config.project_id
            chunk = ordered[q.offset:q.offset + q.limit]
            return [backup_json(b, pid) for b in chunk], len(matching)

    def backup_view(self, backup_id: str) -> JsonDict:
        with self.world.lock:
            self._now()
            backup = self.backups.get(backup_id)
            if backup is None:
                raise CbrError("BackupService.6200", f"No backup {backup_id[:64]!r}.")
            return backup_json(backup, self.world.config.project_id)

    def checkpoint_view(self, checkpoint_id: str, *, with_skipped: bool = False) -> JsonDict:
        with self.world.lock:
            self._now()
            checkpoint = self.checkpoints.get(checkpoint_id)
            if checkpoint is None:
                raise CbrError("BackupService.6217", f"No restore point {checkpoint_id[:64]!r}.")
            resources = []
            for backup_id in checkpoint.backup_ids:
                backup = self.backups.get(backup_id)
                if backup is not None:
                    resources.append(checkpoint_resource_json(
                        backup.volume_id, backup.resource_name, backup.resource_size,
                        self._protect_status(backup.volume_id)))
            return checkpoint_json(checkpoint, self.vaults.get(checkpoint.vault_id),
                                   self.world.config.project_id, resources,
                                   with_skipped=with_skipped)

    def task_page(self, query: TaskQuery) -> tuple[list[JsonDict], int]:
        with self.world.lock:
            now = self._now()
            q = query
            matching = [
                t for t in self.tasks.values()
                if (q.operation_type is None or t.operation_type == q.operation_type)
                and (q.status is None or t.status() == q.status)
                and (q.resource_id is None or t.resource_id == q.resource_id)
                and (q.vault_id is None or t.vault_id == q.vault_id)
                and (q.vault_name is None or t.vault_name == q.vault_name)
                and (q.start_time is None or t.started_at >= q.start_time)
                and (q.end_time is None or t.started_at <= q.end_time)
            ]
            matching.sort(key=lambda t: (t.started_at, t.id), reverse=True)
            pid = self.world.config.project_id
            chunk = matching[q.offset:q.offset + q.limit]
            return [task_json(t, pid, now) for t in chunk], len(matching)

    def task_view(self, task_id: str) -> JsonDict:
        with self.world.lock:
            now = self._now()
            task = self.tasks.get(task_id)
            if task is None:
                raise CbrError("BackupService.6500", f"No task {task_id[:64]!r}.")
            return task_json(task, self.world.config.project_id, now)

    def policy_page(self, *, vault_id: str | None, operation_type: str | None
                    ) -> list[JsonDict]:
        with self.world.lock:
            self._now()
            if operation_type not in (None, "backup"):
                return []
            items = []
            for policy in self.policies.values():
                vaults = [v.id for v in self.vaults.values() if v.policy_id == policy.id]
                if vault_id is not None and vault_id not in vaults:
                    continue
                items.append({
                    "id": policy.id, "name": policy.name, "enabled": True,
                    "operation_type": "backup",
                    "associated_vaults": [{"vault_id": v, "destination_vault_id": None}
                                          for v in vaults],
                    "operation_definition": {"retention_duration_days": policy.retention_days,
                                             "timezone": "UTC+01:00"},
                    "trigger": {"type": "time", "name": "default",
                                "properties": {"pattern": [policy.pattern],
                                               "start_time": cbr_time(self.world.started_at)}},
                })
            return items

    def snapshot(self) -> dict[str, Any]:
        """The CBR part of `GET /_sim/state` (the caller holds the lock, time applied)."""
        created = [{"vault_id": vault, "volume_id": volume, "name": name, "count": n}
                   for (vault, volume, name), n in self.created.items()]
        return {
            "vaults": [{"id": v.id, "name": v.name, "size_gb": v.size_gb,
                        "used_mb": self.vault_used[v.id], "reserved_mb": self.reserved_mb(v),
                        "resources": len(v.resources), "policy_id": v.policy_id}
                       for v in self.vaults.values()],
            "backups": len(self.backups),
            "backups_by_status": dict(Counter(b.status for b in self.backups.values())),
            "checkpoints": len(self.checkpoints),
            "tasks": dict(Counter(f"{t.operation_type}:{t.status()}"
                                  for t in self.tasks.values())),
            "vbs_bound": sum(v.vbs_policy is not None for v in self.world.volumes),
            "created_backups": created,
            "duplicates": [entry for entry in created if entry["count"] > 1],
        }

