"""Property tests: the policy rules (`vbstui.cloud.policy_validation`) agree with an
independent oracle written here from the API pages and the console guide.

The oracle shares nothing with the implementation: no constants, no helpers, every
character class spelled out as code-point ranges, numbers read digit by digit.  Each
property draws from strategies aimed at the boundaries and the traps (Unicode digits
and letters that `isdigit()`/`upper()` accept, 'ſun'.upper() == 'SUN', spaces inside
fields, leading zeros, trailing newlines) and checks that the implementation refuses
exactly what the oracle refuses, with a message for each refusal.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from vbstui.cloud.policy_validation import (
    PolicyDraft,
    parse_number,
    parse_start_times,
    parse_time_zone,
    parse_week_days,
    validate_policy_name,
    validate_policy_tags,
)
from vbstui.cloud.validation import ValidationFailed

RULE = settings(max_examples=300, deadline=None)

# ----------------------------------------------------------------------------- oracle


def o_ascii_letter_or_digit(ch: str) -> bool:
    code = ord(ch)
    return 48 <= code <= 57 or 65 <= code <= 90 or 97 <= code <= 122


def o_word_char(ch: str) -> bool:
    return o_ascii_letter_or_digit(ch) or ch in ("_", "-")


def o_lower_ascii(ch: str) -> str:
    code = ord(ch)
    return chr(code + 32) if 65 <= code <= 90 else ch


def o_name_ok(name: str) -> bool:
    """1-64 of A-Z a-z 0-9 _ -, not starting with 'default' in any (ASCII) case."""
    if not 1 <= len(name) <= 64 or not all(o_word_char(c) for c in name):
        return False
    head = "".join(o_lower_ascii(c) for c in name[:7])
    return head != "default"


def o_trim(text: str) -> str:
    """Spaces (U+0020 only) around a value are ignored."""
    start, end = 0, len(text)
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return text[start:end]


def o_number(text: str) -> int | None:
    """A number of ASCII digits 0-9 (spaces around allowed), else None."""
    text = o_trim(text)
    if not text:
        return None
    value = 0
    for ch in text:
        if not 48 <= ord(ch) <= 57:
            return None
        value = value * 10 + (ord(ch) - 48)
    return value


def o_hours(text: str) -> list[int] | None:
    """Comma-separated HH:00, 00-23, none twice; None when any entry is wrong."""
    if not o_trim(text):
        return None
    hours: list[int] = []
    for part in text.split(","):
        item = o_trim(part)
        if len(item) != 5 or item[2] != ":" or item[3:] != "00":
            return None
        if not all(48 <= ord(c) <= 57 for c in item[:2]):
            return None
        hour = (ord(item[0]) - 48) * 10 + ord(item[1]) - 48
        if hour > 23 or hour in hours:
            return None
        hours.append(hour)
    return hours


DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def o_days(text: str) -> list[str] | None:
    if not o_trim(text):
        return None
    found: list[str] = []
    for part in text.split(","):
        item = o_trim(part)
        if not all(ord(c) < 128 for c in item):
            return None
        upper = "".join(chr(ord(c) - 32) if 97 <= ord(c) <= 122 else c for c in item)
        if upper not in DAYS or upper in found:
            return None
        found.append(upper)
    return found


def o_zone(text: str) -> int | str | None:
    """Minutes east of UTC; None for no zone; "bad" for a wrong one."""
    item = o_trim(text)
    if not item:
        return None
    if len(item) != 9 or item[:3] != "UTC" or item[3] not in ("+", "-") or item[6] != ":":
        return "bad"
    digits = item[4:6] + item[7:9]
    if not all(48 <= ord(c) <= 57 for c in digits):
        return "bad"
    hours = (ord(digits[0]) - 48) * 10 + ord(digits[1]) - 48
    minutes = (ord(digits[2]) - 48) * 10 + ord(digits[3]) - 48
    if minutes not in (0, 30, 45):
        return "bad"
    offset = (hours * 60 + minutes) * (1 if item[3] == "+" else -1)
    if offset < -720 or offset > 840:
        return "bad"
    return offset


def o_tags_ok(tags: list[tuple[str, str]]) -> bool:
    if len(tags) > 10:
        return False
    keys: list[str] = []
    for key, value in tags:
        if not 1 <= len(key) <= 36 or not all(o_word_char(c) for c in key):
            return False
        if len(value) > 43 or not all(o_word_char(c) for c in value):
            return False
        if key in keys:
            return False
        keys.append(key)
    return True


def o_invalid_fields(d: PolicyDraft) -> set[str]:
    """The fields the oracle refuses, keyed as the form's fields are."""
    bad: set[str] = set()
    if not o_name_ok(d.name):
        bad.add("name")
    hours = o_hours(d.start_times)
    if hours is None:
        bad.add("start_times")
    interval, weekly = o_trim(d.frequency) != "", o_trim(d.week_days) != ""
    if interval == weekly:  # both or neither
        bad.add("frequency")
    elif interval:
        value = o_number(d.frequency)
        if value is None or not 1 <= value <= 14:
            bad.add("frequency")
    elif o_days(d.week_days) is None:
        bad.add("week_days")
    count, days = o_trim(d.keep) != "", o_trim(d.keep_days) != ""
    if count == days:
        bad.add("keep")
    elif count:
        value = o_number(d.keep)
        if value is None or not 2 <= value <= 14:
            bad.add("keep")
    else:
        value = o_number(d.keep_days)
        if value is None or not 2 <= value <= 99999:
            bad.add("keep_days")
    zone = o_zone(d.time_zone)
    if zone == "bad":
        bad.add("time_zone")
    elif hours is not None:
        crosses = any(hours[i + 1] <= hours[i] for i in range(len(hours) - 1))
        if zone is None and crosses:
            bad.add("time_zone")
        if isinstance(zone, int):
            local = [(h * 60 + zone) % 1440 for h in hours]
            out_of_order = any(local[i + 1] <= local[i] for i in range(len(local) - 1))
            if out_of_order or (crosses and not weekly):
                bad.add("time_zone")
    if not o_tags_ok(list(d.tags)):
        bad.add("tags")
    return bad


# ------------------------------------------------------------------------- strategies

TRAPS = ["٣", "²", "é", "ſ", "K", "\n", "\t", " ", "\u200b", "\x00", "0", ":", ",", "+"]
WORD = string.ascii_letters + string.digits + "_-"
names = st.one_of(
    st.text(alphabet=WORD, min_size=0, max_size=70),
    st.sampled_from(["default", "Default-x", "DEFAULT", "defaul", "xdefault", "a" * 64,
                     "a" * 65, "ok-name", "nightly\n", "déjà"]),
    st.builds(lambda a, b: a + b, st.sampled_from(["", "dEfAuLt", "def"]),
              st.text(alphabet=WORD + "".join(TRAPS), max_size=10)),
)
hour_items = st.one_of(
    st.builds(lambda h: f"{h:02d}:00", st.integers(0, 23)),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 30), st.integers(0, 61)),
    st.sampled_from(["2:00", "02:0", "٠٢:00", "24:00", "02:00\n", " 03:00", "0 :00", "", "x",
                     "02.00", "+2:00"]),
)
start_times = st.lists(hour_items, min_size=0, max_size=5).map(",".join)
numbers = st.one_of(st.integers(-3, 100_002).map(str),
                    st.sampled_from(["", " ", "7 ", "0007", "1e3", "3.5", "٣", "²", "14",
                                     "15", "1", "2", "99999", "100000", "0" * 20 + "5",
                                     "9" * 30]))
day_items = st.one_of(st.sampled_from(DAYS), st.sampled_from(["mon", "Thu", "ſun", "MONDAY",
                                                              "", " WED", "XYZ", "SUN\n"]))
week_days = st.lists(day_items, min_size=0, max_size=4).map(",".join)
zones = st.one_of(
    st.builds(lambda s, h, m: f"UTC{s}{h:02d}:{m:02d}", st.sampled_from("+-"),
              st.integers(0, 15), st.sampled_from([0, 15, 30, 45, 60])),
    st.sampled_from(["", "UTC", "UTC+1:00", "utc+01:00", "UTC+٠١:00", "GMT+01:00",
                     "UTC+01:00 ", "UTC+ 1:00"]),
)
tag_text = st.text(alphabet=WORD + "".join(TRAPS) + "=*<>\\,|/", max_size=45)
tags = st.lists(st.tuples(tag_text, tag_text), max_size=12).map(tuple)
drafts = st.builds(
    PolicyDraft, name=names, start_times=start_times,
    frequency=st.one_of(st.just(""), numbers), week_days=st.one_of(st.just(""), week_days),
    keep=st.one_of(st.just(""), numbers), keep_days=st.one_of(st.just(""), numbers),
    keep_first_of_month=st.booleans(), enabled=st.booleans(),
    time_zone=zones, tags=tags)

# Mostly valid drafts, one field at a time off: the cross-field rules (a zone for times
# on different UTC days, local order, week days with a zone) are only reached here.
good_times = st.lists(st.integers(0, 23), min_size=1, max_size=4, unique=True).map(
    lambda hs: ",".join(f"{h:02d}:00" for h in hs))
good_zones = st.builds(lambda s, h, m: f"UTC{s}{h:02d}:{m:02d}", st.sampled_from("+-"),
                       st.integers(0, 14), st.sampled_from([0, 30, 45]))
schedules = st.one_of(
    st.tuples(st.integers(1, 14).map(str), st.just("")),
    st.tuples(st.just(""), st.lists(st.sampled_from(DAYS), min_size=1, max_size=3,
                                    unique=True).map(",".join)))
retentions = st.one_of(st.tuples(st.integers(2, 14).map(str), st.just("")),
                       st.tuples(st.just(""), st.integers(2, 99999).map(str)))
near_valid = st.builds(
    lambda name, times, days, keep, zone, tags: PolicyDraft(
        name=name, start_times=times, frequency=days[0], week_days=days[1], keep=keep[0],
        keep_days=keep[1], time_zone=zone, tags=tags),
    st.sampled_from(["nightly-db"] * 6 + ["default-db"]), st.one_of(good_times, start_times),
    st.one_of(schedules, schedules, st.tuples(numbers, week_days)),
    st.one_of(retentions, retentions, st.tuples(numbers, numbers)),
    st.one_of(st.just(""), good_zones, good_zones, zones),
    st.sampled_from([(), (("env", "prod"),), (("env", "a/b"),)]))

# ------------------------------------------------------------------------- properties


@RULE
@given(names)
def test_name_rule_agrees_with_the_oracle(name: str) -> None:
    problems = validate_policy_name(name)
    assert (not problems) == o_name_ok(name), (name, problems)
    assert all(p.strip() for p in problems)


@RULE
@given(start_times)
def test_start_time_rule_agrees_with_the_oracle(text: str) -> None:
    hours, problems = parse_start_times(text)
    expected = o_hours(text)
    assert (not problems) == (expected is not None), (text, problems)
    if expected is not None:
        assert list(hours) == expected


@RULE
@given(numbers)
def test_interval_and_retention_numbers_agree_with_the_oracle(text: str) -> None:
    for low, high in ((1, 14), (2, 14), (2, 99999)):
        value, problems = parse_number(text, low, high)
        expected = o_number(text)
        ok = expected is not None and low <= expected <= high
        assert (not problems) == ok, (text, low, high, problems)
        if ok:
            assert value == expected


@RULE
@given(week_days)
def test_week_days_agree_with_the_oracle(text: str) -> None:
    days, problems = parse_week_days(text)
    expected = o_days(text)
    assert (not problems) == (expected is not None), (text, problems)
    if expected is not None:
        assert set(days) == set(expected)


@RULE
@given(zones)
def test_time_zone_agrees_with_the_oracle(text: str) -> None:
    offset, problems = parse_time_zone(text)
    expected = o_zone(text)
    assert (not problems) == (expected != "bad"), (text, problems)
    if expected != "bad":
        assert offset == expected


@RULE
@given(tags)
def test_tags_agree_with_the_oracle(drawn: tuple[tuple[str, str], ...]) -> None:
    problems = validate_policy_tags(drawn)
    assert (not problems) == o_tags_ok(list(drawn)), (drawn, problems)


@settings(max_examples=600, deadline=None)
@given(st.one_of(drafts, near_valid, near_valid))
def test_whole_draft_refuses_exactly_the_oracles_fields(draft: PolicyDraft) -> None:
    problems = draft.problems()
    assert set(problems) == o_invalid_fields(draft), (draft, problems)
    assert all(msgs and all(m.strip() for m in msgs) for msgs in problems.values())
    if problems:  # nothing is built for a broken rule
        try:
            draft.to_body()
        except ValidationFailed as exc:
            assert exc.problems == problems
        else:
            raise AssertionError("to_body built a body for a refused draft")


valid_drafts = st.builds(
    PolicyDraft, name=st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=20)
    .filter(lambda n: not n.startswith("default")),
    start_times=st.lists(st.integers(0, 23), min_size=1, max_size=4, unique=True)
    .map(lambda hs: ",".join(f"{h:02d}:00" for h in sorted(hs))),
    frequency=st.integers(1, 14).map(str), keep=st.integers(2, 14).map(str),
    keep_first_of_month=st.booleans(), enabled=st.booleans())


@RULE
@given(valid_drafts)
def test_a_valid_draft_becomes_the_documented_body(draft: PolicyDraft) -> None:
    body = draft.to_body()
    sched = body["scheduled_policy"]
    assert body["backup_policy_name"] == draft.name
    assert sched["start_time"] == draft.start_times
    assert sched["frequency"] == int(draft.frequency) and "week_frequency" not in sched
    assert sched["rentention_num"] == int(draft.keep) and "rentention_day" not in sched
    assert sched["remain_first_backup_of_curMonth"] == ("Y" if draft.keep_first_of_month
                                                        else "N")
    assert sched["status"] == ("ON" if draft.enabled else "OFF")


# ------------------------------------------------------------------- precise messages


def test_messages_say_precisely_what_is_wrong() -> None:
    problems = PolicyDraft(name="Default-db", start_times="02:30,25:00", frequency="20",
                           keep="15", time_zone="UTC+2").problems()
    assert "must not start with 'default'" in problems["name"][0]
    assert problems["start_times"] == [
        "'02:30' is not a full hour: backups start on the hour (e.g. 02:00)",
        "'25:00' is not a time of day (00:00 to 23:00)"]
    assert problems["frequency"] == ["must be from 1 to 14 (now 20)"]
    assert problems["keep"] == ["must be from 2 to 14 (now 15)"]
    assert "UTC+01:00" in problems["time_zone"][0]


def test_times_on_different_utc_days_need_a_zone_and_week_days() -> None:
    base = PolicyDraft(name="p", start_times="22:00,00:00", week_days="MON", keep="7")
    assert "different UTC days" in base.problems()["time_zone"][0]
    assert base.__class__(**{**vars(base), "time_zone": "UTC+02:00"}).problems() == {}
    interval = PolicyDraft(name="p", start_times="22:00,00:00", frequency="1", keep="7",
                           time_zone="UTC+02:00")
    assert "need week days" in interval.problems()["time_zone"][0]
    wrong_order = PolicyDraft(name="p", start_times="20:00,23:00", week_days="MON", keep="7",
                              time_zone="UTC+02:00")
    assert "(here: 23:00,20:00)" in wrong_order.problems()["time_zone"][0]


def test_exactly_one_of_each_pair() -> None:
    both = PolicyDraft(name="p", start_times="02:00", frequency="1", week_days="MON",
                       keep="7", keep_days="30").problems()
    assert "not both" in both["frequency"][0] and "not both" in both["keep"][0]
    neither = PolicyDraft(name="p", start_times="02:00").problems()
    assert "is required" in neither["frequency"][0] and "is required" in neither["keep"][0]


def test_an_update_that_keeps_the_name_does_not_check_or_send_it() -> None:
    draft = PolicyDraft(name="default", start_times="01:00", frequency="1", keep="7")
    assert "name" in draft.problems()
    assert draft.problems(with_name=False) == {}
    assert "backup_policy_name" not in draft.to_body(with_name=False)
