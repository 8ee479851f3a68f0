"""`[jobs] poll_first_seconds`: refused with a message when out of range or not a number,
and the first wait of every followed job (the CLI's and the TUI's tracker, `jobs --wait`)."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbstui.errors import ConfigError
from vbstui.local.config import POLL_FIRST_RANGE, parse_config
from vbstui.ops.runs import build_tracker, poll_schedule
from vbstui.ops.target import Target

PROFILE = """\
[profiles.p]
auth_url = "https://iam.example/v3"
username = "u"
user_domain_name = "d"
project_name = "p"
"""
LOW, HIGH = POLL_FIRST_RANGE


def jobs_config(lines: str) -> str:
    return PROFILE + "\n[jobs]\n" + lines + "\n"


@given(st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda v: not LOW <= v <= HIGH))
def test_a_first_poll_out_of_range_is_refused_with_the_range(value: float) -> None:
    text = jobs_config(f"poll_first_seconds = {value!r}\npoll_max_seconds = 86400")
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("c.toml"))
    message = str(info.value)
    assert message.startswith("c.toml, line 8: jobs.poll_first_seconds:")
    assert f"between {LOW:g} and {HIGH:g} seconds" in message


@given(st.floats(min_value=LOW, max_value=HIGH))
def test_a_first_poll_in_range_is_the_first_wait(value: float) -> None:
    text = jobs_config(f"poll_first_seconds = {value!r}\npoll_max_seconds = 60")
    preferences = parse_config(text, Path("c.toml")).preferences
    assert preferences.poll_first_seconds == value
    assert next(poll_schedule(preferences).delays()) == value


@pytest.mark.parametrize(("value", "problem"), [
    ("true", "must be a number, not true/false"),
    ('"0.5"', "must be a whole number or float"),
    ("nan", "must be a finite number"),
    ("-inf", "must be a finite number"),
    ("0", "must be between 0.2 and 60 seconds"),
])
def test_a_first_poll_that_is_no_duration_is_refused(value: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"jobs.poll_first_seconds: {problem}"):
        parse_config(jobs_config(f"poll_first_seconds = {value}"), Path("c.toml"))


def test_a_first_poll_after_the_longest_gap_is_refused() -> None:
    text = jobs_config("poll_first_seconds = 10\npoll_max_seconds = 4")
    with pytest.raises(ConfigError,
                       match=r"poll_first_seconds: must not be more than poll_max_seconds \(4\)"):
        parse_config(text, Path("c.toml"))


def test_without_the_setting_polls_start_at_2_s_as_before() -> None:
    preferences = parse_config(jobs_config("poll_max_seconds = 1"), Path("c.toml")).preferences
    assert list(islice(poll_schedule(preferences).delays(), 3)) == [2.0, 1.0, 1.0]


def test_every_tracker_of_a_run_waits_the_configured_first_poll() -> None:
    """Both front ends get their tracker from `build_tracker`; the TUI passes no schedule
    of its own outside tests."""
    config = parse_config(jobs_config("poll_first_seconds = 0.5\npoll_max_seconds = 3"),
                          Path("c.toml"))
    target = Target(profile=config.choose("p"), config=config)
    tracker = build_tracker(target, service=object(), journal=None,  # type: ignore[arg-type]
                            listener=None)
    assert list(islice(tracker.poll.delays(), 6)) == pytest.approx(
        [0.5, 0.8, 1.28, 2.048, 3.0, 3.0])
