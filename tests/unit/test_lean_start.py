"""A headless start loads neither httpx's own command-line client nor what it needs
(vbstui/skip_httpx_cli.py), and httpx keeps that client everywhere else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# What httpx._main would bring in, and the TUI's own stack.
NOT_FOR_HEADLESS = ("click", "rich", "pygments", "textual", "truststore")


def python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    environ.update(VBSTUI_STATE_DIR=str(tmp_path), VBSTUI_LOG_DIR=str(tmp_path),
                   VBSTUI_CACHE_DIR=str(tmp_path), VBSTUI_NO_KEYRING="1", **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environ, timeout=120, check=False, stdin=subprocess.DEVNULL)


def test_headless_listing_loads_no_cli_or_tui_library(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from vbstui.main import main\n"
        "rc = main(['--demo', 'volumes', '--json'])\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {NOT_FOR_HEADLESS!r})\n"
        "print('LOADED', loaded, 'HTTPX' if 'httpx' in sys.modules else '', file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    # A CA bundle that cannot be read: the in-process demo must not even look at it.
    result = python(code, tmp_path, SSL_CERT_FILE=str(tmp_path / "missing.pem"))
    assert result.returncode == 0, result.stderr
    assert "LOADED [] HTTPX" in result.stderr
    assert json.loads(result.stdout)["volumes"]  # the listing itself went through httpx


def test_httpx_keeps_its_command_line_client_outside_vbstui(tmp_path: Path) -> None:
    result = python("import httpx, httpx._main\nassert httpx.main is httpx._main.main\n"
                    "print(httpx._main.__file__)", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("_main.py")


def test_a_process_that_loaded_httpx_first_keeps_its_client(tmp_path: Path) -> None:
    result = python("import httpx, sys\nimport vbstui.main\n"
                    "assert httpx.main is sys.modules['httpx._main'].main\n", tmp_path)
    assert result.returncode == 0, result.stderr


def test_inside_vbstui_httpx_main_is_httpx_own_clear_stub(tmp_path: Path) -> None:
    result = python("import vbstui.main, httpx\nhttpx.main()\n", tmp_path)
    assert result.returncode == 1
    assert "command line client could not run" in result.stdout


def test_the_tui_draws_its_first_frame_without_the_http_stack(tmp_path: Path) -> None:
    """Everything the TUI imports up to its first frame, with httpx impossible to import:
    the read-ahead process fetches the first disks meanwhile (vbstui/ops/first_page.py),
    and the session's HTTP stack loads after that frame."""
    code = (
        "import sys\n"
        "sys.modules['httpx'] = sys.modules['httpcore'] = sys.modules['anyio'] = None\n"
        "import vbstui.main, vbstui.ui.first_page, vbstui.ui.launch, vbstui.ui.app\n"
        "from vbstui.ops.target import Choices, choose_target\n"
        "from vbstui.ui.app import VbsApp\n"
        "VbsApp(choose_target(Choices()))\n"
        "print('OK')\n"
    )
    config = tmp_path / "config.toml"
    config.write_text('[profiles.sim]\nauth_url = "https://iam.example.com/v3"\n'
                      'region = "eu-de"\nuser_domain_name = "D"\nusername = "u"\n'
                      'project_name = "eu-de_p"\n')
    config.chmod(0o600)
    result = python(code, tmp_path, VBSTUI_CONFIG=str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK"
