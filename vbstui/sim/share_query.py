"""The filters of a share listing, as the sharing routes read them from the query
(only those routes, loaded on the first sharing request, build one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShareQuery:
    """The filters of a share listing."""

    to_me: bool = False
    volume_id: str | None = None
    name: str | None = None
    status: str | None = None
    backup_id: str | None = None
    from_project_id: str | None = None
    to_project_id: str | None = None
    availability_zone: str | None = None
    sort_key: str = "created_at"
    ascending: bool = False
    limit: int | None = None
    offset: int = 0
