"""CBR vault endpoints (`/v3/{project_id}/vaults...`) and the policy list."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.cbr_codes import CbrError, cbr_error
from vbstui.sim.cbr_rules import (
    paging,
    parse_add_resources,
    parse_policy,
    parse_remove_resources,
    parse_vault,
    parse_vault_update,
)
from vbstui.sim.guard import authorized
from vbstui.sim.state import SimState

VAULT_FILTERS = ("cloud_type", "id", "name", "object_type", "policy_id", "protect_type",
                 "resource_ids", "status")


@authorized
async def list_vaults(request: Request, sim: SimState) -> Response:
    query = request.query_params
    try:
        limit, offset = paging(query)
        items, count = sim.cbr.vault_page(filters={k: query.get(k) for k in VAULT_FILTERS},
                                          limit=limit, offset=offset)
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"vaults": items, "count": count, "limit": limit, "offset": offset})


@authorized
async def create_vault(request: Request, sim: SimState) -> Response:
    try:
        vault = sim.cbr.create_vault(parse_vault(await request.body()))
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"vault": vault})


@authorized
async def show_vault(request: Request, sim: SimState) -> Response:
    try:
        return JSONResponse({"vault": sim.cbr.vault_view(request.path_params["vault_id"])})
    except CbrError as exc:
        return cbr_error(exc)


@authorized
async def update_vault(request: Request, sim: SimState) -> Response:
    try:
        name, size = parse_vault_update(await request.body())
        vault = sim.cbr.update_vault(request.path_params["vault_id"], name, size)
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"vault": vault})


@authorized
async def delete_vault(request: Request, sim: SimState) -> Response:
    try:
        sim.cbr.delete_vault(request.path_params["vault_id"])
    except CbrError as exc:
        return cbr_error(exc)
    return Response(status_code=204)


@authorized
async def add_resources(request: Request, sim: SimState) -> Response:
    try:
        ids = sim.cbr.add_resources(request.path_params["vault_id"],
                                    parse_add_resources(await request.body()))
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"add_resource_ids": ids})


@authorized
async def remove_resources(request: Request, sim: SimState) -> Response:
    try:
        ids = sim.cbr.remove_resources(request.path_params["vault_id"],
                                       parse_remove_resources(await request.body()))
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"remove_resource_ids": ids})


@authorized
async def associate_policy(request: Request, sim: SimState) -> Response:
    try:
        policy_id = parse_policy(await request.body(), required=False)
        body = sim.cbr.set_policy(request.path_params["vault_id"], policy_id, associate=True)
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"associate_policy": body})


@authorized
async def dissociate_policy(request: Request, sim: SimState) -> Response:
    try:
        policy_id = parse_policy(await request.body(), required=True)
        body = sim.cbr.set_policy(request.path_params["vault_id"], policy_id, associate=False)
    except CbrError as exc:
        return cbr_error(exc)
    return JSONResponse({"dissociate_policy": body})


@authorized
async def list_policies(request: Request, sim: SimState) -> Response:
    query = request.query_params
    items = sim.cbr.policy_page(vault_id=query.get("vault_id"),
                                operation_type=query.get("operation_type"))
    return JSONResponse({"policies": items, "count": len(items)})
