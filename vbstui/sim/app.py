"""Assembles the simulator's Starlette application."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from vbstui.sim import (
    routes_cbr,
    routes_cinder,
    routes_evs,
    routes_iam,
    routes_policies,
    routes_sim,
    routes_vbs,
)
from vbstui.sim.config import SimConfig
from vbstui.sim.envelopes import gateway_error, request_id
from vbstui.sim.lazy_routes import CBR_BACKUPS, CBR_VAULTS, POLICY_ACTIONS, SHARES
from vbstui.sim.middleware import SimMiddleware
from vbstui.sim.state import SimState

P = "/v2/{project_id}"
# CBR has a host of its own in the real cloud; here a path prefix keeps its `/v3/...`
# apart from the Cinder v3 paths (`/v3/{project_id}/backups/...` exist in both).
CBR = "/cbr/v3/{project_id}"


def _cinder_routes(prefix: str) -> list[BaseRoute]:
    """The Cinder-compatible block-storage paths EVS and VBS serve under v2 and v3."""
    return [
        Route(f"{prefix}/volumes/detail", routes_cinder.list_volumes, methods=["GET"]),
        Route(f"{prefix}/volumes/{{volume_id}}", routes_evs.show_volume, methods=["GET"]),
        Route(f"{prefix}/backups/detail", routes_vbs.list_backups, methods=["GET"]),
        Route(f"{prefix}/backups/{{backup_id}}", routes_vbs.show_backup, methods=["GET"]),
        Route(f"{prefix}/backups/{{backup_id}}", routes_vbs.delete_backup, methods=["DELETE"]),
    ]


def _vbs_routes() -> list[BaseRoute]:
    return [
        Route(f"{P}/cloudbackups", routes_vbs.create_backup, methods=["POST"]),
        Route(f"{P}/cloudbackups/quota", routes_vbs.show_quota, methods=["GET"]),
        Route(f"{P}/cloudbackups/{{backup_id}}/restore", routes_vbs.restore_backup,
              methods=["POST"]),
        Route("/v1/{project_id}/jobs/{job_id}", routes_vbs.show_job, methods=["GET"]),
        *_policy_routes(),
        *_share_routes(),
    ]


def _policy_routes() -> list[BaseRoute]:
    pol, one = POLICY_ACTIONS, f"{P}/backuppolicy/{{policy_id}}"
    return [
        Route(f"{P}/backuppolicy", pol["create_policy"], methods=["POST"]),
        Route(f"{P}/backuppolicy", routes_policies.list_policies, methods=["GET"]),
        # Fixed paths before `{policy_id}`, which would match them too.
        Route(f"{P}/backuppolicy/tags", pol["all_tags"], methods=["GET"]),
        Route(f"{P}/backuppolicy/resource_instances/action", pol["policies_by_tag"],
              methods=["POST"]),
        Route(one, pol["modify_policy"], methods=["PUT"]),
        Route(one, pol["delete_policy"], methods=["DELETE"]),
        Route(f"{one}/action", pol["execute_policy"], methods=["POST"]),
        Route(f"{one}/backuptasks", pol["list_tasks"], methods=["GET"]),
        Route(f"{one}/tags", pol["list_tags"], methods=["GET"]),
        Route(f"{one}/tags", pol["add_tag"], methods=["POST"]),
        Route(f"{one}/tags/action", pol["batch_tags"], methods=["POST"]),
        Route(f"{one}/tags/{{key}}", pol["remove_tag"], methods=["DELETE"]),
        Route(f"{P}/backuppolicyresources", pol["associate"], methods=["POST"]),
        Route(f"{P}/backuppolicyresources/{{policy_id}}/deleted_resources", pol["disassociate"],
              methods=["POST"]),
    ]


def _share_routes() -> list[BaseRoute]:
    sh, base = SHARES, f"{P}/os-vendor-backup-sharing"
    return [
        Route(base, sh["share_backup"], methods=["POST"]),
        Route(f"{base}/detail", sh["list_shares"], methods=["GET"]),
        Route(f"{base}/count", sh["count_shares"], methods=["GET"]),
        Route(f"{base}/{{share_id}}", sh["show_share"], methods=["GET"]),
        Route(f"{base}/{{share_id}}", sh["cancel_share"], methods=["DELETE"]),
    ]


def _cbr_routes() -> list[BaseRoute]:
    reads, changes, backups = routes_cbr, CBR_VAULTS, CBR_BACKUPS
    vault = f"{CBR}/vaults/{{vault_id}}"
    return [
        Route(f"{CBR}/vaults", reads.list_vaults, methods=["GET"]),
        Route(f"{CBR}/vaults", changes["create_vault"], methods=["POST"]),
        Route(vault, reads.show_vault, methods=["GET"]),
        Route(vault, changes["update_vault"], methods=["PUT"]),
        Route(vault, changes["delete_vault"], methods=["DELETE"]),
        Route(f"{vault}/addresources", changes["add_resources"], methods=["POST"]),
        Route(f"{vault}/removeresources", changes["remove_resources"], methods=["POST"]),
        Route(f"{vault}/associatepolicy", changes["associate_policy"], methods=["POST"]),
        Route(f"{vault}/dissociatepolicy", changes["dissociate_policy"], methods=["POST"]),
        Route(f"{CBR}/policies", reads.list_policies, methods=["GET"]),
        Route(f"{CBR}/checkpoints", backups["create_checkpoint"], methods=["POST"]),
        Route(f"{CBR}/checkpoints/{{checkpoint_id}}", backups["show_checkpoint"],
              methods=["GET"]),
        Route(f"{CBR}/backups", backups["list_backups"], methods=["GET"]),
        Route(f"{CBR}/backups/{{backup_id}}", backups["show_backup"], methods=["GET"]),
        Route(f"{CBR}/backups/{{backup_id}}", backups["delete_backup"], methods=["DELETE"]),
        Route(f"{CBR}/backups/{{backup_id}}/restore", backups["restore_backup"],
              methods=["POST"]),
        Route(f"{CBR}/operation-logs", backups["list_tasks"], methods=["GET"]),
        Route(f"{CBR}/operation-logs/{{operation_log_id}}", backups["show_task"],
              methods=["GET"]),
    ]


def _routes(config: SimConfig) -> list[BaseRoute]:
    """Paths of a service the project does not have answer like an absent API (404)."""
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
        *(_vbs_routes() if config.has_vbs else []),
        *(_cbr_routes() if config.has_cbr else []),
        Route("/_sim/state", routes_sim.show_state, methods=["GET"]),
        Route("/_sim/clock", routes_sim.advance_clock, methods=["POST"]),
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
    if sim.config.peer_project:
        # The second project of the same account, to share backups with.
        sim.join_peer(SimState(sim.config.peer_config()))
    routes = _routes(sim.config)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SimMiddleware, sim=sim, routes=routes)],
        exception_handlers={404: _no_route, 405: _no_route},
    )
    app.state.sim = sim
    return app
