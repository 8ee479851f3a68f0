"""VBS backup policies, parsed leniently (their tasks, tag listings and link results:
`vbstui.cloud.policy_answers`, which a disk listing does not need).

Like `cloud.models`: a missing or odd field becomes its default, never an exception;
keys are matched with surrounding spaces ignored (the query page's own example has
`"backup_policy_name "`); the raw JSON is kept for the user.  Field names in the wire
format keep the API's spelling (`rentention_num`, `rentention_day`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vbstui.cloud.lenient import as_dict, as_int, as_list, as_str


def clean_keys(raw: Any) -> dict[str, Any]:
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
        data = clean_keys(raw)
        sched = clean_keys(as_dict(data.get("scheduled_policy")))
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


def tags_from_api(raw: Any) -> list[tuple[str, str]]:
    """`{"tags": [{"key", "value"}]}` of one policy (the page's example also says "values")."""
    out = []
    for item in as_list(clean_keys(raw).get("tags")):
        tag = clean_keys(item)
        key = as_str(tag.get("key"))
        if key:
            out.append((key, as_str(tag.get("value", tag.get("values")))))
    return out
