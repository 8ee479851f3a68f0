"""Typed failures of cloud calls.

Every failure a user can meet is one of these, with the HTTP status, the
service's error code and message where there were any, so the CLI and the TUI
can explain it instead of printing a traceback.  The `reached_server` flag is
what the at-most-once rule for creating backups is built on.
"""

from __future__ import annotations

import json
import time
from enum import Enum
from typing import Any

from vbstui.cloud.error_codes import ErrorInfo, explain
from vbstui.cloud.models import JsonTooDeep, load_json
from vbstui.cloud.validation import ValidationFailed

_BODY_EXCERPT = 300


class Reached(Enum):
    """Whether a failed request may have been processed by the server."""

    NO = "no"  # provably never processed: safe to send again
    MAYBE = "maybe"  # the server may have acted on it: look before sending again
    YES = "yes"  # the server answered (with an error)


class CloudError(Exception):
    """Base of every failure talking to the cloud."""

    reached_server: Reached = Reached.YES
    retryable: bool = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def describe(self) -> str:
        """One or two lines for a human: what happened and, if known, what to do."""
        return self.message if not self.hint else f"{self.message} — {self.hint}"


class ConnectionSettingsError(CloudError):
    """The connection settings cannot work (bad URL, insecure endpoint, missing CA file)."""

    reached_server = Reached.NO


class EndpointNotFound(CloudError):
    """The token catalog has no endpoint for a service this tool needs."""

    reached_server = Reached.NO


class TransportError(CloudError):
    """The request did not get an HTTP answer: connection refused, timed out, dropped."""

    def __init__(
        self, message: str, *, kind: str, reached: Reached, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind
        self.reached_server = reached
        # Certificate problems never heal by themselves; everything else may.
        self.retryable = kind != "tls"


class ApiError(CloudError):
    """The server answered with an error status."""

    def __init__(
        self,
        *,
        status: int,
        code: str | None,
        message: str,
        method: str,
        path: str,
        request_id: str | None = None,
        retry_after: float | None = None,
        body_excerpt: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.server_message = message
        self.method = method
        self.path = path
        self.request_id = request_id
        self.retry_after = retry_after
        self.body_excerpt = body_excerpt
        self.info: ErrorInfo | None = explain(code, message) if code else None
        self.retryable = status in (429, 500, 502, 503, 504)
        # 429 and 503 come from the gateway before the service acts; 500/502/504
        # can happen after the service already did the work.
        if status in (500, 502, 504):
            self.reached_server = Reached.MAYBE
        elif status in (429, 503):
            self.reached_server = Reached.NO
        else:
            self.reached_server = Reached.YES
        summary = f"HTTP {status}"
        if code:
            summary += f" {code}"
        super().__init__(f"{summary}: {message}" if message else summary)

    def describe(self) -> str:
        if self.info is not None and self.info.action:
            return f"{self.message} — {self.info.meaning} {self.info.action}"
        if self.info is not None:
            return f"{self.message} — {self.info.meaning}"
        return self.message


class AuthenticationError(ApiError):
    """IAM refused the credentials (wrong password, user, domain or project)."""


class NotFound(ApiError):
    """The resource does not exist (404)."""


class ResponseFormatError(CloudError):
    """The server answered 2xx, but not with the JSON this call expects.

    MAYBE, not YES: a 2xx means the service accepted the request, so after a create
    or restore the thing may exist although the answer is unusable (no job id, a job
    id with control characters, garbage).  Look before sending again, never resend."""

    reached_server = Reached.MAYBE

    def __init__(self, message: str, *, body_excerpt: str = "") -> None:
        super().__init__(message)
        self.body_excerpt = body_excerpt


class InvalidIdentifier(ValidationFailed, CloudError):
    """An id that cannot go into a URL path (empty, control characters, too long).

    Refused before any request.  A `ValidationFailed` (nothing was sent: the CLI says
    so and exits 2) and a `CloudError` (code catching cloud failures sees it too)."""

    reached_server = Reached.NO
    __hash__ = Exception.__hash__  # the dataclass base's eq would make it unhashable

    def __init__(self, what: str, problem: str) -> None:
        ValidationFailed.__init__(self, {what: [problem]})
        CloudError.__init__(self, f"{what} {problem}: refused before sending anything")

    def __str__(self) -> str:
        return self.message


def excerpt(raw: bytes) -> str:
    """A short, printable view of a response body for messages and logs."""
    text = raw[:_BODY_EXCERPT].decode("utf-8", errors="replace")
    text = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)
    return text + ("…" if len(raw) > _BODY_EXCERPT else "")


def _looks_like_html(raw: bytes, content_type: str) -> bool:
    head = raw[:200].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype", b"<html"))


def _html_title(raw: bytes) -> str | None:
    text = raw[:4000].decode("utf-8", errors="replace")
    lower = text.lower()
    start = lower.find("<title>")
    end = lower.find("</title>")
    if start == -1 or end <= start:
        return None
    title = " ".join(text[start + 7 : end].split())
    return title[:120] or None


def _code_and_message(data: Any) -> tuple[str | None, str | None]:
    """The error code and message from any of the envelopes OTC services use."""
    if not isinstance(data, dict):
        return None, None
    # API gateway: {"error_code": "APIGW.0301", "error_msg": "..."}
    if "error_code" in data or "error_msg" in data:
        return _text(data.get("error_code")), _text(data.get("error_msg"))
    # VBS / Keystone: {"error": {"code": ..., "message": ...}}; Cinder: {"badRequest": {...}}
    inner = data.get("error")
    if not isinstance(inner, dict):
        inner = next((v for v in data.values() if isinstance(v, dict) and "message" in v), None)
    if isinstance(inner, dict):
        return _text(inner.get("code")), _text(inner.get("message") or inner.get("title"))
    # Bare {"code": ..., "message": ...}
    if "code" in data or "message" in data:
        return _text(data.get("code")), _text(data.get("message"))
    return None, None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float, bool)):
        return str(value)
    return json.dumps(value)[:200]


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    # An HTTP date is rare here: the email package loads only for one (the TUI's first
    # frame, before the HTTP stack, does without it).
    from email.utils import parsedate_to_datetime  # noqa: PLC0415

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def api_error_from_response(
    *,
    status: int,
    headers: Any,
    body: bytes,
    method: str,
    path: str,
) -> ApiError:
    """Build the right `ApiError` from whatever an error response carried."""
    content_type = (headers.get("content-type") or "").lower()
    code: str | None = None
    message: str | None = None
    if body.strip():
        if _looks_like_html(body, content_type):
            title = _html_title(body)
            message = f"the gateway answered with an HTML page ({title})" if title else (
                "the gateway answered with an HTML page instead of JSON"
            )
        else:
            try:
                data = load_json(body)
            except JsonTooDeep:
                message = "unreadable error body (JSON nested too deeply)"
            except (ValueError, UnicodeDecodeError):
                message = f"unreadable error body: {excerpt(body)}"
            else:
                code, message = _code_and_message(data)
                if code is None and message is None:
                    message = f"unexpected error body: {excerpt(body)}"
    else:
        message = "empty response body"
    if code is not None and code.isdigit():
        code = None  # Cinder repeats the HTTP status as "code": it is not a service error code
    cls: type[ApiError] = ApiError
    if status == 404:
        cls = NotFound
    return cls(
        status=status,
        code=code,
        message=message or "",
        method=method,
        path=path,
        request_id=headers.get("x-request-id") or headers.get("x-openstack-request-id"),
        retry_after=_retry_after_seconds(headers.get("retry-after")),
        body_excerpt=excerpt(body),
    )
