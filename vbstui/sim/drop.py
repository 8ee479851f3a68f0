"""Closing a connection without answering, after the request was fully processed.

Served by `vbstui.sim.server`, each request's scope carries a `close` callable for its
transport under the DROP_EXTENSION key; the client then sees the server hang up with
no response (httpx: RemoteProtocolError "Server disconnected without sending a
response."). In-process there is no socket, so the same httpx exception is raised
through `httpx.ASGITransport`, which hands it to the client unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import httpx
from starlette.types import Receive, Scope

DROP_EXTENSION = "vbstui.sim.drop"
DROP_MESSAGE = "Server disconnected without sending a response."


def attach_closer(scope: dict[str, Any], close: Callable[[], None]) -> None:
    """Called by the server for each request so the app can hang up on it."""
    scope.setdefault("extensions", {})[DROP_EXTENSION] = {"close": close}


async def drop_connection(scope: Scope, receive: Receive) -> None:
    closer = (scope.get("extensions") or {}).get(DROP_EXTENSION)
    if closer is None:
        raise httpx.RemoteProtocolError(DROP_MESSAGE)
    closer["close"]()
    # Wait until the server has noticed the closed transport, so it does not try to
    # send its own "500: app returned without a response" on the dead connection.
    with anyio.move_on_after(2.0):
        while (await receive())["type"] != "http.disconnect":
            pass
