"""Every BackupService code of the CBR reference is explained, with its HTTP status."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import httpx
import pytest

from vbstui.cloud.cbr_error_codes import CBR_CODES, cbr_codes, http_status
from vbstui.cloud.error_codes import CATALOGUE, CBR_CATALOGUE, MODULE_CBR, explain, lookup
from vbstui.cloud.errors import ApiError, NotFound, Reached, api_error_from_response

RST = (Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "cbr-api"
       / "appendix" / "error_codes.rst")
ROW = re.compile(r"^\|\s*(?P<status>\d{3})\s*\|\s*(?P<code>BackupService\.\d+)\s*\|"
                 r"(?P<message>[^|]*)\|")


def reference_rows() -> dict[str, tuple[int, str]]:
    """code -> (HTTP status, error message), read from the reference table itself."""
    rows: dict[str, tuple[int, str]] = {}
    for line in RST.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match["code"] not in rows, f"{match['code']} listed twice"
            rows[match["code"]] = (int(match["status"]), match["message"].strip())
    return rows


@pytest.mark.skipif(not RST.is_file(), reason="CBR API reference not present on this machine")
def test_every_reference_code_is_catalogued_with_its_http_status() -> None:
    rows = reference_rows()
    assert len(rows) == 160
    assert set(rows) == set(CBR_CODES)
    for code, (status, _message) in rows.items():
        assert http_status(code) == status, code


@pytest.mark.parametrize("code", cbr_codes())
def test_each_code_has_meaning_cause_and_action(code: str) -> None:
    info = explain(code)
    assert info is CBR_CATALOGUE[code]
    assert info.code == code
    assert info.module == MODULE_CBR
    for text in (info.meaning, info.cause, info.action):
        assert text and text == text.strip()
        assert "[" not in text and "**" not in text and "  " not in text
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in text)
    assert info.describe().startswith(f"{code}: {info.meaning}")


def test_lookup_is_tolerant_and_vbs_catalogue_is_unchanged() -> None:
    assert lookup(" backupservice.6100 ") is CBR_CATALOGUE["BackupService.6100"]
    assert lookup("BackupService_6100") is CBR_CATALOGUE["BackupService.6100"]
    assert lookup("BackupService.61") is None
    # Bare numbers keep resolving among VBS codes only: CBR numbers would make them ambiguous.
    assert lookup("0040") is CATALOGUE["VolumeBackup.0040"]
    assert not set(CBR_CODES) & set(CATALOGUE)


def test_unknown_cbr_code_says_so_and_quotes_the_message() -> None:
    info = explain("BackupService.9999", "weird \x1b[31mthing")
    assert "not in the catalogue" in info.meaning
    assert "CBR" in info.meaning
    assert "\x1b" not in info.meaning


def test_retryable_only_for_transient_codes() -> None:
    assert CBR_CODES["BackupService.6125"].retryable  # a backup is running: wait
    assert CBR_CODES["BackupService.9910"].retryable
    assert not CBR_CODES["BackupService.6100"].retryable  # vault full of disks: act first
    assert not CBR_CODES["BackupService.2001"].retryable  # target too small


def test_vault_capacity_and_restore_advice_speaks_of_what_to_do() -> None:
    assert "256" in explain("BackupService.6100").meaning
    assert "Expand" in (explain("BackupService.6114").action or "")
    assert "at least" in (explain("BackupService.2001").cause or "")


@pytest.mark.parametrize(("status", "code"), [
    (400, "BackupService.6100"), (404, "BackupService.6200"), (500, "BackupService.9998"),
    (403, "BackupService.8600"),
])
def test_flat_envelope_maps_to_typed_error(status: int, code: str) -> None:
    body = f'{{"error_code": "{code}", "error_msg": "from the server"}}'.encode()
    error = api_error_from_response(status=status, headers=httpx.Headers(), body=body,
                                    method="POST", path="/v3/p/checkpoints")
    assert isinstance(error, ApiError)
    assert error.status == status and error.code == code
    assert error.server_message == "from the server"
    assert error.info is CBR_CATALOGUE[code]
    assert (type(error) is NotFound) == (status == 404)
    assert error.reached_server is (Reached.MAYBE if status == 500 else Reached.YES)
    assert CBR_CATALOGUE[code].meaning in error.describe()
