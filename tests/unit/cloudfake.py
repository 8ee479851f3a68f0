"""A tiny scripted IAM + VBS for unit tests of the cloud layer (httpx.MockTransport).

End-to-end behaviour is tested against the real simulator; this fake exists so
unit tests can script exact responses (odd bodies, 401s, paging quirks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from vbstui.cloud.client import CloudSession
from vbstui.cloud.retry import RetryPolicy
from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import ConnectionSettings

PROJECT = "0123456789abcdef0123456789abcdef"
IAM = "https://iam.example.test/v3"
VBS = f"https://vbs.example.test/v2/{PROJECT}"
EVS = f"https://evs.example.test/v2/{PROJECT}"
PASSWORD = "s3cret-Pa55word!"

Handler = Callable[[httpx.Request], httpx.Response]


def token_body(lifetime: timedelta = timedelta(hours=24), now: datetime | None = None,
               catalog: list[Any] | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    return {
        "token": {
            "expires_at": (now + lifetime).isoformat().replace("+00:00", "Z"),
            "issued_at": now.isoformat().replace("+00:00", "Z"),
            "project": {"id": PROJECT, "name": "eu-de_test"},
            "user": {"name": "alice"},
            "catalog": catalog if catalog is not None else [
                {"type": "vbsv2", "endpoints": [{"url": VBS, "region": "eu-de",
                                                 "interface": "public"}]},
                {"type": "evs", "endpoints": [{"url": EVS, "region": "eu-de",
                                               "interface": "public"}]},
            ],
        }
    }


class FakeCloud:
    """Routes: token requests are answered here; everything else goes to `api`."""

    def __init__(self, api: Handler, *, lifetime: timedelta = timedelta(hours=24),
                 catalog: list[Any] | None = None) -> None:
        self.api = api
        self.lifetime = lifetime
        self.catalog = catalog
        self.token_requests = 0
        self.auth_bodies: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    def current_token(self) -> str:
        return f"token-{self.token_requests}"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/auth/tokens"):
            self.token_requests += 1
            self.auth_bodies.append(json.loads(request.content))
            return httpx.Response(201, json=token_body(self.lifetime, now=self.now(),
                                                         catalog=self.catalog),
                                  headers={"X-Subject-Token": self.current_token()})
        return self.api(request)


def settings(**overrides: Any) -> ConnectionSettings:
    values: dict[str, Any] = {
        "auth_url": IAM, "username": "alice", "user_domain_name": "OTC-EU-DE-000",
        "project_name": "eu-de_test", "region": "eu-de",
    }
    values.update(overrides)
    return ConnectionSettings(**values)


def session(fake: FakeCloud, *, policy: RetryPolicy | None = None, **overrides: Any
            ) -> CloudSession:
    async def password() -> Secret:
        return Secret(PASSWORD)

    return CloudSession(
        settings(**overrides), password, transport=httpx.MockTransport(fake),
        retry_policy=policy or RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01,
                                           deadline=5),
    )
