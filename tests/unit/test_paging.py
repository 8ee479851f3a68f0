"""Listings follow next links on our own endpoint, stream page by page and stop safely."""

from __future__ import annotations

import gc

import httpx
from cloudfake import PROJECT, FakeCloud, session

from vbstui.cloud.evs import AHEAD_PAGES


def volumes_api(total: int, *, internal_host: bool = True, repeat_marker: bool = False):
    ids = [f"v{i:05d}" for i in range(total)]

    def api(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = int(params.get("limit", 1000))
        start = 0
        if "marker" in params:
            start = ids.index(params["marker"]) + 1
        page = ids[start:start + limit]
        body: dict = {"count": total, "volumes": [
            {"id": v, "name": f"disk-{v}", "status": "available", "size": 10} for v in page]}
        if start + limit < total:
            marker = page[0] if repeat_marker else page[-1]
            host = "https://volume.localdomain.com:8776" if internal_host else str(request.url)
            body["volumes_links"] = [{"rel": "next", "href":
                                      f"{host}/v2/{PROJECT}/volumes/detail?limit={limit}"
                                      f"&marker={marker}&name=ignored"}]
        return httpx.Response(200, json=body)

    return api


async def test_all_pages_in_order_without_gaps_or_duplicates() -> None:
    fake = FakeCloud(volumes_api(2503))
    async with session(fake) as s:
        pages = [(p, total) async for p, total in s.evs.volume_pages(name="x")]
    ids = [v.id for page, _ in pages for v in page]
    assert ids == [f"v{i:05d}" for i in range(2503)]
    assert [len(p) for p, _ in pages] == [1000, 1000, 503]
    assert {total for _, total in pages} == {2503}
    api_calls = [r for r in fake.requests if "cloudvolumes" in r.url.path]
    # The internal host in the next link is never contacted; our filters are kept.
    assert {r.url.host for r in api_calls} == {"evs.example.test"}
    assert all(r.url.params["name"] == "x" for r in api_calls)


async def test_first_page_arrives_before_the_rest_is_fetched() -> None:
    fake = FakeCloud(volumes_api(3000))
    async with session(fake) as s:
        async for page, _total in s.evs.volume_pages():
            assert len(page) == 1000
            assert len([r for r in fake.requests if "cloudvolumes" in r.url.path]) == 1
            break


async def test_a_server_repeating_its_marker_does_not_loop_forever() -> None:
    fake = FakeCloud(volumes_api(5000, repeat_marker=True))
    async with session(fake) as s:
        volumes = await s.evs.list_volumes()
    calls = [r for r in fake.requests if "cloudvolumes" in r.url.path]
    # This server ignores offsets too: the pages asked for ahead are dropped, then the
    # markers are followed until they repeat.
    assert len(calls) <= 3 + AHEAD_PAGES
    assert len(volumes) >= 1000


async def test_backups_pages_use_backups_links() -> None:
    items = [{"id": f"b{i}", "name": "n", "status": "available"} for i in range(5)]

    def api(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        body: dict = {"backups": items[offset:offset + 2]}
        if offset + 2 < len(items):
            body["backups_links"] = [{"rel": "next", "href":
                                      f"http://10.0.0.1/backups?limit=2&offset={offset + 2}"}]
        return httpx.Response(200, json=body)

    fake = FakeCloud(api)
    async with session(fake) as s:
        backups = await s.vbs.list_backups(volume_id="vol-1")
    assert [b.id for b in backups] == [f"b{i}" for i in range(5)]
    calls = [r for r in fake.requests if "backups" in r.url.path]
    assert all(r.url.params["volume_id"] == "vol-1" for r in calls)


def volumes_by_offset(total: int):
    """EVS paging by offset (what the pages asked for ahead use), next links as well."""
    ids = [f"v{i:05d}" for i in range(total)]

    def api(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = int(params.get("limit", 1000))
        start = int(params.get("offset", 0))
        if "marker" in params:
            start = ids.index(params["marker"]) + 1
        page = ids[start:start + limit]
        body: dict = {"count": total, "volumes": [
            {"id": v, "name": f"disk-{v}", "status": "available", "size": 10} for v in page]}
        if start + limit < total:
            here = request.url.copy_with(query=None)
            body["volumes_links"] = [{"rel": "next",
                                      "href": f"{here}?limit={limit}&marker={page[-1]}"}]
        return httpx.Response(200, json=body)

    return api


async def test_pages_read_ahead_are_freed_as_soon_as_they_are_read() -> None:
    """A screen loading 50,000 disks freezes what exists between pages (gc.freeze), while
    the next pages are under way: a page's response must be freed without the garbage
    collector, or every page's body (megabytes each) would stay until the profile
    changes."""
    fake = FakeCloud(volumes_by_offset(9000))
    gc.collect()
    gc.disable()
    try:
        async with session(fake) as s:
            ids = [v.id async for page, _ in s.evs.volume_pages() for v in page]
        alive = [o for o in gc.get_objects() if isinstance(o, httpx.Response)
                 and "offset" in o.request.url.params]
    finally:
        gc.enable()
    assert ids == [f"v{i:05d}" for i in range(9000)]
    offsets = [r.url.params.get("offset") for r in fake.requests if "cloudvolumes" in r.url.path]
    assert len(offsets) == 10 and offsets[1] == "999"  # asked for ahead, not by link
    # Not one per page (the last may still be held by the finished request's task).
    assert len(alive) <= 1
