"""The simulator used in-process through httpx.ASGITransport, as `--demo` does."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from simkit import auth_body

import vbstui.sim
from vbstui.sim import FaultSpec, ManualClock, SimConfig, create_app

BASE = "http://sim.test"
FORBIDDEN = ("textual", "vbstui.cloud", "vbstui.ui", "vbstui.jobs", "vbstui.local", "vbstui.ops",
             "vbstui.main", "vbstui.errors",
             "vbstui.cli", "vbstui.local.credentials")


async def _login(client: httpx.AsyncClient) -> str:
    response = await client.post("/v3/auth/tokens", json=auth_body())
    client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
    return str(response.json()["token"]["project"]["id"])


@pytest.fixture
async def demo() -> AsyncIterator[tuple[httpx.AsyncClient, Any, ManualClock]]:
    clock = ManualClock()
    app = create_app(SimConfig(clock=clock, job_seconds=5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as client:
        yield client, app, clock


async def test_catalog_uses_the_in_process_base_url(demo: Any) -> None:
    client, app, _ = demo
    response = await client.post("/v3/auth/tokens", json=auth_body())
    urls = {e["type"]: e["endpoints"][0]["url"] for e in response.json()["token"]["catalog"]}
    assert urls["vbsv2"] == f"{BASE}/v2/{app.state.sim.config.project_id}"
    assert urls["identity"] == f"{BASE}/v3"


async def test_job_runs_on_the_injected_clock(demo: Any) -> None:
    client, _, clock = demo
    pid = await _login(client)
    listing = await client.get(f"/v2/{pid}/cloudvolumes/detail", params={"status": "in-use"})
    volume = listing.json()["volumes"][-1]
    created = await client.post(f"/v2/{pid}/cloudbackups",
                                json={"backup": {"volume_id": volume["id"], "name": "demo"}})
    job_url = f"/v1/{pid}/jobs/{created.json()['job_id']}"
    statuses = []
    for _ in range(7):
        statuses.append((await client.get(job_url)).json()["status"])
        clock.advance(1)
    assert statuses == ["INIT", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "SUCCESS",
                        "SUCCESS"]
    shown = await client.get(f"/v2/{pid}/cloudvolumes/{volume['id']}")
    assert shown.json()["volume"]["status"] == "in-use"


async def test_drop_raises_the_same_httpx_error_in_process(demo: Any) -> None:
    client, app, _ = demo
    pid = await _login(client)
    listing = await client.get(f"/v2/{pid}/cloudvolumes/detail", params={"status": "in-use"})
    volume = listing.json()["volumes"][-1]
    app.state.sim.set_faults(FaultSpec.parse("drop=1"))
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await client.post(f"/v2/{pid}/cloudbackups",
                          json={"backup": {"volume_id": volume["id"], "name": "lost"}})
    snapshot = app.state.sim.snapshot()
    assert snapshot["created_backups"] == [
        {"volume_id": volume["id"], "name": "lost", "count": 1}]


async def test_snapshot_matches_the_endpoint(demo: Any) -> None:
    client, app, _ = demo
    served = (await client.get("/_sim/state")).json()
    assert served == json.loads(json.dumps(app.state.sim.snapshot()))


async def _listing(seed: int) -> list[dict[str, Any]]:
    app = create_app(SimConfig(seed=seed, clock=ManualClock()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as client:
        pid = await _login(client)
        response = await client.get(f"/v2/{pid}/cloudvolumes/detail")
        backups = await client.get(f"/v2/{pid}/backups/detail")
    return [response.json(), backups.json()]


async def test_same_seed_same_world() -> None:
    first, second, other = await _listing(5), await _listing(5), await _listing(6)
    assert first == second
    assert first[0]["volumes"] != other[0]["volumes"]


def test_default_config_and_public_api() -> None:
    app = create_app()
    sim = app.state.sim
    assert sim.config == SimConfig(clock=sim.config.clock)
    assert sim.snapshot()["volumes"] == 120
    assert set(vbstui.sim.__all__) >= {"SimConfig", "FaultSpec", "create_app"}


def test_large_world_generation_is_bounded() -> None:
    sim = create_app(SimConfig(volumes=5000, clock=ManualClock())).state.sim
    snapshot = sim.snapshot()
    assert snapshot["volumes"] == 5000
    # Seeded backups stay well inside the default quota so creates keep working.
    assert snapshot["backups"] < 500
    assert sum(n for s, n in snapshot["volumes_by_status"].items()
               if s in {"available", "in-use"}) > 4800


def test_simulator_imports_no_client_or_ui_code() -> None:
    package = Path(vbstui.sim.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{source.name} imports {name}"
    code = ("import sys, vbstui.sim, vbstui.sim.server, vbstui.sim.cli; "
            f"print([m for m in sys.modules if m.split('.')[0] == 'textual' "
            f"or m.startswith({FORBIDDEN[1:]!r})])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"
