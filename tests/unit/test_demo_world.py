"""The demo world kept on disk: `--demo-reset` from the command line (the TUI takes the
same path), and two demo sessions sharing one saved world without losing changes."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from vbstui.cli.parser import build_parser
from vbstui.ops import demo_world
from vbstui.ops.target import Choices, choose_target

AUTH = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "demo", "password": "vbstui-demo", "domain": {"name": "OTC-EU-DE-DEMO"}}}},
    "scope": {"project": {"name": "eu-de_demo"}}}}


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VBSTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("VBSTUI_DEMO_VOLUMES", "40")
    return tmp_path / "state"


def target_for(*argv: str):  # type: ignore[no-untyped-def]
    return choose_target(Choices.from_args(build_parser().parse_args(list(argv))))


async def client_for(target) -> tuple[httpx.AsyncClient, str]:  # type: ignore[no-untyped-def]
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=target.sim_app),
                               base_url="http://demo.localhost")
    response = await client.post("/v3/auth/tokens", json=AUTH)
    client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
    return client, response.json()["token"]["project"]["id"]


def test_demo_reset_means_the_demo_and_says_it_started_over(state_dir: Path) -> None:
    first = target_for("--demo")
    assert first.demo and first.demo_journal == state_dir / "demo" / "jobs.sqlite3"
    assert not first.warnings  # a first run is not a reset and needs no word
    reset = target_for("--demo-reset")  # what `vbstui --demo-reset` (the TUI) parses to
    assert reset.demo
    assert any("fresh demo world" in warning for warning in reset.warnings)


def test_two_demo_sessions_share_one_world_without_losing_changes() -> None:
    async def scenario() -> None:
        one, two = target_for("--demo"), target_for("--demo")
        (a, pid), (b, _) = await client_for(one), await client_for(two)
        disks = (await a.get(f"/v2/{pid}/cloudvolumes/detail")).json()["volumes"]
        for client, disk, name in ((a, disks[0], "from-one"), (b, disks[1], "from-two")):
            body = {"backup": {"volume_id": disk["id"], "name": name}}
            assert (await client.post(f"/v2/{pid}/cloudbackups", json=body)).status_code == 200
        for client in (a, b):
            shown = (await client.get(f"/v2/{pid}/cloudvolumes/detail")).json()["volumes"]
            statuses = {v["id"]: v["status"] for v in shown}
            assert statuses[disks[0]["id"]] == statuses[disks[1]["id"]] == "backing-up"
        # A third session started afterwards finds both changes on disk.
        three, _ = await client_for(target_for("--demo"))
        shown = (await three.get(f"/v2/{pid}/cloudvolumes/detail")).json()["volumes"]
        assert {v["id"]: v["status"] for v in shown}[disks[0]["id"]] == "backing-up"
        for client in (a, b, three):
            await client.aclose()

    asyncio.run(scenario())


def test_a_demo_process_stuck_holding_the_lock_does_not_freeze_the_others(
        state_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(demo_world, "LOCK_WAIT", 0.2)
    target = target_for("--demo")
    stuck = os.open(state_dir / "demo" / "world.lock", os.O_RDWR)  # another holder
    fcntl.flock(stuck, fcntl.LOCK_EX)

    async def scenario() -> int:
        client, pid = await client_for(target)
        disk = (await client.get(f"/v2/{pid}/cloudvolumes/detail")).json()["volumes"][0]
        body = {"backup": {"volume_id": disk["id"], "name": "despite-the-lock"}}
        status = (await client.post(f"/v2/{pid}/cloudbackups", json=body)).status_code
        await client.aclose()
        return status

    try:
        assert asyncio.run(scenario()) == 200
    finally:
        os.close(stuck)
    assert "still held by another process" in caplog.text
