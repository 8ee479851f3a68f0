"""A `VirtualTable`'s cursor: moving it by key and by mouse, and where it is.

Apart from the table's rows and drawing; `VirtualTable` inherits these methods, which
take the table as `self`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.events import Click

if TYPE_CHECKING:
    from vbstui.ui.widgets.columns import Column
    from vbstui.ui.widgets.vtable import VirtualTable


class CursorKeys:
    """The cursor's keys (bound in `VirtualTable.BINDINGS`) and clicks."""

    @property
    def _page(self: VirtualTable[Any]) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move_to(self: VirtualTable[Any], index: int, *, force: bool = False) -> None:
        index = max(0, min(index, len(self._set.shown) - 1)) if self._set.shown else 0
        changed = index != self.cursor
        self.cursor = index
        self._scroll_to_cursor()
        if changed or force:
            self.post_message(self.Highlighted(self, self.current))
        self.refresh()

    def _scroll_to_cursor(self: VirtualTable[Any]) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + self._page:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False)

    def action_cursor_up(self: VirtualTable[Any]) -> None:
        self._move_to(self.cursor - 1)

    def action_cursor_down(self: VirtualTable[Any]) -> None:
        self._move_to(self.cursor + 1)

    def action_page_up(self: VirtualTable[Any]) -> None:
        self._move_to(self.cursor - self._page)

    def action_page_down(self: VirtualTable[Any]) -> None:
        self._move_to(self.cursor + self._page)

    def action_first(self: VirtualTable[Any]) -> None:
        self._move_to(0)

    def action_last(self: VirtualTable[Any]) -> None:
        self._move_to(len(self._set.shown) - 1)

    def action_scroll_columns(self: VirtualTable[Any], delta: int) -> None:
        self.scroll_to(x=max(0, self.scroll_x + delta), animate=False)

    def action_select(self: VirtualTable[Any]) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self: VirtualTable[Any], event: Click) -> None:
        line = event.y
        if line <= 0:
            column = self._column_at(event.x + round(self.scroll_x))
            if column is not None:
                self.sort_by(column.key)
            return
        index = round(self.scroll_y) + line - 1
        if 0 <= index < len(self._set.shown):
            if index == self.cursor and event.chain > 1:
                self.action_select()
            self._move_to(index)

    def _column_at(self: VirtualTable[Any], x: int) -> Column[Any] | None:
        offset = self._gutter
        for column, width in zip(self.columns, self._widths, strict=True):
            if offset <= x < offset + width + 1:
                return column
            offset += width + 1
        return None

    @property
    def position(self: VirtualTable[Any]) -> str:
        """Where the selection is: "57/120" (of the rows shown, after the filter); empty
        when nothing is shown (the empty line says why)."""
        return f"{self.cursor + 1}/{len(self._set.shown)}" if self._set.shown else ""
