"""The job model: what a tracked job is, what the tracker reports, how often it looks.

Plain data only: no I/O here, so the front ends and the journal can use these
types without pulling in the tracker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from vbstui.cloud.error_codes import explain
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs.ids import random_hex_id

SERVICES = ("vbs", "cbr")  # the backup services a job can belong to


class Phase(str, Enum):
    SUBMITTING = "submitting"  # journaled; the request is on its way
    RECONCILING = "reconciling"  # ambiguous failure: looking for what the server did
    UNKNOWN = "unknown"  # could not tell whether the server acted; the user decides
    REFUSED = "refused"  # the cloud refused the request: nothing was created
    RUNNING = "running"  # the job exists; following it
    SUCCESS = "success"
    FAILED = "failed"  # the job ended in FAIL
    CANCELLED = "cancelled"  # the user gave up on an unknown outcome

    @property
    def finished(self) -> bool:
        return self in (Phase.REFUSED, Phase.SUCCESS, Phase.FAILED, Phase.CANCELLED)


class Kind(str, Enum):
    CREATE = "create"
    RESTORE = "restore"
    DELETE = "delete"
    # One disk's backup task of a VBS policy run: `job_id` is the task's id, its policy
    # id is in `request["policy_id"]`; its port reads the policy's task list.
    POLICY_RUN = "policy-run"


@dataclass
class TrackedJob:
    """What the tracker knows about one job; also its journal record."""

    kind: Kind
    profile: str
    volume_id: str
    backup_name: str = ""
    volume_name: str = ""
    backup_id: str = ""  # the new backup (create), the source (restore), the target (delete)
    request: dict[str, Any] = field(default_factory=dict)
    project_id: str = ""
    local_id: str = field(default_factory=random_hex_id)
    job_id: str = ""
    phase: Phase = Phase.SUBMITTING
    status: str = ""  # the service's job status: INIT, RUNNING, SUCCESS, FAIL
    error_code: str = ""
    message: str = ""
    recovered: bool = False  # found again after a network error
    known_backup_ids: list[str] = field(default_factory=list)  # existed before we submitted
    submitted_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    polls: int = 0
    follow_backup: bool = False  # the service forgot the job: follow the backup instead
    run_id: str = ""  # the run (one command, one form) the job belongs to; "" for its own
    # Which backup service holds the job: journal rows written before CBR are VBS.
    service: str = "vbs"
    vault_id: str = ""  # CBR: the vault the backup is made in (or lives in)

    @property
    def finished(self) -> bool:
        return self.phase.finished

    @property
    def elapsed(self) -> float:
        return (self.finished_at or time.time()) - self.submitted_at

    @property
    def run(self) -> str:
        """The run's id: a job submitted alone is a run of its own."""
        return self.run_id or self.local_id

    @property
    def label(self) -> str:
        return self.backup_name or self.backup_id or self.volume_name or self.volume_id

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["kind"] = self.kind.value
        record["phase"] = self.phase.value
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TrackedJob:
        # Unknown keys are dropped so a journal written by a newer version still loads.
        known = set(cls.__dataclass_fields__)
        data = {k: v for k, v in record.items() if k in known}
        data["kind"] = Kind(data.get("kind", "create"))
        data["phase"] = Phase(data.get("phase", "submitting"))
        if data.get("service", "vbs") not in SERVICES:
            raise ValueError("journal record names an unknown backup service")
        for key in ("local_id", "job_id", "backup_id", "volume_id", "project_id", "vault_id"):
            value = data.get(key, "")
            if not isinstance(value, str) or not _plain_id(value):
                # An id that could bend a URL or a terminal never leaves the journal.
                raise ValueError(f"journal record has an unusable {key}")
        return cls(**data)

    def outcome(self) -> dict[str, Any]:
        """The machine-readable summary printed by `--json`."""
        info = explain(self.error_code) if self.error_code else None
        return {
            "local_id": self.local_id,
            "kind": self.kind.value,
            "job_id": self.job_id or None,
            "phase": self.phase.value,
            "status": self.status or None,
            "service": self.service,
            "vault_id": self.vault_id or None,
            "volume_id": self.volume_id,
            "backup_name": self.backup_name or None,
            "backup_id": self.backup_id or None,
            "error_code": self.error_code or None,
            "error_meaning": info.meaning if info else None,
            "error_action": info.action if info else None,
            "message": self.message or None,
            "recovered_after_network_error": self.recovered,
            "submitted_at": self.submitted_at,
            "duration_seconds": round(self.elapsed, 1),
        }


class Severity(str, Enum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class JobEvent:
    """Something a job did, worth telling the user."""

    job: TrackedJob
    text: str
    severity: Severity = Severity.INFO


Listener = Callable[[JobEvent], None]


def _plain_id(value: str) -> bool:
    """Ids are short runs of visible ASCII: anything else did not come from the service."""
    return len(value) <= 128 and all(33 <= ord(c) < 127 for c in value)


def request_from(job: TrackedJob) -> BackupRequest:
    """The create request a job was made from (the journal keeps it as a plain dict)."""
    data = dict(job.request)
    # JSON turns the tag tuples into lists; the request is frozen and hashable.
    data["tags"] = tuple(tuple(t) for t in data.get("tags", ()))
    return BackupRequest(**data)


def duration_text(seconds: float) -> str:
    """`42 s` or `3 min 5 s`: how long a job took, for people."""
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
