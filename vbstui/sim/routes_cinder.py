"""The Cinder-compatible block-storage API that OTC EVS also serves (v2 and v3), and the
version documents OpenStack clients read first, so `openstack volume list` and
`openstack volume backup list` work against the same simulated project as vbstui.

Differences from the EVS `cloudvolumes` listing, as Cinder behaves: no `count` unless
`with_count` is asked for, a `limit` above the maximum is clamped rather than refused,
and refusals come in Cinder's `badRequest` envelope.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.envelopes import bad_request
from vbstui.sim.guard import authorized
from vbstui.sim.paging import MAX_LIMIT, BadQuery, base_url, int_param, next_link
from vbstui.sim.serialize import listing_body, volume_text
from vbstui.sim.state import BadMarker, SimState

# What the simulated block-storage service offers: v3 without microversions beyond 3.0
# (so clients never send a request the simulator would have to interpret differently).
V3_VERSION = "3.0"
_UPDATED = "2017-02-25T12:00:00Z"
_TRUE = frozenset({"true", "1", "yes", "on"})
# The only order the simulator keeps (and Cinder's default).
_SORTS = frozenset({"", "created_at", "created_at:desc"})


def _volume_version(base: str, major: str) -> dict[str, Any]:
    current = major == "v3"
    return {
        "id": f"{major}.0",
        "status": "CURRENT" if current else "SUPPORTED",
        "version": V3_VERSION if current else "",
        "min_version": "3.0" if current else "",
        "updated": _UPDATED,
        "links": [{"href": f"{base}/{major}/", "rel": "self"}],
        "media-types": [{"base": "application/json",
                         "type": f"application/vnd.openstack.volume+json;version={major[1]}"}],
    }


def _identity_version(base: str) -> dict[str, Any]:
    return {
        "id": "v3.0", "status": "stable", "updated": "2018-02-28T00:00:00Z",
        "links": [{"href": f"{base}/v3/", "rel": "self"}],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.identity-v3+json"}],
    }


async def root_versions(request: Request) -> Response:
    """`GET /`: the block-storage versions (what an unversioned endpoint answers)."""
    base = base_url(request)
    return JSONResponse({"versions": [_volume_version(base, "v2"), _volume_version(base, "v3")]},
                        status_code=300)


async def volume_versions(request: Request) -> Response:
    """`GET /v2/`, `GET /v3/`: one block-storage version."""
    major = request.url.path.strip("/")
    return JSONResponse({"versions": [_volume_version(base_url(request), major)]})


async def identity_version(request: Request) -> Response:
    """`GET /v3` (the auth URL): the identity version, as Keystone answers it."""
    return JSONResponse({"version": _identity_version(base_url(request))})


def _filters(request: Request, names: tuple[str, ...]) -> dict[str, str | None]:
    return {k: request.query_params.get(k) for k in names}


def _paging(request: Request) -> tuple[int, int]:
    limit = int_param(request, "limit", MAX_LIMIT, low=1, high=MAX_LIMIT, clamp=True)
    offset = int_param(request, "offset", 0, low=0)
    sort = request.query_params.get("sort", request.query_params.get("sort_key", ""))
    direction = request.query_params.get("sort_dir", "desc")
    if sort not in _SORTS or direction != "desc":
        raise BadQuery("Invalid sort: the simulator lists newest first (created_at desc) only.")
    return limit, offset


@authorized
async def list_volumes(request: Request, sim: SimState) -> Response:
    try:
        limit, offset = _paging(request)
    except BadQuery as exc:
        return bad_request(str(exc))
    filters = _filters(request, ("name", "status"))
    try:
        page = sim.volume_page(base_url(request), name=filters["name"], status=filters["status"],
                               marker=request.query_params.get("marker"), offset=offset,
                               limit=limit, render=volume_text)
    except BadMarker as exc:
        return bad_request(f"marker [{exc}] not found")
    after: dict[str, Any] = {}
    if request.query_params.get("with_count", "").lower() in _TRUE:
        after["count"] = page.count
    if page.more and page.last_id is not None:
        after["volumes_links"] = [
            {"href": next_link(request, limit, page.last_id, filters), "rel": "next"}
        ]
    # The same disk text as the EVS listing: the peer's listing costs the server as much.
    return Response(listing_body({}, "volumes", page.items, after),
                    media_type="application/json")
