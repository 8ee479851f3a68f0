"""How table columns share the terminal's width (vbstui.ui.widgets.columns.layout)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vbstui.textsafe import visible
from vbstui.ui.widgets.columns import Column, layout, widest


def column(key: str, width: int, grow: int = 0) -> Column[str]:
    return Column(key, key.upper(), width, lambda row: row, grow=grow)


NAME = column("name", 16, grow=2)
STATUS = column("status", 18)
SIZE = column("size", 8)
DESCRIPTION = column("description", 12, grow=2)
SERVER = column("server", 11, grow=1)


def test_names_grow_to_their_longest_text_when_there_is_room() -> None:
    widths = layout([NAME, STATUS, SIZE], 200, {"name": 60, "status": 9, "size": 7})
    assert widths == [60, 9, 7]


def test_fixed_columns_keep_room_for_their_label_and_the_sort_arrow() -> None:
    widths = layout([NAME, STATUS, SIZE], 200, {"name": 10, "status": 6, "size": 5},
                    sorted_by="size")
    assert widths[1] == len("STATUS") and widths[2] == len("SIZE ▲")


def test_names_and_descriptions_share_before_lower_priorities() -> None:
    columns = [NAME, STATUS, DESCRIPTION, SERVER]
    longest = {"name": 64, "status": 9, "description": 64, "server": 40}
    widths = layout(columns, 100, longest)
    spare = 100 - (16 + 9 + 12 + 11) - 4
    assert widths[0] + widths[2] == 16 + 12 + spare  # everything spare went to them
    assert abs((widths[0] - 16) - (widths[2] - 12)) <= 1  # shared evenly
    assert widths[3] == 11  # nothing left for the attached servers


def test_a_narrow_terminal_keeps_the_minimums_and_scrolls() -> None:
    widths = layout([NAME, STATUS, SIZE], 30, {"name": 60, "status": 18, "size": 7})
    assert widths == [16, 18, 7]


@given(available=st.integers(0, 300),
       longest=st.fixed_dictionaries({key: st.integers(0, 80) for key in (
           "name", "status", "size", "description", "server")}))
def test_columns_never_need_more_than_the_width_once_minimums_fit(
        available: int, longest: dict[str, int]) -> None:
    columns = [NAME, STATUS, SIZE, DESCRIPTION, SERVER]
    widths = layout(columns, available, longest)
    least = layout(columns, 0, longest)  # the minimums
    for width, smallest, col in zip(widths, least, columns, strict=True):
        assert width >= smallest
        if col.grow:
            assert width <= max(smallest, longest[col.key], len(col.label))
    if sum(w + 1 for w in least) <= available:
        assert sum(w + 1 for w in widths) <= available
    else:
        assert widths == least


@given(st.lists(st.text(max_size=12), max_size=8))
def test_a_column_is_as_wide_as_its_longest_text_as_shown(texts: list[str]) -> None:
    # A control character takes the room of its visible escape ("\\e" for ESC), also
    # when the other texts of the page are plain.
    assert widest(NAME, texts) == max((len(visible(t)) for t in texts), default=0)


def test_an_escape_sequence_in_one_name_widens_the_column_to_its_shown_form() -> None:
    assert widest(NAME, ["web-01", "\x1b]0;x\x07"]) == len("\\e]0;x\\a")
