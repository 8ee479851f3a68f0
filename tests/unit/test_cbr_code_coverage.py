"""Every BackupService code a user can meet — a refusal said before sending, a disk a
checkpoint skipped, a task that failed, an answer of the simulated service — is
explained with its meaning, cause and what to do, in the words the log pane shows."""

from __future__ import annotations

import pytest

from vbstui.cloud.cbr_error_codes import CBR_CODES
from vbstui.cloud.error_codes import explain
from vbstui.ops import preflight, vault_changes
from vbstui.ops.cbr_service import DiskSkipped
from vbstui.ops.preflight import DiskRefusal
from vbstui.sim import cbr_codes as sim_codes


def _ours() -> set[str]:
    """The codes vbstui itself names when it refuses before sending."""
    found = set()
    for module in (preflight, vault_changes):
        found |= {value for name, value in vars(module).items()
                  if name.isupper() and isinstance(value, str)
                  and value.startswith("BackupService.")}
    return found


MET = sorted(_ours() | set(sim_codes.CODES) | set(sim_codes.BACKUP_FAILURES)
             | set(sim_codes.RESTORE_FAILURES))


def test_the_codes_met_include_every_skip_and_task_failure() -> None:
    assert {"BackupService.7000", "BackupService.6135", "BackupService.6125",
            "BackupService.7003", "BackupService.6103", "BackupService.6108",
            "BackupService.6100", *sim_codes.BACKUP_FAILURES} <= set(MET)


@pytest.mark.parametrize("code", MET)
def test_a_code_met_is_explained_with_meaning_cause_and_action(code: str) -> None:
    assert code in CBR_CODES
    info = explain(code)
    assert info.meaning and info.cause and info.action
    refusal = DiskRefusal("d1", "'disk-1'", code, "seen")
    assert refusal.text() == f"disk 'disk-1': seen ({code}) — {info.meaning} → {info.action}"
    assert refusal.as_dict()["action"] == info.action
    skipped = DiskSkipped("d1", code, "reason")
    assert skipped.code == code and f"with {code}: reason" in skipped.message
