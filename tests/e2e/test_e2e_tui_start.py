"""The TUI started for a real project (a served simulator, a profile, a password) loads
none of what only other paths need: its first screen must not wait for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SimStarter

# What the TUI of a real project never needs before its first rows: the simulator and its
# server stack (only --demo and `vbstui sim`), clouds.yaml reading, the headless
# commands, and httpx's own command-line client.
NOT_BEFORE_FIRST_ROWS = ("vbstui.sim", "starlette", "uvicorn", "yaml", "vbstui.local.openstack",
                         "vbstui.cli.dispatch", "vbstui.cli.listing", "vbstui.cli.backups",
                         "click", "pygments")

CHILD = r"""
import asyncio, json, os, sys
sys.argv = ["vbstui", "--profile", "sim"]
import vbstui.main  # the real entry point's imports first, as `vbstui` has them
from vbstui.cli.parser import build_parser
from vbstui.ops.target import Choices, choose_target
from vbstui.ui.launch import run_tui  # what main() imports for the TUI
from vbstui.ui.app import VbsApp

async def main():
    args = build_parser().parse_args(sys.argv[1:])
    app = VbsApp(choose_target(Choices.from_args(args)))
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.volumes_view.table.all_rows:
            await asyncio.sleep(0.01)
        await pilot.pause()
        print(json.dumps({"rows": len(app.volumes_view.table.all_rows),
                          "modules": sorted(sys.modules)}))

asyncio.run(asyncio.wait_for(main(), 60))
"""


def test_tui_of_a_real_project_loads_no_simulator_or_headless_code(
        sims: SimStarter, tmp_path: Path) -> None:
    sim = sims("--volumes", "30")
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.sim]\nauth_url = "{sim.auth_url}"\nregion = "eu-de"\n'
                      'user_domain_name = "OTC-EU-DE-DEMO"\nusername = "demo"\n'
                      'project_name = "eu-de_demo"\n')
    config.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    env.update(VBSTUI_CONFIG=str(config), VBSTUI_PASSWORD="vbstui-demo",
               VBSTUI_NO_KEYRING="1", VBSTUI_STATE_DIR=str(tmp_path / "state"),
               VBSTUI_CACHE_DIR=str(tmp_path / "cache"), VBSTUI_LOG_DIR=str(tmp_path / "log"))
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rows"] == 30  # the disks of the served project are on screen
    loaded = [m for m in report["modules"]
              if any(m == name or m.startswith(name + ".") for name in NOT_BEFORE_FIRST_ROWS)]
    assert loaded == []
