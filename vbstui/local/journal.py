"""The job journal: every submitted job survives a crash or a SIGKILL.

SQLite gives atomic, concurrent-safe writes from several vbstui processes at
once (a TUI and scripts on the same jump host) without torn files.  A row is
written *before* a create request is sent, so even a kill between the server's
answer and our next write leaves enough (disk, backup name, the backups that
existed before) to find the job again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vbstui.local.paths import ensure_private_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    local_id TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    project_id TEXT NOT NULL,
    finished INTEGER NOT NULL,
    submitted_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_open ON jobs (finished, profile, project_id);
"""
HISTORY_KEEP = 2000  # finished jobs kept per journal (older ones are pruned when it opens)
# and shown by `vbstui jobs` and the jobs view


class Journal:
    """A small key-value store of job records (dicts), one row per job."""

    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps the journal in memory (demo mode: the simulator dies with us)."""
        self.path = path
        if path is not None:
            ensure_private_dir(path.parent)
            target = str(path)
        else:
            target = ":memory:"
        # One connection per process; writes are tiny, so a lock is simpler than a pool.
        self._db = sqlite3.connect(target, timeout=10.0, check_same_thread=False,
                                   isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")  # survives process death
                path.chmod(0o600)
            self._db.executescript(SCHEMA)
        self.prune()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def save(self, record: dict[str, Any], *, finished: bool) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (local_id, profile, project_id, finished, submitted_at, "
                "updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(local_id) DO UPDATE SET finished=excluded.finished, "
                "updated_at=excluded.updated_at, data=excluded.data, "
                "project_id=excluded.project_id",
                (
                    record["local_id"], record.get("profile", ""), record.get("project_id", ""),
                    int(finished), float(record.get("submitted_at") or time.time()),
                    time.time(), json.dumps(record, ensure_ascii=False),
                ),
            )

    def unfinished(self, *, profile: str | None = None, project_id: str | None = None
                   ) -> list[dict[str, Any]]:
        query = "SELECT data FROM jobs WHERE finished = 0"
        args: list[Any] = []
        if profile is not None:
            query += " AND profile = ?"
            args.append(profile)
        if project_id is not None:
            query += " AND (project_id = ? OR project_id = '')"
            args.append(project_id)
        return self._rows(query + " ORDER BY submitted_at", args)

    def history(self, limit: int = HISTORY_KEEP) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT data FROM jobs ORDER BY submitted_at DESC LIMIT ?", [limit]
        )

    def prune(self, keep: int = HISTORY_KEEP) -> None:
        """Forget all but the newest `keep` finished jobs; unfinished ones always stay."""
        with self._lock:
            self._db.execute(
                "DELETE FROM jobs WHERE finished = 1 AND local_id NOT IN ("
                "SELECT local_id FROM jobs WHERE finished = 1 ORDER BY submitted_at DESC LIMIT ?)",
                (keep,),
            )

    def _rows(self, query: str, args: Iterable[Any]) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(query, list(args)).fetchall()
        records: list[dict[str, Any]] = []
        for (data,) in rows:
            try:
                record = json.loads(data)
            except ValueError:
                continue  # a damaged row must not hide the others
            if isinstance(record, dict):
                records.append(record)
        return records
