"""The disk listing for JSON output (EvsClient.volume_record_pages): after the first
page the next ones are asked for by offset, a few at once; the disks come in order and
each once, also when disks are created or deleted during the listing; a failure half-way
reaches the caller after the pages before it; stopping early leaves nothing running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from cloudfake import FakeCloud, session

from vbstui.cloud.errors import ResponseFormatError
from vbstui.cloud.evs import AHEAD_PAGES


class Disks:
    """A disk list served like EVS: limit, offset or marker, `count`, a marker next link.
    `change(number_of_listing_requests_so_far, disks)` may edit the list between requests."""

    def __init__(self, total: int, *, fail_at_offset: int | None = None,
                 change: Callable[[int, list[str]], None] | None = None,
                 count_off_by: int = 0) -> None:
        self.ids = [f"v{i:05d}" for i in range(total)]
        self.fail_at_offset = fail_at_offset
        self.change = change
        self.count_off_by = count_off_by
        self.served = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.change is not None:
            self.change(self.served, self.ids)
        self.served += 1
        params = request.url.params
        limit = int(params.get("limit", 1000))
        offset = int(params.get("offset", 0))
        if offset and offset == self.fail_at_offset:
            return httpx.Response(200, content=b"[" * 100_000)  # nested too deep
        if "marker" in params:
            offset = self.ids.index(params["marker"]) + 1
        chunk = self.ids[offset:offset + limit]
        body: dict = {"count": len(self.ids) + self.count_off_by,
                      "volumes": [{"id": i, "status": "in-use"} for i in chunk]}
        if offset + limit < len(self.ids):
            body["volumes_links"] = [{"rel": "next", "href":
                                      f"https://evs/x?limit={limit}&marker={chunk[-1]}"}]
        return httpx.Response(200, json=body)


def page_calls(fake: FakeCloud) -> int:
    return len([r for r in fake.requests if "cloudvolumes" in r.url.path])


async def listed(disks: Disks) -> list[str]:
    ids: list[str] = []
    async with session(FakeCloud(disks)) as s:
        async for page, _total in s.evs.volume_record_pages():
            ids += [record["id"] for record in page]
    return ids


async def test_pages_after_the_first_are_asked_for_at_once_and_come_in_order() -> None:
    disks = Disks(5000)
    fake = FakeCloud(disks)
    calls_when_handed: list[int] = []
    ids: list[str] = []
    async with session(fake) as s:
        async for page, total in s.evs.volume_record_pages():
            calls_when_handed.append(page_calls(fake))  # no await since the page came
            ids += [record["id"] for record in page]
            assert total == 5000
    assert ids == disks.ids  # every disk once, in the server's order
    # The second page came with the pages after it already asked for.
    assert calls_when_handed[1] >= 3


@pytest.mark.parametrize("change", [
    pytest.param(lambda served, ids: ids.insert(0, "new") if served == 2 else None,
                 id="a disk created in front"),
    pytest.param(lambda served, ids: ids.remove("v00010") if served == 2 else None,
                 id="a disk of the first page deleted"),
    pytest.param(lambda served, ids: ids.append("v99999") if served == 3 else None,
                 id="a disk created at the end"),
])
async def test_a_list_changing_during_the_listing_gives_each_disk_once_in_order(
        change: Callable[[int, list[str]], None]) -> None:
    disks = Disks(4500, change=change)
    before = list(disks.ids)
    ids = await listed(disks)
    assert len(ids) == len(set(ids))  # none twice
    # None skipped that was there all along (a created or deleted one may be either way).
    assert set(before) & set(disks.ids) <= set(ids)
    assert ids == sorted(ids, key=lambda i: -1 if i == "new" else int(i[1:]))  # in order


@pytest.mark.parametrize("off_by", [-2500, 3000], ids=["count too low", "count too high"])
async def test_a_wrong_total_still_lists_every_disk_once(off_by: int) -> None:
    disks = Disks(4200, count_off_by=off_by)
    assert await listed(disks) == disks.ids


async def test_a_failure_half_way_comes_after_the_pages_before_it() -> None:
    fake = FakeCloud(Disks(5000, fail_at_offset=2 * 999))  # the third page
    received = 0
    async with session(fake) as s:
        with pytest.raises(ResponseFormatError, match="nested"):
            async for page, _total in s.evs.volume_record_pages():
                received += len(page)
    assert received == 1000 + 999


async def test_stopping_early_cancels_the_fetches_under_way() -> None:
    fake = FakeCloud(Disks(9000))
    async with session(fake) as s:
        pages = s.evs.volume_record_pages()
        async for _page in pages:
            await asyncio.sleep(0)
            async for _second in pages:
                break
            break
        await pages.aclose()  # type: ignore[attr-defined]
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []
    assert page_calls(fake) <= 1 + AHEAD_PAGES + 1
