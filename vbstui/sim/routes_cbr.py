"""CBR vault endpoints that read (`/v3/{project_id}/vaults...`) and the policy list;
those that change vaults are in `routes_cbr_vaults`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.cbr_codes import cbr_errors
from vbstui.sim.cbr_params import paging
from vbstui.sim.guard import authorized
from vbstui.sim.state import SimState

VAULT_FILTERS = ("cloud_type", "id", "name", "object_type", "policy_id", "protect_type",
                 "resource_ids", "status")


@authorized
@cbr_errors
async def list_vaults(request: Request, sim: SimState) -> Response:
    query = request.query_params
    limit, offset = paging(query)
    items, count = sim.cbr.vault_page(filters={k: query.get(k) for k in VAULT_FILTERS},
                                      limit=limit, offset=offset)
    return JSONResponse({"vaults": items, "count": count, "limit": limit, "offset": offset})


@authorized
@cbr_errors
async def show_vault(request: Request, sim: SimState) -> Response:
    return JSONResponse({"vault": sim.cbr.vault_view(request.path_params["vault_id"])})


@authorized
async def list_policies(request: Request, sim: SimState) -> Response:
    query = request.query_params
    items = sim.cbr.policy_page(vault_id=query.get("vault_id"),
                                operation_type=query.get("operation_type"))
    return JSONResponse({"policies": items, "count": len(items)})
