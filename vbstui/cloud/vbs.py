"""VBS: backups, restores, jobs and quotas of the Volume Backup Service."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx

from vbstui.cloud import http
from vbstui.cloud.endpoints import ID_MAX, path_segment
from vbstui.cloud.errors import (
    ApiError,
    NotFound,
    ResponseFormatError,
    api_error_from_response,
    excerpt,
)
from vbstui.cloud.models import Backup, Job, Quota, as_str
from vbstui.cloud.validation import BackupRequest, ValidationFailed

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

PAGE_SIZE = 1000  # a page of backups per request
# VBS job ids are 32 hex digits or UUIDs; letters, digits, '-' and '_' cover those and
# any harmless variant.  `fullmatch`, so no trailing newline slips through.
_JOB_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{ID_MAX - 1}}}")


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
        backup = path_segment(backup_id, what="backup id")
        url = await session.url("vbs", "v2", f"cloudbackups/{backup}/restore")
        response = await http.send(
            session.http, "POST", url, json_body={"restore": {"volume_id": volume_id}},
            timeout=session.settings.timeouts.for_mutations(), ok=(200, 201, 202),
        )
        return _job_id(response)

    async def delete_backup(self, backup_id: str) -> None:
        """Native delete: 202 and no body; the backup disappears later (poll `get_backup`)."""
        session = self._session
        url = await session.url("vbs", "v2", f"backups/{path_segment(backup_id, what='backup id')}")
        await http.send(
            session.http, "DELETE", url, timeout=session.settings.timeouts.for_mutations(),
            ok=(200, 202, 204),
        )

    async def get_job(self, job_id: str) -> Job:
        # Jobs live under v1 while everything else is v2.
        url = await self._session.url("vbs", "v1", f"jobs/{path_segment(job_id, what='job id')}")
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
        url = await self._session.url(
            "vbs", "v2", f"backups/{path_segment(backup_id, what='backup id')}")
        try:
            data = await self._session.read(url, expect_key="backup")
        except NotFound:
            return None
        return Backup.from_api(data.get("backup"))

    async def get_quota(self) -> Quota:
        url = await self._session.url("vbs", "v2", "cloudbackups/quota")
        return Quota.from_api(await self._session.read(url))


def _job_id(response: httpx.Response) -> str:
    """The job id of a create / restore answer.

    An id that is not a plain id (control characters, '/', '?', too long) is refused
    here: it would be journaled, shown and put into poll URLs.  The request did reach
    the service, so this is a ResponseFormatError (reached_server MAYBE): the caller
    must look for what it may have created, never resend blindly."""
    data = http.json_object(response)
    raw = data.get("job_id")
    plain = isinstance(raw, (str, int)) and not isinstance(raw, bool)
    job_id = as_str(raw).strip() if plain else ""
    if not job_id:
        # Some gateways answer 200 with an error envelope.
        if "error" in data:
            raise _error_in_ok_body(response)
        raise ResponseFormatError("the answer has no job_id")
    if not _JOB_ID.fullmatch(job_id):
        raise ResponseFormatError(
            "the answer's job_id is not a VBS job id (only letters, digits, '-' and '_', "
            f"at most {ID_MAX} characters)",
            body_excerpt=excerpt(response.content),
        )
    return job_id


def _error_in_ok_body(response: httpx.Response) -> ApiError:
    return api_error_from_response(
        status=response.status_code, headers=response.headers, body=response.content,
        method=response.request.method, path=response.request.url.path,
    )
