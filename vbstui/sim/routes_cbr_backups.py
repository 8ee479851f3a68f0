"""CBR backup endpoints: backup now (`/checkpoints`), backups, restore, delete, and the
task list (`/operation-logs`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.cbr_codes import bad_parameter, cbr_errors
from vbstui.sim.cbr_filters import BackupQuery, TaskQuery
from vbstui.sim.cbr_models import BACKUP_STATUSES, TASK_STATUSES, TASK_TYPES
from vbstui.sim.cbr_params import filter_time, paging
from vbstui.sim.cbr_rules import parse_checkpoint, parse_restore
from vbstui.sim.guard import authorized
from vbstui.sim.state import SimState


@authorized
@cbr_errors
async def create_checkpoint(request: Request, sim: SimState) -> Response:
    checkpoint_id = sim.cbr.create_checkpoint(parse_checkpoint(await request.body()))
    return JSONResponse({"checkpoint": sim.cbr.checkpoint_view(checkpoint_id,
                                                               with_skipped=True)})


@authorized
@cbr_errors
async def show_checkpoint(request: Request, sim: SimState) -> Response:
    return JSONResponse(
        {"checkpoint": sim.cbr.checkpoint_view(request.path_params["checkpoint_id"])})


def _backup_query(request: Request) -> BackupQuery:
    query = request.query_params
    limit, offset = paging(query)
    statuses = tuple(query.getlist("status"))
    unknown = [s for s in statuses if s not in BACKUP_STATUSES]
    if unknown:
        raise bad_parameter(f"'status' must be one of {', '.join(BACKUP_STATUSES)}.")
    return BackupQuery(
        vault_id=query.get("vault_id"), resource_id=query.get("resource_id"),
        checkpoint_id=query.get("checkpoint_id"), statuses=statuses, name=query.get("name"),
        resource_name=query.get("resource_name"),
        start_time=filter_time(query.get("start_time"), "start_time"),
        end_time=filter_time(query.get("end_time"), "end_time"),
        sort=query.get("sort", ""), marker=query.get("marker") or None,
        limit=limit, offset=offset,
    )


@authorized
@cbr_errors
async def list_backups(request: Request, sim: SimState) -> Response:
    query = _backup_query(request)
    items, count = sim.cbr.backup_page(query)
    return JSONResponse({"backups": items, "count": count, "limit": query.limit,
                         "offset": query.offset})


@authorized
@cbr_errors
async def show_backup(request: Request, sim: SimState) -> Response:
    return JSONResponse({"backup": sim.cbr.backup_view(request.path_params["backup_id"])})


@authorized
@cbr_errors
async def delete_backup(request: Request, sim: SimState) -> Response:
    sim.cbr.delete_backup(request.path_params["backup_id"])
    return Response(status_code=204)


@authorized
@cbr_errors
async def restore_backup(request: Request, sim: SimState) -> Response:
    volume_id = parse_restore(await request.body())
    sim.cbr.restore(request.path_params["backup_id"], volume_id)
    return Response(status_code=202)


def _task_query(request: Request) -> TaskQuery:
    query = request.query_params
    limit, offset = paging(query)
    kind, status = query.get("operation_type"), query.get("status")
    if kind is not None and kind not in (*TASK_TYPES, "vault_delete", "remove_resource", "sync"):
        raise bad_parameter(f"'operation_type' must be one of {', '.join(TASK_TYPES)}, "
                            "vault_delete, remove_resource, sync.")
    if status is not None and status not in TASK_STATUSES:
        raise bad_parameter(f"'status' must be one of {', '.join(TASK_STATUSES)}.")
    return TaskQuery(
        operation_type=kind, status=status, resource_id=query.get("resource_id"),
        vault_id=query.get("vault_id"), vault_name=query.get("vault_name"),
        start_time=filter_time(query.get("start_time"), "start_time"),
        end_time=filter_time(query.get("end_time"), "end_time"), limit=limit, offset=offset,
    )


@authorized
@cbr_errors
async def list_tasks(request: Request, sim: SimState) -> Response:
    query = _task_query(request)
    items, count = sim.cbr.task_page(query)
    return JSONResponse({"operation_logs": items, "count": count, "limit": query.limit,
                         "offset": query.offset})


@authorized
@cbr_errors
async def show_task(request: Request, sim: SimState) -> Response:
    return JSONResponse(
        {"operation_log": sim.cbr.task_view(request.path_params["operation_log_id"])})
