"""Token acquisition, expiry margin and single-flight re-authentication."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from cloudfake import PASSWORD, PROJECT, FakeCloud, session

from vbstui.cloud.errors import AuthenticationError, ConnectionSettingsError, EndpointNotFound
from vbstui.cloud.secret import Secret
from vbstui.cloud.token import Token


def ok_job(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"job_id": "j1", "status": "RUNNING"})


async def test_password_auth_body_scopes_project_and_domain() -> None:
    fake = FakeCloud(ok_job)
    async with session(fake) as s:
        await s.vbs.get_job("j1")
    body = fake.auth_bodies[0]["auth"]
    assert body["identity"]["methods"] == ["password"]
    user = body["identity"]["password"]["user"]
    assert user == {"name": "alice", "password": PASSWORD, "domain": {"name": "OTC-EU-DE-000"}}
    assert body["scope"] == {"project": {"name": "eu-de_test"}}


async def test_ids_are_used_when_given() -> None:
    fake = FakeCloud(ok_job)
    async with session(fake, project_name=None, project_id=PROJECT, user_domain_name=None,
                       user_domain_id="dom-1") as s:
        await s.vbs.get_job("j1")
    body = fake.auth_bodies[0]["auth"]
    assert body["scope"] == {"project": {"id": PROJECT}}
    assert body["identity"]["password"]["user"]["domain"] == {"id": "dom-1"}


async def test_token_is_sent_and_reused() -> None:
    fake = FakeCloud(ok_job)
    async with session(fake) as s:
        for _ in range(5):
            await s.vbs.get_job("j1")
    assert fake.token_requests == 1
    api_calls = [r for r in fake.requests if "jobs" in r.url.path]
    assert {r.headers["X-Auth-Token"] for r in api_calls} == {"token-1"}
    # Jobs are polled at v1 while the catalog endpoint says v2.
    assert api_calls[0].url.path == f"/v1/{PROJECT}/jobs/j1"


async def test_token_near_expiry_is_refreshed_before_use() -> None:
    now = datetime.now(timezone.utc)
    short = Token(value=Secret("old"), expires_at=now + timedelta(seconds=100),
                  issued_at=now - timedelta(hours=23, minutes=58), project_id=PROJECT,
                  project_name="p", user_name="u")
    # 100 s left of a 24 h token is inside the 5-minute margin.
    assert not short.usable(now)
    fresh = Token(value=Secret("new"), expires_at=now + timedelta(minutes=10),
                  issued_at=now - timedelta(hours=23, minutes=50), project_id=PROJECT,
                  project_name="p", user_name="u")
    assert fresh.usable(now)
    # A short-lived token (60 s) gets a margin of a tenth of its life, not 5 minutes.
    brief = Token(value=Secret("b"), expires_at=now + timedelta(seconds=50),
                  issued_at=now - timedelta(seconds=10), project_id=PROJECT,
                  project_name="p", user_name="u")
    assert brief.margin() == timedelta(seconds=6)
    assert brief.usable(now)


async def test_expired_token_triggers_new_token_request() -> None:
    fake = FakeCloud(ok_job, lifetime=timedelta(seconds=60))
    clock = [datetime.now(timezone.utc).timestamp()]
    fake.now = lambda: datetime.fromtimestamp(clock[0], tz=timezone.utc)
    async with session(fake) as s:
        s.tokens._clock = lambda: clock[0]
        await s.vbs.get_job("j1")
        clock[0] += 30
        await s.vbs.get_job("j1")
        assert fake.token_requests == 1
        clock[0] += 25  # 55 s into a 60 s token: inside the 6 s margin
        await s.vbs.get_job("j1")
    assert fake.token_requests == 2


async def test_concurrent_401s_cause_exactly_one_reauthentication() -> None:
    revoked = {"token-1"}
    gate = asyncio.Event()
    fake: FakeCloud

    async def api(request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-Auth-Token") in revoked:
            return httpx.Response(401, json={"error_code": "APIGW.0301", "error_msg": "expired"})
        return httpx.Response(200, json={"job_id": "j", "status": "SUCCESS"})

    class AsyncFake(FakeCloud):
        async def handle(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/auth/tokens"):
                await gate.wait()  # hold token requests so all 401s pile up first
            return self(request) if request.url.path.endswith("/auth/tokens") else await api(
                request)

    fake = AsyncFake(lambda r: httpx.Response(500))
    fake.token_requests = 0
    s = session(fake)
    s.http._transport = httpx.MockTransport(fake.handle)
    # Take a first token (token-1), which the server then revokes.
    gate.set()
    await s.authenticate()
    gate.clear()
    tasks = [asyncio.create_task(s.vbs.get_job(f"j{i}")) for i in range(20)]
    await asyncio.sleep(0.05)
    gate.set()
    jobs = await asyncio.gather(*tasks)
    await s.aclose()
    assert all(j.status == "SUCCESS" for j in jobs)
    assert fake.token_requests == 2  # the first token, and exactly one re-authentication


async def test_401_after_reauthentication_is_reported_not_looped() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": "APIGW.0301", "message": "no"}})

    fake = FakeCloud(api)
    async with session(fake) as s:
        with pytest.raises(Exception) as info:
            await s.vbs.get_job("j1")
    assert fake.token_requests == 2
    assert "401" in str(info.value)


async def test_wrong_password_is_an_authentication_error() -> None:
    def iam_refuses(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": 401, "title": "Unauthorized",
                                                   "message": "The request you have made "
                                                   "requires authentication."}})

    async def password() -> Secret:
        return Secret("wrong")

    from cloudfake import settings

    from vbstui.cloud.client import CloudSession

    s = CloudSession(settings(), password, transport=httpx.MockTransport(iam_refuses))
    with pytest.raises(AuthenticationError) as info:
        await s.authenticate()
    await s.aclose()
    assert "IAM refused the credentials" in str(info.value)
    assert "wrong" not in str(info.value)


async def test_missing_vbs_in_catalog_says_vbs_is_not_available() -> None:
    fake = FakeCloud(ok_job, catalog=[{"type": "evs", "endpoints": [
        {"url": "https://evs.example.test/v2/x", "interface": "public", "region": "eu-de"}]}])
    async with session(fake) as s:
        with pytest.raises(EndpointNotFound) as info:
            await s.vbs.get_job("j1")
    assert "VBS is not available for this project/region" in str(info.value)
    assert "CBR" in info.value.describe()


async def test_plain_http_to_remote_host_is_refused_but_loopback_allowed() -> None:
    fake = FakeCloud(ok_job)
    async with session(fake, auth_url="http://iam.example.test/v3") as s:
        with pytest.raises(ConnectionSettingsError) as info:
            await s.authenticate()
    assert "plain http" in str(info.value)
    assert fake.token_requests == 0
    async with session(fake, auth_url="http://127.0.0.1:9/v3") as s:
        await s.authenticate()
    assert fake.token_requests == 1


async def test_catalog_pointing_at_plain_http_remote_is_refused() -> None:
    fake = FakeCloud(ok_job, catalog=[
        {"type": "vbsv2", "endpoints": [{"url": "http://vbs.evil.test/v2/x",
                                         "interface": "public"}]},
        {"type": "evs", "endpoints": [{"url": "https://evs.example.test/v2/x",
                                       "interface": "public"}]},
    ])
    async with session(fake) as s:
        with pytest.raises(ConnectionSettingsError):
            await s.vbs.get_job("j1")
    assert not any("evil" in str(r.url) for r in fake.requests)


async def test_redirect_is_not_followed_with_the_token() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if "evil" in str(request.url):
            return httpx.Response(200, json={})
        return httpx.Response(302, headers={"Location": "https://evil.test/steal"})

    fake = FakeCloud(api)
    async with session(fake) as s:
        with pytest.raises(Exception) as info:
            await s.vbs.get_job("j1")
    assert "redirect" in str(info.value)
    assert not any("evil" in str(r.url) for r in fake.requests)


def test_token_and_password_never_in_repr() -> None:
    token = Token(value=Secret("gAAAAABsecret-token-value"), expires_at=datetime.now(timezone.utc),
                  issued_at=None, project_id=PROJECT, project_name="p", user_name="u")
    assert "secret-token-value" not in repr(token)
    assert "secret-token-value" not in str(token)
    secret = Secret(PASSWORD)
    assert PASSWORD not in repr(secret) and PASSWORD not in str(secret)
    assert PASSWORD not in f"{secret}"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)
