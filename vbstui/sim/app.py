"""Assembles the simulator's Starlette application."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from vbstui.sim import routes_cinder, routes_evs, routes_iam, routes_sim, routes_vbs
from vbstui.sim.config import SimConfig
from vbstui.sim.envelopes import gateway_error, request_id
from vbstui.sim.middleware import SimMiddleware
from vbstui.sim.state import SimState

P = "/v2/{project_id}"


def _cinder_routes(prefix: str) -> list[BaseRoute]:
    """The Cinder-compatible block-storage paths EVS and VBS serve under v2 and v3."""
    return [
        Route(f"{prefix}/volumes/detail", routes_cinder.list_volumes, methods=["GET"]),
        Route(f"{prefix}/volumes/{{volume_id}}", routes_evs.show_volume, methods=["GET"]),
        Route(f"{prefix}/backups/detail", routes_vbs.list_backups, methods=["GET"]),
        Route(f"{prefix}/backups/{{backup_id}}", routes_vbs.show_backup, methods=["GET"]),
        Route(f"{prefix}/backups/{{backup_id}}", routes_vbs.delete_backup, methods=["DELETE"]),
    ]


def _routes() -> list[BaseRoute]:
    return [
        # Version discovery, as OpenStack clients (keystoneauth) do it before anything else.
        Route("/", routes_cinder.root_versions, methods=["GET"]),
        Route("/v3", routes_cinder.identity_version, methods=["GET"]),
        Route("/v2/", routes_cinder.volume_versions, methods=["GET"]),
        Route("/v3/", routes_cinder.volume_versions, methods=["GET"]),
        Route("/v3/auth/tokens", routes_iam.issue_token, methods=["POST"]),
        Route(f"{P}/cloudvolumes/detail", routes_evs.list_volumes, methods=["GET"]),
        Route(f"{P}/cloudvolumes/{{volume_id}}", routes_evs.show_volume, methods=["GET"]),
        *_cinder_routes(P),
        *_cinder_routes("/v3/{project_id}"),
        Route(f"{P}/cloudbackups", routes_vbs.create_backup, methods=["POST"]),
        Route(f"{P}/cloudbackups/quota", routes_vbs.show_quota, methods=["GET"]),
        Route(f"{P}/cloudbackups/{{backup_id}}/restore", routes_vbs.restore_backup,
              methods=["POST"]),
        Route("/v1/{project_id}/jobs/{job_id}", routes_vbs.show_job, methods=["GET"]),
        Route("/_sim/state", routes_sim.show_state, methods=["GET"]),
    ]


async def _no_route(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if status == 405:
        return gateway_error(405, "APIGW.0101", "The method is not allowed for this API.",
                             request_id(request))
    return gateway_error(404, "APIGW.0101", "The API does not exist or has not been "
                         "published in the environment", request_id(request))


def create_app(config: SimConfig | None = None, *, generate: bool = True) -> Starlette:
    """A fresh simulator; its state is `app.state.sim` (a `SimState`).  With
    `generate=False` the project starts empty, to be filled by `load_world`."""
    sim = SimState(config or SimConfig(), generate=generate)
    routes = _routes()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SimMiddleware, sim=sim, routes=routes)],
        exception_handlers={404: _no_route, 405: _no_route},
    )
    app.state.sim = sim
    return app
