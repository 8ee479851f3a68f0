"""The columns of a `VirtualTable`: what a cell shows, how wide it is, how rows sort."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len, set_cell_size

from vbstui.textsafe import visible

R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    """`width` is the widest a fixed column (status, size, dates, ids) gets (narrower when
    no text needs it all), and the narrowest a growing one (`grow` > 0: names,
    descriptions) is cut to.  Growing columns share the spare width, the highest `grow`
    first, up to their longest text."""

    key: str
    label: str
    width: int
    value: Callable[[R], Any]  # what is shown (made printable) and sorted by
    sort_key: Callable[[R], Any] | None = None
    style: Callable[[R], str] | None = None  # a component-class suffix for the cell
    align_right: bool = False
    grow: int = 0

    def text(self, row: R) -> str:
        """The cell's text; an odd value must never take the screen down."""
        try:
            value = self.value(row)
        except Exception:
            return "?"
        return "" if value is None else str(value)


def widest(column: Column[R], rows: Sequence[R]) -> int:
    """The longest text of the column in these rows, as shown (control characters made
    visible); counted in characters, which is cells for all but wide scripts.

    `visible` changes only what is not printable (and only lengthens it): when every
    text is printable, as nearly always, their own lengths are the answer, without a
    call per text (this runs for every page of 50,000 disks), and the values are turned
    into text here rather than by a `Column.text` call per cell."""
    try:
        texts = ["" if value is None else str(value) for value in map(column.value, rows)]
    except Exception:  # an odd value: every cell as `Column.text` shows it ("?")
        texts = list(map(column.text, rows))
    if not "".join(texts).isprintable():
        texts = list(map(visible, texts))
    return max(map(len, texts), default=0)


def layout(columns: Sequence[Column[Any]], available: int, longest: dict[str, int],
           sorted_by: str | None = None) -> list[int]:
    """The width of each column in `available` cells (one separator cell each).

    Fixed columns get their natural width: their longest text or label (with room for
    the sort arrow), at most `width`.  Growing columns start at their minimum and take
    the spare cells, the highest `grow` first, shared evenly among equals, never wider
    than their longest text.  When even that does not fit, the table scrolls sideways
    (← / →)."""

    def label(column: Column[Any]) -> int:
        return len(column.label) + (2 if column.key == sorted_by else 0)

    widths = [c.width if c.grow else
              max(label(c), min(c.width, longest.get(c.key, c.width))) for c in columns]
    spare = available - sum(w + 1 for w in widths)
    for level in sorted({c.grow for c in columns if c.grow}, reverse=True):
        if spare <= 0:
            break
        group = [i for i, c in enumerate(columns) if c.grow == level]
        wants = {i: max(longest.get(columns[i].key, 0), label(columns[i])) - widths[i]
                 for i in group}
        hungry = [i for i in group if wants[i] > 0]
        while spare > 0 and hungry:
            share = max(1, spare // len(hungry))
            for i in hungry:
                extra = min(share, wants[i], spare)
                widths[i] += extra
                wants[i] -= extra
                spare -= extra
            hungry = [i for i in hungry if wants[i] > 0]
    return widths


def fit(text: str, width: int, right: bool) -> str:
    """Printable, padded or cut (with …) to exactly `width` cells."""
    text = visible(text)
    if cell_len(text) > width:
        return set_cell_size(text[: width * 2], width - 1) + "…" if width > 1 else "…"
    pad = width - cell_len(text)
    return (" " * pad + text) if right else (text + " " * pad)


def sort_rows(rows: list[R], column: Column[R], reverse: bool) -> None:
    """Sort in place by the column; None last, text without case, mixed types as text."""
    key_fn = column.sort_key or column.value

    def safe_key(row: R) -> tuple[int, Any]:
        value = key_fn(row)
        if value is None:
            return (1, "")
        if isinstance(value, str):
            return (0, value.casefold())
        return (0, value)

    try:
        rows.sort(key=safe_key, reverse=reverse)
    except TypeError:  # mixed types from a messy server: sort as text
        rows.sort(key=lambda r: str(key_fn(r)), reverse=reverse)
