"""The disk listing for JSON output (EvsClient.volume_record_pages): the next page is
requested while the caller writes this one, a failure half-way reaches the caller after
the pages before it, and stopping early leaves nothing running."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from cloudfake import FakeCloud, session

from vbstui.cloud.errors import ResponseFormatError


def paged(total: int, *, fail_at_offset: int | None = None):
    def api(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        if offset == fail_at_offset:
            return httpx.Response(200, content=b"[" * 100_000)  # nested too deep
        ids = list(range(offset, min(offset + 1000, total)))
        body: dict = {"count": total, "volumes": [{"id": f"v{i}", "status": "in-use"}
                                                  for i in ids]}
        if offset + 1000 < total:
            body["volumes_links"] = [{"rel": "next", "href":
                                      f"https://evs/x?limit=1000&offset={offset + 1000}"}]
        return httpx.Response(200, json=body)

    return api


def page_calls(fake: FakeCloud) -> int:
    return len([r for r in fake.requests if "cloudvolumes" in r.url.path])


async def test_the_next_page_is_asked_for_while_this_one_is_handled() -> None:
    fake = FakeCloud(paged(3000))
    seen: list[tuple[int, int]] = []
    async with session(fake) as s:
        async for page, total in s.evs.volume_record_pages():
            seen.append((len(page), page_calls(fake)))  # no await since the page came
            assert total == 3000
    # Records come as sent (no model), and each page found its successor requested.
    assert seen == [(1000, 2), (1000, 3), (1000, 3)]


async def test_a_failure_half_way_comes_after_the_pages_before_it() -> None:
    fake = FakeCloud(paged(5000, fail_at_offset=2000))
    received = 0
    async with session(fake) as s:
        with pytest.raises(ResponseFormatError, match="nested"):
            async for page, _total in s.evs.volume_record_pages():
                received += len(page)
    assert received == 2000


async def test_stopping_early_cancels_the_fetch_under_way() -> None:
    fake = FakeCloud(paged(5000))
    async with session(fake) as s:
        pages = s.evs.volume_record_pages()
        async for _page in pages:
            break
        await pages.aclose()  # type: ignore[attr-defined]
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []
    assert page_calls(fake) <= 2
