"""Timestamps from the server read the same whichever way `as_time` takes: as sent (what
Python reads itself, the fast way every disk of a listing goes) or normalised first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.lenient import _normalised_time, as_time

ZONES = st.sampled_from(["", "Z", "+00:00", "+08:00", "-05:30"])


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)),
       st.integers(min_value=0, max_value=9), st.sampled_from(["T", " "]), ZONES)
def test_a_timestamp_reads_as_the_moment_it_names(moment: datetime, digits: int,
                                                  separator: str, zone: str) -> None:
    fraction = f"{moment.microsecond:06d}789"[:digits]
    text = moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + (
        f".{fraction}" if digits else "") + zone
    micro = int(fraction[:6].ljust(6, "0")) if digits else 0
    offset = (timedelta() if zone in ("", "Z") else
              (1 if zone[0] == "+" else -1) * timedelta(hours=int(zone[1:3]),
                                                         minutes=int(zone[4:6])))
    expected = moment.replace(microsecond=micro, tzinfo=timezone(offset))
    parsed = as_time(text)
    assert parsed == expected and parsed is not None and parsed.utcoffset() == offset
    normalised = _normalised_time(text)
    assert normalised is not None
    assert (normalised if normalised.tzinfo else normalised.replace(tzinfo=timezone.utc)
            ) == parsed


@given(st.text(max_size=30))
def test_any_text_is_a_moment_or_none_never_an_error(text: str) -> None:
    parsed = as_time(text)
    assert parsed is None or parsed.tzinfo is not None


def test_padded_and_lowercase_zone_forms_are_read_too() -> None:
    assert as_time(" 2016-01-28T16:14:09.466z ") == datetime(
        2016, 1, 28, 16, 14, 9, 466000, tzinfo=timezone.utc)
