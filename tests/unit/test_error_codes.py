"""The error-code catalogue covers every documented code and explains it usefully."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest

from vbstui.cloud.error_codes import (
    CATALOGUE,
    HTTP_STATUS,
    MODULE_CREATE,
    MODULE_DELETE,
    MODULE_POLICY,
    MODULE_RESTORE,
    MODULE_SHARED,
    ErrorInfo,
    all_codes,
    explain,
    lookup,
)

HERE = Path(__file__).resolve()
RST = HERE.parents[2].parent / "shared" / "reference" / "vbs-api" / "error_codes.rst"
VENDORED = HERE.parent / "data" / "vbs_error_codes.txt"

CODE_RE = re.compile(r"^(common|VolumeBackup|AutoBackup)\.\d{4}$")
ROW_RE = re.compile(
    r"^\|\s*(?P<module>[^|]*?)\s*\|\s*(?P<code>(?:common|VolumeBackup|AutoBackup)\.\d+)\s*\|"
)

# Codes an operator meets often or can act on: each needs a cause and an action.
ACTIONABLE = [
    *(f"VolumeBackup.{n:04d}" for n in range(2, 8)),
    *(f"VolumeBackup.{n:04d}" for n in range(10, 14)),
    "VolumeBackup.0017",
    "VolumeBackup.0021",
    "VolumeBackup.0026",
    "VolumeBackup.0027",
    "VolumeBackup.0040",
    "VolumeBackup.0042",
    "VolumeBackup.0049",
    "VolumeBackup.0050",
    "VolumeBackup.0053",
    "VolumeBackup.0064",
    *(f"VolumeBackup.{n:04d}" for n in range(71, 85)),
    "VolumeBackup.0089",
    "VolumeBackup.0111",
    "VolumeBackup.0113",
    "VolumeBackup.0202",
    *(f"VolumeBackup.{n:04d}" for n in range(205, 210)),
    "VolumeBackup.0211",
    "VolumeBackup.0900",
    "common.0011",
    "APIGW.0301",
    "APIGW.0308",
]


def vendored_codes() -> list[str]:
    lines = VENDORED.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def rst_rows() -> list[tuple[str, str]]:
    """(module, code) for every row of the reference table, module carried down."""
    rows: list[tuple[str, str]] = []
    module = ""
    for line in RST.read_text(encoding="utf-8").splitlines():
        match = ROW_RE.match(line)
        if match:
            module = match["module"] or module
            rows.append((module, match["code"]))
    return rows


def every_info() -> list[ErrorInfo]:
    infos = [*CATALOGUE.values(), *HTTP_STATUS.values()]
    infos += [
        explain("Foo.1234", "something odd"),
        explain(None, "no code here"),
        explain("0002"),
        explain("APIGW.9999", "gateway says no"),
    ]
    return infos


# ----------------------------------------------------------------- coverage


def test_vendored_list_is_sane() -> None:
    codes = vendored_codes()
    assert len(codes) >= 120
    assert len(set(codes)) == len(codes)
    assert all(CODE_RE.match(code) for code in codes), codes


@pytest.mark.parametrize("code", vendored_codes())
def test_every_vendored_code_is_catalogued(code: str) -> None:
    info = CATALOGUE[code]
    assert info.code == code
    assert info.meaning.strip()
    assert info.module
    assert explain(code) is info


@pytest.mark.skipif(not RST.is_file(), reason="API reference not present on this machine")
def test_every_code_in_the_reference_is_catalogued_with_its_module() -> None:
    rows = rst_rows()
    assert len(rows) >= 120
    for module, code in rows:
        assert code in CATALOGUE, code
        assert CATALOGUE[code].meaning.strip(), code
        assert CATALOGUE[code].module == module, code
    # The vendored list is the same list, so CI (without the reference) tests the same codes.
    assert sorted(code for _m, code in rows) == sorted(vendored_codes())


def test_catalogue_has_nothing_beyond_the_reference_and_the_gateway() -> None:
    extra = set(CATALOGUE) - set(vendored_codes())
    assert extra == {"APIGW.0301", "APIGW.0308"}


def test_modules_are_the_reference_ones() -> None:
    modules = {info.module for code, info in CATALOGUE.items() if not code.startswith("APIGW")}
    assert modules == {MODULE_SHARED, MODULE_CREATE, MODULE_DELETE, MODULE_RESTORE, MODULE_POLICY}


@pytest.mark.parametrize("code", ACTIONABLE)
def test_actionable_codes_have_cause_and_action(code: str) -> None:
    info = CATALOGUE[code]
    assert info.cause and info.cause.strip()
    assert info.action and info.action.strip()


def test_all_codes_sorted_and_complete() -> None:
    codes = all_codes()
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert set(vendored_codes()) <= set(codes)
    assert set(codes) == set(CATALOGUE)


def test_error_info_is_frozen() -> None:
    info = CATALOGUE["VolumeBackup.0040"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.meaning = "changed"  # type: ignore[misc]


# --------------------------------------------------------------- the advice


def test_per_disk_limit() -> None:
    info = explain("VolumeBackup.0040")
    assert "20" in info.meaning
    assert "delete" in info.action.lower()
    assert "this disk" in info.action
    assert not info.retryable


def test_disk_status_for_backup_names_the_states() -> None:
    info = explain("VolumeBackup.0012")
    assert "available" in info.meaning and "in-use" in info.meaning
    assert "creating" in info.cause and "attaching" in info.cause
    assert "error_extending" in info.cause
    assert "wait" in info.action.lower()


def test_running_backup_says_wait_and_follow_the_job() -> None:
    for code in ("VolumeBackup.0013", "VolumeBackup.0206"):
        info = explain(code)
        assert "wait" in info.action.lower()
        assert "job" in info.action
        # Resending automatically could create the duplicate the user did not want.
        assert not info.retryable


@pytest.mark.parametrize("code", ["VolumeBackup.0080", "VolumeBackup.0081"])
def test_backup_quota(code: str) -> None:
    info = explain(code)
    assert "quota" in info.meaning
    assert "delet" in info.action.lower()
    assert "administrator" in info.action
    assert not info.retryable


def test_restore_target_too_small() -> None:
    info = explain("VolumeBackup.0209")
    assert "at least as large" in info.meaning
    assert "expand" in info.action
    assert "larg" in info.action


def test_restore_needs_an_available_disk() -> None:
    info = explain("VolumeBackup.0205")
    assert "available" in info.meaning
    assert "Stop the server" in info.action
    assert "detach" in info.action


def test_job_failures_follow_the_guide() -> None:
    for code in ("VolumeBackup.0017", "VolumeBackup.0027", "VolumeBackup.0064"):
        info = explain(code)
        assert info.retryable
        assert "administrator" in info.action
    assert "Delete the backup" in explain("VolumeBackup.0064").action
    assert "quota" in explain("VolumeBackup.0027").action


@pytest.mark.parametrize(
    "code",
    ["VolumeBackup.0014", "VolumeBackup.0900", "common.0011", "AutoBackup.0009", "APIGW.0308"],
)
def test_transient_failures_are_retryable(code: str) -> None:
    assert explain(code).retryable


@pytest.mark.parametrize(
    "code",
    [
        "VolumeBackup.0003",
        "VolumeBackup.0012",
        "VolumeBackup.0040",
        "VolumeBackup.0042",
        "VolumeBackup.0080",
        "VolumeBackup.0209",
        "APIGW.0301",
    ],
)
def test_user_fixable_failures_are_not_retryable(code: str) -> None:
    assert not explain(code).retryable


# ---------------------------------------------------------- tolerant lookup


@pytest.mark.parametrize(
    "given",
    [
        "VolumeBackup.0040",
        "volumebackup.0040",
        "VOLUMEBACKUP.0040",
        "  VolumeBackup.0040\n",
        "VolumeBackup.40",
        "volumebackup_0040",
        "VolumeBackup 0040",
        "0040",
        "40",
        " 40 ",
        40,
    ],
)
def test_tolerant_lookup(given: str | int) -> None:
    assert explain(given) is CATALOGUE["VolumeBackup.0040"]
    assert lookup(given) is CATALOGUE["VolumeBackup.0040"]


def test_other_prefixes_case_insensitive() -> None:
    assert explain("COMMON.0011") is CATALOGUE["common.0011"]
    assert explain("autobackup.0225") is CATALOGUE["AutoBackup.0225"]
    assert explain("apigw.0301") is CATALOGUE["APIGW.0301"]


@pytest.mark.parametrize(
    ("given", "candidates"),
    [
        ("0002", ["VolumeBackup.0002", "AutoBackup.0002"]),
        ("11", ["common.0011", "VolumeBackup.0011"]),
        (209, ["VolumeBackup.0209", "AutoBackup.0209"]),
    ],
)
def test_ambiguous_numbers_are_not_guessed(given: str | int, candidates: list[str]) -> None:
    assert lookup(given) is None
    info = explain(given, "server text")
    assert info.code == str(given)
    for candidate in candidates:
        assert candidate in info.meaning
    assert "server text" in info.meaning


def test_numbers_do_not_cross_into_other_prefixes() -> None:
    # Numbers that exist under one prefix only resolve to that prefix.
    assert explain("1700") is CATALOGUE["AutoBackup.1700"]
    assert explain("0113") is CATALOGUE["VolumeBackup.0113"]
    assert lookup("0100") is None  # VolumeBackup.0100 and AutoBackup.0100
    # A prefixed code never falls back to another prefix.
    assert lookup("VolumeBackup.1700") is None
    assert lookup("AutoBackup.0040") is None
    # Gateway codes are only found with their prefix.
    assert lookup("0308") is None


# ---------------------------------------------------------------- HTTP / gateway


@pytest.mark.parametrize(
    ("given", "status"),
    [
        (400, 400),
        ("400", 400),
        (404, 404),
        ("HTTP 404", 404),
        ("404 Not Found", 404),
        ("itemNotFound", 404),
        ("badRequest", 400),
        ("overLimit", 413),
        (413, 413),
        ("503", 503),
    ],
)
def test_http_codes(given: str | int, status: int) -> None:
    info = explain(given)
    assert info is HTTP_STATUS[status]
    assert info.code == f"HTTP {status}"
    assert info.action


def test_http_retryability() -> None:
    for status in (429, 500, 502, 503, 504):
        assert HTTP_STATUS[status].retryable
    for status in (400, 401, 403, 404, 409, 413):
        assert not HTTP_STATUS[status].retryable
    assert "quota" in HTTP_STATUS[413].meaning


def test_gateway_codes() -> None:
    token = explain("APIGW.0301")
    assert "expired" in token.meaning
    assert "credentials" in token.action
    throttled = explain("APIGW.0308")
    assert throttled.retryable
    assert "try again" in throttled.action


# ---------------------------------------------------------------- unknown codes


def test_unknown_code_shows_code_and_message() -> None:
    info = explain("VolumeBackup.9999", "The disk is on fire.")
    assert "VolumeBackup.9999" in info.meaning
    assert "not in the catalogue" in info.meaning
    assert "The disk is on fire." in info.meaning
    assert info.action
    assert not info.retryable
    assert "VolumeBackup.9999" in info.describe()
    assert "The disk is on fire." in info.describe()


def test_unknown_gateway_code() -> None:
    info = explain("APIGW.0999", "nope")
    assert "API gateway" in info.meaning
    assert "APIGW.0999" in info.meaning and "nope" in info.meaning


@pytest.mark.parametrize("code", [None, "", "   "])
def test_missing_code_still_says_something(code: str | None) -> None:
    info = explain(code, "Backup quota exceeded")
    assert "without an error code" in info.meaning
    assert "Backup quota exceeded" in info.meaning
    assert info.describe()
    assert "no message" in explain(code).meaning


def test_unknown_code_without_message() -> None:
    info = explain("Weird.1")
    assert "Weird.1" in info.meaning
    assert "no message" in info.meaning


def test_hostile_server_text_is_made_printable() -> None:
    info = explain("\x1b]52;c;AAAA\x07Foo", "line one\nline two\r\x1b[2J\u202eevil\x00")
    for text in (info.code, info.meaning, info.describe()):
        assert not any(unicodedata.category(ch) == "Cc" for ch in text), repr(text)
        assert "\u202e" not in text
    assert "line one line two" in info.meaning
    assert "\\x1b" in info.meaning


def test_long_server_text_is_cut() -> None:
    info = explain("X" * 1000, "m" * 10_000)
    assert len(info.code) <= 64
    assert len(info.meaning) < 1000


# ---------------------------------------------------------------- presentation


@pytest.mark.parametrize("code", all_codes())
def test_describe_contains_code_meaning_action(code: str) -> None:
    info = CATALOGUE[code]
    line = info.describe()
    assert line.startswith(code)
    assert info.meaning in line
    if info.action:
        assert info.action in line
    assert "\n" not in line


def test_describe_example() -> None:
    line = explain("40").describe()
    assert line.startswith("VolumeBackup.0040: ")
    assert "20 backups" in line
    assert "Delete old backups of this disk" in line


@pytest.mark.parametrize("info", every_info(), ids=lambda info: info.code)
def test_plain_text_only(info: ErrorInfo) -> None:
    for field in (info.code, info.meaning, info.cause, info.action, info.module):
        if field is None:
            continue
        assert "[" not in field, field  # Rich markup would be parsed by a careless widget
        assert "**" not in field, field  # rst emphasis must not leak through
        assert "``" not in field, field
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in field), repr(field)
        assert field == field.strip()
        assert "  " not in field, field
