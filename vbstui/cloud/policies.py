"""VBS backup policies: list, create, modify, delete, run now, link disks, tasks, tags.

There is no "get one policy" call: a policy is found by listing them all
(`vbstui.ops.policies` resolves an id or a name).  Reads are retried like every
read; changes are sent once (the caller decides what an ambiguous failure means).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from vbstui.cloud import http
from vbstui.cloud.endpoints import path_segment
from vbstui.cloud.errors import ResponseFormatError, api_error_from_response
from vbstui.cloud.lenient import as_int, as_list, as_str
from vbstui.cloud.policy_answers import (
    PolicyTask,
    ResourceResult,
    TaggedPolicy,
    TagValues,
    tag_values_from_api,
)
from vbstui.cloud.policy_list import list_policies
from vbstui.cloud.policy_models import Policy, tags_from_api
from vbstui.cloud.policy_validation import PolicyDraft, validate_policy_tags
from vbstui.cloud.retry import call_with_retries
from vbstui.cloud.validation import ValidationFailed

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

TASK_PAGE = 100  # tasks per request when a policy's tasks are listed
TAG_ACTIONS = ("create", "update", "delete")


class PolicyClient:
    """Backup policies of one project (VBS)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def _url(self, path: str) -> str:
        return await self._session.url("vbs", "v2", path)

    async def _change(self, method: str, path: str, body: Any = None,
                      ok: tuple[int, ...] = (200, 201, 202, 204)) -> dict[str, Any]:
        """One request that changes something, never resent here; its JSON object ({}
        for an empty answer).  A 200 carrying an error envelope is that error."""
        session = self._session
        response = await http.send(session.http, method, await self._url(path),
                                   json_body=body, ok=ok,
                                   timeout=session.settings.timeouts.for_mutations())
        if not response.content.strip():
            return {}
        data = http.json_object(response)
        if isinstance(data.get("error"), Mapping):
            raise _error_in_ok_body(response)
        return data

    # -- policies ------------------------------------------------------------------------

    async def list_policies(self) -> list[Policy]:
        return await list_policies(self._session)

    async def create_policy(self, draft: PolicyDraft) -> str:
        """Send the create request once; the new policy's id.  Raises ValidationFailed
        (nothing sent) for a draft the rules refuse."""
        data = await self._change("POST", "backuppolicy", draft.to_body(), ok=(200, 201))
        return _policy_id(data)

    async def update_policy(self, policy_id: str, draft: PolicyDraft, *,
                            with_name: bool = True) -> str:
        """Replace name (unless `with_name` is False), schedule, retention and status; tags
        change through the tag calls.  Raises ValidationFailed (nothing sent)."""
        body = draft.to_body(with_name=with_name)
        body.pop("tags", None)
        data = await self._change("PUT", f"backuppolicy/{_seg(policy_id)}", body, ok=(200,))
        return as_str(data.get("backup_policy_id")) or policy_id

    async def set_enabled(self, policy_id: str, enabled: bool) -> None:
        """ON or OFF: the modify call with only the status (enabling_or_disabling page)."""
        body = {"scheduled_policy": {"status": "ON" if enabled else "OFF"}}
        await self._change("PUT", f"backuppolicy/{_seg(policy_id)}", body, ok=(200,))

    async def delete_policy(self, policy_id: str) -> None:
        await self._change("DELETE", f"backuppolicy/{_seg(policy_id)}")

    async def execute_policy(self, policy_id: str) -> None:
        """Run the policy now: one backup task per linked disk (see `tasks`)."""
        await self._change("POST", f"backuppolicy/{_seg(policy_id)}/action")

    # -- disks of a policy -------------------------------------------------------------

    async def link(self, policy_id: str, volume_ids: Sequence[str]) -> ResourceResult:
        """Associate disks; each disk that could not be is in `failed`, with its code."""
        body = {"backup_policy_id": policy_id,
                "resources": [{"resource_id": _disk(v), "resource_type": "volume"}
                              for v in volume_ids]}
        return ResourceResult.from_api(await self._change("POST", "backuppolicyresources", body))

    async def unlink(self, policy_id: str, volume_ids: Sequence[str]) -> ResourceResult:
        body = {"resources": [{"resource_id": _disk(v)} for v in volume_ids]}
        path = f"backuppolicyresources/{_seg(policy_id)}/deleted_resources"
        return ResourceResult.from_api(await self._change("POST", path, body))

    # -- tasks ---------------------------------------------------------------------------

    async def tasks(self, policy_id: str, *, job_id: str | None = None,
                    status: str | None = None, limit: int = TASK_PAGE, offset: int = 0,
                    ) -> tuple[list[PolicyTask], int | None]:
        """One page of the policy's backup tasks, newest first, and the total count."""
        params: dict[str, Any] = {"limit": limit, "offset": offset, "sort_dir": "desc",
                                  "sort_key": "created_at"}
        if job_id:
            params["job_id"] = job_id
        if status:
            params["status"] = status
        data = await self._session.read(
            await self._url(f"backuppolicy/{_seg(policy_id)}/backuptasks"), params=params)
        tasks = [PolicyTask.from_api(t) for t in as_list(data.get("tasks"))]
        return tasks, as_int(data.get("count"))

    async def all_tasks(self, policy_id: str, *, limit: int | None = None
                        ) -> list[PolicyTask]:
        """The policy's tasks, newest first, page after page (at most `limit`)."""
        found: list[PolicyTask] = []
        while limit is None or len(found) < limit:
            page, total = await self.tasks(policy_id, offset=len(found))
            found.extend(page)
            if not page or len(page) < TASK_PAGE or (total is not None and len(found) >= total):
                break
        return found if limit is None else found[:limit]

    # -- tags ----------------------------------------------------------------------------

    async def tags(self, policy_id: str) -> list[tuple[str, str]]:
        data = await self._session.read(await self._url(f"backuppolicy/{_seg(policy_id)}/tags"))
        return tags_from_api(data)

    async def add_tag(self, policy_id: str, key: str, value: str) -> None:
        _check_tags([(key, value)])
        await self._change("POST", f"backuppolicy/{_seg(policy_id)}/tags",
                           {"tag": {"key": key, "value": value}})

    async def batch_tags(self, policy_id: str, action: str,
                         tags: Sequence[tuple[str, str]]) -> None:
        """`create`/`update` (keys made or changed) or `delete` several tags at once."""
        if action not in TAG_ACTIONS:
            raise ValidationFailed({"action": [f"must be one of {', '.join(TAG_ACTIONS)}"]})
        if action != "delete":
            _check_tags(tags)
        await self._change("POST", f"backuppolicy/{_seg(policy_id)}/tags/action",
                           {"action": action,
                            "tags": [{"key": k, "value": v} for k, v in tags]})

    async def remove_tag(self, policy_id: str, key: str) -> None:
        # path_segment percent-encodes the key as the page asks.
        await self._change("DELETE", f"backuppolicy/{_seg(policy_id)}/tags/"
                                     f"{path_segment(key, what='tag key')}")

    async def all_tags(self) -> list[TagValues]:
        """Every tag key of the project's policies with its values."""
        return tag_values_from_api(await self._session.read(await self._url("backuppolicy/tags")))

    async def by_tags(self, tags: Mapping[str, Sequence[str]]) -> list[TaggedPolicy]:
        """Policies that carry all these keys, each with one of its values."""
        body = {"action": "filter", "limit": "1000", "offset": "0",
                "tags": [{"key": k, "values": list(v)} for k, v in tags.items()]}
        # A query sent as POST: nothing changes, so it is retried like a read.
        session = self._session
        url = await self._url("backuppolicy/resource_instances/action")

        async def attempt() -> httpx.Response:
            return await http.send(session.http, "POST", url, json_body=body,
                                   timeout=session.settings.timeouts.for_reads())

        response = await call_with_retries(attempt, session.retry_policy,
                                           on_retry=session.on_retry)
        return [TaggedPolicy.from_api(r) for r in as_list(http.json_object(response)
                                                          .get("resources"))]


def _seg(policy_id: str) -> str:
    return path_segment(policy_id, what="policy id")


def _disk(volume_id: str) -> str:
    path_segment(volume_id, what="disk id")  # the same rule as an id in a path
    return volume_id


def _check_tags(tags: Sequence[tuple[str, str]]) -> None:
    problems = validate_policy_tags(tags)
    if problems:
        raise ValidationFailed({"tags": problems})


def _policy_id(data: dict[str, Any]) -> str:
    policy_id = as_str(data.get("backup_policy_id")).strip()
    if not policy_id:
        raise ResponseFormatError("the answer has no backup_policy_id")
    path_segment(policy_id, what="policy id")  # it is put into later URLs
    return policy_id


def _error_in_ok_body(response: httpx.Response) -> Exception:
    return api_error_from_response(
        status=response.status_code, headers=response.headers, body=response.content,
        method=response.request.method, path=response.request.url.path)
