"""The filters of a policy's task listing, as its route reads them (only that route,
loaded on its first request, builds one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskQuery:
    """The filters and paging of a policy's task listing."""

    status: str | None = None
    job_id: str | None = None
    marker: str | None = None
    ascending: bool = False
    limit: int = 20
    offset: int = 0
