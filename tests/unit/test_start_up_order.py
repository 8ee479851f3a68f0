"""Nothing heavy loads before the collector is paused: importing the entry point brings
in no parser, logging, event loop or HTTP client; those load inside `start_up()`, and a
command started that way still runs, refuses bad input and helps as before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("asyncio", "httpx", "vbstui.cli.parser", "vbstui.local.logfile", "vbstui.errors")

CODE = (
    "import gc, sys\n"
    "import vbstui.main\n"
    f"early = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
    "print('EARLY', early, file=sys.stderr)\n"
    "rc = vbstui.main.main(sys.argv[1:])\n"
    "print('AFTER', gc.isenabled(), file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def _run(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    environ.update(VBSTUI_STATE_DIR=str(tmp_path), VBSTUI_LOG_DIR=str(tmp_path),
                   VBSTUI_CACHE_DIR=str(tmp_path), VBSTUI_NO_KEYRING="1",
                   VBSTUI_DEMO_VOLUMES="5")
    return subprocess.run([sys.executable, "-c", CODE, *argv], capture_output=True, text=True,
                          env=environ, timeout=120, check=False, stdin=subprocess.DEVNULL)


def test_the_entry_point_loads_nothing_heavy_before_start_up(tmp_path: Path) -> None:
    listed = _run(tmp_path, "--demo", "volumes", "--jsonl")
    assert listed.returncode == 0, listed.stderr
    assert "EARLY []" in listed.stderr and "AFTER True" in listed.stderr
    assert len(listed.stdout.splitlines()) == 5
    refused = _run(tmp_path, "volumes", "--no-such-option")
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
