"""Field rules for VBS backup policies, checked as the user types.

The strictest combination of the API pages (create, modify, query) and the console
guide.  Where the pages disagree, the rule both accept is used and the comment says
which page allows more.  Like `cloud.validation`, names and tags are checked against
explicit ASCII sets: `\\w` and `str.isdigit()` accept Unicode letters and digits
('é', '²', Arabic-Indic digits) that the service refuses.

Every field is read from the text as typed (a form's input, a command-line flag), so
one set of functions serves the TUI's live messages and the CLI's refusals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from vbstui.cloud.validation import NAME_CHARS, ValidationFailed, _chars_list

POLICY_NAME_MAX = 64
RESERVED_PREFIX = "default"  # the built-in default policy (modify page; any case, to be safe)
WEEK_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# The create page allows an interval of 1-30 days, the modify and query pages 1-14.
FREQUENCY_MIN, FREQUENCY_MAX = 1, 14
# The create page allows keeping 2-99 backups, the modify and query pages 2-14.
KEEP_MIN, KEEP_MAX = 2, 14
KEEP_DAYS_MIN, KEEP_DAYS_MAX = 2, 99_999
POLICY_TAGS_MAX = 10
POLICY_TAG_KEY_MAX = 36
POLICY_TAG_VALUE_MAX = 43
# The policy tag pages allow only letters, digits, '-' and '_' (the batch page's wider
# key set applies to deleting, which this tool does by key through the single call).
POLICY_TAG_CHARS = NAME_CHARS
# Real zones lie between UTC-12:00 and UTC+14:00, at whole, half or three-quarter hours.
ZONE_MIN_MINUTES, ZONE_MAX_MINUTES = -12 * 60, 14 * 60
ZONE_MINUTE_STEPS = (0, 30, 45)
_DIGITS = frozenset("0123456789")


def validate_policy_name(name: str | None) -> list[str]:
    """Problems with a policy name; [] when it is valid."""
    if not name:
        return ["is required"]
    problems: list[str] = []
    if len(name) > POLICY_NAME_MAX:
        problems.append(f"at most {POLICY_NAME_MAX} characters (now {len(name)})")
    bad = [c for c in name if c not in NAME_CHARS]
    if bad:
        problems.append(
            f"may contain only letters A-Z/a-z, digits, '_' and '-' (found {_chars_list(bad)})")
    if name.lower().startswith(RESERVED_PREFIX):
        problems.append("must not start with 'default' (in any case): the name is reserved "
                        "for the built-in default policy")
    return problems


def _whole_number(text: str) -> int | None:
    """An unsigned decimal integer of ASCII digits (spaces around allowed), or None.
    Absurdly long numbers read as 10**12: out of every range, never a slow conversion."""
    text = text.strip(" ")
    if not text or not set(text) <= _DIGITS:
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= 12 else 10**12


def _two_digits(text: str) -> int | None:
    """Exactly two ASCII digits, as in HH or MM."""
    return int(text) if len(text) == 2 and set(text) <= _DIGITS else None


def parse_start_times(text: str | None) -> tuple[tuple[int, ...], list[str]]:
    """`HH:00[,HH:00...]` in UTC → the hours, in the order given, and the problems."""
    if not text or not text.strip(" "):
        return (), ["is required: one or more full hours in UTC, e.g. 02:00 or 02:00,14:00"]
    hours: list[int] = []
    problems: list[str] = []
    for part in text.split(","):
        item = part.strip(" ")
        hh, colon, mm = item.partition(":")
        hour, minute = _two_digits(hh), _two_digits(mm)
        if not item:
            problems.append("has an empty entry between commas")
        elif not colon or hour is None or minute is None:
            problems.append(f"'{_shown(item)}' is not a time: use HH:00, e.g. 02:00")
        elif hour > 23 or minute > 59:
            problems.append(f"'{item}' is not a time of day (00:00 to 23:00)")
        elif minute != 0:
            problems.append(f"'{item}' is not a full hour: backups start on the hour "
                            f"(e.g. {hour:02d}:00)")
        elif hour in hours:
            problems.append(f"'{item}' is given twice")
        else:
            hours.append(hour)
    return tuple(hours), problems


def parse_number(text: str | None, low: int, high: int, *, required: bool = True
                 ) -> tuple[int | None, list[str]]:
    """A whole number between `low` and `high` as typed; (None, []) for an empty optional."""
    typed = str(text or "").strip(" ")
    if not typed:
        return None, (["is required"] if required else [])
    value = _whole_number(typed)
    if value is None:
        return None, [f"must be a whole number from {low} to {high} (not '{_shown(typed)}')"]
    if not low <= value <= high:
        return None, [f"must be from {low} to {high} (now {_shown(typed)})"]
    return value, []


def parse_week_days(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """`SUN,WED` (any case) → the days in week order, and the problems."""
    if not text or not text.strip(" "):
        return (), ["is required: one or more of " + ", ".join(WEEK_DAYS)]
    days: set[str] = set()
    problems: list[str] = []
    for part in text.split(","):
        item = part.strip(" ")
        # ASCII only before upper(): 'ſun'.upper() is 'SUN'.
        day = item.upper() if item.isascii() else item
        if not day:
            problems.append("has an empty entry between commas")
        elif day not in WEEK_DAYS:
            problems.append(f"'{_shown(item)}' is not a week day: use "
                            + ", ".join(WEEK_DAYS))
        elif day in days:
            problems.append(f"'{day}' is given twice")
        else:
            days.add(day)
    return tuple(d for d in WEEK_DAYS if d in days), problems


def parse_time_zone(text: str | None) -> tuple[int | None, list[str]]:
    """`UTC+01:00` / `UTC-05:30` → the offset in minutes; (None, []) when empty."""
    if text is None or not text.strip(" "):
        return None, []
    item = text.strip(" ")
    shape = "must look like UTC+01:00 or UTC-05:00"
    if len(item) != 9 or item[:3] != "UTC" or item[3] not in "+-" or item[6] != ":":
        return None, [f"{shape} (not '{_shown(item)}')"]
    hours, minutes = _two_digits(item[4:6]), _two_digits(item[7:9])
    if hours is None or minutes is None:
        return None, [f"{shape} (not '{_shown(item)}')"]
    if minutes not in ZONE_MINUTE_STEPS:
        return None, [f"minutes of a time zone are 00, 30 or 45 (not {item[7:9]})"]
    offset = (hours * 60 + minutes) * (-1 if item[3] == "-" else 1)
    if not ZONE_MIN_MINUTES <= offset <= ZONE_MAX_MINUTES:
        return None, ["must lie between UTC-12:00 and UTC+14:00"]
    return offset, []


def parse_status(text: str | None) -> tuple[bool | None, list[str]]:
    """`ON` / `OFF` (any case) → enabled or not."""
    word = (text or "").strip(" ")
    if word.isascii() and word.upper() in ("ON", "OFF"):
        word = word.upper()
        return word == "ON", []
    return None, ["must be ON or OFF"]


def parse_yes_no(text: str | None) -> tuple[bool | None, list[str]]:
    """`Y` / `N` (any case), as `remain_first_backup_of_curMonth` takes it."""
    word = (text or "").strip(" ")
    if word.isascii() and word.upper() in ("Y", "N"):
        word = word.upper()
        return word == "Y", []
    return None, ["must be Y or N"]


def times_span_utc_days(hours: Sequence[int]) -> bool:
    """Whether times given in ascending local order fall on different UTC days: the API
    wants them in local order, so a later time with an earlier UTC hour crossed midnight."""
    return any(later <= earlier for earlier, later in pairwise(hours))


def validate_policy_tags(tags: Sequence[tuple[str, str]]) -> list[str]:
    """Count, each key and value, duplicate keys."""
    problems: list[str] = []
    if len(tags) > POLICY_TAGS_MAX:
        problems.append(f"at most {POLICY_TAGS_MAX} tags (now {len(tags)})")
    seen: set[str] = set()
    for index, (key, value) in enumerate(tags, start=1):
        problems += [f"tag {index}: {p}" for p in tag_key_problems(key) + tag_value_problems(value)]
        if key and key in seen:
            problems.append(f"tag {index}: duplicate key '{_shown(key)}'")
        seen.add(key)
    return problems


def tag_key_problems(key: str | None) -> list[str]:
    if not key:
        return ["tag key is required"]
    return _tag_text_problems(key, "tag key", POLICY_TAG_KEY_MAX)


def tag_value_problems(value: str | None) -> list[str]:
    return _tag_text_problems(value or "", "tag value", POLICY_TAG_VALUE_MAX)


def _tag_text_problems(text: str, what: str, limit: int) -> list[str]:
    problems: list[str] = []
    if len(text) > limit:
        problems.append(f"{what}: at most {limit} characters (now {len(text)})")
    bad = [c for c in text if c not in POLICY_TAG_CHARS]
    if bad:
        problems.append(f"{what} may contain only letters, digits, '-' and '_' "
                        f"(found {_chars_list(bad)})")
    return problems


def _shown(text: str) -> str:
    """Server-safe echo of what the user typed: invisible characters made visible."""
    cut = text[:40] + ("…" if len(text) > 40 else "")
    return "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in cut)


@dataclass(frozen=True)
class PolicyDraft:
    """A policy as typed: every field is text (or a switch), checked as a whole by
    `problems()`, turned into the API's body by `to_body()`.

    Exactly one of `frequency` / `week_days` and one of `keep` / `keep_days` is set."""

    name: str = ""
    start_times: str = ""
    frequency: str = ""
    week_days: str = ""
    keep: str = ""
    keep_days: str = ""
    keep_first_of_month: bool = False
    enabled: bool = True
    time_zone: str = ""
    tags: tuple[tuple[str, str], ...] = ()

    def problems(self, *, with_name: bool = True) -> dict[str, list[str]]:
        """Every problem, keyed by the field it belongs to; {} when the draft is valid.
        `with_name=False`: an update that keeps the policy's name (which is not sent, so
        the default policy's own name is no problem)."""
        found: dict[str, list[str]] = {
            "name": validate_policy_name(self.name) if with_name else []}
        hours, found["start_times"] = parse_start_times(self.start_times)
        found.update(self._days_problems())
        found.update(self._retention_problems())
        zone, found["time_zone"] = parse_time_zone(self.time_zone)
        if not found["start_times"] and not found["time_zone"]:
            found["time_zone"] += self._zone_problems(hours, zone)
        found["tags"] = validate_policy_tags(self.tags)
        return {name: msgs for name, msgs in found.items() if msgs}

    def _days_problems(self) -> dict[str, list[str]]:
        has_interval, has_days = bool(self.frequency.strip(" ")), bool(self.week_days.strip(" "))
        if has_interval and has_days:
            # The API silently prefers the interval; refusing says what would happen.
            return {"frequency": ["give either an interval in days or week days, not both"]}
        if not has_interval and not has_days:
            return {"frequency": ["is required: an interval in days "
                                  f"({FREQUENCY_MIN}-{FREQUENCY_MAX}) or week days"]}
        if has_interval:
            return {"frequency": parse_number(self.frequency, FREQUENCY_MIN, FREQUENCY_MAX)[1]}
        return {"week_days": parse_week_days(self.week_days)[1]}

    def _retention_problems(self) -> dict[str, list[str]]:
        has_keep, has_days = bool(self.keep.strip(" ")), bool(self.keep_days.strip(" "))
        if has_keep and has_days:
            return {"keep": ["give either a number of backups or a number of days to keep, "
                             "not both"]}
        if not has_keep and not has_days:
            return {"keep": [f"is required: a number of backups ({KEEP_MIN}-{KEEP_MAX}) or "
                             f"of days ({KEEP_DAYS_MIN}-{KEEP_DAYS_MAX}) to keep"]}
        if has_keep:
            return {"keep": parse_number(self.keep, KEEP_MIN, KEEP_MAX)[1]}
        return {"keep_days": parse_number(self.keep_days, KEEP_DAYS_MIN, KEEP_DAYS_MAX)[1]}

    def _zone_problems(self, hours: Sequence[int], zone: int | None) -> list[str]:
        if zone is None:
            if times_span_utc_days(hours):
                return ["is required: the start times fall on different UTC days (list them "
                        "in ascending local time, e.g. 22:00,00:00 with UTC+02:00)"]
            return []
        local = [(hour * 60 + zone) % (24 * 60) for hour in hours]
        if any(b <= a for a, b in pairwise(local)):
            ordered = ",".join(f"{h:02d}:00" for _l, h in sorted(zip(local, hours, strict=True)))
            return ["the start times must be listed in ascending local time of this zone "
                    f"(here: {ordered})"]
        if times_span_utc_days(hours) and not self.week_days.strip(" "):
            # create/modify: a zone for times on different UTC days works only with week days
            return ["start times on different UTC days need week days, not an interval"]
        return []

    # -- what is sent ------------------------------------------------------------------

    def to_body(self, *, with_name: bool = True) -> dict[str, Any]:
        """The body of `POST /v2/{project_id}/backuppolicy` (and of the PUT that modifies
        one; tags are changed there through the tag calls).  Raises ValidationFailed."""
        problems = self.problems(with_name=with_name)
        if problems:
            raise ValidationFailed(problems)
        scheduled: dict[str, Any] = {
            "start_time": ",".join(f"{h:02d}:00" for h in parse_start_times(self.start_times)[0]),
            "remain_first_backup_of_curMonth": "Y" if self.keep_first_of_month else "N",
            "status": "ON" if self.enabled else "OFF",
        }
        if self.frequency.strip(" "):
            scheduled["frequency"] = parse_number(self.frequency, FREQUENCY_MIN, FREQUENCY_MAX)[0]
        else:
            scheduled["week_frequency"] = list(parse_week_days(self.week_days)[0])
        # The API's own spelling: "rentention".
        if self.keep.strip(" "):
            scheduled["rentention_num"] = parse_number(self.keep, KEEP_MIN, KEEP_MAX)[0]
        else:
            scheduled["rentention_day"] = parse_number(
                self.keep_days, KEEP_DAYS_MIN, KEEP_DAYS_MAX)[0]
        body: dict[str, Any] = {"scheduled_policy": scheduled}
        if with_name:
            body = {"backup_policy_name": self.name, **body}
        if self.time_zone.strip(" "):
            body["time_zone"] = self.time_zone.strip(" ")
        if self.tags:
            body["tags"] = [{"key": k, "value": v} for k, v in self.tags]
        return body


def problems_of(draft: PolicyDraft, name: str, *, with_name: bool = True) -> list[str]:
    """The problems of field `name` in the draft as a whole (cross-field rules included),
    for a form that shows them under that field."""
    return draft.problems(with_name=with_name).get(name, [])


def problem_lines(problems: Mapping[str, list[str]]) -> list[str]:
    """`field: message` lines, as the CLI prints them."""
    return [f"{name.replace('_', ' ')}: {msg}" for name, msgs in problems.items() for msg in msgs]
