"""Project-wide rules: the layering contracts, ruff, and headless start-up hygiene."""

from __future__ import annotations

import ast
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


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}  # the tree at `root`, not the installed one
    return subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=root, capture_output=True,
                          text=True, check=False, env=env, timeout=120)


def test_import_contracts_hold() -> None:
    """The layers, Textual only in ui/, the simulator on its own, the tracker's port."""
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout
    assert "Contracts: 4 kept, 0 broken." in result.stdout, result.stdout


# Each planted import breaks exactly the contract named beside it.
VIOLATIONS = [
    ("vbstui/ops/plans.py", "import vbstui.cli.output\n", "dependencies point one way"),
    ("vbstui/local/journal.py", "import vbstui.jobs.model\n", "dependencies point one way"),
    ("vbstui/cli/listing.py", "import vbstui.ui.messages\n", "dependencies point one way"),
    ("vbstui/jobs/model.py", "import vbstui.textsafe\nimport rich.text\n", "Textual and Rich"),
    ("vbstui/sim/ids.py", "import vbstui.textsafe\n", "the simulator is independent"),
    ("vbstui/jobs/follow.py", "import vbstui.cloud.client\n", "the job tracker knows"),
]


@pytest.mark.parametrize(("path", "line", "contract"), VIOLATIONS)
def test_import_contracts_fail_on_a_violation(path: str, line: str, contract: str,
                                              tmp_path: Path) -> None:
    shutil.copytree(ROOT / "vbstui", tmp_path / "vbstui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / path
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [row for row in result.stdout.splitlines() if row.rstrip().endswith("BROKEN")]
    assert any(contract in row for row in broken) or contract in result.stdout.split(
        "Broken contracts")[-1], result.stdout


# Imports inside functions are for what is optional or costly to load, never to dodge a
# cycle: a module listed here is loaded only on the path that needs it.
LAZY_IMPORTS = {
    "vbstui.ui.launch": "Textual, only when the TUI starts",
    "vbstui.sim": "the simulator's server stack, only with --demo",
    "vbstui.sim.cli": "uvicorn, only for `vbstui sim`",
    "vbstui.sim.routes_cbr_vaults": "the simulator's vault changes, on the first such request",
    "vbstui.sim.routes_cbr_backups": "the simulator's CBR backups and tasks, on first request",
    "vbstui.sim.routes_shares": "the simulator's sharing routes, on the first sharing request",
    "vbstui.sim.routes_policy_actions": "the simulator's policy changes, tasks, tags: on first use",
    "yaml": "PyYAML, only when a clouds.yaml is read",
    "tomllib": "the TOML parser, only when a config file is there to read",
    "tomli": "the TOML parser before Python 3.11, only when a config file is there to read",
    "vbstui.local.openstack": "clouds.yaml and OS_* profiles, only when one is asked for",
    "vbstui.cli.dispatch": "the headless commands, not loaded when the TUI starts",
    "truststore": "the OS trust store, only for TLS endpoints",
    "keyring.backend": "keyring's backends, only when the keyring is first used",
    "keyring.backends": "keyring's backends, only when the keyring is first used",
    "vbstui.cloud.cbr": "the CBR client, only when a project's backups are in CBR",
    "vbstui.cloud.cbr_reader": "CBR's vault reads, only when a project's backups are in CBR",
    "vbstui.ops.policy_runs": "VBS policy runs, only when a policy-run job is followed",
    "vbstui.ui.vault_flows": "the TUI's vault screens and rules, only when vaults are changed",
    "vbstui.ui.policy_flows": "the TUI's policy screens and rules, after the first rows",
    "vbstui.ui.share_flows": "the TUI's sharing screens, only when a backup is shared",
    "vbstui.ui.prune_flow": "the TUI's prune screens and rules, only when pruning",
    "vbstui.ui.screens.help": "the help screen imports every screen for its keys: on F1",
    "vbstui.ui.flows": "the TUI's backup, restore, delete and decision flows, on first use",
    "vbstui.ui.screens.modals": "the raw JSON screen (and confirmations), on first use",
    "vbstui.ui.screens.pickers": "the profile picker (and restore screen), on first use",
    "vbstui.ops.vaults": "the vaults view's rows (and CBR's client): when the view first opens",
    "vbstui.cloud.retry_loop": "tenacity's retry loop, only after a retryable failure",
    "vbstui.cli.command_line": "the parser and logging, loaded with the collector paused",
    "vbstui.ui.first_page": "the TUI's read-ahead, started before Textual is imported",
    "vbstui.cli.command_word": "whether a run names a command, told before the parser",
    "vbstui.cloud.client": "the session and the HTTP stack: the TUI opens it after 1 frame",
    "httpx": "the HTTP stack (demo transport), loaded with the session",
    "vbstui.cloud.request_timeout": "httpx's timeout, only when a request is sent",
    "asyncio": "the read-ahead's wait, imported before Textual (which loads asyncio)",
    "email.utils": "HTTP dates, only for a Retry-After given as one (httpx loads it anyway)",
    "hmac": "OpenSSL's hash module, not needed for the TUI's first frame",
    "hashlib": "the token cache's key and scrypt: at the login, after the first frame",
    "vbstui.cloud.cbr_error_codes": "CBR's error catalogue, with the others at the first lookup",
}


def test_function_level_imports_are_only_lazy_loads() -> None:
    found = []
    for path in sorted((ROOT / "vbstui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                found += [(str(path.relative_to(ROOT)), node.lineno, name) for name in names
                          if name not in LAZY_IMPORTS]
    assert found == [], f"imports inside functions that are not listed lazy loads: {found}"


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
