"""One authenticated session with a project: the httpx client, the token, the endpoints,
paged reads; the clients of each service (`cloud.evs`, `cloud.vbs`) make their calls over it."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from vbstui.cloud import http
from vbstui.cloud.auth import TokenAuth, TokenProvider
from vbstui.cloud.endpoints import (
    Endpoints,
    Resolver,
    identifier_problem,
    needs_resolution_check,
    resolve,
    resolve_loopback,
    system_resolver,
)
from vbstui.cloud.errors import (
    ConnectionSettingsError,
    ResponseFormatError,
)
from vbstui.cloud.evs import EvsClient
from vbstui.cloud.paging import MAX_PAGES, ListingReader, Page
from vbstui.cloud.retry import RetryHook, RetryPolicy, call_with_retries
from vbstui.cloud.settings import ConnectionSettings
from vbstui.cloud.tls import ssl_context
from vbstui.cloud.token import PasswordSource, Token, TokenStore
from vbstui.cloud.vbs import VbsClient

if TYPE_CHECKING:
    from vbstui.cloud.cbr import CbrClient
    from vbstui.cloud.cbr_reader import CbrReader

log = logging.getLogger("vbstui.cloud")


class CloudSession:
    """One project on one cloud: one `httpx.AsyncClient`, one token, resolved endpoints.

    Use as `async with CloudSession(...) as session:`.  `transport` is only for the
    in-process simulator (`--demo`): passing a transport disables httpx's proxy
    support, which real clouds behind a jump host need.

    Plain http is refused except to loopback (see `endpoints.check_url`).  Over the
    network, a URL allowed plain http only because its host is the name `localhost`
    is resolved here, every address must be loopback, and the request is sent to that
    address (so no second lookup can send the token elsewhere).  An in-process ASGI
    app (`httpx.ASGITransport`, the demo) has no network: the http rule does not apply
    to it and nothing is resolved.  `resolver` replaces the system's lookup in tests.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        password: PasswordSource,
        *,
        token_store: TokenStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
        on_retry: RetryHook | None = None,
        clock: Callable[[], float] = time.time,
        max_connections: int = 20,
        resolver: Resolver | None = None,
    ) -> None:
        if isinstance(transport, httpx.ASGITransport) and not settings.allow_http:
            # The app runs in this process: no byte crosses a network, so plain http
            # cannot expose the token, whatever the URL's host name says.
            settings = replace(settings, allow_http=True)
        self.settings = settings
        self.retry_policy = retry_policy or RetryPolicy()
        self.on_retry = on_retry
        self._resolver = resolver or system_resolver
        # Only a real network transport resolves names; an injected one never does.
        hooks = {"request": [self._pin_loopback]} if transport is None else {}
        self.tokens = TokenProvider(settings, password, store=token_store, clock=clock,
                                    retry_policy=self.retry_policy, on_retry=on_retry)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=10)
        # An injected transport makes its own connections (or none, in process): httpx
        # never uses `verify` then, so the trust settings are not even looked at.
        verify = True if transport is not None else ssl_context(settings.ca_bundle,
                                                                 settings.insecure)
        try:
            self.http = httpx.AsyncClient(
                auth=TokenAuth(self.tokens),
                timeout=settings.timeouts.for_reads(),
                verify=verify,
                follow_redirects=False,  # a redirect would carry the token to another host
                transport=transport,
                limits=limits,
                headers={"Accept": "application/json", "User-Agent": "vbstui"},
                event_hooks=hooks,
            )
        except ImportError as exc:
            # ALL_PROXY=socks5://... without the socksio package.
            raise ConnectionSettingsError(
                f"a proxy is configured that needs an extra package: {exc}",
                hint="install SOCKS support with: pip install 'vbstui[socks]' "
                "(or unset ALL_PROXY/HTTPS_PROXY)",
            ) from None
        self.tokens.bind(self.http)
        self._endpoints: Endpoints | None = None
        self.evs = EvsClient(self)
        self.vbs = VbsClient(self)

    @cached_property
    def cbr(self) -> CbrClient:
        """The CBR client, built (and its module loaded) when first used: a project's
        disk listing never needs it."""
        from vbstui.cloud.cbr import CbrClient  # noqa: PLC0415 - see LAZY_IMPORTS

        return CbrClient(self)

    @cached_property
    def cbr_reader(self) -> CbrReader:
        """CBR's vault reads alone (the client's reading part; both hold nothing but the
        session), so a disk listing (which asks CBR where each disk's backups go) loads
        none of CBR's backup, task and change code."""
        from vbstui.cloud.cbr_reader import CbrReader  # noqa: PLC0415 - see LAZY_IMPORTS

        return CbrReader(self)

    async def _pin_loopback(self, request: httpx.Request) -> None:
        """Runs before each request leaves (the token is already in its headers)."""
        url = str(request.url)
        if not needs_resolution_check(url, allow_http=self.settings.allow_http):
            return
        address = await resolve_loopback(
            request.url.host, request.url.port or 80, self._resolver)
        # The Host header keeps the name; the connection goes to the checked address.
        request.url = request.url.copy_with(host=address)

    async def __aenter__(self) -> CloudSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def authenticate(self) -> Token:
        """Get a token (from the cache or IAM) and resolve the endpoints."""
        token = await self.tokens.token()
        await self.endpoints()
        return token

    async def project_id(self) -> str:
        return (await self.tokens.token()).project_id

    async def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            token = await self.tokens.token()
            self._endpoints = resolve(
                token.catalog,
                region=self.settings.region,
                vbs_override=self.settings.vbs_endpoint,
                evs_override=self.settings.evs_endpoint,
                allow_http=self.settings.allow_http,
                cbr_override=self.settings.cbr_endpoint,
                pin=self.settings.backup_service,
            )
        return self._endpoints

    async def url(self, service: str, version: str, path: str) -> str:
        """`path` must already be safe: ids in it encoded with `endpoints.path_segment`."""
        endpoints = await self.endpoints()
        root = endpoints.root(service)  # a service the project lacks says so here
        project_id = await self.project_id()
        problem = identifier_problem(project_id)
        if problem is not None or quote(project_id, safe="") != project_id:
            # It comes from IAM's answer and would steer every request's path.
            raise ResponseFormatError(
                f"the project id in IAM's token {problem or 'is not a plain id'}; "
                "refusing to build request URLs from it"
            )
        return f"{root}/{version}/{project_id}/{path}"

    async def read(self, url: str, *, params: dict[str, Any] | None = None,
                   expect_key: str | None = None) -> dict[str, Any]:
        """GET with retries; the body as a JSON object (see `http.json_object`)."""
        return http.json_object(await self.fetch(url, params=params), expect_key=expect_key)

    async def fetch(self, url: str, *, params: dict[str, Any] | None = None
                    ) -> httpx.Response:
        """GET with retries; the response with its body read, not yet parsed (an answer
        that does not parse is no reason to ask again: `ResponseFormatError` is not
        retryable)."""
        timeout = self.settings.timeouts.for_reads()  # carries the whole-request deadline

        async def attempt() -> httpx.Response:
            return await http.send(self.http, "GET", url, params=params, timeout=timeout)

        return await call_with_retries(attempt, self.retry_policy, on_retry=self.on_retry)

    async def pages(
        self, url: str, *, params: dict[str, Any], items_key: str, links_key: str,
        reader: ListingReader | None = None, start: dict[str, str] | None = None,
    ) -> AsyncIterator[Page]:
        """Follow `*_links` rel=next, staying on our own endpoint.

        Cinder often puts an internal host name into the next link, so only its
        query (marker/offset/limit) is taken and sent to the endpoint we trust.
        `reader` and `start` (paging parameters) continue a listing begun elsewhere."""
        reader = reader or ListingReader(items_key, links_key)
        query = {**params, **(start or {})}
        for _ in range(MAX_PAGES):
            page, next_query = reader.take(await self.read(url, params=query))
            yield page
            if next_query is None:
                return
            query = {**params, **next_query}
        log.warning("stopped paging after %d pages", MAX_PAGES)
