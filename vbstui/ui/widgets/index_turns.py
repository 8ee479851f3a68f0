"""When a table's rows are indexed (`RowSet.catch_up`): a slice per turn of the event
loop, so keys and repaints get in between (50,000 disks took 50-80 ms in one go)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from vbstui.ui.widgets.rowset import RowSet

# Rows indexed per turn of the event loop: some 5-10 ms.
INDEX_SLICE = 4000
INDEX_DELAY = 0.2  # seconds after the last page appended before its rows are indexed


class IndexTurns:
    """The slices of one table's rows still to index; `measured_grew` is called when a
    slice found a longer text (the columns are laid out again)."""

    def __init__(self, rows: RowSet[Any], measured_grew: Callable[[], None]) -> None:
        self._rows = rows
        self._measured_grew = measured_grew
        self._turn: asyncio.Handle | None = None  # the next slice

    def now(self) -> None:
        """New columns: one pass from the start, its first slice at once."""
        self._cancel()
        self._slice()

    def when_quiet(self) -> None:
        """Appended rows (`RowSet.extend`): once pages have stopped coming for
        INDEX_DELAY; each page pushes it back."""
        self._cancel()
        self._turn = asyncio.get_running_loop().call_later(INDEX_DELAY, self._slice)

    def _cancel(self) -> None:
        if self._turn is not None:
            self._turn.cancel()
            self._turn = None

    def _slice(self) -> None:
        self._turn = None
        measured = dict(self._rows.measured)
        done = self._rows.catch_up(INDEX_SLICE)
        if self._rows.measured != measured:
            self._measured_grew()
        if not done:
            self._turn = asyncio.get_running_loop().call_soon(self._slice)
