"""The job journal: every submitted job survives a crash or a SIGKILL.

SQLite gives atomic, concurrent-safe writes from several vbstui processes at
once (a TUI and scripts on the same jump host) without torn files.  A row is
written *before* a create request is sent, so even a kill between the server's
answer and our next write leaves enough (disk, backup name, the backups that
existed before) to find the job again.

Each unfinished job is leased to the process working on it (its pid and start
time): no other process reconciles, resumes or decides it while that process
lives, and a lease whose process is gone is taken over (see `vbstui.local.lease`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vbstui.errors import ConfigError
from vbstui.local.lease import Lease
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
LEASE_COLUMNS = {"lease_pid": "INTEGER", "lease_start": "TEXT"}  # added to older journals
HISTORY_KEEP = 2000  # finished jobs kept per journal (older ones are pruned when it opens)
# and shown by `vbstui jobs` and the jobs view


class JournalError(ConfigError):
    """The journal cannot be read or written; the message says where and why."""


class Journal:
    """A small key-value store of job records (dicts), one row per job."""

    def __init__(self, path: Path | None) -> None:
        """`path=None` keeps the journal in memory (demo mode: the simulator dies with us)."""
        self.path = path
        self.lease = Lease.mine()
        self._lock = threading.Lock()
        try:
            self._db = self._open(path)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the job journal {path}: {_reason(exc)}; "
                               "nothing was sent") from None
        self.prune()

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            ensure_private_dir(path.parent)
            if path.is_symlink():  # sqlite and chmod would follow it to someone's file
                raise OSError(0, f"{path} is a symbolic link")
        # One connection per process; writes are tiny, so a lock is simpler than a pool.
        db = sqlite3.connect(str(path) if path else ":memory:", timeout=10.0,
                             check_same_thread=False, isolation_level=None)
        if path is not None:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # survives process death
            path.chmod(0o600)
        db.executescript(SCHEMA)
        present = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
        for column, kind in LEASE_COLUMNS.items():
            if column not in present:
                db.execute(f"ALTER TABLE jobs ADD COLUMN {column} {kind}")
        return db

    def _write(self, query: str, args: Iterable[Any]) -> int:
        try:
            with self._lock:
                return self._db.execute(query, list(args)).rowcount
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the job journal {self.path or '(memory)'}: "
                               f"{_reason(exc)}") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def save(self, record: dict[str, Any], *, finished: bool) -> None:
        """Insert or update a job; an unfinished job is leased to this process."""
        pid, start = (None, None) if finished else (self.lease.pid, self.lease.start)
        self._write(
            "INSERT INTO jobs (local_id, profile, project_id, finished, submitted_at, "
            "updated_at, data, lease_pid, lease_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(local_id) DO UPDATE SET finished=excluded.finished, "
            "updated_at=excluded.updated_at, data=excluded.data, "
            "project_id=excluded.project_id, lease_pid=excluded.lease_pid, "
            "lease_start=excluded.lease_start",
            (
                record["local_id"], record.get("profile", ""), record.get("project_id", ""),
                int(finished), float(record.get("submitted_at") or time.time()),
                time.time(), json.dumps(record, ensure_ascii=False), pid, start,
            ),
        )

    def claim(self, local_id: str) -> bool:
        """Take an unfinished job over for this process, unless another live process holds
        it; atomic, so of two processes claiming at once exactly one wins."""
        with self._lock:
            row = self._db.execute("SELECT lease_pid, lease_start FROM jobs WHERE local_id = ? "
                                   "AND finished = 0", [local_id]).fetchone()
        if row is None:
            return False
        holder = Lease(row[0], row[1]) if row[0] is not None else None
        if holder == self.lease:
            return True
        if holder is not None and holder.alive():
            return False
        # Compare-and-set on what we read: of two processes taking over at once, one wins.
        changed = self._write(
            "UPDATE jobs SET lease_pid = ?, lease_start = ? WHERE local_id = ? AND finished = 0 "
            "AND lease_pid IS ? AND lease_start IS ?",
            (self.lease.pid, self.lease.start, local_id, row[0], row[1]))
        return changed == 1

    def holder(self, local_id: str) -> Lease | None:
        """The live process other than this one that works on the job, if any."""
        with self._lock:
            row = self._db.execute("SELECT lease_pid, lease_start FROM jobs WHERE local_id = ? "
                                   "AND finished = 0", [local_id]).fetchone()
        if row is None or row[0] is None:
            return None
        holder = Lease(row[0], row[1])
        return holder if holder != self.lease and holder.alive() else None

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
        self._write(
            "DELETE FROM jobs WHERE finished = 1 AND local_id NOT IN ("
            "SELECT local_id FROM jobs WHERE finished = 1 ORDER BY submitted_at DESC LIMIT ?)",
            (keep,),
        )

    def _rows(self, query: str, args: Iterable[Any]) -> list[dict[str, Any]]:
        try:
            with self._lock:
                rows = self._db.execute(query, list(args)).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the job journal {self.path or '(memory)'}: "
                               f"{_reason(exc)}") from None
        records: list[dict[str, Any]] = []
        for (data,) in rows:
            try:
                record = json.loads(data)
            except ValueError:
                continue  # a damaged row must not hide the others
            if isinstance(record, dict):
                records.append(record)
        return records


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    if "disk is full" in text or "database or disk is full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text:
        return "the directory or file is read-only"
    return text
