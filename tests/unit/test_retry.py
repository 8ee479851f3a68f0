"""Idempotent calls retry transient failures within bounds; others fail at once."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from cloudfake import FakeCloud, session

from vbstui.cloud.errors import ApiError, TransportError
from vbstui.cloud.retry import RetryPolicy


def flaky(failures: list[httpx.Response | Exception]):
    calls = {"n": 0}

    def api(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if failures:
            failure = failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return httpx.Response(200, json={"quotas": {"resources": []}})

    return api, calls


async def test_transient_failures_are_retried_until_success() -> None:
    req = httpx.Request("GET", "https://x")
    api, calls = flaky([
        httpx.Response(503, text="busy"),
        httpx.Response(502, text="<html><title>502</title></html>",
                       headers={"content-type": "text/html"}),
        httpx.ReadTimeout("slow", request=req),
    ])
    retries: list[tuple[str, int]] = []
    async with session(FakeCloud(api), policy=RetryPolicy(attempts=5, base_delay=0.001,
                                                         max_delay=0.01)) as s:
        s.retry_policy = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.01)
        s.on_retry = lambda exc, attempt, delay: retries.append((type(exc).__name__, attempt))
        await s.vbs.get_quota()
    assert calls["n"] == 4
    assert [a for _, a in retries] == [1, 2, 3]


async def test_attempts_are_bounded() -> None:
    api, calls = flaky([httpx.Response(500, text="")] * 10)
    async with session(FakeCloud(api), policy=RetryPolicy(attempts=3, base_delay=0.001,
                                                         max_delay=0.01)) as s:
        with pytest.raises(ApiError):
            await s.vbs.get_quota()
    assert calls["n"] == 3


async def test_client_errors_and_certificate_failures_are_not_retried() -> None:
    api, calls = flaky([httpx.Response(400, json={"error": {"code": "VolumeBackup.0002",
                                                            "message": "bad"}})])
    async with session(FakeCloud(api)) as s:
        with pytest.raises(ApiError):
            await s.vbs.get_quota()
    assert calls["n"] == 1

    import ssl

    def tls(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]", request=request) from exc

    fake = FakeCloud(tls)
    async with session(fake) as s:
        await s.authenticate()
        before = len(fake.requests)
        with pytest.raises(TransportError) as info:
            await s.vbs.get_quota()
    assert info.value.kind == "tls" and not info.value.retryable
    assert len(fake.requests) - before == 1
    assert "cacert" in info.value.describe()


async def test_retry_after_is_honoured_and_capped() -> None:
    api, _ = flaky([httpx.Response(429, headers={"Retry-After": "0.3"}, text="")])
    delays: list[float] = []
    policy = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01, retry_after_cap=0.2)
    async with session(FakeCloud(api), policy=policy) as s:
        s.on_retry = lambda exc, attempt, delay: delays.append(delay)
        started = time.monotonic()
        await s.vbs.get_quota()
    assert delays == [pytest.approx(0.2)]  # 0.3 asked, capped at 0.2
    assert time.monotonic() - started >= 0.19


async def test_deadline_stops_before_a_wait_would_pass_it() -> None:
    api, calls = flaky([httpx.Response(429, headers={"Retry-After": "30"}, text="")] * 5)
    policy = RetryPolicy(attempts=5, retry_after_cap=30, deadline=2)
    async with session(FakeCloud(api), policy=policy) as s:
        started = time.monotonic()
        with pytest.raises(ApiError):
            await s.vbs.get_quota()
    assert time.monotonic() - started < 1.5
    assert calls["n"] == 1


async def test_cancellation_interrupts_a_retry_wait_at_once() -> None:
    api, _ = flaky([httpx.Response(503, headers={"Retry-After": "30"}, text="")] * 5)
    policy = RetryPolicy(attempts=5, retry_after_cap=30, deadline=100)
    async with session(FakeCloud(api), policy=policy) as s:
        task = asyncio.create_task(s.vbs.get_quota())
        await asyncio.sleep(0.2)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 0.5
