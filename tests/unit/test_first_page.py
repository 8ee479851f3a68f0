"""A screen's first page of disks (`first_page`): a few disks first, then full pages.

The TUI asks for a screen's worth of disks first so its first rows come sooner; the
rest come in full pages, read ahead by offset.  Each disk still comes once and in
order, also when the list changes meanwhile or the server reports no total."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from cloudfake import FakeCloud, session

from vbstui.cloud.evs import PAGE_SIZE


class Disks:
    """Disks served like EVS (limit, offset or marker, `count`, a marker next link);
    `change(listing_requests_so_far, ids)` may edit the list between requests."""

    def __init__(self, total: int, *, counted: bool = True,
                 change: Callable[[int, list[str]], None] | None = None) -> None:
        self.ids = [f"v{i:05d}" for i in range(total)]
        self.counted = counted
        self.change = change
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.change is not None:
            self.change(len(self.queries), self.ids)
        params = dict(request.url.params)
        self.queries.append(params)
        limit = int(params.get("limit", PAGE_SIZE))
        start = int(params.get("offset", 0))
        if "marker" in params:
            start = self.ids.index(params["marker"]) + 1
        chunk = self.ids[start:start + limit]
        body: dict = {"volumes": [{"id": i, "status": "available"} for i in chunk]}
        if self.counted:
            body["count"] = len(self.ids)
        if start + limit < len(self.ids):
            body["volumes_links"] = [{"rel": "next", "href":
                                      f"https://evs/x?limit={limit}&marker={chunk[-1]}"}]
        return httpx.Response(200, json=body)


async def pages_of(disks: Disks, first_page: int | None = 100) -> list[list[str]]:
    async with session(FakeCloud(disks)) as s:
        return [[v.id for v in page]
                async for page, _total in s.evs.volume_pages(first_page=first_page)]


async def test_a_small_first_page_then_full_pages_read_ahead() -> None:
    disks = Disks(2500)
    pages = await pages_of(disks)
    assert [i for page in pages for i in page] == disks.ids  # each once, in order
    assert len(pages[0]) == 100
    assert [q["limit"] for q in disks.queries] == ["100"] + [str(PAGE_SIZE)] * 3
    # Each later page starts with the last disk of the one before (the overlap check).
    assert [q.get("offset") for q in disks.queries] == [None, "99", "1098", "2097"]


async def test_without_a_total_the_rest_follows_the_links_in_full_pages() -> None:
    disks = Disks(2500, counted=False)
    pages = await pages_of(disks)
    assert [i for page in pages for i in page] == disks.ids
    assert [len(p) for p in pages] == [100, 1000, 1000, 400]  # not the first page's size


async def test_fewer_disks_than_the_first_page_is_one_request() -> None:
    disks = Disks(60)
    assert await pages_of(disks) == [disks.ids]
    assert len(disks.queries) == 1


@pytest.mark.parametrize("change", [
    pytest.param(lambda served, ids: ids.insert(0, "new") if served == 1 else None,
                 id="a disk created in front"),
    pytest.param(lambda served, ids: ids.remove("v00050") if served == 1 else None,
                 id="a disk of the first page deleted"),
    pytest.param(lambda served, ids: ids.append("v99999") if served == 2 else None,
                 id="a disk created at the end"),
])
async def test_a_list_changing_after_the_first_page_gives_each_disk_once_in_order(
        change: Callable[[int, list[str]], None]) -> None:
    disks = Disks(2300, change=change)
    before = list(disks.ids)
    ids = [i for page in await pages_of(disks) for i in page]
    assert len(ids) == len(set(ids))  # none twice
    # None skipped that was there all along (a created or deleted one may be either way).
    assert set(before) & set(disks.ids) <= set(ids)
    assert ids == sorted(ids, key=lambda i: -1 if i == "new" else int(i[1:]))  # in order
    # Read by marker after the offsets failed the check: in full pages too.
    assert all(q["limit"] == str(PAGE_SIZE) for q in disks.queries[1:])
