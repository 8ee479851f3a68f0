"""CBR: vaults, checkpoints (backup now), backups, restores and tasks of Cloud Backup and
Recovery, over the project's one `CloudSession` (its token, retries and error mapping).

Reads are retried like every read.  Each mutation says in `RETRY_SAFE` whether it is
resent here after a failure that may have reached the service: only the idempotent
ones are.  Creating a checkpoint (or a vault) has no idempotency token, so it is sent
exactly once, as the VBS create is; the caller decides by the error's
`reached_server` (and looks with `find_backups` before ever sending again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import httpx

from vbstui.cloud import http
from vbstui.cloud.cbr_models import (
    MAX_VAULT_RESOURCES,
    CbrBackup,
    Checkpoint,
    OperationLog,
    Vault,
    filter_time,
)
from vbstui.cloud.cbr_reader import (
    PAGE_SIZE,
    CbrReader,
    Pages,
    every_item,
    id_segment,
    inner_object,
    query,
)
from vbstui.cloud.cbr_requests import (
    CheckpointRequest,
    VaultRequest,
    disk_resources,
    id_problems,
)
from vbstui.cloud.endpoints import ID_MAX
from vbstui.cloud.errors import NotFound, ResponseFormatError, api_error_from_response, excerpt
from vbstui.cloud.lenient import as_list, as_str
from vbstui.cloud.retry import call_with_retries
from vbstui.cloud.validation import ValidationFailed

if TYPE_CHECKING:
    from datetime import datetime

_PLAIN_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{ID_MAX - 1}}}")

RETRY_SAFE: Mapping[str, bool] = MappingProxyType({
    "create_vault": False,  # no idempotency token; a second vault costs money
    "update_vault": True,  # PUT of the same values
    "delete_vault": True,  # a resend after success meets 404: done
    "add_resources": False,  # a resend after success fails with "already in the vault"
    "remove_resources": False,
    "associate_policy": False,
    "dissociate_policy": False,
    "create_checkpoint": False,  # no idempotency token: look before sending again
    "delete_backup": True,
    "restore_backup": False,  # a second restore would overwrite the disk again
})
"""Whether each mutation may be resent after a failure that may have reached CBR."""


class CbrClient(CbrReader):
    """Vaults (`CbrReader`), their changes, checkpoints, backups and tasks (CBR, API v3)."""

    # ------------------------------------------------------------------ vaults

    async def create_vault(self, request: VaultRequest) -> Vault:
        """Create a disk vault (it is billed).  Never resent here."""
        _check(request.problems())
        response = await self._mutate("create_vault", "POST", "vaults",
                                      body=request.to_body())
        return Vault.from_api(_object(response, "vault"))

    async def update_vault(self, vault_id: str, *, name: str | None = None,
                           size_gb: int | None = None, auto_expand: bool | None = None
                           ) -> Vault:
        vault: dict[str, Any] = {}
        if name is not None:
            vault["name"] = name
        if size_gb is not None:
            vault["billing"] = {"size": size_gb}
        if auto_expand is not None:
            vault["auto_expand"] = auto_expand
        if not vault:
            raise ValidationFailed({"vault": ["nothing to change"]})
        response = await self._mutate(
            "update_vault", "PUT", f"vaults/{id_segment(vault_id, 'vault id')}",
            body={"vault": vault})
        return Vault.from_api(_object(response, "vault"))

    async def delete_vault(self, vault_id: str) -> None:
        await self._mutate("delete_vault", "DELETE", f"vaults/{id_segment(vault_id, 'vault id')}",
                           ok=(200, 202, 204))

    async def add_resources(self, vault_id: str, disk_ids: Iterable[str]) -> list[str]:
        """Add disks to the vault; the ids CBR says it added."""
        segment = id_segment(vault_id, "vault id")
        ids = _disk_ids(disk_ids)
        response = await self._mutate("add_resources", "POST", f"vaults/{segment}/addresources",
                                      body={"resources": disk_resources(ids)})
        return _ids(response, "add_resource_ids")

    async def remove_resources(self, vault_id: str, disk_ids: Iterable[str]) -> list[str]:
        segment = id_segment(vault_id, "vault id")
        ids = _disk_ids(disk_ids)
        response = await self._mutate("remove_resources", "POST",
                                      f"vaults/{segment}/removeresources",
                                      body={"resource_ids": ids})
        return _ids(response, "remove_resource_ids")

    async def associate_policy(self, vault_id: str, policy_id: str) -> None:
        await self._policy("associate_policy", vault_id, policy_id)

    async def dissociate_policy(self, vault_id: str, policy_id: str) -> None:
        await self._policy("dissociate_policy", vault_id, policy_id)

    async def _policy(self, action: str, vault_id: str, policy_id: str) -> None:
        segment = id_segment(vault_id, "vault id")
        id_segment(policy_id, "policy id")
        await self._mutate(action, "POST", f"vaults/{segment}/{action.replace('_', '')}",
                           body={"policy_id": policy_id})

    # ------------------------------------------------------------- checkpoints

    async def create_checkpoint(self, request: CheckpointRequest) -> Checkpoint:
        """Back up disks of a vault now: the checkpoint (status `protecting`), with the
        disks CBR skipped in `skipped`.  Sent exactly once (no idempotency token)."""
        _check(request.problems())
        response = await self._mutate("create_checkpoint", "POST", "checkpoints",
                                      body=request.to_body())
        checkpoint = Checkpoint.from_api(_object(response, "checkpoint"))
        if not _PLAIN_ID.fullmatch(checkpoint.id):
            # It is journaled and put into filters: refuse it, but say the request
            # may have been carried out (ResponseFormatError is reached MAYBE).
            raise ResponseFormatError(
                "the answer's checkpoint id is missing or not a plain id (letters, digits, "
                f"'-' and '_', at most {ID_MAX} characters)",
                body_excerpt=excerpt(response.content))
        return checkpoint

    async def get_checkpoint(self, checkpoint_id: str) -> Checkpoint | None:
        return await self._get(f"checkpoints/{id_segment(checkpoint_id, 'checkpoint id')}",
                               "checkpoint", Checkpoint.from_api)

    # ----------------------------------------------------------------- backups

    def backup_pages(self, *, vault_id: str | None = None, resource_id: str | None = None,
                     checkpoint_id: str | None = None,
                     status: str | tuple[str, ...] | None = None,
                     name: str | None = None, sort: str | None = None,
                     resource_type: str | None = None, page_size: int = PAGE_SIZE,
                     ) -> Pages[CbrBackup]:
        """Backups page by page with the total CBR reported.  Several statuses are sent
        as `status=a&status=b` (the listing takes any of them)."""
        params = query(vault_id=vault_id, resource_id=resource_id,
                          checkpoint_id=checkpoint_id, status=status, name=name, sort=sort,
                          resource_type=resource_type)
        return self._pages("backups", params, "backups", CbrBackup.from_api, page_size)

    async def list_backups(self, **filters: Any) -> list[CbrBackup]:
        return await every_item(self.backup_pages(**filters))

    async def find_backups(self, vault_id: str, disk_id: str, name: str, *,
                           ignore: Iterable[str] = ()) -> list[CbrBackup]:
        """Backups of this disk in this vault with exactly this name, leaving out the ids
        in `ignore` (listed before the create was sent): what an unanswered checkpoint
        create may have made.  The name is compared here too: a filter is no promise."""
        known = frozenset(ignore)
        found = await self.list_backups(vault_id=vault_id, resource_id=disk_id, name=name)
        return [b for b in found if b.name == name and b.resource_id == disk_id
                and b.vault_id in ("", vault_id) and b.id not in known]

    async def get_backup(self, backup_id: str) -> CbrBackup | None:
        """The backup, or None when it does not exist (404)."""
        return await self._get(f"backups/{id_segment(backup_id, 'backup id')}", "backup",
                               CbrBackup.from_api)

    async def delete_backup(self, backup_id: str) -> None:
        """Start deleting; the backup disappears later (poll `get_backup` until None)."""
        await self._mutate("delete_backup", "DELETE",
                           f"backups/{id_segment(backup_id, 'backup id')}", ok=(200, 202, 204))

    async def restore_backup(self, backup_id: str, volume_id: str) -> None:
        """Restore a disk backup onto a disk (its data is overwritten).  202, no body:
        follow it through the backup's status and the `restore` task."""
        segment = id_segment(backup_id, "backup id")
        id_segment(volume_id, "volume id")
        await self._mutate("restore_backup", "POST", f"backups/{segment}/restore",
                           body={"restore": {"volume_id": volume_id}}, ok=(200, 202, 204))

    # ------------------------------------------------------------------- tasks

    def operation_log_pages(self, *, operation_type: str | None = None,
                            status: str | None = None, resource_id: str | None = None,
                            vault_id: str | None = None, start_time: datetime | None = None,
                            end_time: datetime | None = None, page_size: int = PAGE_SIZE,
                            ) -> Pages[OperationLog]:
        """Tasks page by page.  The API filters by type, status, resource, vault and time;
        by checkpoint or backup it does not: see `tasks_of`."""
        params = query(operation_type=operation_type, status=status,
                          resource_id=resource_id, vault_id=vault_id,
                          start_time=filter_time(start_time) if start_time else None,
                          end_time=filter_time(end_time) if end_time else None)
        return self._pages("operation-logs", params, "operation_logs", OperationLog.from_api,
                           page_size)

    async def list_operation_logs(self, **filters: Any) -> list[OperationLog]:
        return await every_item(self.operation_log_pages(**filters))

    async def tasks_of(self, *, checkpoint_id: str = "", backup_id: str = "",
                       **filters: Any) -> list[OperationLog]:
        """Tasks matching the API filters and, compared here, this checkpoint or backup."""
        tasks = await self.list_operation_logs(**filters)
        return [t for t in tasks
                if (not checkpoint_id or t.checkpoint_id == checkpoint_id)
                and (not backup_id or t.backup_id == backup_id)]

    async def get_operation_log(self, log_id: str) -> OperationLog | None:
        return await self._get(f"operation-logs/{id_segment(log_id, 'task id')}",
                               "operation_log", OperationLog.from_api)

    # ----------------------------------------------------------------- helpers

    async def _mutate(self, action: str, method: str, path: str, *, body: Any = None,
                      ok: tuple[int, ...] = (200, 201, 202)) -> httpx.Response:
        session = self._session
        url = await session.url("cbr", "v3", path)
        attempts = 0

        async def attempt() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            try:
                return await http.send(session.http, method, url, json_body=body, ok=ok,
                                       timeout=session.settings.timeouts.for_mutations())
            except NotFound:
                if method == "DELETE" and attempts > 1:
                    # An earlier attempt that lost its answer did delete it.
                    return httpx.Response(204, request=httpx.Request(method, url))
                raise

        if not RETRY_SAFE[action]:
            return await attempt()
        return await call_with_retries(attempt, session.retry_policy, on_retry=session.on_retry)


def _disk_ids(disk_ids: Iterable[str]) -> list[str]:
    ids = list(disk_ids)
    _check({"disk_ids": msgs} if (msgs := id_problems(
        ids, what="disk", most=MAX_VAULT_RESOURCES)) else {})
    return ids


def _check(problems: Mapping[str, list[str]]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _object(response: httpx.Response, key: str) -> dict[str, Any]:
    """`response`'s `key` object; a 2xx carrying an error envelope is that error."""
    data = http.json_object(response)
    if key not in data and ("error_code" in data or "error" in data):
        raise api_error_from_response(
            status=response.status_code, headers=response.headers, body=response.content,
            method=response.request.method, path=response.request.url.path)
    return inner_object(data, key)


def _ids(response: httpx.Response, key: str) -> list[str]:
    if not response.content.strip():
        return []
    data = http.json_object(response)
    return [as_str(i) for i in as_list(data.get(key)) if isinstance(i, str)]

