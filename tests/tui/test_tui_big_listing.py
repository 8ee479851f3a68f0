"""A listing of many pages in the real app: what each page costs the screen and what it
leaves behind.

- A page appended to the table repaints the table, its scrollbar and the summary line
  ("loading… 1100 of 5100"), but does not lay the whole screen out again: at 50,000 disks
  each layout was a frame of every widget on screen, a dozen of them while loading.
- The TUI moves each page out of the garbage collector's sight (gc.freeze) without
  collecting first, so a page that left its data in reference cycles (an HTTP response
  and its body, parsed disks) would stay in memory for as long as the app runs.  The
  test lets the collector see the frozen objects again and looks at what it finds."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from rich.text import Text
from textual.screen import Screen
from tuikit import demo_target, loaded, make_app, wait_until

from vbstui.cloud.models import Volume
from vbstui.ui import loading
from vbstui.ui.views import TableView, VolumesView

DISKS = 5100
PAGES = 7  # the first of 100 disks, then full pages, each from the last disk before


@pytest.fixture
def collector_sees_all() -> Iterator[None]:
    """What earlier tests froze is not counted against this one; the collector as it was
    after the test."""
    gc.collect()
    gc.unfreeze()
    gc.collect()
    yield
    gc.set_debug(0)
    gc.garbage.clear()
    gc.unfreeze()


def _frozen_garbage() -> list[object]:
    gc.collect()  # what is garbage and was never frozen: the collector frees it as usual
    gc.unfreeze()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
    finally:
        gc.set_debug(0)
    found, gc.garbage[:] = list(gc.garbage), []
    return found


def _text_held(found: list[object]) -> int:
    """Characters and bytes the garbage holds (they are not tracked by the collector
    themselves: they hang off the objects it found)."""
    held = {id(o): o for g in found for o in gc.get_referents(g)
            if isinstance(o, bytes | bytearray | str)}
    return sum(len(o) for o in held.values())


@pytest.mark.usefixtures("collector_sees_all")
async def test_pages_frozen_while_loading_leave_none_of_their_data_behind() -> None:
    app = make_app(demo_target(volumes=DISKS))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app, DISKS)
        assert gc.get_freeze_count() > 0  # the pages were frozen
        found = _frozen_garbage()
    leaked = [o for o in found if isinstance(o, httpx.Response | httpx.Request | Volume)]
    assert leaked == []
    disks = [o for o in found if isinstance(o, dict) and o.get("id") in app.volumes]
    assert disks == []
    # A page's body is hundreds of kilobytes; what may stay is screen-sized (Textual's
    # line caches of frames drawn while loading).
    assert _text_held(found) < 64 * 1024


async def test_pages_update_the_count_without_laying_the_screen_out_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Each page shown, as when pages come slower than PROGRESS_EVERY (a real cloud).
    monkeypatch.setattr(loading, "PROGRESS_EVERY", 0.0)
    app = make_app(demo_target(volumes=DISKS))
    layouts: list[str] = []
    summaries: list[str] = []
    refresh_layout = Screen._refresh_layout

    def counted(screen: Screen[object], size: object = None, scroll: bool = False) -> None:
        # Once rows are shown: a layout for something in the volumes view (the log pane,
        # the jobs view may lay themselves out meanwhile).
        widgets = screen._layout_widgets
        if app.volumes and any(isinstance(w, VolumesView) for w in widgets):
            layouts.append(", ".join(sorted(type(w).__name__ for w in widgets)))
        refresh_layout(screen, size, scroll)  # type: ignore[arg-type]

    def summarize(view: VolumesView, text: str | Text) -> None:
        summaries.append(str(text))
        TableView.summarize(view, text)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    monkeypatch.setattr(VolumesView, "summarize", summarize)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app, DISKS)
        view = app.volumes_view
        await pilot.pause()
        shown = view.query_one(".summary").render()
    # Every page but the last says how far the listing is.
    assert len([t for t in summaries if t.endswith(f" of {DISKS}")]) == PAGES - 1, summaries
    assert str(shown) == f"{DISKS} disks"
    # The first rows may make room for a scrollbar; the pages after them lay nothing out.
    assert len(layouts) < PAGES - 2, layouts


def _summary(view: VolumesView) -> str:
    return str(view.query_one(".summary").render())


async def test_pages_that_pour_in_are_shown_together_and_the_last_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Within PROGRESS_EVERY of the last progress shown, a page goes into the table
    without a frame of its own; the last page is shown as it arrives."""
    monkeypatch.setattr(loading, "PROGRESS_EVERY", 3600.0)
    app = make_app(demo_target(volumes=DISKS))
    summaries: list[str] = []

    def summarize(view: VolumesView, text: str | Text) -> None:
        summaries.append(str(text))
        TableView.summarize(view, text)

    monkeypatch.setattr(VolumesView, "summarize", summarize)
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app, DISKS)
        await pilot.pause()
        view = app.volumes_view
        assert _summary(view) == f"{DISKS} disks"
        assert view.table.virtual_size.height == DISKS + 1  # the scrollbar: every disk
    progress = [t for t in summaries if t.endswith(f" of {DISKS}")]
    assert progress == [f"100 disks · loading… 100 of {DISKS}"], summaries


async def test_a_page_held_back_is_shown_in_time_when_the_next_is_slow() -> None:
    app = make_app(demo_target(volumes=400))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app, 400)
        view = app.volumes_view
        disks = list(view.table.all_rows)
        slow = asyncio.Event()

        async def pages() -> AsyncIterator[tuple[list[Volume], int]]:
            yield disks[:100], 400
            yield disks[100:200], 400  # at once: held back
            await slow.wait()
            yield disks[200:], 400

        filling = asyncio.ensure_future(app.loader._fill(view, pages()))
        await wait_until(pilot, lambda: _summary(view) == "200 disks · loading… 200 of 400",
                         timeout=5, what="the page held back shown")
        assert view.table.virtual_size.height == 201
        slow.set()
        await filling
        await pilot.pause()
        assert _summary(view) == "400 disks"
