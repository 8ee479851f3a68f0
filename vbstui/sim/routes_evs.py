"""EVS disk endpoints: `cloudvolumes/detail` (and the Cinder `volumes` alias)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.envelopes import item_not_found, vbs_error
from vbstui.sim.guard import authorized
from vbstui.sim.paging import MAX_LIMIT, BadQuery, base_url, int_param, next_link
from vbstui.sim.serialize import listing_body, volume_text
from vbstui.sim.state import BadMarker, NotFound, SimState

# EVS's generic "invalid parameter" code.
INVALID_PARAMETER = "EVS.2001"


@authorized
async def list_volumes(request: Request, sim: SimState) -> Response:
    query = request.query_params
    try:
        # EVS documents 1..1000 for limit, so out-of-range values are refused, not clamped.
        limit = int_param(request, "limit", MAX_LIMIT, low=1, high=MAX_LIMIT)
        offset = int_param(request, "offset", 0, low=0)
    except BadQuery as exc:
        return vbs_error(INVALID_PARAMETER, str(exc))
    filters = {"name": query.get("name"), "status": query.get("status")}
    try:
        page = sim.volume_page(base_url(request), name=filters["name"],
                               status=filters["status"], marker=query.get("marker"),
                               offset=offset, limit=limit, render=volume_text)
    except BadMarker as exc:
        return vbs_error(INVALID_PARAMETER, f"Invalid marker: marker [{exc}] not found.")
    links: dict[str, Any] = {}
    if page.more and page.last_id is not None:
        links["volumes_links"] = [
            {"href": next_link(request, limit, page.last_id, filters), "rel": "next"}
        ]
    # The disks come as JSON text: a page of 1,000 is 1.5 MB (see `volume_text`).
    return Response(listing_body({"count": page.count}, "volumes", page.items, links),
                    media_type="application/json")


@authorized
async def show_volume(request: Request, sim: SimState) -> Response:
    volume_id = request.path_params["volume_id"]
    try:
        volume = sim.volume_view(base_url(request), volume_id)
    except NotFound:
        return item_not_found(f"Volume {volume_id} could not be found.")
    return JSONResponse({"volume": volume})
