"""Every error shape the cloud produces becomes a typed, explained error."""

from __future__ import annotations

import httpx
import pytest
from cloudfake import FakeCloud, session

from vbstui.cloud.errors import ApiError, NotFound, Reached, ResponseFormatError, TransportError


def answering(status: int, body: bytes | str, content_type: str = "application/json",
              headers: dict[str, str] | None = None):
    raw = body.encode() if isinstance(body, str) else body

    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=raw,
                              headers={"Content-Type": content_type, **(headers or {})})

    return api


async def call_get_job(api) -> Exception:
    async with session(FakeCloud(api)) as s:
        with pytest.raises(Exception) as info:
            await s.vbs.get_job("j1")
    return info.value


async def test_vbs_error_envelope_carries_code_and_explanation() -> None:
    exc = await call_get_job(answering(
        400, '{"error": {"code": "VolumeBackup.0040", "message": "too many backups"}}'))
    assert isinstance(exc, ApiError)
    assert exc.status == 400 and exc.code == "VolumeBackup.0040"
    assert exc.server_message == "too many backups"
    assert "20" in exc.describe() and "Delete" in exc.describe()
    assert exc.reached_server is Reached.YES and not exc.retryable


async def test_cinder_envelope_and_404_type() -> None:
    exc = await call_get_job(answering(
        404, '{"itemNotFound": {"code": 404, "message": "Backup x could not be found."}}'))
    assert isinstance(exc, NotFound)
    assert exc.code is None  # Cinder's numeric "code" is just the HTTP status
    assert exc.server_message == "Backup x could not be found."
    exc = await call_get_job(answering(
        400, '{"badRequest": {"code": 400, "message": "Invalid backup: must be available"}}'))
    assert exc.server_message.startswith("Invalid backup")


async def test_api_gateway_envelope() -> None:
    exc = await call_get_job(answering(
        403, '{"error_code": "APIGW.0302", "error_msg": "The IAM user is forbidden", '
        '"request_id": "abc"}'))
    assert isinstance(exc, ApiError)
    assert exc.code == "APIGW.0302" and "forbidden" in exc.server_message


async def test_html_gateway_page_is_summarised_not_dumped() -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    exc = await call_get_job(answering(502, html, "text/html"))
    assert isinstance(exc, ApiError) and exc.status == 502
    assert "HTML page (502 Bad Gateway)" in exc.message
    assert len(exc.message) < 200
    assert exc.reached_server is Reached.MAYBE  # may have been processed


async def test_empty_and_garbage_error_bodies() -> None:
    exc = await call_get_job(answering(500, b""))
    assert "empty response body" in exc.message
    exc = await call_get_job(answering(500, b"\xff\xfe\x00garbage\x1b[31m"))
    assert "unreadable error body" in exc.message
    assert "\x1b" not in exc.message  # control characters are escaped, never passed on


async def test_429_carries_retry_after_and_is_known_unprocessed() -> None:
    exc = await call_get_job(answering(429, '{"error": {"code": "APIGW.0308", "message": '
                                       '"throttled"}}', headers={"Retry-After": "7"}))
    assert exc.retry_after == 7.0
    assert exc.reached_server is Reached.NO and exc.retryable


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "empty body"),
        (b"<html>oops</html>", "HTML page"),
        (b'{"status": "RUNN', "malformed or truncated JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
    ],
)
async def test_broken_success_bodies_are_format_errors(body: bytes, expected: str) -> None:
    exc = await call_get_job(answering(200, body))
    assert isinstance(exc, ResponseFormatError)
    assert expected in str(exc)


async def test_dropped_connection_is_ambiguous_and_refused_connection_is_not() -> None:
    def dropped(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                        request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with session(FakeCloud(dropped)) as s:
        with pytest.raises(TransportError) as info:
            from vbstui.cloud.validation import BackupRequest

            await s.vbs.create_backup(BackupRequest(
                volume_id="11111111-2222-4333-8444-555555555555", name="nightly"))
    assert info.value.reached_server is Reached.MAYBE
    async with session(FakeCloud(refused)) as s:
        with pytest.raises(TransportError) as info:
            await s.vbs.get_quota()
    assert info.value.reached_server is Reached.NO


async def test_a_giant_answer_is_refused_not_buffered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vbstui.cloud.http.MAX_BODY_BYTES", 1024)
    exc = await call_get_job(answering(200, b'{"status": "' + b"A" * 5000 + b'"}'))
    assert isinstance(exc, ResponseFormatError)
    assert "refusing to read further" in str(exc)


def test_huge_strings_parse_and_display_bounded() -> None:
    from vbstui.cloud.models import Backup
    from vbstui.textsafe import visible

    backup = Backup.from_api({"id": "b", "name": "n" * 1_000_000,
                              "description": '{"DESC": "' + "d" * 500_000 + '", "INC": 1}'})
    assert len(backup.name) == 1_000_000 and len(backup.description) == 500_000
    assert len(visible(backup.name, limit=80)) == 80
