"""IAM password authentication, token reuse and single-flight re-authentication."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from vbstui.cloud import http
from vbstui.cloud.endpoints import check_url
from vbstui.cloud.errors import ApiError, AuthenticationError, ResponseFormatError
from vbstui.cloud.models import as_str, as_time
from vbstui.cloud.retry import RetryHook, RetryPolicy, call_with_retries
from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import ConnectionSettings
from vbstui.cloud.token import PasswordSource, Token, TokenStore, issued_time, sane_time


def _auth_body(settings: ConnectionSettings, password: Secret) -> dict[str, Any]:
    domain: dict[str, str] = (
        {"id": settings.user_domain_id} if settings.user_domain_id
        else {"name": settings.user_domain_name or ""}
    )
    project: dict[str, str] = (
        {"id": settings.project_id} if settings.project_id
        else {"name": settings.project_name or ""}
    )
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": settings.username, "password": password.reveal(),
                             "domain": domain}
                },
            },
            "scope": {"project": project},
        }
    }


def _tokens_url(auth_url: str) -> str:
    base = auth_url.rstrip("/")
    if base.endswith("/auth/tokens"):
        return base
    if not base.endswith("/v3"):
        base += "/v3"
    return base + "/auth/tokens"


class TokenProvider:
    """Hands out a valid token; at most one token request is in flight at a time."""

    def __init__(
        self,
        settings: ConnectionSettings,
        password: PasswordSource,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        retry_policy: RetryPolicy | None = None,
        on_retry: RetryHook | None = None,
    ) -> None:
        self._settings = settings
        self._retry_policy = retry_policy or RetryPolicy()
        self._on_retry = on_retry
        self._password = password
        self._store = store
        self._clock = clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self._client: httpx.AsyncClient | None = None
        self.requests_made = 0  # token requests sent; tests and `doctor` read it
        self.source = "none"  # where the current token came from: "iam" or "cache"

    def bind(self, client: httpx.AsyncClient) -> None:
        self._client = client

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), tz=timezone.utc)

    @property
    def current(self) -> Token | None:
        return self._token

    async def token(self) -> Token:
        token = self._token
        if token is not None and token.usable(self._now()):
            return token
        async with self._lock:
            token = self._token
            if token is not None and token.usable(self._now()):
                return token
            if token is None and self._store is not None:
                cached = await asyncio.to_thread(self._store.load)
                if cached is not None and cached.usable(self._now()):
                    self._token, self.source = cached, "cache"
                    return cached
            return await self._fetch()

    async def refresh_after_rejection(self, rejected: Token) -> Token:
        """Called on 401: replace the token unless another caller already did."""
        async with self._lock:
            current = self._token
            if current is not None and current.value != rejected.value and current.usable(
                self._now()
            ):
                return current
            if self._store is not None:
                await asyncio.to_thread(self._store.clear)
            return await self._fetch()

    async def _fetch(self) -> Token:
        if self._client is None:
            raise RuntimeError("TokenProvider.bind() was not called")
        settings = self._settings
        url = check_url(
            _tokens_url(settings.auth_url), allow_http=settings.allow_http, what="the IAM URL"
        )
        password = await self._password()
        client = self._client

        async def attempt() -> httpx.Response:
            # Asking for a token twice is harmless, so transient failures are retried.
            self.requests_made += 1
            return await http.send(
                client, "POST", url, json_body=_auth_body(settings, password),
                timeout=settings.timeouts.for_reads(), ok=(200, 201), authenticated=False,
            )

        try:
            response = await call_with_retries(attempt, self._retry_policy,
                                               on_retry=self._on_retry)
        except ApiError as exc:
            if exc.status == 401:
                raise AuthenticationError(
                    status=401, code=exc.code,
                    message="IAM refused the credentials: check user name, password, "
                    "user domain and project",
                    method="POST", path=exc.path, request_id=exc.request_id,
                ) from None
            raise
        token = self._parse(response)
        self._token, self.source = token, "iam"
        if self._store is not None:
            await asyncio.to_thread(self._store.save, token)
        return token

    def _parse(self, response: httpx.Response) -> Token:
        value = response.headers.get("x-subject-token")
        if not value:
            raise ResponseFormatError("IAM answered without an X-Subject-Token header")
        body = http.json_object(response, expect_key="token")
        data = body["token"] if isinstance(body["token"], dict) else {}
        raw_expiry = as_time(data.get("expires_at"))
        if raw_expiry is None:
            # A token without a readable expiry: assume the documented 24 h.
            raw_expiry = self._now() + timedelta(hours=24)
        expires = sane_time(raw_expiry)
        if expires is None:
            raise ResponseFormatError(
                f"IAM gave a token with an impossible expiry ({str(data.get('expires_at'))[:40]}"
                "); refusing it (is the IAM URL right?)")
        project = data.get("project") if isinstance(data.get("project"), dict) else {}
        user = data.get("user") if isinstance(data.get("user"), dict) else {}
        project_id = as_str(project.get("id")) or (self._settings.project_id or "")
        if not project_id:
            raise ResponseFormatError("the IAM token is not scoped to a project")
        catalog = data.get("catalog")
        return Token(
            value=Secret(value),
            expires_at=expires,
            issued_at=issued_time(as_time(data.get("issued_at")), expires),
            project_id=project_id,
            project_name=as_str(project.get("name")) or (self._settings.project_name or ""),
            user_name=as_str(user.get("name")),
            catalog=catalog if isinstance(catalog, list) else [],
        )


class TokenAuth(httpx.Auth):
    """Adds `X-Auth-Token`; on 401 re-authenticates once (single-flight) and resends once."""

    requires_response_body = False

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider

    def sync_auth_flow(self, request: httpx.Request) -> Any:
        raise RuntimeError("vbstui uses httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._provider.token()
        request.headers["X-Auth-Token"] = token.value.reveal()
        response = yield request
        if response.status_code == 401:
            fresh = await self._provider.refresh_after_rejection(token)
            request.headers["X-Auth-Token"] = fresh.value.reveal()
            yield request
