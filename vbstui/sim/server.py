"""Serving the simulator over a real socket with uvicorn."""

from __future__ import annotations

import ipaddress
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from vbstui.sim.app import create_app
from vbstui.sim.config import SimConfig
from vbstui.sim.drop import attach_closer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8776


class DroppingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a way for the app to hang up without answering.

    uvicorn creates each request's scope and schedules the app inside `handle_events`;
    the app only starts running after this method returns, so the closer attached
    here is always in place before the app looks for it.
    """

    def handle_events(self) -> None:
        before = self.scope
        super().handle_events()
        scope: Any = self.scope
        if scope is not None and scope is not before:
            attach_closer(scope, self.transport.close)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def base_url_for(host: str, port: int) -> str:
    """URL a local client can use; a wildcard bind is reached through loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto says TCP, and without it every keep-alive response waits ~40 ms
    # for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _ReadyServer(uvicorn.Server):
    """A uvicorn server that reports its real base URL once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self._on_ready()


class SimServer:
    """A bound, not yet running simulator server; `run()` blocks until `stop()`.

    Binding happens in the constructor, so `base_url` (with the real port when port 0
    was asked for) is known before `run()`. Use it directly to run in a thread.
    """

    def __init__(self, config: SimConfig | None = None, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, *, allow_non_loopback: bool = False,
                 ready: Callable[[str], None] | None = None,
                 app: Starlette | None = None) -> None:
        if not allow_non_loopback and not is_loopback(host):
            raise ValueError(
                f"refusing to serve the simulator on non-loopback address {host!r}: it "
                "accepts a well-known demo password; pass allow_non_loopback=True (or "
                "--host explicitly on the command line) if you really mean it"
            )
        self.app = app if app is not None else create_app(config)
        self._socket = _bind(host, port)
        self.base_url = base_url_for(host.strip("[]"), self._socket.getsockname()[1])
        self.ready = threading.Event()
        self._ready_callback = ready
        uv_config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, http=DroppingH11Protocol,
            lifespan="off", timeout_graceful_shutdown=2, timeout_keep_alive=5,
        )
        self._server = _ReadyServer(uv_config, self._announce)

    def _announce(self) -> None:
        self.ready.set()
        if self._ready_callback is not None:
            self._ready_callback(self.base_url)

    def run(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()

    def stop(self) -> None:
        self._server.should_exit = True


@contextmanager
def _quiet_signals() -> Iterator[None]:
    """Let uvicorn's re-raised SIGINT/SIGTERM end `serve` normally instead of killing us.

    uvicorn handles the signal (graceful shutdown), restores the previous handler and
    raises the signal again; with this no-op handler in place that ends in a clean
    return instead of KeyboardInterrupt or death by SIGTERM.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ignore(signum: int, frame: FrameType | None) -> None:
        return None

    previous = {sig: signal.signal(sig, ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(config: SimConfig | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          *, allow_non_loopback: bool = False,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve the simulator until SIGINT/SIGTERM; `ready(base_url)` once listening.

    Port 0 picks a free port. Hosts that are not loopback are refused (ValueError)
    unless `allow_non_loopback` is set.
    """
    server = SimServer(config, host, port, allow_non_loopback=allow_non_loopback,
                       ready=ready)
    with _quiet_signals():
        server.run()
