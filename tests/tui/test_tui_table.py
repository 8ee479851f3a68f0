"""The disk table as a user sees it: sorting, column widths, the position, empty filters."""

from __future__ import annotations

import re
from typing import Any

from textual.pilot import Pilot
from tuikit import demo_target, loaded, make_app, type_text, wait_until

from vbstui.ops.first_page import FIRST_PAGE
from vbstui.ui.app import VbsApp
from vbstui.ui.widgets.vtable import VirtualTable

LONG_NAME = "ops-" + "x" * 52 + "-end"  # 60 characters


def screen_rows(table: VirtualTable[Any]) -> list[str]:
    """The table's lines as drawn, header excluded."""
    height = table.scrollable_content_region.height
    return [table.render_line(y).text for y in range(1, height)]


def sizes_on_screen(table: VirtualTable[Any]) -> list[int]:
    return [int(m.group(1)) for line in screen_rows(table)
            if (m := re.search(r"(\d+) GB", line))]


async def ready(pilot: Pilot[Any], app: VbsApp, count: int) -> VirtualTable[Any]:
    await loaded(pilot, app, count)
    await pilot.pause()
    return app.volumes_view.table


async def test_sorting_shows_the_first_rows_of_the_new_order() -> None:
    app = make_app(demo_target(volumes=300))
    async with app.run_test(size=(120, 36)) as pilot:
        table = await ready(pilot, app, 300)
        every_size = [v.size_gb for v in table.all_rows]
        for _ in range(7):  # pages down, far from the top: not among the first rows
            await pilot.press("ctrl+f")
        assert table.cursor > 100
        await pilot.press("4")
        await pilot.pause()
        shown = sizes_on_screen(table)
        assert shown and shown[0] == min(every_size)
        assert shown == sorted(shown)
        assert table.cursor == 0 and round(table.scroll_y) == 0
        await pilot.press("4")
        await pilot.pause()
        shown = sizes_on_screen(table)
        assert shown[0] == max(every_size)
        assert shown == sorted(shown, reverse=True)
        assert "SIZE ▼" in table.render_line(0).text


async def test_sorting_keeps_a_selection_that_stays_on_screen() -> None:
    app = make_app(demo_target(volumes=12))
    async with app.run_test(size=(120, 36)) as pilot:
        table = await ready(pilot, app, 12)
        for _ in range(5):
            await pilot.press("j")
        chosen = table.current
        await pilot.press("4")
        await pilot.pause()
        assert table.current is chosen  # all 12 disks fit on the screen
        await pilot.press("4")
        await pilot.pause()
        assert table.current is chosen


async def test_a_long_name_is_shown_whole_when_there_is_room() -> None:
    target = demo_target(volumes=30)
    target.sim_app.state.sim.volumes[3].name = LONG_NAME
    app = make_app(target)
    # 230 columns: beside the details pane (open from 150) and with the PROTECTION and
    # POLICY columns of a project with CBR and policies, there is room for 60 characters.
    async with app.run_test(size=(230, 50)) as pilot:
        table = await ready(pilot, app, 30)
        assert any(LONG_NAME in line for line in screen_rows(table))
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        header = table.render_line(0).text
        assert "NAME" in header and "STATUS" in header and "SIZE" in header
        rows = screen_rows(table)
        assert not any(LONG_NAME in line for line in rows)
        long_row = next(line for line in rows if "ops-xxx" in line)
        assert "…" in long_row and re.search(r"\d+ GB", long_row)
        assert all(len(line) <= 80 for line in rows)


async def test_backups_show_their_description_at_120_columns() -> None:
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app, 20)
        await pilot.press("f4")
        await wait_until(pilot, lambda: bool(app.backups_view.table.all_rows),
                         what="backups listed")
        await pilot.pause()
        assert "DESCRIPTION" in app.backups_view.table.render_line(0).text


async def test_the_position_follows_the_cursor_and_the_filter() -> None:
    app = make_app(demo_target(volumes=40))
    async with app.run_test(size=(80, 24)) as pilot:
        table = await ready(pilot, app, 40)
        assert table.render_line(0).text.rstrip().endswith("1/40")
        await pilot.press("j", "j")
        await pilot.pause()
        assert table.render_line(0).text.rstrip().endswith("3/40")
        wanted = table.all_rows[7].name
        await pilot.press("slash")
        await type_text(pilot, wanted)
        await pilot.pause()
        shown = len(table.rows)
        assert 1 <= shown < 40
        assert table.render_line(0).text.rstrip().endswith(f"/{shown}")


async def test_a_filter_that_matches_nothing_says_so() -> None:
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=(120, 36)) as pilot:
        table = await ready(pilot, app, 20)
        await pilot.press("slash")
        await type_text(pilot, "zzq-nothing")
        await pilot.pause()
        assert not table.rows
        assert "no disk matches 'zzq-nothing'" in table.render_line(1).text
        assert "/" not in table.render_line(0).text  # no position without rows


async def test_the_first_page_is_on_screen_before_the_next_is_loaded() -> None:
    """With the in-process simulator every page is ready at once; the first screen with
    disks must still show the first page alone (a screen's worth: "loading… 100 of
    2500"), not several."""
    app = make_app(demo_target(volumes=2500))
    first_frame: list[int] = []
    display = app._display

    def remember_first_frame(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        rows = app.volumes_view.table.all_rows if app.is_running else []
        if rows and not first_frame:
            first_frame.append(len(rows))

    app._display = remember_first_frame  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot, app, 2500)
    assert first_frame == [FIRST_PAGE]
