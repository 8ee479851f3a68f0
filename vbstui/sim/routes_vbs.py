"""VBS endpoints: create and restore jobs, job status, backups, delete and quota."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.envelopes import bad_request, item_not_found, vbs_error, vbs_errors
from vbstui.sim.guard import authorized
from vbstui.sim.paging import MAX_LIMIT, BadQuery, base_url, int_param, next_link
from vbstui.sim.rules import parse_create, parse_restore
from vbstui.sim.state import BadMarker, NotFound, Refused, SimState


@authorized
@vbs_errors
async def create_backup(request: Request, sim: SimState) -> Response:
    job_id = sim.create_backup(parse_create(await request.body()))
    return JSONResponse({"job_id": job_id})


@authorized
@vbs_errors
async def restore_backup(request: Request, sim: SimState) -> Response:
    backup_id = request.path_params["backup_id"]
    volume_id = parse_restore(backup_id, await request.body())
    job_id = sim.restore_backup(backup_id, volume_id)
    return JSONResponse({"job_id": job_id})


@authorized
async def show_job(request: Request, sim: SimState) -> Response:
    try:
        return JSONResponse(sim.job_view(request.path_params["job_id"]))
    except NotFound:
        return vbs_error("common.0011", "Failed to query the task: the job does not exist.",
                         404)


@authorized
async def list_backups(request: Request, sim: SimState) -> Response:
    query = request.query_params
    try:
        # Cinder clamps limit to its maximum rather than refusing it.
        limit = int_param(request, "limit", MAX_LIMIT, low=1, high=MAX_LIMIT, clamp=True)
        offset = int_param(request, "offset", 0, low=0)
    except BadQuery as exc:
        return bad_request(str(exc))
    filters = {k: query.get(k) for k in ("volume_id", "name", "status")}
    try:
        page = sim.backup_page(base_url(request), volume_id=filters["volume_id"],
                               name=filters["name"], status=filters["status"],
                               marker=query.get("marker"), offset=offset, limit=limit)
    except BadMarker as exc:
        return bad_request(f"marker [{exc}] not found")
    body: dict[str, Any] = {"backups": page.items}
    if query.get("with_count", "").lower() in {"true", "1", "yes", "on"}:
        body["count"] = page.count  # Cinder 3.45's with_count
    if page.more and page.last_id is not None:
        body["backups_links"] = [
            {"href": next_link(request, limit, page.last_id, filters), "rel": "next"}
        ]
    return JSONResponse(body)


@authorized
async def show_backup(request: Request, sim: SimState) -> Response:
    backup_id = request.path_params["backup_id"]
    try:
        return JSONResponse({"backup": sim.backup_view(base_url(request), backup_id)})
    except NotFound:
        return item_not_found(f"Backup {backup_id} could not be found.")


@authorized
async def delete_backup(request: Request, sim: SimState) -> Response:
    backup_id = request.path_params["backup_id"]
    try:
        sim.delete_backup(backup_id)
    except NotFound:
        return item_not_found(f"Backup {backup_id} could not be found.")
    except Refused as exc:
        return bad_request(str(exc))
    return Response(status_code=202)


@authorized
async def show_quota(request: Request, sim: SimState) -> Response:
    return JSONResponse(sim.quota_view())
