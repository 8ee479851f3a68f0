"""Error bodies in each envelope the real cloud uses, with the right content type.

- VBS:      {"error": {"code": "VolumeBackup.0040", "message": ...}}
- Cinder:   {"badRequest": {...}} / {"itemNotFound": {...}} / {"computeFault": {...}}
- Keystone: {"error": {"code": 401, "message": ..., "title": "Unauthorized"}}
- Gateway:  {"error_msg": ..., "error_code": "APIGW.0301", "request_id": ...}, and HTML
            pages for 502/504.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

REQUEST_ID_KEY = "vbstui.request_id"


class VbsError(Exception):
    """A VBS-coded refusal; routes turn it into the `{"error": {...}}` envelope."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def request_id(request: Request) -> str:
    return str(request.scope.get(REQUEST_ID_KEY, ""))


def vbs_error(code: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "code": code}}, status_code=status)


def vbs_error_from(exc: VbsError) -> JSONResponse:
    return vbs_error(exc.code, exc.message, exc.status)


Route = Callable[[Request, Any], Awaitable[Response]]
E = TypeVar("E", bound=Exception)


def refusals_answered(error: type[E], answer: Callable[[E], Response]
                      ) -> Callable[[Route], Route]:
    """A decorator for routes whose refusals (`error`) are answered by `answer`, in
    their service's envelope."""

    def decorate(handler: Route) -> Route:
        @functools.wraps(handler)
        async def route(request: Request, sim: Any) -> Response:
            try:
                return await handler(request, sim)
            except error as exc:
                return answer(exc)

        return route

    return decorate


# A VBS route: its `VbsError`s answered in the VBS envelope.
vbs_errors = refusals_answered(VbsError, vbs_error_from)


def bad_request(message: str) -> JSONResponse:
    return JSONResponse({"badRequest": {"code": 400, "message": message}}, status_code=400)


def item_not_found(message: str) -> JSONResponse:
    return JSONResponse({"itemNotFound": {"code": 404, "message": message}}, status_code=404)


def compute_fault() -> JSONResponse:
    message = ("The server has either erred or is incapable of performing the requested "
               "operation.")
    return JSONResponse({"computeFault": {"code": 500, "message": message}}, status_code=500)


_KEYSTONE_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}


def keystone_error(status: int, message: str) -> JSONResponse:
    body = {"error": {"code": status, "message": message, "title": _KEYSTONE_TITLES[status]}}
    return JSONResponse(body, status_code=status)


def gateway_error(status: int, code: str, message: str, rid: str,
                  headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error_msg": message, "error_code": code, "request_id": rid}
    return JSONResponse(body, status_code=status, headers=headers)


def service_unavailable() -> JSONResponse:
    return vbs_error("VolumeBackup.0900", "The service is unavailable.", 503)


_PHRASES = {502: "Bad Gateway", 504: "Gateway Time-out"}


def gateway_html(status: int) -> HTMLResponse:
    """What an nginx-style gateway in front of the service answers."""
    phrase = f"{status} {_PHRASES[status]}"
    page = (f"<html>\r\n<head><title>{phrase}</title></head>\r\n<body>\r\n"
            f"<center><h1>{phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")
    return HTMLResponse(page, status_code=status)
