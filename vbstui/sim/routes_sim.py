"""`GET /_sim/state`: read-only introspection for tests and scripts (no auth, no faults)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.guard import sim_of


async def show_state(request: Request) -> Response:
    return JSONResponse(sim_of(request).snapshot())
