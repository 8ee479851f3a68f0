"""The timestamp styles the real services use, reproduced on purpose.

EVS and Cinder-style backups print microseconds without a zone, the job API prints
milliseconds with a `Z`, Keystone prints microseconds with a `Z`, CBR milliseconds with
`+00:00` (while its query filters want `Z`). Clients must cope with all of them, so
the simulator does not normalise them.
"""

from __future__ import annotations

from datetime import datetime, timezone


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def cinder_time(ts: float) -> str:
    """`2016-05-25T02:42:10.856332` (UTC, no zone suffix)."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")


def job_time(ts: float) -> str:
    """`2016-01-28T16:14:09.466Z`."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def keystone_time(ts: float) -> str:
    """`2015-11-09T01:42:57.527363Z`."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cbr_time(ts: float) -> str:
    """`2019-05-10T07:59:12.733+00:00` (CBR: milliseconds and a numeric zone)."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00"


def policy_time(ts: float) -> str:
    """`2016-12-02T09:06:46.706` (VBS policy tasks: milliseconds, no zone)."""
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
