"""Project-wide rules: the layering contracts, ruff, and headless start-up hygiene."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def test_import_contracts_hold() -> None:
    """cloud/, jobs and sim/ never import Textual; sim/ never imports the client."""
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "vbstui", "tests", "bench", "scripts"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("argv", [["volumes", "--json"], ["backups", "--json"], ["--help"],
                                  ["quota", "--json"]])
def test_headless_commands_do_not_load_textual(argv: list[str], tmp_path: Path) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['vbstui', '--demo', *{argv!r}]\n"
        "try:\n"
        "    from vbstui.main import main\n"
        "    rc = main(sys.argv[1:])\n"
        "except SystemExit as e:\n"
        "    rc = e.code\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print('TEXTUAL', loaded, file=sys.stderr)\n"
        "sys.exit(rc or 0)\n"
    )
    env = {**os.environ, "VBSTUI_STATE_DIR": str(tmp_path), "VBSTUI_LOG_DIR": str(tmp_path),
           "VBSTUI_CACHE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "TEXTUAL []" in result.stderr
