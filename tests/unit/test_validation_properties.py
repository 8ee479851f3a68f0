"""Property-based tests: `vbstui.cloud.validation` agrees with an independent oracle.

The oracle (`validation_oracle.py`, next to this file; pytest's default
"prepend" import mode puts this directory on `sys.path`) is written from the
documented rules with explicit code-point checks and shares nothing with the
implementation.  For every rule the tests draw from a mix of strategies aimed at
the boundaries and the classic traps (trailing newline, Unicode letters/digits
that `\\w`, `isalnum()` and `isdigit()` accept, characters beyond the BMP, NUL,
DEL, whitespace, the 'auto' prefix in several cases) and check that

* the implementation refuses exactly what the oracle refuses, and
* every refusal is a readable message that names the problem precisely.
"""

from __future__ import annotations

import json
import string
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from validation_oracle import (
    description_reasons,
    name_ok,
    name_reasons,
    request_invalid_fields,
    snapshot_id_reasons,
    tag_key_reasons,
    tag_value_reasons,
    tags_ok,
    tags_reasons,
    volume_id_reasons,
)

from vbstui.cloud.validation import (
    BackupRequest,
    ValidationFailed,
    format_problems,
    parse_tag,
    validate_description,
    validate_name,
    validate_snapshot_id,
    validate_tag_key,
    validate_tag_value,
    validate_tags,
    validate_volume_id,
)

# >= 1000 examples per rule is a requirement.  No deadline: timing on a loaded CI
# machine is not what these tests are about.  No health check is suppressed (the
# file ran clean with four copies in parallel on two cores, ~28 s each).
RULE = settings(max_examples=1000, deadline=None)

# ---------------------------------------------------------------- alphabets and traps

NAME_ALPHABET = string.ascii_letters + string.digits + "_-"
TAG_SPECIALS = "=*<>\\,|/"
BOUNDARY_LENGTHS = [0, 1, 2, 35, 36, 37, 42, 43, 44, 58, 59, 60, 63, 64, 65, 66]

TRAPS = [
    "\n", "\r", "\t", "\x0b", "\x0c", " ", "\x00", "\x1b", "\x1f", "\x7f", "\x80", "\x85",
    "\xa0", "\u2028", "\u3000",  # whitespace / line breaks beyond ASCII
    "é", "ß", "²", "٣", "Ⅻ", "Ａ", "０", "İ", "ſ", "\u212a",  # Kelvin sign: [a-z] with re.I
    "\u0301", "\u200b", "\u202e", "\ufeff",  # combining, zero-width, bidi override, BOM
    "\U0001f600", "\U00010000", "\U0010ffff",  # beyond the BMP
    "<", ">", "=", "*", "\\", ",", "|", "/", ".", "'", '"', "@", ":", "{", "}", "[", "]", "~",
]  # fmt: skip

full_unicode_char = st.characters()  # everything but surrogates, up to U+10FFFF
trap_char = st.sampled_from(TRAPS)
spice_char = st.one_of(trap_char, full_unicode_char, st.sampled_from(TAG_SPECIALS))

# Tag text the documented rule allows: no code point 0..31, none of = * < > \ , | /
tag_allowed_char = st.characters(min_codepoint=32, exclude_characters=TAG_SPECIALS)
description_allowed_char = st.characters(exclude_characters="<>",
                                         exclude_categories=("Cc", "Cf", "Zl", "Zp", "Cs"))


def exact_lengths(chars: st.SearchStrategy[str], lengths: list[int]) -> st.SearchStrategy[str]:
    return st.sampled_from(lengths).flatmap(lambda n: st.text(chars, min_size=n, max_size=n))


@st.composite
def with_inserts(draw, base: st.SearchStrategy[str], extra: st.SearchStrategy[str]) -> str:
    """`base` with 1-3 characters from `extra` inserted at random positions."""
    text = draw(base)
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(extra) + text[position:]
    return text


def mixed_text(allowed: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    """Text from the allowed alphabet, at boundary lengths, full Unicode, and spiced."""
    clean = st.text(allowed, max_size=max_size)
    at_boundary = exact_lengths(allowed, BOUNDARY_LENGTHS)
    base = st.one_of(clean, at_boundary)
    return st.one_of(
        clean,
        at_boundary,
        st.text(full_unicode_char, max_size=max_size),
        st.text(trap_char, max_size=8),
        with_inserts(base, spice_char),
        base.map(lambda s: s + "\n"),  # regex `$` matches before a trailing newline
        base.map(lambda s: s + "\r\n"),
        base.map(lambda s: " " + s + " "),
    )


# ---------------------------------------------------------------- per-field strategies

name_chars = st.sampled_from(NAME_ALPHABET)
AUTO_PREFIXES = [
    "auto", "Auto", "AUTO", "aUTO", "autO", "xauto", "_auto", "-auto", "aut", "au", "a",
    "auto-", "auto_", "auto0", " auto", "\nauto", "ａuto",
]  # fmt: skip
names = st.one_of(
    mixed_text(name_chars, 80),
    st.text(name_chars, min_size=1, max_size=64),  # plenty of valid names
    exact_lengths(name_chars, [1, 58, 59, 60, 63, 64, 65]),
    st.tuples(st.sampled_from(AUTO_PREFIXES), st.text(name_chars, max_size=64)).map("".join),
    st.tuples(st.sampled_from(AUTO_PREFIXES), exact_lengths(name_chars, [54, 55, 56, 60, 61])).map(
        "".join
    ),
)
descriptions = st.one_of(
    mixed_text(description_allowed_char, 80),
    st.text(st.characters(min_codepoint=0, max_codepoint=127), max_size=70),  # ASCII + controls
    with_inserts(st.text(description_allowed_char, max_size=66), st.sampled_from("<>")),
    with_inserts(st.text(description_allowed_char, max_size=66),
                 st.sampled_from("\x1b\x07\x00\x7f\x9b\u202e\u200b\u2028\ufeff")),
)
tag_keys = st.one_of(
    mixed_text(tag_allowed_char, 45),
    st.text(tag_allowed_char, min_size=1, max_size=36),
    st.text(st.characters(max_codepoint=127), max_size=40),  # ASCII incl. NUL, DEL, specials
)
tag_values = st.one_of(
    mixed_text(tag_allowed_char, 50),
    st.text(tag_allowed_char, max_size=43),
    st.text(st.characters(max_codepoint=127), max_size=46),
)
valid_tag_keys = st.text(tag_allowed_char, min_size=1, max_size=36)
valid_tag_values = st.text(tag_allowed_char, max_size=43)


@st.composite
def tag_lists(draw) -> list[tuple[str, str]]:
    """Tag lists around the limit of 10, mostly valid, sometimes with a duplicate key."""
    count = draw(st.one_of(st.integers(0, 10), st.sampled_from([9, 10, 11, 12])))
    pair = st.one_of(
        st.tuples(valid_tag_keys, valid_tag_values),
        st.tuples(valid_tag_keys, valid_tag_values),
        st.tuples(valid_tag_keys, valid_tag_values),
        st.tuples(tag_keys, tag_values),
    )
    tags = draw(st.lists(pair, min_size=count, max_size=count, unique_by=lambda kv: kv[0]))
    if tags and draw(st.integers(0, 3)) == 0:  # repeat an earlier key
        key = draw(st.sampled_from([k for k, _ in tags]))
        position = draw(st.integers(0, len(tags)))
        tags.insert(position, (key, draw(valid_tag_values)))
    return tags


valid_tag_lists = st.lists(
    st.tuples(valid_tag_keys, valid_tag_values), max_size=10, unique_by=lambda kv: kv[0]
)


@st.composite
def mixed_case_uuids(draw) -> str:
    text = str(draw(st.uuids()))
    flips = draw(st.lists(st.booleans(), min_size=36, max_size=36))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))


valid_uuids = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    mixed_case_uuids(),
)
UUID_TRAPS = [*"0123456789abcdefABCDEFgGxz-_ {}\n", "０", "٣", "\u212a", "\U0001f600"]


@st.composite
def broken_uuids(draw) -> str:
    """A valid UUID changed in one way that must make it invalid (or, rarely, not)."""
    text = draw(valid_uuids)
    how = draw(st.integers(0, 8))
    if how == 0:  # replace one character
        position = draw(st.integers(0, 35))
        return text[:position] + draw(st.sampled_from(UUID_TRAPS)) + text[position + 1 :]
    if how == 1:  # delete one character
        position = draw(st.integers(0, 35))
        return text[:position] + text[position + 1 :]
    if how == 2:  # insert one character
        position = draw(st.integers(0, 36))
        return text[:position] + draw(st.sampled_from(UUID_TRAPS)) + text[position:]
    if how == 3:
        return text + draw(st.sampled_from(["\n", "\r\n", " ", "0", "}"]))
    if how == 4:
        return draw(st.sampled_from(["{", "urn:uuid:", " ", "\n"])) + text
    if how == 5:
        return text.replace("-", "")  # 32 hex digits: not the canonical form
    if how == 6:  # right length, hyphens anywhere
        return draw(st.text(st.sampled_from("0123456789abcdefABCDEF-"), min_size=36, max_size=36))
    if how == 7:  # a hex digit as a Unicode look-alike
        table = str.maketrans("0123456789abcdef", "０１２３４５６７８９ａｂｃｄｅｆ")
        position = draw(st.integers(0, 35))
        return text[:position] + text[position].translate(table) + text[position + 1 :]
    return draw(st.text(full_unicode_char, max_size=40))


uuid_like = st.one_of(valid_uuids, broken_uuids(), st.just(""))


# ---------------------------------------------------------------- message helpers


def assert_human(messages: list[str]) -> None:
    """Each message is a non-empty, printable, single-line string without stray padding."""
    for message in messages:
        assert isinstance(message, str)
        assert message.strip(), messages
        assert message == message.strip(), messages
        assert all(c.isprintable() for c in message), f"unprintable character in {message!r}"


def names_char(char: str, text: str) -> bool:
    """`text` names `char` readably: quoted, as U+XXXX, or (for ' ') as 'a space'."""
    code = f"U+{ord(char):04X}"
    if char == " ":
        return "a space" in text or code in text
    if ord(char) < 32 or ord(char) == 127 or not char.isprintable():
        return code in text  # never raw: it would be invisible or move the cursor
    return f"'{char}'" in text or code in text


def names_chars(chars: list[str], text: str) -> bool:
    """The first offending characters are named; a long list ends with an ellipsis."""
    shown = chars[:5]
    if len(chars) > 5 and "…" not in text and "..." not in text:
        return False
    return all(names_char(c, text) for c in shown)


def matches_each_reason(messages: list[str], reasons: list, matcher) -> None:
    """One message per reason, and every reason is explained by some message."""
    assert len(messages) == len(reasons), (messages, reasons)
    for reason in reasons:
        assert any(matcher(reason, m) for m in messages), (reason, messages)


def name_matcher(reason: tuple, message: str) -> bool:
    kind = reason[0]
    if kind == "required":
        return "required" in message
    if kind == "too_long":
        return f"at most {reason[1]} characters (now {reason[2]})" in message
    if kind == "bad_chars":
        return "only" in message and names_chars(reason[1], message)
    if kind == "auto":
        return "must not start with 'auto'" in message
    raise AssertionError(reason)


def description_matcher(reason: tuple, message: str) -> bool:
    if reason[0] == "too_long":
        return f"at most {reason[1]} characters (now {reason[2]})" in message
    if reason[0] == "angle":
        head, sep, found = message.partition("(found ")
        return bool(sep) and "'<'" in head and "'>'" in head and names_chars(reason[1], found)
    if reason[0] == "invisible":
        head, sep, found = message.partition("(found ")
        return bool(sep) and "control" in head and names_chars(reason[1], found)
    raise AssertionError(reason)


def tag_text_matcher(reason: tuple, message: str) -> bool:
    part, _, kind = str(reason[0]).partition("_")
    if f"tag {part}" not in message:
        return False
    if kind == "required":
        return "required" in message
    if kind == "too_long":
        return f"at most {reason[1]} characters (now {reason[2]})" in message
    if kind == "control":
        return "control character" in message and names_chars(reason[1], message)
    if kind == "special":
        # name the offending characters before the reminder of the whole forbidden set
        return names_chars(reason[1], message.partition("(not allowed")[0])
    raise AssertionError(reason)


def tags_matcher(reason: tuple, message: str) -> bool:
    if reason[0] == "too_many":
        return f"at most 10 tags (now {reason[1]})" in message
    _, index, inner = reason
    prefix = f"tag {index}: "
    if not message.startswith(prefix):
        return False
    rest = message[len(prefix) :]
    if inner[0] == "duplicate":
        key = inner[1]
        return "duplicate key" in rest and (not key.isprintable() or f"'{key}'" in rest)
    return tag_text_matcher(inner, rest)


def uuid_matcher(what: str):
    def matcher(reason: tuple, message: str) -> bool:
        if reason[0] == "required":
            return "required" in message
        return f"{what} ID" in message and "like" in message  # shows the expected shape

    return matcher


# ---------------------------------------------------------------- properties, per field


@RULE
@given(names)
def test_name_agrees_with_oracle(name: str) -> None:
    messages = validate_name(name)
    reasons = name_reasons(name, 64)
    assert (messages == []) == (reasons == []), (name, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, name_matcher)


@RULE
@given(names)
def test_bulk_name_agrees_with_oracle(name: str) -> None:
    messages = validate_name(name, max_length=59)
    reasons = name_reasons(name, 59)
    assert (messages == []) == (reasons == []), (name, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, name_matcher)


@RULE
@given(descriptions)
def test_description_agrees_with_oracle(description: str) -> None:
    messages = validate_description(description)
    reasons = description_reasons(description)
    assert (messages == []) == (reasons == []), (description, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, description_matcher)


@RULE
@given(tag_keys)
def test_tag_key_agrees_with_oracle(key: str) -> None:
    messages = validate_tag_key(key)
    reasons = tag_key_reasons(key)
    assert (messages == []) == (reasons == []), (key, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, tag_text_matcher)


@RULE
@given(tag_values)
def test_tag_value_agrees_with_oracle(value: str) -> None:
    messages = validate_tag_value(value)
    reasons = tag_value_reasons(value)
    assert (messages == []) == (reasons == []), (value, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, tag_text_matcher)


@RULE
@given(tag_lists())
def test_tag_list_agrees_with_oracle(tags: list[tuple[str, str]]) -> None:
    messages = validate_tags(tags)
    reasons = tags_reasons(tags)
    assert (messages == []) == (reasons == []), (tags, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, tags_matcher)


@RULE
@given(uuid_like)
def test_snapshot_id_agrees_with_oracle(snapshot_id: str) -> None:
    messages = validate_snapshot_id(snapshot_id)
    reasons = snapshot_id_reasons(snapshot_id)
    assert (messages == []) == (reasons == []), (snapshot_id, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, uuid_matcher("snapshot"))


@RULE
@given(uuid_like)
def test_volume_id_agrees_with_oracle(volume_id: str) -> None:
    messages = validate_volume_id(volume_id)
    reasons = volume_id_reasons(volume_id)
    assert (messages == []) == (reasons == []), (volume_id, messages, reasons)
    assert_human(messages)
    matches_each_reason(messages, reasons, uuid_matcher("disk"))


# ---------------------------------------------------------------- properties, whole request

# Each field is valid about half the time, so both valid and invalid requests occur.
request_names = st.one_of(st.text(name_chars, min_size=1, max_size=64), names)
request_descriptions = st.one_of(st.text(description_allowed_char, max_size=64), descriptions)
request_snapshots = st.one_of(st.just(""), valid_uuids, broken_uuids())
request_volumes = st.one_of(valid_uuids, valid_uuids, broken_uuids(), st.just(""))
request_tags = st.one_of(valid_tag_lists, tag_lists()).map(tuple)


@RULE
@given(
    volume_id=request_volumes,
    name=request_names,
    description=request_descriptions,
    snapshot_id=request_snapshots,
    tags=request_tags,
    full_backup=st.booleans(),
    name_max=st.sampled_from([64, 59]),
)
def test_request_problems_agree_with_oracle(
    *,
    volume_id: str,
    name: str,
    description: str,
    snapshot_id: str,
    tags: tuple[tuple[str, str], ...],
    full_backup: bool,
    name_max: int,
) -> None:
    request = BackupRequest(
        volume_id=volume_id,
        name=name,
        description=description,
        snapshot_id=snapshot_id,
        tags=tags,
        full_backup=full_backup,
    )
    problems = request.problems(name_max=name_max)
    expected = request_invalid_fields(
        volume_id=volume_id,
        name=name,
        description=description,
        snapshot_id=snapshot_id,
        tags=tags,
        name_max=name_max,
    )
    assert set(problems) == expected, (request, problems)
    assert all(messages for messages in problems.values())
    # the per-field messages are exactly what the field validators say
    if "name" in problems:
        assert problems["name"] == validate_name(name, max_length=name_max)
    if "tags" in problems:
        assert problems["tags"] == validate_tags(tags)
    lines = format_problems(problems)
    assert len(lines) == sum(len(m) for m in problems.values())
    assert all(line.split(": ", 1)[0] in expected for line in lines)
    assert str(ValidationFailed(problems)) == "; ".join(lines)
    if not problems:
        check_body(request)


def check_body(request: BackupRequest) -> None:
    body = request.to_body()
    assert json.loads(json.dumps(body)) == body  # plain JSON, nothing exotic
    assert list(body) == ["backup"]
    backup = body["backup"]
    expected_keys = {"volume_id", "name", "extend_param"}
    expected_keys |= {"description"} if request.description else set()
    expected_keys |= {"snapshot_id"} if request.snapshot_id else set()
    expected_keys |= {"tags"} if request.tags else set()
    assert set(backup) == expected_keys
    assert backup["volume_id"] == request.volume_id
    assert backup["name"] == request.name
    if request.description:
        assert backup["description"] == request.description
    if request.snapshot_id:
        assert backup["snapshot_id"] == request.snapshot_id
    # FullBackup is a *string* in the API, never a JSON boolean
    assert backup["extend_param"] == {"FullBackup": "true" if request.full_backup else "false"}
    assert type(backup["extend_param"]["FullBackup"]) is str
    if request.tags:
        assert isinstance(backup["tags"], list)
        assert backup["tags"] == [{"key": k, "value": v} for k, v in request.tags]
        assert all(set(tag) == {"key", "value"} for tag in backup["tags"])


@RULE
@given(
    volume_id=valid_uuids,
    name=st.text(name_chars, min_size=1, max_size=64).filter(name_ok),
    description=st.one_of(st.just(""), st.text(description_allowed_char, max_size=64)),
    snapshot_id=st.one_of(st.just(""), valid_uuids),
    tags=valid_tag_lists.map(tuple),
    full_backup=st.booleans(),
)
def test_valid_request_body(
    *,
    volume_id: str,
    name: str,
    description: str,
    snapshot_id: str,
    tags: tuple[tuple[str, str], ...],
    full_backup: bool,
) -> None:
    assert tags_ok(tags)
    request = BackupRequest(
        volume_id=volume_id,
        name=name,
        description=description,
        snapshot_id=snapshot_id,
        tags=tags,
        full_backup=full_backup,
    )
    assert request.problems() == {}
    check_body(request)


@RULE
@given(key=st.text(full_unicode_char.filter(lambda c: c != "="), max_size=40), value=tag_values)
def test_parse_tag_splits_at_the_first_equals_sign(key: str, value: str) -> None:
    assert parse_tag(f"{key}={value}") == (key, value)
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_tag(key)


# ---------------------------------------------------------------- exact messages


def test_name_messages() -> None:
    assert validate_name("a" * 71) == ["at most 64 characters (now 71)"]
    assert validate_name("a" * 64) == []
    assert validate_name("a" * 65) == ["at most 64 characters (now 65)"]
    assert validate_name("a" * 59, max_length=59) == []
    assert validate_name("a" * 60, max_length=59) == ["at most 59 characters (now 60)"]
    assert validate_name("") == ["is required"]
    assert validate_name(None) == ["is required"]
    assert validate_name("autoBackup") == [
        "must not start with 'auto' (reserved for automatic backups)"
    ]
    for allowed in ("Auto", "AUTO", "xauto", "aut", "disk01_backup", "a-b_C9"):
        assert validate_name(allowed) == [], allowed


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("disk01_backup\n", "U+000A"),
        ("café", "'é'"),
        ("straße", "'ß'"),
        ("x²", "'²'"),
        ("x٣", "'٣'"),
        ("Ⅻ", "'Ⅻ'"),
        ("Ａbc", "'Ａ'"),
        ("a b", "a space"),
        ("nul\x00", "U+0000"),
        ("del\x7f", "U+007F"),
        ("zwsp\u200b", "U+200B"),
        ("emoji\U0001f600", "'\U0001f600'"),
        ("a/b", "'/'"),
        ("\u212aelvin", "'\u212a'"),
    ],
)
def test_name_names_the_offending_character(name: str, shown: str) -> None:
    (message,) = validate_name(name)
    assert message == f"may contain only letters A-Z/a-z, digits, '_' and '-' (found {shown})"


def test_name_lists_at_most_five_characters() -> None:
    (message,) = validate_name("a.b,c;d:e!f?g")
    assert message.endswith("(found '.', ',', ';', ':', '!' …)")


def test_description_messages() -> None:
    assert validate_description("") == []
    assert validate_description(None) == []
    assert validate_description("x" * 64) == []
    assert validate_description("x" * 65) == ["at most 64 characters (now 65)"]
    assert validate_description("a<b") == ["must not contain '<' or '>' (found '<')"]
    assert validate_description("<b>") == ["must not contain '<' or '>' (found '<', '>')"]
    # The documented rule forbids only < and >; Unicode is allowed, but controls are
    # refused (issue 12: an ESC in a description reaches every terminal that shows it).
    assert validate_description("é ² \U0001f600 ok") == []
    assert validate_description("line\nbreak\tand\x00nul") == [
        "must not contain control or invisible formatting characters "
        "(found U+000A, U+0009, U+0000)"]
    assert validate_description("title\x1b]0;pwned\x07") == [
        "must not contain control or invisible formatting characters (found U+001B, U+0007)"]


def test_tag_messages() -> None:
    assert validate_tag_key("") == ["tag key is required"]
    assert validate_tag_key("k" * 36) == []
    assert validate_tag_key("k" * 37) == ["tag key: at most 36 characters (now 37)"]
    assert validate_tag_value("") == []
    assert validate_tag_value("v" * 43) == []
    assert validate_tag_value("v" * 44) == ["tag value: at most 43 characters (now 44)"]
    assert validate_tag_key("a/b") == ["tag key contains '/' (not allowed: = * < > \\ , | /)"]
    assert validate_tag_value("x\x00") == ["tag value contains a control character (U+0000)"]
    assert validate_tag_key("tab\there") == ["tag key contains a control character (U+0009)"]
    # DEL (127) is outside the documented 0-31 range, so it is allowed, as are spaces/Unicode
    assert validate_tag_key("del\x7f") == []
    assert validate_tag_value("del\x7f é ²") == []
    assert validate_tags([(f"k{i}", "") for i in range(10)]) == []
    assert validate_tags([(f"k{i}", "") for i in range(11)]) == ["at most 10 tags (now 11)"]
    assert validate_tags([("env", "a"), ("env", "b")]) == ["tag 2: duplicate key 'env'"]
    assert validate_tags([("Env", "a"), ("env", "b")]) == []  # keys compare exactly
    assert validate_tags([("ok", "x"), ("b=d", "c")]) == [
        "tag 2: tag key contains '=' (not allowed: = * < > \\ , | /)"
    ]


def test_duplicate_key_message_is_printable() -> None:
    messages = validate_tags([("a\x1b[2Jb", "x"), ("a\x1b[2Jb", "y")])
    assert_human(messages)


def test_id_messages() -> None:
    good = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
    assert validate_volume_id(good) == []
    assert validate_volume_id(good.upper()) == []
    assert validate_volume_id("") == ["is required"]
    assert validate_volume_id(None) == ["is required"]
    assert validate_volume_id(good + "\n") == [
        "must be a disk ID like 1b2c3d4e-0000-4000-8000-123456789abc"
    ]
    assert validate_snapshot_id("") == []
    assert validate_snapshot_id(None) == []
    assert validate_snapshot_id(good) == []
    assert validate_snapshot_id(uuid.UUID(good).hex) == [
        "must be a snapshot ID like 1b2c3d4e-0000-4000-8000-123456789abc"
    ]
    assert validate_snapshot_id("{" + good + "}") != []


def test_body_matches_the_api_example() -> None:
    request = BackupRequest(
        volume_id="c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768",
        name="backup1",
        description="Backup_Demo",
        tags=(("key", "value"),),
        full_backup=True,
    )
    assert request.problems() == {}
    assert request.to_body() == {
        "backup": {
            "volume_id": "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768",
            "name": "backup1",
            "description": "Backup_Demo",
            "tags": [{"key": "key", "value": "value"}],
            "extend_param": {"FullBackup": "true"},
        }
    }
    minimal = BackupRequest(volume_id="c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768", name="b")
    assert minimal.to_body() == {
        "backup": {
            "volume_id": "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768",
            "name": "b",
            "extend_param": {"FullBackup": "false"},
        }
    }


def test_request_problems_are_keyed_by_field() -> None:
    request = BackupRequest(volume_id="", name="auto" + "x" * 61, description="<", tags=(("", ""),))
    problems = request.problems(name_max=59)
    assert problems == {
        "volume_id": ["is required"],
        "name": [
            "at most 59 characters (now 65)",
            "must not start with 'auto' (reserved for automatic backups)",
        ],
        "description": ["must not contain '<' or '>' (found '<')"],
        "tags": ["tag 1: tag key is required"],
    }
    assert format_problems(problems)[0] == "volume_id: is required"


def test_parse_tag_examples() -> None:
    assert parse_tag("a=b=c") == ("a", "b=c")
    assert parse_tag("env=") == ("env", "")
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_tag("novalue")
