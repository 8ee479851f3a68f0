"""The simulated VBS backup policies, their tasks, and backup sharings.

Slotted records like `models.py`. A task's status follows from its VBS job while one
exists (computed when serialised); a task that never got a job keeps the status it was
given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_POLICY = "default"
WEEK_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
WAITING, RUNNING = "WAITING", "RUNNING"
SUCCESS, FAIL, TIMEOUT, SKIP = "EXECUTE_SUCCESS", "EXECUTE_FAIL", "EXECUTE_TIMEOUT", "SKIP"
TASK_STATUSES = (RUNNING, TIMEOUT, WAITING, FAIL, SUCCESS, SKIP)
ACTIVE = frozenset({WAITING, RUNNING})
# The code a policy job fails with when the service lost track of it: the task then
# ends EXECUTE_TIMEOUT instead of EXECUTE_FAIL.
TIMEOUT_CODE = "VolumeBackup.0039"
TASK_KEEP_DAYS = 30  # console guide: the Backup Jobs list shows the past 30 days


@dataclass(slots=True)
class VbsPolicy:
    """A VBS backup policy: its schedule, retention and linked disks."""

    id: str
    name: str
    start_times: list[str]
    frequency: int | None
    week_days: list[str]
    keep_count: int | None
    keep_days: int | None
    keep_first_of_month: bool
    enabled: bool
    created_at: float
    time_zone: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    # Disk ids in the order they were linked.
    resources: list[str] = field(default_factory=list)
    # Next scheduled start (epoch seconds) while enabled; None when OFF.
    next_run: float | None = None

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_POLICY


@dataclass(slots=True)
class PolicyTask:
    """One disk's backup task of a policy run."""

    id: str
    policy_id: str
    volume_id: str
    backup_name: str
    created_at: float
    # The VBS create job; None when the create was refused or skipped at once.
    vbs_job_id: str | None = None
    # Fixed outcome for a task without a job: (status, code, message).
    status: str | None = None
    code: str | None = None
    message: str | None = None
    finished_at: float | None = None
    # Retention already applied for this task's backup.
    retained: bool = False


@dataclass(slots=True)
class Share:
    """A VBS backup shared with another project."""

    id: str
    backup_id: str
    from_project_id: str
    to_project_id: str
    created_at: float
    updated_at: float | None = None


@dataclass
class PolicySeed:
    """Policies and tasks of a generated or saved project."""

    policies: list[VbsPolicy] = field(default_factory=list)
    tasks: list[PolicyTask] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
