"""A headless command imports the module of that command only (issue 14: start-up),
and every command of the parser has a handler that exists."""

from __future__ import annotations

import argparse
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vbstui.cli.dispatch import HANDLERS, handler_for

COMMAND_MODULES = {f"vbstui.cli.{module}" for module, _ in HANDLERS.values()}


@pytest.mark.parametrize("key", sorted(HANDLERS, key=str))
def test_every_handler_resolves_to_a_command(key: tuple[str, str | None]) -> None:
    command, action = key
    args = argparse.Namespace(command=command, backup_command=None, job_command=None,
                              jobs_command=None)
    if action is not None:  # each command's subparser keeps its action in COMMAND_command
        setattr(args, f"{command}_command", action)
    assert inspect.iscoroutinefunction(handler_for(args))


def test_a_listing_loads_no_other_command(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from vbstui.main import main\n"
        "rc = main(['--demo', 'volumes', '--json'])\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('vbstui.')), "
        "file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    environ.update(VBSTUI_STATE_DIR=str(tmp_path), VBSTUI_LOG_DIR=str(tmp_path),
                   VBSTUI_CACHE_DIR=str(tmp_path), VBSTUI_NO_KEYRING="1",
                   VBSTUI_DEMO_VOLUMES="50")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=environ, timeout=120, check=False, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert '"volumes":[{' in result.stdout  # the listing itself ran
    loaded = set(result.stderr.split("LOADED", 1)[1].strip(" []\n").replace("'", "")
                 .split(", "))
    assert "vbstui.cli.listing" in loaded
    assert loaded & COMMAND_MODULES == {"vbstui.cli.listing"}
    # The demo project has CBR as well: its one vault listing (the PROTECTION of each
    # disk) needs the CBR client; a VBS-only project never asks for it.
