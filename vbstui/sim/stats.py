"""Request counters behind `GET /_sim/state`: cheap to update, cheap to read."""

from __future__ import annotations

from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.create_posts = 0
        self.token_requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.create_in_flight = 0
        self.max_create_in_flight = 0
        self.faults: Counter[str] = Counter()
        # Backups created during this run per (volume_id, name); seeded ones excluded.
        self.created: Counter[tuple[str, str]] = Counter()

    def enter(self, route: str, *, is_create: bool, is_token: bool) -> None:
        self.requests[route] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if is_token:
            self.token_requests += 1
        if is_create:
            self.create_posts += 1
            self.create_in_flight += 1
            self.max_create_in_flight = max(self.max_create_in_flight, self.create_in_flight)

    def leave(self, *, is_create: bool) -> None:
        self.in_flight -= 1
        if is_create:
            self.create_in_flight -= 1

    def as_dict(self) -> dict[str, Any]:
        created = [
            {"volume_id": vid, "name": name, "count": n}
            for (vid, name), n in self.created.items()
        ]
        return {
            "requests": dict(self.requests),
            "requests_total": sum(self.requests.values()),
            "create_backup_posts": self.create_posts,
            "token_requests": self.token_requests,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "max_in_flight_create_backup": self.max_create_in_flight,
            "faults_injected": dict(self.faults),
            "created_backups": created,
            "duplicates": [entry for entry in created if entry["count"] > 1],
        }
