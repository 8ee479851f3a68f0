"""The rows of a `VirtualTable`: every row, the ones shown (filtered, sorted), and the
per-row work done once when rows arrive, so a keystroke over 50,000 rows stays cheap.

When columns change, that work is done again for every row, a slice at a time
(`catch_up`), so a column appearing over 50,000 disks does not stall the screen; the
filter and `longest` finish it first when they need it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from vbstui.ui.widgets.columns import Column, sort_rows, widest

R = TypeVar("R")


class RowSet(Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], row_key: Callable[[R], Hashable],
                 search_text: Callable[[R], str] | None) -> None:
        self.columns = list(columns)
        self.row_key = row_key
        self.search_text = search_text
        self.all: list[R] = []
        self.shown: list[R] = []  # after filter and sort
        # The filter's text of each row by id(): made once, so a keystroke costs one `in`
        # per row and no call.
        self._search: dict[int, str] = {}
        # The longest text of each column, of every row indexed so far (see `longest`).
        self.measured: dict[str, int] = {}
        # Rows all[_stale_from:_stale_to] have no filter text yet (appended) or that of the
        # columns before the last `set_columns`; `_stale_columns` are the columns not
        # measured over them yet.
        self._stale_from = self._stale_to = 0
        self._stale_columns: list[Column[R]] = []
        self.filter_text = ""
        self.filter_fn: Callable[[R], bool] | None = None
        self.sort_column: str | None = None
        self.sort_reverse = False

    # -- rows arriving -----------------------------------------------------------------

    @property
    def longest(self) -> dict[str, int]:
        """The longest text of each column, of every row."""
        self.catch_up()
        return self.measured

    def replace(self, rows: Sequence[R]) -> None:
        self.all = list(rows)
        self._search = {}
        self.measured = {}
        self._stale_from = self._stale_to = 0
        self._stale_columns = []
        self._index(self.all)
        self.recompute()

    def extend(self, rows: Sequence[R]) -> bool:
        """Add rows; True when only rows after the shown ones were added (no re-sort).

        Their longest texts are measured now (the columns are laid out by them); their
        filter texts are left to `catch_up`, like the rows of new columns: a listing of
        50,000 disks is on screen sooner, and the POLICY column, which comes after it,
        makes them once instead of twice.  The filter catches up first when it is used."""
        start = len(self.all)
        self.all.extend(rows)
        self._measure(rows, self.columns)
        if self._stale_from >= self._stale_to:  # nothing waiting: these rows alone
            self._stale_from, self._stale_columns = start, []
        self._stale_to = len(self.all)
        if self.sort_column is None:
            self.shown.extend(self._matching(rows))
            return True
        self.recompute()
        return False

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        """Show these columns instead.  Every row's filter text is to be made again (the
        new columns' text is found too) and the longest texts of the new columns (a
        column kept as the same object keeps its texts), by `catch_up`: a column
        appearing while 50,000 disks load must not stall the screen."""
        before = {c.key: c for c in self.columns}
        unfinished = {c.key for c in self._stale_columns} if self._stale_to else set()
        self.columns = list(columns)
        self.measured = {c.key: self.measured[c.key] for c in self.columns
                         if before.get(c.key) is c and c.key in self.measured
                         and c.key not in unfinished}
        self._stale_columns = [c for c in self.columns if c.key not in self.measured]
        self._stale_from, self._stale_to = 0, len(self.all)
        self.recompute()

    def catch_up(self, limit: int | None = None) -> bool:
        """Index up to `limit` (None: all) of the rows not indexed for the columns
        shown; True when every row is."""
        start, end = self._stale_from, self._stale_to
        if start >= end:
            return True
        stop = end if limit is None else min(end, start + limit)
        self._index(self.all[start:stop], self._stale_columns)
        if stop < end:
            self._stale_from = stop
            return False
        self._stale_from = self._stale_to = 0
        self._stale_columns = []
        return True

    def insert(self, row: R, *, first: bool) -> None:
        if first:
            self.catch_up()  # the rows not indexed yet are known by their positions
            self.all.insert(0, row)
        else:
            self.all.append(row)
        self._index([row])
        self.recompute()

    def update(self, row: R) -> bool:
        """Replace the row with the same key; False when there is none."""
        key = self.row_key(row)
        found = False
        for collection in (self.all, self.shown):
            for index, existing in enumerate(collection):
                if self.row_key(existing) == key:
                    self._search.pop(id(existing), None)
                    collection[index] = row
                    found = True
                    break
        if found:
            self._index([row])
        return found

    def has(self, key: Hashable) -> bool:
        return any(self.row_key(r) == key for r in self.all)

    def _index(self, rows: Sequence[R], columns: Sequence[Column[R]] | None = None) -> None:
        """The per-row work done once, when rows arrive: filter texts, longest texts (of
        `columns`; None: of every column)."""
        search = self._search
        if self.search_text is not None:
            make = self.search_text
            for row in rows:
                search[id(row)] = make(row).casefold()
        else:
            for row in rows:
                search[id(row)] = " ".join(c.text(row) for c in self.columns).casefold()
        self._measure(rows, self.columns if columns is None else columns)

    def _measure(self, rows: Sequence[R], columns: Sequence[Column[R]]) -> None:
        """The longest texts of `columns` over these rows too."""
        longest = self.measured
        for column in columns:
            known = longest.get(column.key, 0)
            if column.grow or known < column.width:  # a fixed column stops at its width
                longest[column.key] = max(known, widest(column, rows))

    # -- filter and sort ---------------------------------------------------------------

    def _matching(self, rows: Sequence[R]) -> list[R]:
        predicate, needle = self.filter_fn, self.filter_text
        if predicate is not None:
            rows = [r for r in rows if predicate(r)]
        if not needle:
            return list(rows)
        self.catch_up()
        search = self._search
        return [r for r in rows if needle in search[id(r)]]

    def set_filter(self, text: str, predicate: Callable[[R], bool] | None) -> None:
        needle = text.strip().casefold()
        # One more character typed only narrows what is shown: filter the shown rows,
        # already in order, instead of every row and sorting them again.
        narrowing = (predicate is self.filter_fn and bool(self.filter_text)
                     and self.filter_text in needle)
        self.filter_text, self.filter_fn = needle, predicate
        if narrowing:
            self.shown = self._matching(self.shown)
        else:
            self.recompute()

    def sort_by(self, column_key: str) -> None:
        """Sort by a column; the same column again reverses the order."""
        if self.sort_column == column_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column_key, False
        self.recompute()

    def recompute(self) -> None:
        """The rows shown: filtered, then sorted."""
        rows = self._matching(self.all) if (
            self.filter_text or self.filter_fn) else list(self.all)
        if self.sort_column is not None:
            column = next((c for c in self.columns if c.key == self.sort_column), None)
            if column is not None:
                sort_rows(rows, column, self.sort_reverse)
        self.shown = rows

    def index_of(self, row: R | None) -> int | None:
        """Where the row is among the shown ones (the same object first: no key calls)."""
        if row is None:
            return None
        for index, shown in enumerate(self.shown):
            if shown is row:
                return index
        wanted = self.row_key(row)
        return next((i for i, r in enumerate(self.shown) if self.row_key(r) == wanted), None)
