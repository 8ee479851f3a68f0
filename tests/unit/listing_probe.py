"""`vbstui --demo volumes --json` run in a fresh process: what it printed, and every
module it had loaded by the end (the start-up tests look at what a listing pulls in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = (
    "import json, sys\n"
    "from vbstui.main import main\n"
    "rc = main(['--demo', 'volumes', '--json'])\n"
    "print('LOADED', json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def demo_listing(tmp_path: Path) -> tuple[str, set[str]]:
    """The listing's stdout (50 disks) and the names of the modules loaded."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    environ.update(VBSTUI_STATE_DIR=str(tmp_path), VBSTUI_LOG_DIR=str(tmp_path),
                   VBSTUI_CACHE_DIR=str(tmp_path), VBSTUI_NO_KEYRING="1",
                   VBSTUI_DEMO_VOLUMES="50")
    result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                            env=environ, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stderr.rsplit("LOADED ", 1)[1])
    return result.stdout, set(loaded)
