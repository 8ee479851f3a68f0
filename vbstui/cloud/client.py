"""The calls vbstui makes to EVS and VBS, over one authenticated httpx client."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from vbstui.cloud import http
from vbstui.cloud.auth import PasswordSource, Token, TokenAuth, TokenProvider, TokenStore
from vbstui.cloud.endpoints import Endpoints, resolve
from vbstui.cloud.errors import (
    ApiError,
    ConnectionSettingsError,
    NotFound,
    ResponseFormatError,
    api_error_from_response,
)
from vbstui.cloud.models import Backup, Job, Quota, Volume, as_int, as_list, as_str
from vbstui.cloud.retry import RetryHook, RetryPolicy, call_with_retries
from vbstui.cloud.settings import ConnectionSettings
from vbstui.cloud.tls import ssl_context
from vbstui.cloud.validation import BackupRequest, ValidationFailed

log = logging.getLogger("vbstui.cloud")

PAGE_SIZE = 1000  # the EVS maximum
MAX_PAGES = 100_000  # a runaway server must not page us forever


@dataclass(frozen=True)
class Page:
    """One page of a listing, with the total the server reported (if any)."""

    items: list[Any]
    total: int | None


class CloudSession:
    """One project on one cloud: one `httpx.AsyncClient`, one token, resolved endpoints.

    Use as `async with CloudSession(...) as session:`.  `transport` is only for the
    in-process simulator (`--demo`): passing a transport disables httpx's proxy
    support, which real clouds behind a jump host need.
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
    ) -> None:
        self.settings = settings
        self.retry_policy = retry_policy or RetryPolicy()
        self.on_retry = on_retry
        self.tokens = TokenProvider(settings, password, store=token_store, clock=clock,
                                    retry_policy=self.retry_policy, on_retry=on_retry)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=10)
        try:
            self.http = httpx.AsyncClient(
                auth=TokenAuth(self.tokens),
                timeout=settings.timeouts.for_reads(),
                verify=ssl_context(settings.ca_bundle, settings.insecure),
                follow_redirects=False,  # a redirect would carry the token to another host
                transport=transport,
                limits=limits,
                headers={"Accept": "application/json", "User-Agent": "vbstui"},
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
            )
        return self._endpoints

    async def url(self, service: str, version: str, path: str) -> str:
        endpoints = await self.endpoints()
        root = endpoints.vbs if service == "vbs" else endpoints.evs
        return f"{root}/{version}/{await self.project_id()}/{path}"

    async def read(self, url: str, *, params: dict[str, Any] | None = None,
                   expect_key: str | None = None) -> dict[str, Any]:
        """GET with retries; the body as a JSON object."""

        async def attempt() -> dict[str, Any]:
            response = await http.send(self.http, "GET", url, params=params)
            return http.json_object(response, expect_key=expect_key)

        return await call_with_retries(attempt, self.retry_policy, on_retry=self.on_retry)

    async def pages(
        self, url: str, *, params: dict[str, Any], items_key: str, links_key: str
    ) -> AsyncIterator[Page]:
        """Follow `*_links` rel=next, staying on our own endpoint.

        Cinder often puts an internal host name into the next link, so only its
        query (marker/offset/limit) is taken and sent to the endpoint we trust."""
        query = dict(params)
        seen_ids: set[str] = set()
        for _ in range(MAX_PAGES):
            data = await self.read(url, params=query)
            raw_items = data.get(items_key)
            if raw_items is not None and not isinstance(raw_items, list):
                raise ResponseFormatError(f"'{items_key}' in the answer is not a list")
            items = as_list(raw_items)
            fresh = [i for i in items if not (isinstance(i, dict) and i.get("id") in seen_ids)]
            seen_ids.update(i["id"] for i in fresh if isinstance(i, dict) and isinstance(
                i.get("id"), str))
            yield Page(items=fresh, total=as_int(data.get("count")))
            next_query = _next_query(data.get(links_key))
            if next_query is None or not items:
                return
            if len(fresh) < len(items):
                # A correct server never repeats an item; a broken one could page forever.
                log.warning("the server's paging repeated items; stopped after %d", len(seen_ids))
                return
            query = {**params, **next_query}
        log.warning("stopped paging after %d pages", MAX_PAGES)


def _next_query(links: Any) -> dict[str, str] | None:
    for link in as_list(links):
        href = link.get("href") if isinstance(link, dict) else None
        if isinstance(href, str) and link.get("rel") == "next":
            pairs = dict(parse_qsl(urlsplit(href).query))
            # Only paging parameters: filters are ours and stay as we sent them.
            return {k: v for k, v in pairs.items() if k in ("marker", "offset", "limit")}
    return None


class EvsClient:
    """Disks (EVS)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def volume_pages(
        self, *, name: str | None = None, status: str | None = None, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[tuple[list[Volume], int | None]]:
        """Volumes page by page, so a screen can show the first page at once."""
        params: dict[str, Any] = {"limit": page_size}
        if name:
            params["name"] = name
        if status:
            params["status"] = status
        url = await self._session.url("evs", "v2", "cloudvolumes/detail")
        async for page in self._session.pages(
            url, params=params, items_key="volumes", links_key="volumes_links"
        ):
            yield [Volume.from_api(v) for v in page.items], page.total

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]:
        volumes: list[Volume] = []
        async for page, _total in self.volume_pages(name=name, status=status):
            volumes.extend(page)
        return volumes

    async def get_volume(self, volume_id: str) -> Volume | None:
        url = await self._session.url("evs", "v2", f"cloudvolumes/{volume_id}")
        try:
            data = await self._session.read(url)
        except NotFound:
            return None
        return Volume.from_api(data.get("volume"))


class VbsClient:
    """Backups and jobs (VBS)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def create_backup(self, request: BackupRequest) -> str:
        """Send one create request and return the job id.

        Never retried here: the call has no idempotency token.  The caller
        (vbstui.jobs) decides what to do after a failure, by `reached_server`.
        The name is checked as sent (a bulk suffix included) against the service's
        own limit; the tighter limit on a bulk run's base name is the plan's rule."""
        problems = request.problems()
        if problems:
            raise ValidationFailed(problems)
        session = self._session
        url = await session.url("vbs", "v2", "cloudbackups")
        response = await http.send(
            session.http, "POST", url, json_body=request.to_body(),
            timeout=session.settings.timeouts.for_mutations(), ok=(200, 201, 202),
        )
        return _job_id(response)

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        session = self._session
        url = await session.url("vbs", "v2", f"cloudbackups/{backup_id}/restore")
        response = await http.send(
            session.http, "POST", url, json_body={"restore": {"volume_id": volume_id}},
            timeout=session.settings.timeouts.for_mutations(), ok=(200, 201, 202),
        )
        return _job_id(response)

    async def delete_backup(self, backup_id: str) -> None:
        """Native delete: 202 and no body; the backup disappears later (poll `get_backup`)."""
        session = self._session
        url = await session.url("vbs", "v2", f"backups/{backup_id}")
        await http.send(
            session.http, "DELETE", url, timeout=session.settings.timeouts.for_mutations(),
            ok=(200, 202, 204),
        )

    async def get_job(self, job_id: str) -> Job:
        # Jobs live under v1 while everything else is v2.
        url = await self._session.url("vbs", "v1", f"jobs/{job_id}")
        return Job.from_api(await self._session.read(url), job_id=job_id)

    async def backup_pages(
        self, *, volume_id: str | None = None, name: str | None = None,
        status: str | None = None, page_size: int = PAGE_SIZE,
    ) -> AsyncIterator[tuple[list[Backup], int | None]]:
        params: dict[str, Any] = {"limit": page_size}
        for key, value in (("volume_id", volume_id), ("name", name), ("status", status)):
            if value:
                params[key] = value
        url = await self._session.url("vbs", "v2", "backups/detail")
        async for page in self._session.pages(
            url, params=params, items_key="backups", links_key="backups_links"
        ):
            yield [Backup.from_api(b) for b in page.items], page.total

    async def list_backups(
        self, *, volume_id: str | None = None, name: str | None = None, status: str | None = None
    ) -> list[Backup]:
        backups: list[Backup] = []
        async for page, _total in self.backup_pages(volume_id=volume_id, name=name, status=status):
            backups.extend(page)
        return backups

    async def get_backup(self, backup_id: str) -> Backup | None:
        """The backup, or None when it does not exist (404)."""
        url = await self._session.url("vbs", "v2", f"backups/{backup_id}")
        try:
            data = await self._session.read(url, expect_key="backup")
        except NotFound:
            return None
        return Backup.from_api(data.get("backup"))

    async def get_quota(self) -> Quota:
        url = await self._session.url("vbs", "v2", "cloudbackups/quota")
        return Quota.from_api(await self._session.read(url))


def _job_id(response: httpx.Response) -> str:
    data = http.json_object(response)
    job_id = as_str(data.get("job_id")).strip()
    if not job_id:
        # Some gateways answer 200 with an error envelope.
        if "error" in data:
            raise _error_in_ok_body(response)
        raise ResponseFormatError("the answer has no job_id")
    return job_id


def _error_in_ok_body(response: httpx.Response) -> ApiError:
    return api_error_from_response(
        status=response.status_code, headers=response.headers, body=response.content,
        method=response.request.method, path=response.request.url.path,
    )
