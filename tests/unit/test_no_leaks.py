"""Secrets never leak: not in the log file (even at DEBUG on every logger), not in terminal
output, not in a crash report, not in any repr of our objects."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from rich.traceback import Traceback

from vbstui.cloud.secret import Secret
from vbstui.cloud.token import Token
from vbstui.sim import SimConfig
from vbstui.sim.server import SimServer

PASSWORD = "Sup3r-Secret-Passw0rd-9f1c"


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    server = SimServer(SimConfig(volumes=20, job_seconds=1.5, password=PASSWORD), port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.ready.wait(10)
    yield server.base_url
    server.stop()
    thread.join(10)


def test_full_create_and_poll_at_debug_leaks_nothing(served: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.sim]\nauth_url = "{served}/v3"\nregion = "eu-de"\n'
        'user_domain_name = "OTC-EU-DE-DEMO"\nusername = "demo"\nproject_name = "eu-de_demo"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
    env.update(VBSTUI_PASSWORD=PASSWORD, VBSTUI_STATE_DIR=str(tmp_path / "state"),
               VBSTUI_CACHE_DIR=str(tmp_path / "cache"), VBSTUI_LOG_DIR=str(tmp_path / "log"),
               VBSTUI_NO_KEYRING="1")
    base = [sys.executable, "-m", "vbstui", "--config", str(config), "--log-level", "DEBUG"]
    listing = subprocess.run([*base, "volumes", "--status", "available", "--json"],
                             capture_output=True, text=True, env=env, timeout=60, check=True)
    volume = json.loads(listing.stdout)["volumes"][3]["id"]
    created = subprocess.run([*base, "backup", "create", "--volume", volume, "--name",
                              "leak-check", "--wait", "--json"],
                             capture_output=True, text=True, env=env, timeout=60, check=False)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["phase"] == "success"
    [cache_file] = (tmp_path / "cache" / "tokens").iterdir()
    token = json.loads(cache_file.read_text())["value"]
    assert len(token) > 20
    log_text = "".join(p.read_text() for p in (tmp_path / "log").iterdir())
    # DEBUG really was on for the HTTP libraries, so the test proves something.
    assert "httpcore" in log_text and "receive_response_headers" in log_text
    assert "X-Subject-Token" in log_text or "x-subject-token" in log_text.lower()
    for text in (log_text, listing.stdout, listing.stderr, created.stdout, created.stderr):
        assert PASSWORD not in text
        assert token not in text
    assert oct(cache_file.stat().st_mode & 0o777) == "0o600"


def _crash_report(exc: BaseException) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(
        Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True))
    return buffer.getvalue()


def test_crash_report_locals_do_not_show_secrets() -> None:
    """Textual's crash screen prints local variables; ours hold secrets masked."""
    from datetime import datetime, timezone

    from vbstui.local.credentials import Credential
    from vbstui.ops.target import demo_profile

    def explode() -> None:
        password = Secret(PASSWORD)
        token = Token(value=Secret("tok-" + PASSWORD[::-1]), expires_at=datetime.now(timezone.utc),
                      issued_at=None, project_id="p", project_name="p", user_name="u")
        credential = Credential(password, "typed in")
        profile = demo_profile()
        raise RuntimeError(f"boom with {password} and {token} for {profile} {credential}")

    try:
        explode()
    except RuntimeError as exc:
        report = _crash_report(exc)
    assert "password" in report and "token" in report  # the locals are really printed
    assert PASSWORD not in report and PASSWORD[::-1] not in report


def test_reprs_of_everything_holding_a_secret() -> None:
    import asyncio

    from vbstui.cloud.client import CloudSession
    from vbstui.local.credentials import Credential
    from vbstui.ops.target import demo_profile

    async def password() -> Secret:
        return Secret(PASSWORD)

    profile = demo_profile()
    with_password = type(profile)(**{**profile.__dict__, "password": Secret(PASSWORD)})

    async def make() -> list[object]:
        session = CloudSession(with_password.connection(), password)
        objects: list[object] = [with_password, Credential(Secret(PASSWORD), "x"),
                                 session, session.tokens, session.settings]
        await session.aclose()
        return objects

    for obj in asyncio.run(make()):
        assert PASSWORD not in repr(obj) and PASSWORD not in str(obj)
