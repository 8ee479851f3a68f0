"""The columns of a `VirtualTable`: what a cell shows, how it fits, how rows sort."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len, set_cell_size

from vbstui.textsafe import visible

R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    key: str
    label: str
    width: int
    value: Callable[[R], Any]  # what is shown (made printable) and sorted by
    sort_key: Callable[[R], Any] | None = None
    style: Callable[[R], str] | None = None  # a component-class suffix for the cell
    align_right: bool = False

    def text(self, row: R) -> str:
        """The cell's text; an odd value must never take the screen down."""
        try:
            value = self.value(row)
        except Exception:
            return "?"
        return "" if value is None else str(value)


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
