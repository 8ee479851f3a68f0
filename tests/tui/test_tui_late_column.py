"""A column that appears over many rows (PROTECTION, POLICY over 50,000 disks) is indexed
a slice per turn of the event loop: the screen is not held while it is, and once the
slices are done the column is as wide as its longest text and the filter finds it."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from tuikit import wait_until

from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.index_turns import INDEX_SLICE
from vbstui.ui.widgets.vtable import VirtualTable

Row = tuple[str, str]  # (name, id)
ROWS: list[Row] = [(f"disk-{i}", f"id-{i:05d}") for i in range(3 * INDEX_SLICE)]
LAST_VAULT = "the-last-disk-s-vault"  # only the last row has a vault
NAME: Column[Row] = Column("name", "NAME", 16, lambda r: r[0], grow=2)
VAULT: Column[Row] = Column("vault", "VAULT", 5,
                            lambda r: LAST_VAULT if r is ROWS[-1] else "", grow=1)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield VirtualTable([NAME], row_key=lambda r: r[1], noun="disk")


async def test_a_late_column_is_indexed_in_turns_then_laid_out_for_its_longest_text() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table: VirtualTable[Any] = app.query_one(VirtualTable)
        table.set_rows(ROWS)
        await pilot.pause()
        table.set_columns([NAME, VAULT])
        # Back to the event loop with one slice done: the last row not measured yet.
        assert table._set.measured.get("vault", 0) < len(LAST_VAULT)
        await pilot.press("end")  # a key handled while the slices go on
        await wait_until(pilot, lambda: LAST_VAULT in table.render_line(
            table.scrollable_content_region.height - 1).text,
            what="the last disk's vault shown whole, not cut to the column's first width")
        assert table.current == ROWS[-1]
