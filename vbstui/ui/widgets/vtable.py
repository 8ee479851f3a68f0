"""A virtual table: renders only the lines on screen, so 50,000 rows filter in milliseconds.

Textual's DataTable measures every cell on the event loop after `add_rows` (about
a second at 10k rows, half a second per re-filter), which breaks typing a filter
over a slow link.  This widget keeps rows as plain Python objects, renders the
visible lines on demand through the Line API, and filters or sorts with a list
comprehension over texts made once per row.  Columns share the width (see
`columns.layout`); the header's right end shows the position ("57/120").  Server
text is turned into plain segments, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vbstui.textsafe import visible
from vbstui.ui.widgets.columns import Column, layout
from vbstui.ui.widgets.index_turns import IndexTurns
from vbstui.ui.widgets.rowset import RowSet
from vbstui.ui.widgets.table_cursor import CursorKeys
from vbstui.ui.widgets.table_lines import (
    LINE_COMPONENTS,
    TABLE_CSS,
    header_line,
    header_segments,
    row_segments,
)

__all__ = ["Column", "VirtualTable"]

R = TypeVar("R")
MARK = "●"


class VirtualTable(CursorKeys, ScrollView, Generic[R], can_focus=True):
    """Rows of any type; columns say how to show them."""

    COMPONENT_CLASSES = LINE_COMPONENTS
    DEFAULT_CSS = TABLE_CSS
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("left,h", "scroll_columns(-8)", "Scroll left", show=False),
        Binding("right,l", "scroll_columns(8)", "Scroll right", show=False),
    ]

    cursor = reactive(0, always_update=True, init=False)

    class RowMessage(Message):
        def __init__(self, table: VirtualTable[Any], row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> VirtualTable[Any]:
            return self.table

    class Highlighted(RowMessage):
        """The cursor moved to a row."""

    class Selected(RowMessage):
        """Enter (or a double click) on a row."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        row_key: Callable[[R], Hashable],
        search_text: Callable[[R], str] | None = None,
        empty_text: str = "nothing to show",
        noun: str = "row",
        markable: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.row_key = row_key
        self.empty_text = empty_text
        self.noun = noun  # "no disk matches 'xyz'"
        self.markable = markable
        self._set = RowSet(self.columns, row_key, search_text)
        self.marked: set[Hashable] = set()
        self._cache: dict[tuple[Hashable, bool, bool], list[Segment]] = {}
        self._widths = [c.width for c in self.columns]
        self._laid_out_for: tuple[Any, ...] = ()  # what the widths were computed for
        self._indexing = IndexTurns(self._set, self.refresh)  # `_lay_out` sees what grew
        self._growth_unshown = False  # rows appended quietly below the screen

    # -- data --------------------------------------------------------------------------

    @property
    def rows(self) -> list[R]:
        """The rows as shown (filtered and sorted)."""
        return self._set.shown

    @property
    def all_rows(self) -> list[R]:
        return self._set.all

    @property
    def current(self) -> R | None:
        rows = self._set.shown
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def marked_rows(self) -> list[R]:
        return [r for r in self._set.all if self.row_key(r) in self.marked]

    def set_rows(self, rows: Sequence[R]) -> None:
        keep = self.current
        self._set.replace(rows)
        self._cache.clear()
        self.marked &= {self.row_key(r) for r in self._set.all}
        self._show(keep)

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        """Show these columns instead (what the project offers decides some of them);
        every row is indexed again, so the filter finds the new columns' text too."""
        keep = self.current
        self._set.set_columns(columns)
        self.columns = self._set.columns
        self._widths = [c.width for c in self.columns]
        self._laid_out_for = ()
        self._cache.clear()
        self._show(keep)
        self._indexing.now()  # also when columns changed again: one pass, from the start

    def append_rows(self, rows: Sequence[R], *, quiet: bool = False) -> None:
        """Add a page; only the new rows are filtered, the view does not jump.

        `quiet`: when the rows land below the screen, the screen is not told (no frame
        for them) until `show_growth`, or the next change that is shown."""
        if not rows:
            return
        keep = self.current
        below = len(self._set.shown) > round(self.scroll_y) + self._page
        self._indexing.when_quiet()
        if not self._set.extend(rows):
            self._show(keep)  # sorted: the new rows may be anywhere
        elif keep is None:
            self._refresh_size()
            self._move_to(0)
        elif below and quiet:
            self._growth_unshown = True
        elif below:
            self._grow()  # nothing on screen moved
        else:
            self._refresh_size()

    def show_growth(self) -> None:
        """Show what `append_rows(quiet=True)` added: the scrollbar and the position."""
        if self._growth_unshown:
            self._grow()

    def update_row(self, row: R) -> None:
        """Replace the row with the same key (e.g. a job whose status changed)."""
        if self._set.update(row):
            self._drop_cache(self.row_key(row))
            self.refresh()

    def upsert_row(self, row: R, *, first: bool = True) -> None:
        if self._set.has(self.row_key(row)):
            self.update_row(row)
            return
        keep = self.current
        self._set.insert(row, first=first)
        self._show(keep)

    def _drop_cache(self, key: Hashable) -> None:
        for cache_key in [k for k in self._cache if k[0] == key]:
            del self._cache[cache_key]

    def set_filter(self, text: str = "", predicate: Callable[[R], bool] | None = None) -> None:
        keep = self.current
        self._set.set_filter(text, predicate)
        self._show(keep)

    @property
    def filter_text(self) -> str:
        return self._set.filter_text

    @property
    def sort_column(self) -> str | None:
        return self._set.sort_column

    def sort_by(self, column_key: str) -> None:
        """Sort by a column; the same column again reverses the order.

        The first rows of the new order come on screen: the selection stays only when its
        row is among them, otherwise the first row is selected."""
        keep = self.current
        self._set.sort_by(column_key)
        self._refresh_size()
        index = self._set.index_of(keep)
        self.scroll_to(y=0, animate=False)
        self._move_to(index if index is not None and index < self._page else 0, force=True)

    def _show(self, keep: R | None) -> None:
        self._refresh_size()
        self._move_to(self._set.index_of(keep) or 0, force=True)

    def _refresh_size(self) -> None:
        self._growth_unshown = False
        width = sum(w + 1 for w in self._widths) + self._gutter
        self._set_virtual_size(Size(width, len(self._set.shown) + 1))
        self.refresh()

    def _grow(self) -> None:
        """Rows were added below the screen: only the scrollbar and the position change."""
        self._growth_unshown = False
        self._set_virtual_size(Size(self.virtual_size.width, len(self._set.shown) + 1))
        self.refresh(Region(0, 0, self.size.width, 1))

    def _set_virtual_size(self, size: Size) -> None:
        """Setting `virtual_size` lays the whole screen out again (once per page of a big
        listing, once per longer name measured), though the table's own size does not
        depend on its rows or columns: only its scrollbars and position are updated,
        unless its CSS sizes it by its content."""
        if self.styles.auto_dimensions:
            self.virtual_size = size
            return
        if size != self.virtual_size:
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    @property
    def _gutter(self) -> int:
        return 2 if self.markable else 0

    def _lay_out(self, width: int) -> None:
        """Share `width` among the columns, again after a resize or a longer name.  The
        cells the position needs at the right are kept free when the columns can spare
        them (its length from every row, so a filter does not move the columns)."""
        count = len(self._set.all)
        room = len(f" {count}/{count} ")
        wanted = (width, room, self._set.sort_column, *self._set.measured.values())
        if wanted == self._laid_out_for:
            return
        self._laid_out_for = wanted
        widths = layout(self.columns, width - self._gutter - room, self._set.measured,
                        self._set.sort_column)
        if widths != self._widths:
            self._widths = widths
            self._cache.clear()
            self._refresh_size()

    # -- marking -----------------------------------------------------------------------

    def toggle_mark(self) -> None:
        row = self.current
        if row is None or not self.markable:
            return
        key = self.row_key(row)
        if key in self.marked:
            self.marked.discard(key)
        else:
            self.marked.add(key)
        self._drop_cache(key)
        self.refresh()

    def mark_rows(self, rows: Sequence[R]) -> None:
        self.marked |= {self.row_key(r) for r in rows}
        self._cache.clear()
        self.refresh()

    def mark_all_visible(self) -> None:
        keys = {self.row_key(r) for r in self._set.shown}
        self.marked = set() if keys <= self.marked else self.marked | keys
        self._cache.clear()
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self._cache.clear()
        self.refresh()

    # -- rendering ---------------------------------------------------------------------

    def _header_segments(self) -> list[Segment]:
        return header_segments(self.columns, self._widths, markable=self.markable,
                               sort_column=self._set.sort_column,
                               sort_reverse=self._set.sort_reverse,
                               style=self.get_component_rich_style("vtable--header"))

    def _row_segments(self, row: R, is_cursor: bool) -> list[Segment]:
        key = self.row_key(row)
        marked = key in self.marked
        cache_key = (key, is_cursor, marked)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        base = self.rich_style
        parts = row_segments(
            row, self.columns, self._widths, base=base,
            mark=(f"{MARK} " if marked else "  ") if self.markable else None,
            mark_style=self.get_component_rich_style("vtable--marked"),
            cursor_style=self.get_component_rich_style("vtable--cursor") if is_cursor else None,
            suffix_style=lambda suffix: base + self.get_component_rich_style(f"vtable--{suffix}"))
        if len(self._cache) > 4000:
            self._cache.clear()
        self._cache[cache_key] = parts
        return parts

    def _empty_line(self) -> str:
        if self._set.filter_text:
            return f"no {self.noun} matches '{visible(self._set.filter_text)}'"
        return self.empty_text

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._lay_out(width)
        scroll_x = round(self.scroll_x)
        fill = self.rich_style
        if y == 0:
            return self._header_line(width, scroll_x)
        index = round(self.scroll_y) + y - 1
        if index < len(self._set.shown):
            segments = self._row_segments(self._set.shown[index], index == self.cursor)
            if index == self.cursor:
                fill = fill + self.get_component_rich_style("vtable--cursor")
        elif index == 0 and not self._set.shown:
            segments = [Segment("  " + self._empty_line(),
                                self.get_component_rich_style("vtable--empty"))]
        else:
            segments = []
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, fill)

    def _header_line(self, width: int, scroll_x: int) -> Strip:
        return header_line(self._header_segments(), width, scroll_x,
                           f" {self.position} " if self._set.shown else "",
                           self.get_component_rich_style("vtable--header"))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
