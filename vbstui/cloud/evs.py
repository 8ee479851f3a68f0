"""EVS: the disks (volumes) of the project."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from vbstui.cloud.endpoints import path_segment
from vbstui.cloud.errors import NotFound
from vbstui.cloud.models import Volume

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

PAGE_SIZE = 1000  # the EVS maximum

T = TypeVar("T")
RecordPages = AsyncIterator[tuple[list[Any], int | None]]


class EvsClient:
    """Disks (EVS)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def volume_record_pages(
        self, *, name: str | None = None, status: str | None = None, page_size: int = PAGE_SIZE
    ) -> RecordPages:
        """The disks as the server sent them, page by page, with the total it reported.

        No model is built: this is for output that passes records through (JSON).  The
        next page is already requested while the caller handles this one, so the
        server's work on it overlaps the caller's on this one."""
        async for page in _read_ahead(self._raw_pages(name, status, page_size)):
            yield page

    async def volume_pages(
        self, *, name: str | None = None, status: str | None = None, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[tuple[list[Volume], int | None]]:
        """Volumes page by page, so a screen can show the first page at once.  No page is
        requested before the caller asks for it: a caller may stop after the first."""
        async for items, total in self._raw_pages(name, status, page_size):
            yield [Volume.from_api(v) for v in items], total

    async def _raw_pages(self, name: str | None, status: str | None, page_size: int
                         ) -> RecordPages:
        params: dict[str, Any] = {"limit": page_size}
        if name:
            params["name"] = name
        if status:
            params["status"] = status
        url = await self._session.url("evs", "v2", "cloudvolumes/detail")
        async for page in self._session.pages(
            url, params=params, items_key="volumes", links_key="volumes_links"
        ):
            yield page.items, page.total

    async def list_volumes(self, *, name: str | None = None, status: str | None = None
                           ) -> list[Volume]:
        volumes: list[Volume] = []
        async for page, _total in self.volume_pages(name=name, status=status):
            volumes.extend(page)
        return volumes

    async def get_volume(self, volume_id: str) -> Volume | None:
        segment = path_segment(volume_id, what="volume id")
        url = await self._session.url("evs", "v2", f"cloudvolumes/{segment}")
        try:
            data = await self._session.read(url)
        except NotFound:
            return None
        return Volume.from_api(data.get("volume"))


# Turns of the event loop the next fetch gets before this page goes to the caller: httpx
# needs a few awaits to write a request, and a caller handling the page without awaiting
# would otherwise hold it back until the page is done (measured: 2 turns are too few).
HEAD_START_TURNS = 4


async def _read_ahead(source: AsyncIterator[T]) -> AsyncIterator[T]:
    """`source`, with its next item already being fetched while this one is handled.
    A failure of the next fetch surfaces when the caller asks for it; stopping early
    cancels the fetch under way."""
    pending: asyncio.Future[T] = asyncio.ensure_future(anext(source))
    try:
        while True:
            try:
                item = await pending
            except StopAsyncIteration:
                return
            pending = asyncio.ensure_future(anext(source))
            for _ in range(HEAD_START_TURNS):
                await asyncio.sleep(0)
            yield item
    finally:
        if not pending.done():
            pending.cancel()
        # Let the cancelled fetch unwind before the source is closed; `wait` never
        # raises the fetch's own error, and a cancellation of the caller still stops us.
        await asyncio.wait([pending])
        if not pending.cancelled():
            pending.exception()  # retrieved: a failure nobody asked for is not reported
        close = getattr(source, "aclose", None)
        if close is not None:
            await close()
