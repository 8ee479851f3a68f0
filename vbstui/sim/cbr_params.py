"""The query parameters of CBR listings: paging and filter times."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from vbstui.sim.cbr_codes import bad_parameter

_FILTER_TIME = "%Y-%m-%dT%H:%M:%SZ"


def filter_time(value: str | None, what: str) -> float | None:
    """A `start_time`/`end_time` filter; only the documented `...T12:00:00Z` form."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.strptime(value, _FILTER_TIME).replace(tzinfo=timezone.utc)
    except ValueError:
        raise bad_parameter(f"'{what}' must look like 2018-02-01T12:00:00Z.") from None
    return parsed.timestamp()


def paging(query: Any, *, offset_low: int = 0) -> tuple[int, int]:
    """(limit, offset): limit 1..1000 (default 1000), offset >= 0, as whole numbers."""
    values = []
    for key, default, low, high in (("limit", 1000, 1, 1000), ("offset", 0, offset_low, None)):
        raw = query.get(key)
        if raw is None or raw == "":
            values.append(default)
            continue
        try:
            number = int(raw)
        except ValueError:
            raise bad_parameter(f"'{key}' must be a whole number.") from None
        if number < low or (high is not None and number > high):
            bounds = f"{low} to {high}" if high is not None else f"at least {low}"
            raise bad_parameter(f"'{key}' must be {bounds}.")
        values.append(number)
    return values[0], values[1]
