"""`/_sim/*`: introspection for tests and scripts (no auth, no faults): `GET /_sim/state`,
and `POST /_sim/clock` `{"advance": seconds}` to move simulated time forward."""

from __future__ import annotations

import json
import math

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.guard import sim_of


async def show_state(request: Request) -> Response:
    return JSONResponse(sim_of(request).snapshot())


async def advance_clock(request: Request) -> Response:
    sim = sim_of(request)
    try:
        seconds = json.loads(await request.body()).get("advance")
    except (ValueError, UnicodeDecodeError, AttributeError):
        seconds = None
    if (not isinstance(seconds, (int, float)) or isinstance(seconds, bool)
            or not math.isfinite(seconds) or seconds < 0):
        return JSONResponse({"error": 'expected {"advance": seconds >= 0}'}, status_code=400)
    advance = getattr(sim.clock, "advance", None)
    if advance is None:
        return JSONResponse({"error": "this simulator's clock cannot be moved"},
                            status_code=409)
    advance(float(seconds))
    return JSONResponse({"clock": sim.snapshot()["clock"]})
