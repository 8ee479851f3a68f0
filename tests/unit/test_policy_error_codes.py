"""Every AutoBackup and VolumeBackup code of the API reference has a meaning, a cause and
what to do in the catalogue; the policy refusals users meet most are explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vbstui.cloud.error_codes import CATALOGUE, MODULE_POLICY, explain

HERE = Path(__file__).resolve()
RST = HERE.parents[2].parent / "shared" / "reference" / "vbs-api" / "error_codes.rst"
VENDORED = HERE.parent / "data" / "vbs_error_codes.txt"
CODE = re.compile(r"\b((?:AutoBackup|VolumeBackup)\.\d{4})\b")


def documented_codes() -> list[str]:
    """The codes of error_codes.rst; the vendored copy of its list where it is absent."""
    text = (RST if RST.is_file() else VENDORED).read_text(encoding="utf-8")
    return sorted(set(CODE.findall(text)))


def test_the_reference_lists_both_prefixes() -> None:
    codes = documented_codes()
    assert sum(c.startswith("AutoBackup.") for c in codes) >= 40
    assert sum(c.startswith("VolumeBackup.") for c in codes) >= 60


@pytest.mark.parametrize("code", documented_codes())
def test_every_code_has_meaning_cause_and_action(code: str) -> None:
    info = CATALOGUE[code]
    for text in (info.meaning, info.cause, info.action):
        assert text and text.strip() and text.strip() != code, code
    assert info.meaning not in (info.cause, info.action)
    if code.startswith("AutoBackup."):
        assert info.module == MODULE_POLICY


def test_policy_limit_is_explained() -> None:
    info = explain("AutoBackup.0203")
    assert "10" in (info.cause or "")
    assert "Delete a backup policy" in (info.action or "")


def test_default_policy_is_explained() -> None:
    info = explain("AutoBackup.0100")
    assert "default" in info.meaning
    assert "renames or deletes" in (info.cause or "")
    assert "link the disks" in (info.action or "")


def test_already_running_is_explained() -> None:
    info = explain("AutoBackup.0225")
    assert "still has backup tasks" in (info.cause or "")
    assert "Nothing new was started" in (info.action or "")
    assert info.retryable
