"""VBS backup-policy endpoints besides the list: changes, linked disks, run now, tasks
and tags.  Loaded on the first such request (`lazy_routes`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.envelopes import vbs_errors
from vbstui.sim.guard import authorized
from vbstui.sim.paging import BadQuery, int_param
from vbstui.sim.policy_filters import TaskQuery
from vbstui.sim.policy_models import TASK_STATUSES
from vbstui.sim.policy_rules import error, load_body, parse_policy
from vbstui.sim.state import SimState

TASK_LIMIT_MAX = 1000


def _policy_id(request: Request) -> str:
    return str(request.path_params["policy_id"])


async def _json(request: Request) -> dict[str, Any]:
    return load_body(await request.body())


def _no_content() -> Response:
    return Response(status_code=204)


@authorized
@vbs_errors
async def create_policy(request: Request, sim: SimState) -> Response:
    policy_id = sim.policies.create(parse_policy(await _json(request), create=True))
    return JSONResponse({"backup_policy_id": policy_id})


@authorized
@vbs_errors
async def modify_policy(request: Request, sim: SimState) -> Response:
    fields = parse_policy(await _json(request), create=False)
    policy_id = sim.policies.modify(_policy_id(request), fields)
    return JSONResponse({"backup_policy_id": policy_id})


@authorized
@vbs_errors
async def delete_policy(request: Request, sim: SimState) -> Response:
    sim.policies.delete(_policy_id(request))
    return _no_content()


@authorized
@vbs_errors
async def execute_policy(request: Request, sim: SimState) -> Response:
    sim.policies.execute(_policy_id(request))
    return _no_content()


@authorized
@vbs_errors
async def associate(request: Request, sim: SimState) -> Response:
    body = await _json(request)
    success, failed = sim.policies.associate(body.get("backup_policy_id"),
                                             body.get("resources"))
    return JSONResponse({"success_resources": success, "fail_resources": failed})


@authorized
@vbs_errors
async def disassociate(request: Request, sim: SimState) -> Response:
    body = await _json(request)
    success, failed = sim.policies.disassociate(_policy_id(request), body.get("resources"))
    return JSONResponse({"success_resources": success, "fail_resources": failed})


def _task_query(request: Request) -> TaskQuery:
    query = request.query_params
    try:
        limit = int_param(request, "limit", 20, low=1, high=TASK_LIMIT_MAX)
        offset = int_param(request, "offset", 0, low=0)
    except BadQuery as exc:
        raise error("AutoBackup.0008", str(exc)) from None
    sort_dir = query.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc") or query.get("sort_key", "created_at") != "created_at":
        raise error("AutoBackup.0008", "Invalid sorting: sort_key is created_at, sort_dir "
                    "asc or desc.")
    status = query.get("status") or None
    if status is not None and status not in TASK_STATUSES:
        raise error("AutoBackup.0008", f"Invalid status: one of {', '.join(TASK_STATUSES)}.")
    return TaskQuery(status=status, job_id=query.get("job_id") or None,
                     marker=query.get("marker") or None, ascending=sort_dir == "asc",
                     limit=limit, offset=offset)


@authorized
@vbs_errors
async def list_tasks(request: Request, sim: SimState) -> Response:
    tasks, count = sim.policies.task_page(_policy_id(request), _task_query(request))
    return JSONResponse({"tasks": tasks, "count": count})


@authorized
@vbs_errors
async def list_tags(request: Request, sim: SimState) -> Response:
    return JSONResponse({"tags": sim.policies.tags_of(_policy_id(request))})


@authorized
@vbs_errors
async def add_tag(request: Request, sim: SimState) -> Response:
    body = await _json(request)
    sim.policies.add_tag(_policy_id(request), body.get("tag"))
    return _no_content()


@authorized
@vbs_errors
async def remove_tag(request: Request, sim: SimState) -> Response:
    sim.policies.remove_tag(_policy_id(request), str(request.path_params["key"]))
    return _no_content()


@authorized
@vbs_errors
async def batch_tags(request: Request, sim: SimState) -> Response:
    body = await _json(request)
    sim.policies.batch_tags(_policy_id(request), body.get("action"), body.get("tags"))
    return _no_content()


@authorized
async def all_tags(request: Request, sim: SimState) -> Response:
    return JSONResponse({"tags": sim.policies.all_tags()})


@authorized
@vbs_errors
async def policies_by_tag(request: Request, sim: SimState) -> Response:
    return JSONResponse(sim.policies.by_tags(await _json(request)))
