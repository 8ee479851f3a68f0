"""The VBS backup-policy list, which a disk listing asks for; every other policy
endpoint (changes, linked disks, run now, tasks and tags) is in
`routes_policy_actions`, loaded on its first request."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.guard import authorized
from vbstui.sim.state import SimState


@authorized
async def list_policies(request: Request, sim: SimState) -> Response:
    return JSONResponse({"backup_policies": sim.policies.list_json()})
