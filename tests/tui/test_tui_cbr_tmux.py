"""Issue 15's "done when" at a real terminal: on a CBR-only project (`vbstui sim
--services cbr`), a person backs up a disk into its vault, watches it to success,
restores it and deletes it, reading each step in the log — keys only, in tmux."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_tui_tmux import Terminal
from tuikit import served_simulator

from vbstui.sim import SimConfig, create_app

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

JOB_SECONDS = "1"
VOLUMES = "40"
SIM = ("--services", "cbr", "--volumes", VOLUMES, "--job-seconds", JOB_SECONDS)


def a_disk_in_a_vault() -> tuple[str, str]:
    """(disk, vault) names: a detached disk (CBR restores only onto its own disk, which
    must be available) in a vault with room for it, in the world `vbstui sim` makes."""
    sim = create_app(SimConfig(volumes=int(VOLUMES), services="cbr")).state.sim
    names = [v.name for v in sim.volumes]
    for vault in sorted(sim.cbr.vaults.values(), key=lambda v: v.name):
        free_gb = vault.size_gb - sim.cbr.vault_used[vault.id] / 1024
        for volume in sim.volumes:
            if (volume.id in vault.resources and volume.status == "available"
                    and volume.size <= free_gb and names.count(volume.name) == 1):
                return volume.name, vault.name
    raise AssertionError("no disk in a vault is available")


@pytest.fixture
def cbr_terminal(tmp_path: Path) -> Iterator[Terminal]:
    socket = f"vbstui-cbr-test-{uuid.uuid4().hex[:12]}"  # fresh server per test
    with served_simulator(tmp_path, *SIM) as (_url, config):
        # Not COLUMNS/LINES: pytest-xdist workers carry 80×24 there, and the app would
        # believe them over the tmux window's real size.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OS_", "VBSTUI_", "TEXTUAL", "NO_COLOR"))
               and k not in ("COLUMNS", "LINES")}
        env.update(VBSTUI_STATE_DIR=str(tmp_path / "state"),
                   VBSTUI_CACHE_DIR=str(tmp_path / "c"), VBSTUI_LOG_DIR=str(tmp_path / "log"),
                   VBSTUI_NO_KEYRING="1", VBSTUI_PASSWORD="vbstui-demo",
                   TERM="xterm-256color")
        command = (f"{sys.executable} -m vbstui --config {config} --profile sim; "
                   "echo EXITED-$?; sleep 30")
        try:
            subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "vbstui", "-x",
                            "120", "-y", "40", command], env=env, check=True, timeout=10)
            yield Terminal("vbstui", socket)
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True,
                           check=False, timeout=10)


def test_cbr_only_back_up_into_a_vault_restore_and_delete_reading_the_log(
        cbr_terminal: Terminal) -> None:
    terminal = cbr_terminal
    disk, vault = a_disk_in_a_vault()
    terminal.wait_for(lambda s: f"{VOLUMES} disks" in s and "PROTECTION" in s)
    terminal.keys("/")
    terminal.type(disk)
    terminal.keys("Enter")
    # The filtered row shows its PROTECTION: the vault (the vault listing may land after
    # the disks, so wait for the row as drawn, not just the count).
    terminal.wait_for(lambda s: f"1 of {VOLUMES} disks" in s and any(
        disk[:12] in line and "GB" in line and vault in line for line in s.splitlines()))
    terminal.keys("b")
    terminal.wait_for(f"Into CBR vault '{vault}'")
    terminal.keys("C-u")
    terminal.type("tmux-cbr-1")
    # The default name is valid too ("ready" already): wait for the typed one.
    terminal.wait_for(lambda s: any("Name" in line and "tmux-cbr-1" in line and "ready" in s
                                    for line in s.splitlines()))
    terminal.keys("C-s")
    terminal.keys("z")  # a larger log pane: the whole story of each job
    screen = terminal.wait_for("create of tmux-cbr-1 succeeded", timeout=30)
    assert f"goes into CBR vault '{vault}'" in screen and "SUCCESS" in screen

    terminal.keys("B")  # the backups of this disk
    # The row says CBR (its vault's name may be cut where the terminal is narrow).
    terminal.wait_for(lambda s: any("tmux-cbr-1" in line and "CBR" in line
                                    for line in s.splitlines())
                      and "│ backups │" in s.splitlines()[0])
    terminal.keys("/")
    terminal.type("tmux-cbr-1")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "1 of" in s and "available" in s)
    terminal.keys("R")
    terminal.wait_for("(source disk)")
    terminal.keys("Enter")
    terminal.wait_for("WILL BE OVERWRITTEN")
    terminal.keys("y")
    screen = terminal.wait_for("restore of tmux-cbr-1 succeeded", timeout=30)
    assert "submitted restore of tmux-cbr-1" in screen

    terminal.wait_for(lambda s: "restoring" not in s.split("JOBS")[0])  # available again
    terminal.keys("C-d")
    terminal.wait_for("cannot be undone")
    terminal.keys("y")
    # The summary line follows the job's own line: wait for both.
    terminal.wait_for(lambda s: "backup tmux-cbr-1 deleted" in s
                      and "delete done: 1 of 1 succeeded" in s, timeout=30)
    terminal.keys("q")
    terminal.wait_for("EXITED-0")
