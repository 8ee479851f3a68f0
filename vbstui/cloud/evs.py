"""EVS: the disks (volumes) of the project."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import httpx

from vbstui.cloud import http
from vbstui.cloud.endpoints import path_segment
from vbstui.cloud.errors import NotFound
from vbstui.cloud.listing_text import ItemTexts, RecordList
from vbstui.cloud.models import Volume
from vbstui.cloud.paging import MAX_PAGES, ListingReader

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

PAGE_SIZE = 1000  # the EVS maximum

RecordPages = AsyncIterator[tuple[RecordList, int | None]]


class EvsClient:
    """Disks (EVS)."""

    def __init__(self, session: CloudSession) -> None:
        self._session = session

    async def volume_record_pages(
        self, *, name: str | None = None, status: str | None = None,
        page_size: int = PAGE_SIZE, first_page: int | None = None,
        first_body: dict[str, Any] | None = None, texts: bool = True,
    ) -> RecordPages:
        """The disks as the server sent them, page by page and in order, each once, with
        the total the server reported.  `first_page`: how many disks the first page asks
        for (a screen's worth comes sooner than a full page); the others are full pages.

        No model is built: this is for output that passes records through (JSON); each
        page is a `RecordList`, with the text each record came in when it was read here
        (not with `texts=False`: reading them costs a fifth more, and the records' keys
        are then not shared between records, which a screen keeping 50,000 disks would
        pay for in memory).

        The first page tells the total; the others are then asked for by offset, a few at
        once, so the server works on the next pages while the caller handles this one
        (following the next link, which is inside the body, would serialise the two).
        Each offset page starts with the last disk of the page before it.  When it does
        not (disks were created or deleted meanwhile), the pages asked for ahead are
        dropped and the rest is read by marker from the last disk handed out, as a
        plain listing would be.

        `first_body`: the first page's body, read already (`first_page_body` with the
        same `first_page`, in another process): the listing goes on from there."""
        params = _params(name, status, page_size)
        first_size = min(first_page or page_size, page_size)
        url = await self._session.url("evs", "v2", "cloudvolumes/detail")
        reader = ListingReader("volumes", "volumes_links")
        read = _listing_reader(texts)
        kept = None
        if first_body is None:
            first_body, kept = read(await self._session.fetch(
                url, params={**params, "limit": first_size}))
        page, next_query = reader.take(first_body)
        yield RecordList(page.items, kept), page.total
        last_id = _last_id(page.items)
        if next_query is None:
            return
        # Our page size from here on, not the first page's from its next link.
        next_query = {k: v for k, v in next_query.items() if k != "limit"}
        if (page.total is not None and last_id is not None
                and len(page.items) == first_size > 1 and page_size > 1):
            step = page_size - 1  # each page starts with the last disk of the one before
            ahead = _PagesAhead(self._session, url, params,
                                range(first_size - 1, page.total - 1, step)[:MAX_PAGES], read)
            try:
                async for data, kept in ahead:
                    if _first_id(reader.items(data)) != last_id:
                        next_query = {"marker": last_id}  # the list changed under us
                        break
                    page, next_query = reader.take(data, skip=1)
                    yield RecordList(page.items, kept), page.total
                    if next_query is None:
                        return
                    last_id = _last_id(page.items)
                    if last_id is None:  # no id to check the next boundary with
                        break
            finally:
                await ahead.aclose()
        # More disks than the total said, or the offsets could not be trusted.
        async for page in self._session.pages(url, params=params, items_key="volumes",
                                              links_key="volumes_links", reader=reader,
                                              start=next_query):
            yield RecordList(page.items), page.total

    async def volume_pages(
        self, *, name: str | None = None, status: str | None = None,
        page_size: int = PAGE_SIZE, first_page: int | None = None,
        first_body: dict[str, Any] | None = None,
    ) -> AsyncIterator[tuple[list[Volume], int | None]]:
        """Volumes page by page, so a screen can show the first page at once.  Nothing
        more is requested before the caller asks for a second page (a caller may stop
        after the first); from then on the server works on the next pages while the
        caller handles one (see `volume_record_pages`, also for `first_page` and
        `first_body`)."""
        async for items, total in self.volume_record_pages(
                name=name, status=status, page_size=page_size, first_page=first_page,
                first_body=first_body, texts=False):
            yield [Volume.from_api(v) for v in items], total

    async def first_page_body(self, first_page: int) -> dict[str, Any]:
        """The body of an unfiltered listing's first page of `first_page` disks, asked
        for as `volume_record_pages` asks for it."""
        url = await self._session.url("evs", "v2", "cloudvolumes/detail")
        params = {**_params(None, None, PAGE_SIZE), "limit": min(first_page, PAGE_SIZE)}
        return await self._session.read(url, params=params)

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


ListingRead = Callable[[httpx.Response], tuple[dict[str, Any], ItemTexts | None]]


def _listing_reader(texts: bool) -> ListingRead:
    """How a page's body is read: with its records' texts, or as any answer is."""
    if texts:
        return lambda response: http.json_listing(response, "volumes")
    return lambda response: (http.json_object(response), None)


def _params(name: str | None, status: str | None, page_size: int) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": page_size}
    if name:
        params["name"] = name
    if status:
        params["status"] = status
    return params


def _first_id(items: list[Any]) -> Any:
    return items[0].get("id") if items and isinstance(items[0], dict) else None


def _last_id(items: list[Any]) -> str | None:
    last = items[-1] if items else None
    found = last.get("id") if isinstance(last, dict) else None
    return found if isinstance(found, str) else None


# Pages asked for at once: enough to keep the server busy while one is handled, few
# enough not to crowd a real endpoint (or memory: each is a megabyte or two).
AHEAD_PAGES = 4


class _PagesAhead:
    """The bodies of the pages at `offsets` (each with its records' texts), in order, up
    to AHEAD_PAGES requested at once.  A body is parsed only when its page is next:
    bytes waiting cost the garbage collector nothing, parsed pages waiting would
    (measured: a tenth more CPU at 50,000 disks, in full collections).
    A failure surfaces when its page is next; `aclose()` cancels the rest."""

    def __init__(self, session: CloudSession, url: str, params: dict[str, Any],
                 offsets: range, read: ListingRead) -> None:
        self._session = session
        self._read = read
        self._url = url
        self._params = params
        self._offsets = iter(offsets)
        self._pending: deque[asyncio.Task[httpx.Response]] = deque()

    def _fill(self) -> None:
        while len(self._pending) < AHEAD_PAGES:
            offset = next(self._offsets, None)
            if offset is None:
                return
            self._pending.append(asyncio.ensure_future(self._session.fetch(
                self._url, params={**self._params, "offset": offset})))

    def __aiter__(self) -> _PagesAhead:
        return self

    async def __anext__(self) -> tuple[dict[str, Any], ItemTexts | None]:
        self._fill()
        if not self._pending:
            raise StopAsyncIteration
        response = await self._pending.popleft()
        self._fill()
        try:
            return self._read(response)
        finally:
            _release(response)

    async def aclose(self) -> None:
        pending, self._pending = list(self._pending), deque()
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        for task in pending:
            if not task.cancelled():
                task.exception()  # retrieved: a page nobody asked for is not reported


def _release(response: httpx.Response) -> None:
    """Let refcounting free a read response (its body is a megabyte or two) at once.

    httpx's response and its stream refer to each other, so only the garbage collector
    could free them, and a screen loading pages freezes what exists between pages
    (`gc.freeze`): the pages asked for ahead are under way then, and a frozen cycle is
    never collected (measured: 50 MiB kept at 50,000 disks).  The stream is read and
    closed; an empty one in its place breaks the cycle."""
    response.stream = httpx.ByteStream(b"")
