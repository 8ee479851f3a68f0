"""The lines a virtual table draws: its header and a row, as plain segments.

Server text becomes plain segments, never parsed as markup; each cell is fitted to its
column's width (see `columns.fit`), with one space after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from vbstui.ui.widgets.columns import Column, fit

R = TypeVar("R")

# The styles the lines are drawn in: a column's `style` names one of good, bad, busy, warn.
LINE_COMPONENTS = {f"vtable--{name}" for name in (
    "header", "cursor", "marked", "dim", "good", "bad", "busy", "warn", "empty")}
TABLE_CSS = """
VirtualTable {
    height: 1fr;
    background: $surface;
    scrollbar-size-horizontal: 0;  /* a scrollbar would cost a row; ← / → scroll */
}
VirtualTable > .vtable--header { text-style: bold; background: $panel; }
VirtualTable > .vtable--cursor { background: $block-cursor-background;
                                 color: $block-cursor-foreground; text-style: bold; }
VirtualTable:blur > .vtable--cursor { background: $block-cursor-blurred-background;
                                      text-style: none; }
VirtualTable > .vtable--marked { color: $accent; text-style: bold; }
VirtualTable > .vtable--dim { color: $text-muted; }
VirtualTable > .vtable--good { color: $success; }
VirtualTable > .vtable--bad { color: $error; text-style: bold; }
VirtualTable > .vtable--busy { color: $warning; }
VirtualTable > .vtable--warn { color: $warning; text-style: bold; }
VirtualTable > .vtable--empty { color: $text-muted; text-style: italic; }
"""


def header_segments(columns: Sequence[Column[Any]], widths: Sequence[int], *, markable: bool,
                    sort_column: str | None, sort_reverse: bool, style: Style
                    ) -> list[Segment]:
    """The column labels, the sorted one with its direction."""
    parts: list[Segment] = []
    if markable:
        parts.append(Segment("  ", style))
    for column, width in zip(columns, widths, strict=True):
        label = column.label
        if column.key == sort_column:
            label += " ▼" if sort_reverse else " ▲"
        parts.append(Segment(fit(label, width, column.align_right) + " ", style))
    return parts


def row_segments(row: R, columns: Sequence[Column[R]], widths: Sequence[int], *, base: Style,
                 mark: str | None, mark_style: Style, cursor_style: Style | None,
                 suffix_style: Callable[[str], Style]) -> list[Segment]:
    """One row's cells; `mark` is the mark column's text (None: the table has none),
    `cursor_style` is given for the row under the cursor, `suffix_style` turns what a
    column's `style` says of a row ("good", "bad", ...) into a style."""
    parts: list[Segment] = []
    if mark is not None:
        parts.append(Segment(mark, (base + mark_style + cursor_style) if cursor_style
                             else base + mark_style))
    for column, width in zip(columns, widths, strict=True):
        style = base
        if column.style is not None:
            suffix = column.style(row)
            if suffix:
                style = suffix_style(suffix)
        if cursor_style is not None:
            style = style + cursor_style
        parts.append(Segment(fit(column.text(row), width, column.align_right) + " ", style))
    return parts


def header_line(segments: list[Segment], width: int, scroll_x: int, position: str,
                style: Style) -> Strip:
    """The header scrolled with the rows, with the position ("57/120") at the right end
    where it is always seen."""
    strip = Strip(segments).crop(scroll_x, scroll_x + width)
    keep = width - len(position)
    if keep < 0 or not position:
        return strip.extend_cell_length(width, style)
    strip = strip.crop(0, keep).extend_cell_length(keep, style)
    return Strip([*strip, Segment(position, style)], width)
