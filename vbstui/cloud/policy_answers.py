"""What the VBS policy API answers besides policies: the tasks a policy started, the
result of linking or unlinking disks, and the tags of the project's policies; parsed
leniently, like `cloud.policy_models`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vbstui.cloud.lenient import as_list, as_str, as_time
from vbstui.cloud.policy_models import clean_keys, tags_from_api

TASK_RUNNING = frozenset({"RUNNING", "WAITING"})
TASK_FINISHED = frozenset({"EXECUTE_SUCCESS", "EXECUTE_FAIL", "EXECUTE_TIMEOUT", "SKIP"})


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
        data = clean_keys(raw)
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
        data = clean_keys(raw)
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
        data = clean_keys(raw)
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


def tag_values_from_api(raw: Any) -> list[TagValues]:
    """`{"tags": [{"key", "values": [...]}]}` of all policies."""
    out = []
    for item in as_list(clean_keys(raw).get("tags")):
        tag = clean_keys(item)
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
        data = clean_keys(raw)
        return cls(id=as_str(data.get("resource_id")).strip(),
                   name=as_str(data.get("resource_name")),
                   tags=tuple(tags_from_api({"tags": data.get("tags")})))
