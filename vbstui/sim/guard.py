"""Token and project checks in front of every cloud endpoint, answered the way the
OTC API gateway answers them (APIGW.0301 / APIGW.0302)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from vbstui.sim.envelopes import gateway_error, request_id
from vbstui.sim.state import SimState
from vbstui.sim.tokens import TokenCheck

Handler = Callable[[Request, SimState], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def sim_of(request: Request) -> SimState:
    sim: SimState = request.app.state.sim
    return sim


def authorized(handler: Handler) -> Endpoint:
    """Wrap a handler so it only runs with a valid token scoped to the path's project."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        sim = sim_of(request)
        check, token = sim.check_token(request.headers.get("x-auth-token"))
        if check is not TokenCheck.OK:
            return gateway_error(
                401, "APIGW.0301", f"Incorrect IAM authentication information: {check.value}",
                request_id(request),
            )
        assert token is not None
        if token.project_id != request.path_params.get("project_id"):
            return gateway_error(
                403, "APIGW.0302", "The IAM user is not authorized to access the API: the "
                "token is scoped to another project.", request_id(request),
            )
        # A token of the second project addresses that project's own world.
        project = sim.peers.get(token.project_id) if token.project_id else None
        return await handler(request, project if isinstance(project, SimState) else sim)

    return endpoint
