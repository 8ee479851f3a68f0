"""CBR vault endpoints that change vaults: create, update, delete, add and remove
disks, bind and unbind a policy.  Loaded on the first such request (`lazy_routes`),
with the request rules only they need."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.cbr_codes import cbr_errors
from vbstui.sim.cbr_rules import (
    parse_add_resources,
    parse_policy,
    parse_remove_resources,
    parse_vault,
    parse_vault_update,
)
from vbstui.sim.guard import authorized
from vbstui.sim.state import SimState


@authorized
@cbr_errors
async def create_vault(request: Request, sim: SimState) -> Response:
    vault = sim.cbr.create_vault(parse_vault(await request.body()))
    return JSONResponse({"vault": vault})


@authorized
@cbr_errors
async def update_vault(request: Request, sim: SimState) -> Response:
    name, size = parse_vault_update(await request.body())
    vault = sim.cbr.update_vault(request.path_params["vault_id"], name, size)
    return JSONResponse({"vault": vault})


@authorized
@cbr_errors
async def delete_vault(request: Request, sim: SimState) -> Response:
    sim.cbr.delete_vault(request.path_params["vault_id"])
    return Response(status_code=204)


@authorized
@cbr_errors
async def add_resources(request: Request, sim: SimState) -> Response:
    ids = sim.cbr.add_resources(request.path_params["vault_id"],
                                parse_add_resources(await request.body()))
    return JSONResponse({"add_resource_ids": ids})


@authorized
@cbr_errors
async def remove_resources(request: Request, sim: SimState) -> Response:
    ids = sim.cbr.remove_resources(request.path_params["vault_id"],
                                   parse_remove_resources(await request.body()))
    return JSONResponse({"remove_resource_ids": ids})


@authorized
@cbr_errors
async def associate_policy(request: Request, sim: SimState) -> Response:
    policy_id = parse_policy(await request.body(), required=False)
    body = sim.cbr.set_policy(request.path_params["vault_id"], policy_id, associate=True)
    return JSONResponse({"associate_policy": body})


@authorized
@cbr_errors
async def dissociate_policy(request: Request, sim: SimState) -> Response:
    policy_id = parse_policy(await request.body(), required=True)
    body = sim.cbr.set_policy(request.path_params["vault_id"], policy_id, associate=False)
    return JSONResponse({"dissociate_policy": body})
