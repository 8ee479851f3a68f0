"""Route handlers imported on the first request that needs them.

A read-only listing (`vbstui --demo volumes --json`) asks for disks, vaults and
policies, nothing more; the handlers that change vaults, list CBR backups and tasks,
change, run or tag policies, or share backups, with the request rules only they use,
are imported on the first request for one of them.  The simulator answers the same either way.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send


class LazyHandlers:
    """The handlers of one route module, imported when the first of them is called."""

    def __init__(self, load: Callable[[], ModuleType]) -> None:
        self._load = load
        self._module: ModuleType | None = None

    def module(self) -> ModuleType:
        if self._module is None:
            self._module = self._load()
        return self._module

    def __getitem__(self, name: str) -> LazyEndpoint:
        return LazyEndpoint(self, name)


class LazyEndpoint:
    """The handler `name` of a `LazyHandlers` module, as the ASGI app of a `Route`."""

    def __init__(self, handlers: LazyHandlers, name: str) -> None:
        self.handlers = handlers
        self.name = name
        self._app: ASGIApp | None = None

    def resolve(self) -> ASGIApp:
        """The handler as an app (imports its module the first time)."""
        if self._app is None:
            self._app = request_response(getattr(self.handlers.module(), self.name))
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.resolve()(scope, receive, send)


def _cbr_vaults() -> ModuleType:
    import vbstui.sim.routes_cbr_vaults as module  # noqa: PLC0415 - see LAZY_IMPORTS

    return module


def _cbr_backups() -> ModuleType:
    import vbstui.sim.routes_cbr_backups as module  # noqa: PLC0415 - see LAZY_IMPORTS

    return module


def _policy_actions() -> ModuleType:
    import vbstui.sim.routes_policy_actions as module  # noqa: PLC0415 - see LAZY_IMPORTS

    return module


def _shares() -> ModuleType:
    import vbstui.sim.routes_shares as module  # noqa: PLC0415 - see LAZY_IMPORTS

    return module


CBR_VAULTS = LazyHandlers(_cbr_vaults)
CBR_BACKUPS = LazyHandlers(_cbr_backups)
POLICY_ACTIONS = LazyHandlers(_policy_actions)
SHARES = LazyHandlers(_shares)
