"""Size and speed bounds: 50 000 disks start quickly and a 1000-disk page is fast.

The bounds are generous (several times the measured values, see measure_sim.py) so
the test only catches real regressions, not a busy machine.
"""

from __future__ import annotations

import statistics
import time

import httpx
import pytest
from simkit import auth_body

from vbstui.sim import ManualClock, SimConfig, create_app


@pytest.mark.slow
async def test_fifty_thousand_volumes() -> None:
    started = time.perf_counter()
    app = create_app(SimConfig(volumes=50_000, clock=ManualClock()))
    assert time.perf_counter() - started < 5.0
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        login = await client.post("/v3/auth/tokens", json=auth_body())
        client.headers["X-Auth-Token"] = login.headers["X-Subject-Token"]
        pid = login.json()["token"]["project"]["id"]
        href: str | None = f"/v2/{pid}/cloudvolumes/detail?limit=1000"
        timings: list[float] = []
        for _ in range(5):
            assert href is not None
            started = time.perf_counter()
            body = (await client.get(href)).json()
            timings.append(time.perf_counter() - started)
            assert len(body["volumes"]) == 1000 and body["count"] == 50_000
            href = body["volumes_links"][0]["href"]
    assert statistics.median(timings) < 0.1
