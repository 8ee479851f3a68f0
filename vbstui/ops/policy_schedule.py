"""A policy's schedule and retention in words, and when it runs next.

Start times are UTC.  Week days count in the policy's time zone when it has one (the
API asks for the zone exactly when the times fall on different UTC days), else in
UTC.  An interval of N days runs on days 1, 1+N, 1+2N, … of every month: the console
guide's rule ("Every 3 days" creates backups on the first, fourth, seventh date…,
the same days for every policy, from the month it is created).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from vbstui.cloud.policy_models import Policy
from vbstui.cloud.policy_validation import WEEK_DAYS, parse_time_zone

_DAY_NAMES = {day: day.title() for day in WEEK_DAYS}  # "MON" -> "Mon"
_LOOKAHEAD_DAYS = 62  # two months: any interval of at most 14 days recurs within them


def _times(hours: Sequence[int]) -> str:
    return ", ".join(f"{h:02d}:00" for h in hours) or "?"


def schedule_text(policy: Policy) -> str:
    """`02:00 UTC every 2 days`, `Mon, Thu at 02:00 UTC`, `06:00, 18:00 UTC every day`."""
    times = _times(policy.start_hours)
    if policy.week_days:
        days = ", ".join(_DAY_NAMES.get(d, d) for d in WEEK_DAYS if d in policy.week_days)
        text = f"{days} at {times} UTC"
        if policy.time_zone:
            text += f" (days in {policy.time_zone})"
        return text
    if policy.frequency is None:
        return f"{times} UTC (no days set)"
    if policy.frequency == 1:
        return f"{times} UTC every day"
    return f"{times} UTC every {policy.frequency} days"


def retention_text(policy: Policy) -> str:
    """`keep 7` / `keep 30 days`, and `+ first of month` when the first backup of each
    month is kept too (short: the policies view has it in one column)."""
    if policy.keep is not None:
        text = f"keep {policy.keep}"
    elif policy.keep_days is not None:
        text = f"keep {policy.keep_days} days"
    else:
        text = "keep ?"
    if policy.keep_first_of_month:
        text += " + first of month"
    return text


def zone_offset(policy: Policy) -> timedelta:
    minutes, problems = parse_time_zone(policy.time_zone)
    return timedelta(minutes=minutes or 0) if not problems else timedelta(0)


def runs_on(policy: Policy, when: datetime) -> bool:
    """Whether the policy's day rule allows a run at the UTC instant `when`."""
    local_day = (when + zone_offset(policy)).date()
    if policy.week_days:
        return WEEK_DAYS[(local_day.weekday() + 1) % 7] in policy.week_days
    if policy.frequency and policy.frequency > 0:
        return (local_day.day - 1) % policy.frequency == 0
    return False


def next_run(policy: Policy, now: datetime) -> datetime | None:
    """The next start after `now` (UTC); None when the policy is OFF or never runs."""
    if not policy.enabled or not policy.start_hours:
        return None
    now = now.astimezone(timezone.utc)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    hours = sorted(set(policy.start_hours))
    for offset in range(_LOOKAHEAD_DAYS + 1):
        day = midnight + timedelta(days=offset)
        for hour in hours:
            when = day + timedelta(hours=hour)
            if when > now and runs_on(policy, when):
                return when
    return None


def when_text(when: datetime | None, *, local: timezone | None = None) -> tuple[str, str]:
    """(`2026-12-02 02:00 UTC`, `2026-12-02 03:00 CET`) for a run time; ("—", "—") for none.
    `local` is the terminal's zone unless given (tests pass one)."""
    if when is None:
        return "—", "—"
    utc = when.astimezone(timezone.utc)
    there = utc.astimezone(local) if local is not None else utc.astimezone()
    return (f"{utc:%Y-%m-%d %H:%M} UTC",
            f"{there:%Y-%m-%d %H:%M} {there.tzname() or there.strftime('%z')}")
