"""A misbehaving HTTP/1.1 server for the trust tests: loopback only, scripted per path.

Raw sockets rather than a web framework, so a test can trickle a body byte by byte,
answer with ids no real service would send, or nest JSON 100,000 deep.  It speaks
just enough Keystone for vbstui to log in (a token in `X-Subject-Token`, a catalog
pointing back at this server) and records every request exactly as it arrived.

Each connection gets one answer and is closed.  Everything stops by itself: the
accept loop and every connection thread watch one stop event, and sockets time out.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

PROJECT = "0123456789abcdef0123456789abcdef"
TOKEN = "hostile-token-7f3a"  # a fake: what a leak test looks for in requests
VOLUME = "3f2b7c1e-0000-4000-8000-00000000abcd"
SOCKET_TIMEOUT = 5.0  # no connection thread waits longer than this for the client
HEAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Seen:
    """One request as it arrived."""

    method: str
    target: str  # the request target exactly as sent: raw path, '?' and query
    headers: dict[str, str]  # names lower-cased
    head: bytes  # the raw request line and headers, to look for injected lines
    body: bytes

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds before each byte of the body; 0 sends it at once


Handler = Callable[[Seen], Reply]


def json_reply(data: Any, status: int = 200, **kwargs: Any) -> Reply:
    return Reply(status=status, body=json.dumps(data).encode(), **kwargs)


def deep_json(depth: int, wrap: str | None = None) -> bytes:
    """`depth` nested arrays, optionally as the value of key `wrap` in an object."""
    nested = "[" * depth + "]" * depth
    return (f'{{"{wrap}": {nested}}}' if wrap else nested).encode()


_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request",
            404: "Not Found", 500: "Internal Server Error"}


class Hostile:
    """`with Hostile() as server:` ... `server.route("GET", r"/v2/.*/x", handler)`."""

    def __init__(self, *, catalog_host: str = "127.0.0.1") -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # so the accept loop sees the stop event
        self.port = int(self._listener.getsockname()[1])
        self.base = f"http://{catalog_host}:{self.port}"
        self.requests: list[Seen] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept_loop, daemon=True)
        self.route("POST", r"/v3/auth/tokens", self._token)
        self.route("GET", rf"/v2/{PROJECT}/backups/detail",
                   lambda _: json_reply({"backups": [], "count": 0}))
        self.route("GET", rf"/v2/{PROJECT}/cloudvolumes/detail",
                   lambda _: json_reply({"volumes": [self.volume()], "count": 1}))
        self.route("GET", rf"/v2/{PROJECT}/cloudvolumes/{VOLUME}",
                   lambda _: json_reply({"volume": self.volume()}))

    # -- scripting ----------------------------------------------------------------------

    def route(self, method: str, path: str, handler: Handler | Reply) -> None:
        """Answer `method` on a raw path matching the regex `path` (later routes win)."""
        answer: Handler = handler if callable(handler) else (lambda _seen: handler)
        with self._lock:
            self._routes.insert(0, (method, re.compile(path), answer))

    @property
    def auth_url(self) -> str:
        return f"{self.base}/v3"

    def volume(self) -> dict[str, Any]:
        return {"id": VOLUME, "name": "data-1", "status": "available", "size": 10,
                "attachments": [], "availability_zone": "eu-de-01"}

    def seen(self, method: str | None = None) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if method is None or r.method == method]

    def _token(self, _seen: Seen) -> Reply:
        now = datetime.now(timezone.utc)
        endpoint = f"{self.base}/v2/{PROJECT}"
        body = {"token": {
            "expires_at": (now + timedelta(hours=24)).isoformat().replace("+00:00", "Z"),
            "issued_at": now.isoformat().replace("+00:00", "Z"),
            "project": {"id": PROJECT, "name": "eu-de_demo"},
            "user": {"name": "demo"},
            "catalog": [
                {"type": "evs", "endpoints": [{"url": endpoint, "region": "eu-de",
                                               "interface": "public"}]},
                {"type": "vbsv2", "endpoints": [{"url": endpoint, "region": "eu-de",
                                                 "interface": "public"}]},
            ],
        }}
        return json_reply(body, 201, headers={"X-Subject-Token": TOKEN})

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Hostile:
        self._accepting.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._accepting.is_alive():
            self._accepting.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(SOCKET_TIMEOUT + 1)

    # -- serving ------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(SOCKET_TIMEOUT)
            try:
                seen = self._read_request(conn)
                if seen is None:
                    return
                with self._lock:
                    self.requests.append(seen)
                    routes = list(self._routes)
                handler = next((h for m, p, h in routes
                                if m == seen.method and p.fullmatch(seen.path)), None)
                reply = handler(seen) if handler else json_reply(
                    {"itemNotFound": {"code": 404, "message": f"no route {seen.path}"}}, 404)
                self._write(conn, reply)
            except OSError:
                return  # the client gave up (as it should with a trickling server)

    def _read_request(self, conn: socket.socket) -> Seen | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk or len(data) > HEAD_LIMIT:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(body) < length:
            chunk = conn.recv(min(65536, length - len(body)))
            if not chunk:
                break
            body += chunk
        return Seen(method=method, target=target, headers=headers, head=head, body=body)

    def _write(self, conn: socket.socket, reply: Reply) -> None:
        headers = {"Content-Type": "application/json", **reply.headers,
                   "Content-Length": str(len(reply.body)), "Connection": "close"}
        head = f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Whatever')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        if not reply.trickle:
            conn.sendall(head.encode("latin-1") + reply.body)
            return
        conn.sendall(head.encode("latin-1"))
        for index in range(len(reply.body)):
            if self._stop.wait(reply.trickle):
                return
            conn.sendall(reply.body[index:index + 1])
