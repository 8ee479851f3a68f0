"""Server-side rules of the VBS backup-policy requests, with their AutoBackup codes.

Written from the API pages, independently of the client's validation: the simulator is
the referee.  Where the pages disagree the strictest reading is enforced for the
schedule (frequency 1..14; the create page alone says 1..30) while the number of
backups kept follows each page (2..99 on create, 2..14 on modify), so a client that
uses the range both accept is never refused.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from vbstui.sim.envelopes import VbsError
from vbstui.sim.policy_models import DEFAULT_POLICY, WEEK_DAYS

NAME_MAX = 64
FREQUENCY_MAX = 14
KEEP_CREATE_MAX, KEEP_MODIFY_MAX = 99, 14
KEEP_DAYS_MAX = 99999
TAGS_MAX, TAG_KEY_MAX, TAG_VALUE_MAX = 10, 36, 43
DELETE_KEY_MAX, DELETE_VALUE_MAX = 127, 255
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+\Z")
_TAG_RE = re.compile(r"^[A-Za-z0-9_-]*\Z")
_DELETE_KEY_FORBIDDEN = re.compile(r"[\x00-\x1f=*<>\\,|/]")
_HOUR_RE = re.compile(r"^([01][0-9]|2[0-3]):00\Z")
_ZONE_RE = re.compile(r"^UTC([+-])([0-9]{2}):([0-9]{2})\Z")

_UNSET: Any = object()


@dataclass
class PolicyFields:
    """The fields a create or modify request gives; `None` = not given (modify)."""

    name: str | None = None
    start_times: list[str] | None = None
    frequency: int | None = None
    week_days: list[str] | None = None
    keep_count: int | None = None
    keep_days: int | None = None
    keep_first_of_month: bool | None = None
    enabled: bool | None = None
    time_zone: str | None = None
    tags: list[dict[str, str]] | None = None


def error(code: str, message: str, status: int = 400) -> VbsError:
    return VbsError(code, message, status)


def load_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        raise error("AutoBackup.0000", "The request is empty.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise error("AutoBackup.0008", "Failed to convert the request into a JSON "
                    "object.") from None
    if not isinstance(payload, dict):
        raise error("AutoBackup.0008", "The request must be a JSON object.")
    if _has_angle_brackets(payload):
        raise error("AutoBackup.0221",
                    "The request cannot contain less-than signs (<) or greater-than signs (>).")
    return payload


def _has_angle_brackets(value: Any) -> bool:
    if isinstance(value, str):
        return "<" in value or ">" in value
    if isinstance(value, dict):
        return any(_has_angle_brackets(k) or _has_angle_brackets(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_angle_brackets(v) for v in value)
    return False


def parse_policy(payload: dict[str, Any], *, create: bool) -> PolicyFields:
    """Check a create (`create=True`) or modify body in the order of the codes."""
    fields = PolicyFields()
    name = payload.get("backup_policy_name", _UNSET)
    if create or name is not _UNSET:
        # On modify the default policy may be sent with its own name; whether a name
        # is a rename is decided against the policy (PolicyService.modify).
        keep_default = not create and name == DEFAULT_POLICY
        fields.name = DEFAULT_POLICY if keep_default else check_name(
            None if name is _UNSET else name)
    schedule = payload.get("scheduled_policy", _UNSET)
    if schedule is _UNSET and create:
        raise error("AutoBackup.0001", "The object contained in the request is empty: "
                    "scheduled_policy is required.")
    if schedule is not _UNSET:
        if not isinstance(schedule, dict):
            raise error("AutoBackup.0001", "scheduled_policy must be an object.")
        _schedule(schedule, fields, create=create)
    zone = payload.get("time_zone", _UNSET)
    if zone is not _UNSET and zone is not None and zone != "":
        fields.time_zone = check_time_zone(zone)
    tags = payload.get("tags", _UNSET)
    if tags is not _UNSET and tags is not None:
        fields.tags = check_tags(tags)
    return fields


def check_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX:
        raise error("AutoBackup.0101", "The length of the backup policy name is invalid: "
                    f"1 to {NAME_MAX} characters.")
    if not name.isascii() or not _NAME_RE.match(name):
        raise error("AutoBackup.0102", "The parameter of the backup policy name is invalid: "
                    "only letters, digits, underscores (_) and hyphens (-).")
    if name.lower().startswith(DEFAULT_POLICY):
        raise error("AutoBackup.0102", "The parameter of the backup policy name is invalid: "
                    "it cannot start with default.")
    return name


def _schedule(schedule: dict[str, Any], fields: PolicyFields, *, create: bool) -> None:
    start = schedule.get("start_time", _UNSET)
    if create or start is not _UNSET:
        fields.start_times = check_start_times(None if start is _UNSET else start)
    frequency = schedule.get("frequency")
    week = schedule.get("week_frequency")
    if frequency is not None:
        if not _is_int(frequency) or not 1 <= frequency <= FREQUENCY_MAX:
            raise error("AutoBackup.0106", "The parameter of the backup job interval is "
                        f"invalid: frequency is 1 to {FREQUENCY_MAX} days.")
        fields.frequency = int(frequency)  # documented: it wins over week_frequency
    elif week is not None:
        fields.week_days = check_week_days(week)
    elif create:
        raise error("AutoBackup.0106", "The parameter of the backup job interval is invalid: "
                    "give frequency or week_frequency.")
    keep, days = schedule.get("rentention_num"), schedule.get("rentention_day")
    keep_max = KEEP_CREATE_MAX if create else KEEP_MODIFY_MAX
    if keep is not None:
        if not _is_int(keep) or not 2 <= keep <= keep_max:
            raise error("AutoBackup.0107", "The parameter of the number of retained backups "
                        f"is invalid: rentention_num is 2 to {keep_max}.")
        fields.keep_count = int(keep)  # documented: it wins over rentention_day
    elif days is not None:
        if not _is_number(days) or not 2 <= math.floor(days) <= KEEP_DAYS_MAX:
            raise error("AutoBackup.0107", "The parameter of the number of retained backups "
                        f"is invalid: rentention_day is 2 to {KEEP_DAYS_MAX}.")
        fields.keep_days = math.floor(days)  # documented: rounded down
    elif create:
        raise error("AutoBackup.0107", "The parameter of the number of retained backups is "
                    "invalid: give rentention_num or rentention_day.")
    first = schedule.get("remain_first_backup_of_curMonth")
    if first is not None:
        if first not in ("Y", "N"):
            raise error("AutoBackup.0105", "The parameter of whether to retain the first "
                        "backup in the current month is invalid: Y or N.")
        fields.keep_first_of_month = first == "Y"
    elif create:
        fields.keep_first_of_month = False
    status = schedule.get("status", _UNSET)
    if create or status is not _UNSET:
        if status not in ("ON", "OFF"):
            raise error("AutoBackup.0104",
                        "The parameter of the backup policy status is invalid: ON or OFF.")
        fields.enabled = status == "ON"


def check_start_times(value: object) -> list[str]:
    if not isinstance(value, str) or not value:
        raise error("AutoBackup.0103", "The parameter of the backup job start time is "
                    "invalid: HH:00 (UTC), several separated by commas.")
    times = value.split(",")
    if any(not _HOUR_RE.match(t) for t in times) or len(set(times)) != len(times):
        raise error("AutoBackup.0103", "The parameter of the backup job start time is invalid: "
                    f"{value!r}; full hours HH:00 (UTC), each once, separated by commas.")
    return times


def check_week_days(value: object) -> list[str]:
    if (not isinstance(value, list) or not value or len(set(value)) != len(value)
            or any(day not in WEEK_DAYS for day in value)):
        raise error("AutoBackup.0106", "The parameter of the backup job interval is invalid: "
                    f"week_frequency is a list of distinct {', '.join(WEEK_DAYS)}.")
    return list(value)


def check_time_zone(value: object) -> str:
    match = _ZONE_RE.match(value) if isinstance(value, str) else None
    if match is None or int(match[2]) > 14 or match[3] not in ("00", "30", "45"):
        raise error("AutoBackup.0226", "The time zone parameter is invalid: UTC+HH:MM or "
                    "UTC-HH:MM, for example UTC+01:00.")
    return str(value)


def zone_offset(zone: str | None) -> int:
    """Seconds east of UTC of a checked `UTC+HH:MM` zone (0 for none)."""
    match = _ZONE_RE.match(zone or "")
    if match is None:
        return 0
    seconds = int(match[2]) * 3600 + int(match[3]) * 60
    return seconds if match[1] == "+" else -seconds


def check_tags(tags: object, *, limit: int = TAGS_MAX) -> list[dict[str, str]]:
    if not isinstance(tags, list):
        raise error("AutoBackup.0214", "The tag parameter is invalid: tags must be a list.")
    if len(tags) > limit:
        raise error("AutoBackup.0215", "The number of tags has reached the upper limit "
                    f"({TAGS_MAX}).")
    seen: set[str] = set()
    checked = []
    for tag in tags:
        key, value = check_tag(tag)
        if key in seen:
            raise error("AutoBackup.0214", f"The tag parameter is invalid: key {key!r} repeats.")
        seen.add(key)
        checked.append({"key": key, "value": value})
    return checked


def check_tag(tag: object) -> tuple[str, str]:
    if not isinstance(tag, dict):
        raise error("AutoBackup.0214", "The tag parameter is invalid: a tag is an object "
                    "with key and value.")
    key, value = tag.get("key"), tag.get("value")
    if (not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX
            or not key.isascii() or not _TAG_RE.match(key)):
        raise error("AutoBackup.0214", "The tag parameter is invalid: the key is 1 to "
                    f"{TAG_KEY_MAX} letters, digits, hyphens (-) or underscores (_).")
    if (not isinstance(value, str) or len(value) > TAG_VALUE_MAX
            or not value.isascii() or not _TAG_RE.match(value)):
        raise error("AutoBackup.0214", "The tag parameter is invalid: the value is 0 to "
                    f"{TAG_VALUE_MAX} letters, digits, hyphens (-) or underscores (_).")
    return key, value


def check_delete_tag(tag: object) -> tuple[str, str | None]:
    """A tag of a batch `delete`: longer keys allowed, the value optional."""
    if not isinstance(tag, dict):
        raise error("AutoBackup.0214", "The tag parameter is invalid: a tag is an object.")
    key, value = tag.get("key"), tag.get("value")
    if (not isinstance(key, str) or not 1 <= len(key) <= DELETE_KEY_MAX
            or _DELETE_KEY_FORBIDDEN.search(key)):
        raise error("AutoBackup.0214", "The tag parameter is invalid: key to delete.")
    if value is not None and (not isinstance(value, str) or len(value) > DELETE_VALUE_MAX):
        raise error("AutoBackup.0214", "The tag parameter is invalid: value to delete.")
    return key, value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
