"""The cloud layer's distrust of URLs and answers, unit by unit (the CLI-level tests are
tests/faults/test_trust_cloud.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from cloudfake import PASSWORD, PROJECT, FakeCloud, session, settings

from vbstui.cloud import http
from vbstui.cloud.client import CloudSession
from vbstui.cloud.endpoints import check_url, is_loopback, path_segment, resolve_loopback
from vbstui.cloud.errors import (
    ApiError,
    ConnectionSettingsError,
    InvalidIdentifier,
    NotFound,
    Reached,
    ResponseFormatError,
    TransportError,
)
from vbstui.cloud.models import MAX_JSON_DEPTH, JsonTooDeep, load_json
from vbstui.cloud.request_timeout import RequestTimeout
from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import Timeouts
from vbstui.cloud.validation import BackupRequest, ValidationFailed
from vbstui.errors import ExitCode, exit_code_for

VOLUME = "3f2b7c1e-0000-4000-8000-00000000abcd"


# -- loopback by address -------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost",
                                  "LOCALHOST"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["127.0.0.1.attacker.localhost", "demo.localhost",
                                  "localhost.example.com", "0.0.0.0", "10.0.0.1", "127.1",
                                  "localhost."])
def test_lookalikes_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(ConnectionSettingsError, match="plain http"):
        check_url(f"http://{host}:8080/v3", allow_http=False, what="the IAM URL")


async def test_localhost_must_resolve_to_loopback_only() -> None:
    async def two_faced(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "192.0.2.7"]

    async def ipv6_first(host: str, port: int) -> list[str]:
        return ["::1", "127.0.0.1"]

    with pytest.raises(ConnectionSettingsError, match=r"192\.0\.2\.7"):
        await resolve_loopback("localhost", 80, two_faced)
    assert await resolve_loopback("localhost", 80, ipv6_first) == "127.0.0.1"


async def test_session_refuses_localhost_resolving_elsewhere_before_sending() -> None:
    """Over the network the name is resolved first; a non-loopback answer ends it there
    (192.0.2.7 is TEST-NET-1: if anything connected there, the test would hang, not pass)."""
    asked: list[tuple[str, int]] = []

    async def hijacked(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["192.0.2.7"]

    async def password() -> Secret:
        return Secret(PASSWORD)

    s = CloudSession(settings(auth_url="http://localhost:5000/v3"), password,
                     resolver=hijacked)
    async with s:
        with pytest.raises(ConnectionSettingsError, match="not to a loopback address"):
            await s.authenticate()
    assert asked == [("localhost", 5000)]


async def test_in_process_asgi_app_needs_no_loopback_name() -> None:
    """The demo's `http://demo.localhost` reaches an app in this process: allowed."""
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def password() -> Secret:
        return Secret(PASSWORD)

    s = CloudSession(settings(auth_url="http://demo.localhost/v3"), password,
                     transport=httpx.ASGITransport(app=app))
    async with s:
        with pytest.raises(ApiError) as info:
            await s.authenticate()
    assert info.value.status == 400  # it reached the app: no plain-http refusal
    assert seen == ["/v3/auth/tokens"]


# -- ids in URL paths ----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "encoded"), [
    ("../../../../v3/auth/tokens", "..%2F..%2F..%2F..%2Fv3%2Fauth%2Ftokens"),
    ("abc?x=1#frag", "abc%3Fx%3D1%23frag"),
    ("a b", "a%20b"),
    ("%2e%2e", "%252e%252e"),
    (VOLUME, VOLUME),
])
def test_ids_become_one_encoded_segment(raw: str, encoded: str) -> None:
    assert path_segment(raw, what="job id") == encoded


@pytest.mark.parametrize("raw", ["", "  ", ".", "..", "a\r\nb", "a\x00", "\u2028", "x" * 129,
                                 "a\u200bb"])
def test_impossible_ids_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        path_segment(raw, what="job id")
    exc = info.value
    # Both a "nothing was sent" refusal for the CLI and a cloud failure for the tracker.
    assert isinstance(exc, ValidationFailed) and exc.reached_server is Reached.NO
    assert exit_code_for(exc) is ExitCode.USAGE
    assert "job id" in exc.describe() and "\r" not in exc.describe()


async def test_ids_are_encoded_in_every_call() -> None:
    fake = FakeCloud(lambda request: httpx.Response(404, json={}))
    async with session(fake) as s:
        await s.vbs.get_backup("../x?y")
        await s.evs.get_volume("../x?y")
        with pytest.raises(NotFound):
            await s.vbs.get_job("../x?y")
        with pytest.raises(NotFound):
            await s.vbs.delete_backup("../x?y")
        with pytest.raises(NotFound):
            await s.vbs.restore_backup("../x?y", VOLUME)
        with pytest.raises(InvalidIdentifier):
            await s.vbs.restore_backup("", VOLUME)
    paths = [r.url.raw_path.decode() for r in fake.requests if "auth" not in r.url.path]
    assert len(paths) == 5
    assert all("..%2Fx%3Fy" in p and "?" not in p for p in paths), paths


# -- job ids in create / restore answers ---------------------------------------------------


def create_answer(job_id: Any) -> FakeCloud:
    return FakeCloud(lambda request: httpx.Response(200, json={"job_id": job_id}))


@pytest.mark.parametrize("job_id", ["abc\r\nX-Injected: 1", "../../v3/auth/tokens",
                                    "abc?x=1", "x" * 129, "a b", "-abc", ["j1"], {"id": 1}])
async def test_create_answer_with_an_impossible_job_id_is_unusable(job_id: Any) -> None:
    async with session(create_answer(job_id)) as s:
        with pytest.raises(ResponseFormatError) as info:
            await s.vbs.create_backup(BackupRequest(volume_id=VOLUME, name="nightly"))
    # The create reached the service: look for the backup, never resend blindly.
    assert info.value.reached_server is Reached.MAYBE
    assert not info.value.retryable
    assert "\r" not in info.value.describe() and "\n" not in info.value.describe()


@pytest.mark.parametrize("job_id", ["4010b39b5281d3590152874bfa3b1604",
                                    "9c1e2f4a-6b7d-4e8f-9a0b-1c2d3e4f5a6b", "j1", 42])
async def test_plain_job_ids_are_accepted(job_id: Any) -> None:
    async with session(create_answer(job_id)) as s:
        assert await s.vbs.create_backup(BackupRequest(volume_id=VOLUME, name="n1")) == str(
            job_id)


async def test_project_id_from_iam_must_be_a_plain_id() -> None:
    fake = FakeCloud(lambda request: httpx.Response(200, json={"status": "RUNNING"}))
    async with session(fake) as s:
        await s.authenticate()
        token = s.tokens.current
        assert token is not None and token.project_id == PROJECT
        object.__setattr__(token, "project_id", "../../v3")
        with pytest.raises(ResponseFormatError, match="project id"):
            await s.vbs.get_job("j1")


# -- deep JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_deep_json_is_refused_without_recursion_error(depth: int) -> None:
    with pytest.raises(JsonTooDeep):
        load_json("[" * depth + "]" * depth)
    response = httpx.Response(200, content=b'{"a": ' + b"[" * depth + b"]" * depth + b"}")
    with pytest.raises(ResponseFormatError, match="nested"):
        http.json_object(response)


def test_json_at_the_depth_limit_is_fine() -> None:
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(text) is not None
    assert load_json('"just a string"') == "just a string"


async def test_deep_error_body_is_an_api_error_not_a_crash() -> None:
    deep = b'{"error": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    fake = FakeCloud(lambda request: httpx.Response(400, content=deep))
    async with session(fake) as s:
        with pytest.raises(ApiError) as info:
            await s.vbs.get_quota()
    assert "nested too deeply" in str(info.value)


# -- the whole-request deadline -------------------------------------------------------------


def test_deadlines_default_and_derive() -> None:
    timeouts = Timeouts()
    assert timeouts.for_reads().deadline == 60.0
    assert timeouts.for_mutations().deadline == timeouts.mutate_read
    assert Timeouts(read=1).for_reads().deadline == 2.0
    assert Timeouts(deadline=5, mutate_deadline=7).for_mutations().deadline == 7
    assert http.deadline_of(httpx.Timeout(3.0)) == 6.0


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_stalled_answer_ends_at_the_deadline(method: str) -> None:
    stalled = asyncio.Event()

    async def never(request: httpx.Request) -> httpx.Response:
        stalled.set()
        await asyncio.Event().wait()  # a server that never finishes its answer
        raise AssertionError("unreachable")

    timeout = RequestTimeout(connect=5, read=5, write=5, pool=5, deadline=0.2)
    async with httpx.AsyncClient(transport=httpx.MockTransport(never)) as client:
        with pytest.raises(TransportError) as info:
            await http.send(client, method, "https://vbs.example.test/v2/x", timeout=timeout)
    assert stalled.is_set()
    exc = info.value
    assert exc.kind == "deadline" and exc.retryable and exc.reached_server is Reached.MAYBE
    assert "no complete answer within 0.2 s" in exc.message
