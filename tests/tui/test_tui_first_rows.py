"""What comes before the first rows of the volumes view: only what they need.

The flows (backup, restore, delete, decisions, vaults, policies, sharing, pruning),
the rules that make their jobs and policy records, their screens and the help screen
are loaded on first use; the first page is a
screen's worth of disks, not a full page; the vault listing (the PROTECTION column)
starts once those rows are in the table, the policy listing (the POLICY column) once
the disks are listed, and each fills its column in.  A fresh process shows it, so the
test runs the real app headless in one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LATE = ("vbstui.ui.flows", "vbstui.ui.policy_flows", "vbstui.ui.vault_flows",
        "vbstui.ui.share_flows", "vbstui.ui.prune_flow", "vbstui.ui.screens.help",
        "vbstui.ui.screens.modals", "vbstui.ui.screens.pickers",
        "vbstui.ui.screens.backup_form", "vbstui.ops.policies", "vbstui.ui.job_sends",
        "vbstui.ops.bulk", "vbstui.ops.delete", "vbstui.ops.restore", "vbstui.ops.vaults",
        "vbstui.ops.preflight", "vbstui.cloud.cbr")

CHILD = r"""
import json, sys
from vbstui.ops.target import Choices, choose_target
from vbstui.ui.app import VbsApp
from vbstui.ui.loading import Loader
from vbstui.ui.widgets.vtable import VirtualTable

LATE = json.loads(sys.argv[1])
seen = {}
original = VirtualTable.set_rows

def set_rows(table, rows):
    original(table, rows)
    if rows and table.id == "volumes-table" and "first rows" not in seen:
        seen["first rows"] = sorted(m for m in LATE if m in sys.modules)
        seen["first page"] = len(rows)

VirtualTable.set_rows = set_rows
original_vaults = Loader.load_vaults

def load_vaults(loader):
    seen.setdefault("rows before the vault listing", len(loader.main.volumes_view.table.all_rows))
    original_vaults(loader)

Loader.load_vaults = load_vaults

class Probe(VbsApp):
    def main_ready(self):
        super().main_ready()
        self.set_interval(0.01, self._check)

    def _check(self):
        view = self.volumes_view
        if ("first rows" in seen and view.policy_label is not None
                and self.protection.known and not view.loading_text):
            seen["columns"] = [column.label for column in view.table.columns]
            seen["rows"] = len(view.table.all_rows)
            seen["protection"] = sorted({self.protection.label(i) for i in self.volumes})
            print(json.dumps(seen), flush=True)
            self.exit()

Probe(choose_target(Choices(demo=True))).run(headless=True, size=(120, 36))
"""


def test_first_rows_come_before_the_policy_code_and_the_vaults_and_both_columns_fill_in(
        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    env.update(VBSTUI_STATE_DIR=str(tmp_path / "state"), VBSTUI_CACHE_DIR=str(tmp_path / "c"),
               VBSTUI_LOG_DIR=str(tmp_path / "log"), VBSTUI_NO_KEYRING="1",
               VBSTUI_DEMO_VOLUMES="250")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(LATE)], env=env,
                          capture_output=True, text=True, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first rows"] == []  # none of them was loaded for the first rows
    assert 0 < seen["first page"] < 250  # rows shown before every disk was listed
    assert seen["rows before the vault listing"] >= seen["first page"]
    assert seen["rows"] == 250
    assert "POLICY" in seen["columns"]
    assert "PROTECTION" in seen["columns"]
    assert "" not in seen["protection"]  # every disk's cell filled in, the later pages' too
