"""The longest text of a column, as the cells show it: an odd value that cannot be shown
counts as "?", a control character as its visible escape."""

from __future__ import annotations

from vbstui.textsafe import visible
from vbstui.ui.widgets.columns import Column, widest


def _size(row: dict[str, object]) -> object:
    return row["size"]  # a row without one raises, as a messy server's row may


def test_a_cell_that_cannot_be_shown_counts_as_a_question_mark() -> None:
    column: Column[dict[str, object]] = Column("size", "SIZE", 8, _size)
    assert widest(column, [{"size": 7}, {}]) == 1
    assert widest(column, [{"size": 12345}, {}, {"size": None}]) == 5


def test_control_characters_count_as_their_visible_escapes() -> None:
    column: Column[str] = Column("name", "NAME", 16, lambda r: r)
    assert widest(column, ["ab", "x\x1b[2Jy"]) == len(visible("x\x1b[2Jy")) > 6
