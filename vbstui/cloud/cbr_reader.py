"""CBR's reading part: paging, one-object reads and the vaults.

A disk listing with CBR needs only the vaults (where each disk's backups go); the rest
of the client (checkpoints, backups, tasks, every change) is `cbr.CbrClient`, built on
this, and loads the models and request rules that only those use.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from vbstui.cloud.cbr_vault_models import Vault
from vbstui.cloud.endpoints import path_segment
from vbstui.cloud.errors import NotFound, ResponseFormatError
from vbstui.cloud.lenient import as_int, as_list, as_str

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

log = logging.getLogger("vbstui.cloud")

PAGE_SIZE = 1000  # the API's maximum `limit`
MAX_PAGES = 100_000  # a runaway server must not page us forever

T = TypeVar("T")
Pages = AsyncIterator[tuple[list[T], int | None]]


class CbrReader:
    """Vaults, and the reads every CBR listing shares (CBR, API v3)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    def vault_pages(self, *, object_type: str | None = "disk", name: str | None = None,
                    resource_id: str | None = None, policy_id: str | None = None,
                    page_size: int = PAGE_SIZE) -> Pages[Vault]:
        """Vaults page by page (disk vaults unless `object_type=None`)."""
        params = query(object_type=object_type, name=name, resource_ids=resource_id,
                       policy_id=policy_id)
        return self._pages("vaults", params, "vaults", Vault.from_api, page_size)

    async def list_vaults(self, **filters: Any) -> list[Vault]:
        return await every_item(self.vault_pages(**filters))

    async def get_vault(self, vault_id: str) -> Vault | None:
        """The vault, or None when it does not exist (404)."""
        return await self._get(f"vaults/{id_segment(vault_id, 'vault id')}", "vault",
                               Vault.from_api)

    async def policies_by_vault(self) -> dict[str, tuple[str, str]]:
        """Vault id → (policy id, policy name) of the backup policies applied to vaults
        (`GET /policies`: a vault's own record does not name its policy)."""
        url = await self._session.url("cbr", "v3", "policies")
        data = await self._session.read(url, params={"operation_type": "backup"})
        found: dict[str, tuple[str, str]] = {}
        for item in as_list(data.get("policies")):
            if not isinstance(item, dict) or not as_str(item.get("id")):
                continue
            policy = (as_str(item.get("id")), as_str(item.get("name")))
            for bound in as_list(item.get("associated_vaults")):
                if isinstance(bound, dict) and as_str(bound.get("vault_id")):
                    found[as_str(bound.get("vault_id"))] = policy
        return found

    async def _get(self, path: str, key: str, build: Callable[[Any], T]) -> T | None:
        url = await self._session.url("cbr", "v3", path)
        try:
            data = await self._session.read(url, expect_key=key)
        except NotFound:
            return None
        return build(inner_object(data, key))

    async def _pages(self, path: str, params: dict[str, Any], items_key: str,
                     build: Callable[[Any], T], page_size: int) -> Pages[T]:
        """Follow `offset` until the reported `count` (or a short page) is reached.

        CBR pages by limit/offset and sends no next link; items already seen (a listing
        that shifted under us) are dropped, and a server repeating a whole page stops."""
        url = await self._session.url("cbr", "v3", path)
        limit = max(1, min(page_size, PAGE_SIZE))
        offset = 0
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            data = await self._session.read(url, params={**params, "limit": limit,
                                                         "offset": offset})
            raw_items = data.get(items_key)
            if raw_items is not None and not isinstance(raw_items, list):
                raise ResponseFormatError(f"'{items_key}' in the answer is not a list")
            items = as_list(raw_items)
            fresh = [i for i in items if not (isinstance(i, dict) and i.get("id") in seen)]
            seen.update(i["id"] for i in fresh if isinstance(i, dict)
                        and isinstance(i.get("id"), str))
            total = as_int(data.get("count"))
            yield [build(i) for i in fresh], total
            offset += len(items)
            if not items or (total is not None and offset >= total):
                return
            if total is None and len(items) < limit:
                return
            if not fresh:
                log.warning("CBR's paging repeated a whole page; stopped after %d", len(seen))
                return
        log.warning("stopped paging after %d pages", MAX_PAGES)


def query(**values: str | tuple[str, ...] | None) -> dict[str, Any]:
    """A listing's filters as query parameters: the ones given, several values repeated."""
    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in values.items() if value}


async def every_item(pages: Pages[T]) -> list[T]:
    found: list[T] = []
    async for page, _total in pages:
        found.extend(page)
    return found


def id_segment(value: object, what: str) -> str:
    return path_segment(value, what=what)


def inner_object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    inner = data.get(key)
    if not isinstance(inner, dict):
        raise ResponseFormatError(f"'{key}' in the answer is not an object")
    return inner
