"""The filters of the CBR backup and task listings, as their routes read them (only
those routes, loaded on their first request, build one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BackupQuery:
    """The filters of a CBR backup listing."""

    vault_id: str | None = None
    resource_id: str | None = None
    checkpoint_id: str | None = None
    statuses: tuple[str, ...] = ()
    name: str | None = None
    resource_name: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    sort: str = ""
    marker: str | None = None
    limit: int = 1000
    offset: int = 0


@dataclass(frozen=True)
class TaskQuery:
    """The filters of a CBR task (operation log) listing."""

    operation_type: str | None = None
    status: str | None = None
    resource_id: str | None = None
    vault_id: str | None = None
    vault_name: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    limit: int = 1000
    offset: int = 0
