"""When a VBS backup policy runs next, on the simulator's clock.

Start times are UTC full hours.  An interval of N days runs on days 1, 1+N, 1+2N... of
every month (the console guide: "takes effect from the month when it is created", the
same days for every policy with that interval).  Week days are days of the policy's
time zone (UTC when it has none): the API pages say the time zone is what makes week
days meaningful when the local times fall on different UTC days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from vbstui.sim.policy_models import WEEK_DAYS, VbsPolicy
from vbstui.sim.policy_rules import zone_offset

DAY = 86400
_SEARCH_DAYS = 64  # covers a month boundary for every interval up to 14 days


def _hours(policy: VbsPolicy) -> list[int]:
    return sorted(int(t[:2]) for t in policy.start_times)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def _runs_on(policy: VbsPolicy, day: date) -> bool:
    if policy.frequency is not None:
        return (day.day - 1) % policy.frequency == 0
    return WEEK_DAYS[(day.weekday() + 1) % 7] in policy.week_days


def next_run(policy: VbsPolicy, after: float) -> float | None:
    """The first start strictly after `after`, or None if the policy never runs."""
    hours = _hours(policy)
    if not hours:
        return None
    # Interval policies count UTC days; week-day policies count days of their zone.
    offset = 0 if policy.frequency is not None else zone_offset(policy.time_zone)
    first = datetime.fromtimestamp(after + offset, tz=timezone.utc).date() - timedelta(days=1)
    for step in range(_SEARCH_DAYS):
        day = first + timedelta(days=step)
        if not _runs_on(policy, day):
            continue
        local_midnight = _epoch(day)
        # Each UTC start hour as a time of that local day, then back to UTC; a local
        # day's starts all lie within one day, so the first day with one is the answer.
        starts = [local_midnight + (hour * 3600 + offset) % DAY - offset for hour in hours]
        later = [when for when in starts if when > after]
        if later:
            return float(min(later))
    return None
