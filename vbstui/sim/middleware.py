"""Outer layer of every request: request id, counters, and injected faults.

Faults run here, around the real endpoints, so they look like what sits in front of
a real service: a throttling or failing gateway (not processed), a gateway that lost
the backend's answer (502/504: processed, answer replaced), or a dropped connection
(processed, no answer at all).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence

import anyio
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vbstui.sim.drop import drop_connection
from vbstui.sim.envelopes import (
    REQUEST_ID_KEY,
    compute_fault,
    gateway_error,
    gateway_html,
    service_unavailable,
)
from vbstui.sim.faults import GARBLED, PROCESSED_ERRORS
from vbstui.sim.state import SimState

CREATE_ROUTE = "POST /v2/{project_id}/cloudbackups"
CBR_PREFIX = "/cbr/"
AUTH_ROUTE = "POST /v3/auth/tokens"
THROTTLED = ("The throttling threshold has been reached: policy user over ratelimit, "
             "limit:100, time:1 minute")


class SimMiddleware:
    def __init__(self, app: ASGIApp, sim: SimState, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.sim = sim
        self.routes = routes

    def _route(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return f"{scope['method']} {getattr(route, 'path', '?')}"
        return f"{scope['method']} (no route)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(16)
        scope[REQUEST_ID_KEY] = rid
        send = _with_request_id(send, rid)
        path: str = scope["path"]
        if path.startswith("/_sim/"):
            await self.app(scope, receive, send)
            return
        route = self._route(scope)
        is_create, is_token = route == CREATE_ROUTE, route == AUTH_ROUTE
        self.sim.request_started(route, is_create=is_create, is_token=is_token)
        try:
            await self._faulty(scope, receive, send, rid, is_token)
        finally:
            self.sim.request_finished(is_create=is_create)

    async def _faulty(self, scope: Scope, receive: Receive, send: Send, rid: str,
                      is_token: bool) -> None:
        decision = self.sim.decide_fault(scope["method"], scope["path"], is_auth=is_token)
        if decision.latency > 0:
            # A slow server: the whole request has arrived, so it is processed at once and
            # only the answer is late.  A client that times out meanwhile has still
            # changed the world, which is exactly the case an at-most-once client must handle.
            receive = await _buffered(receive)
            send = _delayed(send, decision.latency)
        outcome = decision.outcome
        if outcome is None:
            await self.app(scope, receive, send)
            return
        if outcome in ("drop", *GARBLED) or outcome in PROCESSED_ERRORS:
            await self.app(scope, receive, _discard)
        is_cbr = scope["path"].startswith(CBR_PREFIX)
        if outcome in GARBLED:
            await _garbled(str(outcome), is_cbr=is_cbr, path=scope["path"])(scope, receive, send)
            return
        if outcome == "drop":
            if decision.latency > 0:
                await anyio.sleep(decision.latency)
            await drop_connection(scope, receive)
            return
        await _fault_response(int(outcome), rid, self.sim.faults.retry_after, is_cbr=is_cbr)(
            scope, receive, send)


DEPTH = 100_000


def _garbled(kind: str, *, is_cbr: bool, path: str = "") -> Response:
    """A 200 answer a client must not trust: too deep to parse, or an id with CR LF
    (a VBS job id, a policy id on policy paths, a share on sharing paths, or on CBR
    paths a checkpoint id)."""
    bad = "abc\r\nX-Injected: 1"
    if kind == "deep":
        body = "[" * DEPTH + "]" * DEPTH
    elif "/backuppolicy" in path:
        body = json.dumps({"backup_policy_id": bad, "backup_policies": [
            {"backup_policy_id": bad, "backup_policy_name": bad}]})
    elif "/os-vendor-backup-sharing" in path:
        body = json.dumps({"shared": [{"id": bad, "backup_id": bad}]})
    elif is_cbr:
        body = json.dumps({"checkpoint": {"id": bad, "status": "protecting",
                                          "vault": {"id": bad, "resources": [],
                                                    "skipped_resources": []}}})
    else:
        body = json.dumps({"job_id": bad})
    return Response(body, status_code=200, media_type="application/json")


def _fault_response(status: int, rid: str, retry_after: int, *, is_cbr: bool) -> Response:
    if status == 429:
        return gateway_error(429, "APIGW.0308", THROTTLED, rid,
                             headers={"Retry-After": str(retry_after)})
    if status in PROCESSED_ERRORS:
        return gateway_html(status)
    if is_cbr:
        # CBR answers its own failures in its flat envelope.
        code = "BackupService.9910" if status == 500 else "APIGW.0201"
        message = "Unknown error." if status == 500 else "Request failed: the backend " \
            "service is unavailable."
        return gateway_error(status, code, message, rid)
    if status == 503:
        return service_unavailable()
    return compute_fault()


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; hand it to the app later as if it just arrived."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks),
                               "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _delayed(send: Send, latency: float) -> Send:
    started = False

    async def sending(message: Message) -> None:
        nonlocal started
        if not started and message["type"] == "http.response.start":
            started = True
            await anyio.sleep(latency)
        await send(message)

    return sending


async def _discard(message: Message) -> None:
    """Swallow the real answer of a request whose response the fault replaces."""


def _with_request_id(send: Send, rid: str) -> Send:
    header = (b"x-request-id", rid.encode())

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), header]
        await send(message)

    return sending
