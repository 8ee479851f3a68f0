"""`vbstui sim` as users run it: a subprocess, its first stdout line, and signals."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from simkit import login, wait_for

from vbstui.sim import SimConfig
from vbstui.sim import cli as sim_cli
from vbstui.sim.server import is_loopback, serve

URL = re.compile(r"^http://127\.0\.0\.1:(\d+)$")


def _spawn(*args: str, module: str = "vbstui.sim") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", module, "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = _spawn("--volumes", "40", "--job-seconds", "0.6", "--seed", "3")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert URL.match(url), url
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_first_line_is_the_url_and_jobs_run_in_real_time(
        running: tuple[subprocess.Popen[str], str]) -> None:
    _, url = running
    with httpx.Client(base_url=url, timeout=10) as client:
        state = client.get("/_sim/state").json()
        assert state["volumes"] == 40
        api = login(client)
        volume = api.pick_volume()
        job_id = api.create(volume["id"], "real_time").json()["job_id"]
        wait_for(lambda: api.job(job_id)["status"] == "SUCCESS", timeout=10)
        assert api.volume(volume["id"])["status"] == "available"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly(running: tuple[subprocess.Popen[str], str],
                              sig: signal.Signals) -> None:
    process, url = running
    with httpx.Client(base_url=url) as client:
        assert client.get("/_sim/state").status_code == 200
        process.send_signal(sig)
        assert process.wait(timeout=10) == 0
    _, err = process.communicate(timeout=5)
    assert "Traceback" not in err
    assert "demo" in err  # the account banner went to stderr, not stdout


def test_cli_module_is_runnable_directly() -> None:
    process = _spawn("--volumes", "5", module="vbstui.sim.cli")
    try:
        assert process.stdout is not None
        assert URL.match(process.stdout.readline().strip())
        process.terminate()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.mark.parametrize(("argv", "message"), [
    (["--port", "abc"], "--port"),
    (["--port", "70000"], "--port"),
    (["--faults", "bogus=1"], "bogus"),
    (["--faults", "drop=2"], "drop"),
    (["--volumes", "-1"], "--volumes"),
    (["--job-seconds", "0"], "--job-seconds"),
    (["--backup-quota", "-5"], "quota"),
    (["--no-such-option"], "unrecognized"),
])
def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                            message: str) -> None:
    assert sim_cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_cli.main(["--help"]) == 0
    assert "vbstui sim" in capsys.readouterr().out


def test_explicit_host_allows_non_loopback(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[dict[str, Any]] = []

    def fake_serve(config: SimConfig, host: str, port: int, **kwargs: Any) -> None:
        calls.append({"host": host, "port": port, "config": config, **kwargs})

    monkeypatch.setattr(sim_cli, "serve", fake_serve)
    assert sim_cli.main(["--host", "0.0.0.0", "--faults", "502=0.5", "--user", "u",
                         "--password", "p", "--domain", "D", "--project", "P",
                         "--region", "eu-nl", "--token-lifetime", "60"]) == 0
    assert sim_cli.main([]) == 0
    explicit, default = calls
    assert explicit["host"] == "0.0.0.0" and explicit["allow_non_loopback"] is True
    assert "warning" in capsys.readouterr().err
    config = explicit["config"]
    assert (config.user, config.password, config.user_domain, config.project,
            config.region, config.token_lifetime) == ("u", "p", "D", "P", "eu-nl", 60)
    assert config.faults.error_502 == 0.5
    assert default["host"] == "127.0.0.1" and default["allow_non_loopback"] is False
    assert default["port"] == 8776


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "example.com"])
def test_serve_refuses_non_loopback(host: str) -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        serve(SimConfig(volumes=1), host=host, port=0)


def test_loopback_detection() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.5.5.5", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.1", "::", "sim.local"))


def test_port_in_use_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert sim_cli.main(["--port", str(port), "--volumes", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"127.0.0.1:{port}" in captured.err
