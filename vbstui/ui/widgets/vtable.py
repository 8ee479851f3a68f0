"""A virtual table: renders only the lines on screen, so 10,000 rows filter in milliseconds.

Textual's DataTable measures every cell on the event loop after `add_rows` (about
a second at 10k rows, half a second per re-filter), which breaks typing a filter
over a slow link.  This widget keeps rows as plain Python objects, renders the
visible lines on demand through the Line API, and filters or sorts with a list
comprehension.  Server text is turned into plain segments, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from vbstui.ui.widgets.columns import Column, fit, sort_rows

__all__ = ["Column", "VirtualTable"]

R = TypeVar("R")
MARK = "●"


class VirtualTable(ScrollView, Generic[R], can_focus=True):
    """Rows of any type; columns say how to show them."""

    COMPONENT_CLASSES = {f"vtable--{name}" for name in (
        "header", "cursor", "marked", "dim", "good", "bad", "busy", "warn", "empty")}
    DEFAULT_CSS = """
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
        markable: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.row_key = row_key
        self.search_text = search_text
        self.empty_text = empty_text
        self.markable = markable
        self._all: list[R] = []
        self._search: dict[Hashable, str] = {}
        self._rows: list[R] = []  # after filter and sort
        self._filter_text = ""
        self._filter_fn: Callable[[R], bool] | None = None
        self._sort_column: str | None = None
        self._sort_reverse = False
        self.marked: set[Hashable] = set()
        self._cache: dict[tuple[Hashable, bool, bool], list[Segment]] = {}

    # -- data --------------------------------------------------------------------------

    @property
    def rows(self) -> list[R]:
        """The rows as shown (filtered and sorted)."""
        return self._rows

    @property
    def all_rows(self) -> list[R]:
        return self._all

    @property
    def current(self) -> R | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def marked_rows(self) -> list[R]:
        return [r for r in self._all if self.row_key(r) in self.marked]

    def set_rows(self, rows: Sequence[R]) -> None:
        keep = self.current
        self._all = list(rows)
        self._search = {}
        self._cache.clear()
        known = {self.row_key(r) for r in self._all}
        self.marked &= known
        self._apply(keep)

    def append_rows(self, rows: Sequence[R]) -> None:
        """Add a page; only the new rows are filtered, the view does not jump."""
        if not rows:
            return
        keep = self.current
        self._all.extend(rows)
        if self._sort_column is None:
            self._rows.extend(r for r in rows if self._matches(r))
            self._refresh_size()
            if keep is None:
                self._move_to(0)
        else:
            self._apply(keep)

    def update_row(self, row: R) -> None:
        """Replace the row with the same key (e.g. a job whose status changed)."""
        key = self.row_key(row)
        for collection in (self._all, self._rows):
            for index, existing in enumerate(collection):
                if self.row_key(existing) == key:
                    collection[index] = row
                    break
        self._search.pop(key, None)
        self._drop_cache(key)
        self.refresh()

    def upsert_row(self, row: R, *, first: bool = True) -> None:
        key = self.row_key(row)
        if any(self.row_key(r) == key for r in self._all):
            self.update_row(row)
            return
        if first:
            self._all.insert(0, row)
        else:
            self._all.append(row)
        self._apply(self.current)

    def _drop_cache(self, key: Hashable) -> None:
        for cache_key in [k for k in self._cache if k[0] == key]:
            del self._cache[cache_key]

    def _text_of(self, row: R) -> str:
        key = self.row_key(row)
        text = self._search.get(key)
        if text is None:
            if self.search_text is not None:
                text = self.search_text(row)
            else:
                text = " ".join(str(c.value(row)) for c in self.columns)
            text = text.casefold()
            self._search[key] = text
        return text

    def _matches(self, row: R) -> bool:
        if self._filter_fn is not None and not self._filter_fn(row):
            return False
        return not self._filter_text or self._filter_text in self._text_of(row)

    def set_filter(self, text: str = "", predicate: Callable[[R], bool] | None = None) -> None:
        keep = self.current
        self._filter_text = text.strip().casefold()
        self._filter_fn = predicate
        self._apply(keep)

    @property
    def filter_text(self) -> str:
        return self._filter_text

    def sort_by(self, column_key: str) -> None:
        """Sort by a column; the same column again reverses the order."""
        if self._sort_column == column_key:
            self._sort_reverse = not self._sort_reverse
        else:
            self._sort_column, self._sort_reverse = column_key, False
        self._apply(self.current)

    def _apply(self, keep: R | None) -> None:
        rows = [r for r in self._all if self._matches(r)] if (
            self._filter_text or self._filter_fn) else list(self._all)
        if self._sort_column is not None:
            column = next((c for c in self.columns if c.key == self._sort_column), None)
            if column is not None:
                sort_rows(rows, column, self._sort_reverse)
        self._rows = rows
        self._refresh_size()
        index = 0
        if keep is not None:
            wanted = self.row_key(keep)
            index = next((i for i, r in enumerate(rows) if self.row_key(r) == wanted), 0)
        self._move_to(index, force=True)

    def _refresh_size(self) -> None:
        width = sum(c.width + 1 for c in self.columns) + (2 if self.markable else 0)
        self.virtual_size = Size(width, len(self._rows) + 1)
        self.refresh()

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
        keys = {self.row_key(r) for r in self._rows}
        self.marked = set() if keys <= self.marked else self.marked | keys
        self._cache.clear()
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self._cache.clear()
        self.refresh()

    # -- cursor ------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move_to(self, index: int, *, force: bool = False) -> None:
        index = max(0, min(index, len(self._rows) - 1)) if self._rows else 0
        changed = index != self.cursor
        self.cursor = index
        self._scroll_to_cursor()
        if changed or force:
            self.post_message(self.Highlighted(self, self.current))
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + self._page:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move_to(self.cursor - self._page)

    def action_page_down(self) -> None:
        self._move_to(self.cursor + self._page)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self._rows) - 1)

    def action_scroll_columns(self, delta: int) -> None:
        self.scroll_to(x=max(0, self.scroll_x + delta), animate=False)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: Click) -> None:
        line = event.y
        if line <= 0:
            column = self._column_at(event.x + round(self.scroll_x))
            if column is not None:
                self.sort_by(column.key)
            return
        index = round(self.scroll_y) + line - 1
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain > 1:
                self.action_select()
            self._move_to(index)

    def _column_at(self, x: int) -> Column[R] | None:
        offset = 2 if self.markable else 0
        for column in self.columns:
            if offset <= x < offset + column.width + 1:
                return column
            offset += column.width + 1
        return None

    # -- rendering ---------------------------------------------------------------------

    def _header_segments(self) -> list[Segment]:
        style = self.get_component_rich_style("vtable--header")
        parts: list[Segment] = []
        if self.markable:
            parts.append(Segment("  ", style))
        for column in self.columns:
            label = column.label
            if column.key == self._sort_column:
                label += " ▼" if self._sort_reverse else " ▲"
            parts.append(Segment(fit(label, column.width, column.align_right) + " ", style))
        return parts

    def _row_segments(self, row: R, is_cursor: bool) -> list[Segment]:
        key = self.row_key(row)
        marked = key in self.marked
        cache_key = (key, is_cursor, marked)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        base = self.rich_style
        cursor_style = self.get_component_rich_style("vtable--cursor") if is_cursor else None
        parts: list[Segment] = []
        if self.markable:
            mark_style = self.get_component_rich_style("vtable--marked")
            parts.append(Segment(f"{MARK} " if marked else "  ",
                                 (base + mark_style + cursor_style) if cursor_style else
                                 base + mark_style))
        for column in self.columns:
            style: Style = base
            if column.style is not None:
                suffix = column.style(row)
                if suffix:
                    style = base + self.get_component_rich_style(f"vtable--{suffix}")
            if cursor_style is not None:
                style = style + cursor_style
            parts.append(Segment(fit(column.text(row), column.width, column.align_right) + " ",
                                 style))
        if len(self._cache) > 4000:
            self._cache.clear()
        self._cache[cache_key] = parts
        return parts

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        fill = self.rich_style
        if y == 0:
            segments = self._header_segments()
            fill = self.get_component_rich_style("vtable--header")
        else:
            index = round(self.scroll_y) + y - 1
            if index < len(self._rows):
                segments = self._row_segments(self._rows[index], index == self.cursor)
                if index == self.cursor:
                    fill = fill + self.get_component_rich_style("vtable--cursor")
            elif index == 0 and not self._rows:
                segments = [Segment("  " + self.empty_text,
                                    self.get_component_rich_style("vtable--empty"))]
            else:
                segments = []
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, fill)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
