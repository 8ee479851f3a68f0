"""Backup sharing endpoints (`/os-vendor-backup-sharing`), for every simulated project."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.envelopes import bad_request, item_not_found
from vbstui.sim.guard import authorized
from vbstui.sim.paging import MAX_LIMIT, BadQuery, base_url, int_param
from vbstui.sim.share_ops import SORT_KEYS, ShareNotFound, ShareRefused
from vbstui.sim.share_query import ShareQuery
from vbstui.sim.state import SimState

_TRUE = frozenset({"true", "1", "yes"})


def _query(request: Request, *, paged: bool) -> ShareQuery:
    params = request.query_params
    sort_key = params.get("sort_key") or "created_at"
    sort_dir = params.get("sort_dir") or "desc"
    if sort_key not in SORT_KEYS or sort_dir not in ("asc", "desc"):
        raise BadQuery(f"Invalid sort: sort_key one of {', '.join(SORT_KEYS)}, sort_dir asc "
                       "or desc.")
    limit = int_param(request, "limit", MAX_LIMIT, low=0, high=MAX_LIMIT) if paged else None
    zone = params.get("availability_zone") or params.get("avalilability_zone") or None
    return ShareQuery(
        to_me=params.get("share_to_me", "").lower() in _TRUE,
        volume_id=params.get("volume_id") or None, name=params.get("name") or None,
        status=params.get("status") or None, backup_id=params.get("backup_id") or None,
        from_project_id=params.get("from_project_id") or None,
        to_project_id=params.get("to_project_id") or None, availability_zone=zone,
        sort_key=sort_key, ascending=sort_dir == "asc", limit=limit,
        offset=int_param(request, "offset", 0, low=0) if paged else 0,
    )


@authorized
async def share_backup(request: Request, sim: SimState) -> Response:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return bad_request("Invalid input: the body is not JSON.")
    try:
        shared = sim.share(body)
    except ShareRefused as exc:
        return bad_request(str(exc))
    except ShareNotFound as exc:
        return item_not_found(str(exc))
    return JSONResponse({"shared": shared})


@authorized
async def list_shares(request: Request, sim: SimState) -> Response:
    try:
        query = _query(request, paged=True)
    except BadQuery as exc:
        return bad_request(str(exc))
    shares, _ = sim.share_page(query, base_url(request))
    return JSONResponse({"shared": shares})


@authorized
async def count_shares(request: Request, sim: SimState) -> Response:
    try:
        query = _query(request, paged=False)
    except BadQuery as exc:
        return bad_request(str(exc))
    _, count = sim.share_page(query, base_url(request))
    return JSONResponse({"count": count})


@authorized
async def show_share(request: Request, sim: SimState) -> Response:
    try:
        return JSONResponse({"shared": sim.share_view(request.path_params["share_id"],
                                                      base_url(request))})
    except ShareNotFound as exc:
        return item_not_found(str(exc))


@authorized
async def cancel_share(request: Request, sim: SimState) -> Response:
    by_backup = request.query_params.get("is_backup_id", "").lower() in _TRUE
    try:
        sim.unshare(request.path_params["share_id"], is_backup_id=by_backup)
    except ShareNotFound as exc:
        return item_not_found(str(exc))
    return Response(status_code=200)
