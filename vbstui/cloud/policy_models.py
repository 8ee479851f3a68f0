"""VBS backup policies, their tasks, tags and link results, parsed leniently.

Like `cloud.models`: a missing or odd field becomes its default, never an exception;
keys are matched with surrounding spaces ignored (the query page's own example has
`"backup_policy_name "`); the raw JSON is kept for the user.  Field names in the wire
format keep the API's spelling (`rentention_num`, `rentention_day`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vbstui.cloud.lenient import as_dict, as_int, as_list, as_str, as_time

TASK_RUNNING = frozenset({"RUNNING", "WAITING"})
TASK_FINISHED = frozenset({"EXECUTE_SUCCESS", "EXECUTE_FAIL", "EXECUTE_TIMEOUT", "SKIP"})


def _clean(raw: Any) -> dict[str, Any]:
    """A mapping with its keys stripped; anything else an empty dict."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(k).strip(): v for k, v in raw.items()}


def _hours(text: str) -> tuple[int, ...]:
    """The hours of `HH:mm[,HH:mm]`, as far as they read; odd entries are skipped."""
    hours = []
    for part in text.split(","):
        hour = as_int(part.strip().partition(":")[0]) if part.strip() else None
        if hour is not None and 0 <= hour <= 23:
            hours.append(hour)
    return tuple(hours)


@dataclass(frozen=True)
class Policy:
    """One backup policy as `GET /v2/{project_id}/backuppolicy` lists it."""

    id: str
    name: str
    start_time: str  # as sent, e.g. "02:00,14:00" (UTC)
    frequency: int | None  # every N days, or None when week days are used
    week_days: tuple[str, ...]
    keep: int | None  # number of backups kept (rentention_num)
    keep_days: int | None  # days backups are kept (rentention_day)
    keep_first_of_month: bool
    status: str  # "ON", "OFF" or whatever the service said
    time_zone: str
    resource_count: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> Policy:
        data = _clean(raw)
        sched = _clean(as_dict(data.get("scheduled_policy")))
        days = [as_str(d).strip().upper() for d in as_list(sched.get("week_frequency"))]
        return cls(
            id=as_str(data.get("backup_policy_id")).strip(),
            name=as_str(data.get("backup_policy_name")),
            start_time=as_str(sched.get("start_time")).strip(),
            frequency=as_int(sched.get("frequency")),
            week_days=tuple(d for d in days if d),
            keep=as_int(sched.get("rentention_num")),
            keep_days=as_int(sched.get("rentention_day")),
            keep_first_of_month=as_str(sched.get("remain_first_backup_of_curMonth")).strip()
            .upper() in ("Y", "TRUE"),
            status=as_str(sched.get("status"), "unknown").strip().upper(),
            time_zone=as_str(data.get("time_zone") or sched.get("time_zone")).strip(),
            resource_count=as_int(data.get("policy_resource_count")),
            raw=dict(raw) if isinstance(raw, Mapping) else {},
        )

    @property
    def enabled(self) -> bool:
        return self.status == "ON"

    @property
    def start_hours(self) -> tuple[int, ...]:
        return _hours(self.start_time)

    @property
    def is_default(self) -> bool:
        """The built-in default policy, which tenants cannot change (AutoBackup.0100)."""
        return self.name.lower().startswith("default")


@dataclass(frozen=True)
class PolicyTask:
    """One backup task a policy started, from `…/backuppolicy/{id}/backuptasks`."""

    job_id: str
    status: str  # RUNNING, WAITING, EXECUTE_SUCCESS, EXECUTE_FAIL, EXECUTE_TIMEOUT, SKIP
    created_at: datetime | None
    finished_at: datetime | None
    backup_name: str
    resource_id: str
    resource_type: str
    vbs_job_id: str
    error_code: str
    message: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> PolicyTask:
        data = _clean(raw)
        return cls(
            job_id=as_str(data.get("job_id")).strip(),
            status=as_str(data.get("status"), "UNKNOWN").strip().upper(),
            created_at=as_time(data.get("created_at")),
            finished_at=as_time(data.get("finished_at")),
            backup_name=as_str(data.get("backup_name")),
            resource_id=as_str(data.get("resource_id")).strip(),
            resource_type=as_str(data.get("resource_type")),
            vbs_job_id=as_str(data.get("vbs_job_id")).strip(),
            error_code=as_str(data.get("code") or data.get("error_code")).strip(),
            message=as_str(data.get("message") or data.get("fail_reason")),
            raw=dict(raw) if isinstance(raw, Mapping) else {},
        )

    @property
    def finished(self) -> bool:
        return self.status in TASK_FINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == "EXECUTE_SUCCESS"


@dataclass(frozen=True)
class ResourceOutcome:
    """One disk of a link or unlink answer; `error_code` and `message` when it failed."""

    resource_id: str
    availability_zone: str = ""
    error_code: str = ""
    message: str = ""

    @classmethod
    def from_api(cls, raw: Any) -> ResourceOutcome:
        data = _clean(raw)
        return cls(
            resource_id=as_str(data.get("resource_id")).strip(),
            availability_zone=as_str(data.get("availability_zone")),
            error_code=as_str(data.get("code") or data.get("error_code")).strip(),
            message=as_str(data.get("message") or data.get("error_msg")),
        )


@dataclass(frozen=True)
class ResourceResult:
    """What `backuppolicyresources` (link) or `…/deleted_resources` (unlink) answered."""

    succeeded: tuple[ResourceOutcome, ...]
    failed: tuple[ResourceOutcome, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Any) -> ResourceResult:
        data = _clean(raw)
        return cls(
            succeeded=tuple(ResourceOutcome.from_api(r)
                            for r in as_list(data.get("success_resources"))),
            failed=tuple(ResourceOutcome.from_api(r) for r in as_list(data.get("fail_resources"))),
            raw=dict(raw) if isinstance(raw, Mapping) else {},
        )


@dataclass(frozen=True)
class TagValues:
    """A tag key used by the project's policies and the values it has."""

    key: str
    values: tuple[str, ...]


def tags_from_api(raw: Any) -> list[tuple[str, str]]:
    """`{"tags": [{"key", "value"}]}` of one policy (the page's example also says "values")."""
    out = []
    for item in as_list(_clean(raw).get("tags")):
        tag = _clean(item)
        key = as_str(tag.get("key"))
        if key:
            out.append((key, as_str(tag.get("value", tag.get("values")))))
    return out


def tag_values_from_api(raw: Any) -> list[TagValues]:
    """`{"tags": [{"key", "values": [...]}]}` of all policies."""
    out = []
    for item in as_list(_clean(raw).get("tags")):
        tag = _clean(item)
        key = as_str(tag.get("key"))
        if key:
            values = tag.get("values")
            listed = as_list(values) if isinstance(values, list) else [values]
            out.append(TagValues(key, tuple(as_str(v) for v in listed if v is not None)))
    return out


@dataclass(frozen=True)
class TaggedPolicy:
    """One match of a query by tag."""

    id: str
    name: str
    tags: tuple[tuple[str, str], ...]

    @classmethod
    def from_api(cls, raw: Any) -> TaggedPolicy:
        data = _clean(raw)
        return cls(id=as_str(data.get("resource_id")).strip(),
                   name=as_str(data.get("resource_name")),
                   tags=tuple(tags_from_api({"tags": data.get("tags")})))
