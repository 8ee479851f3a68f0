"""A column shown while rows are loaded (the PROTECTION or POLICY column of 50,000 disks):
the filter finds its text at once, the widths know its longest text, and the columns kept
keep what was measured of them (vbstui.ui.widgets.rowset.RowSet.set_columns)."""

from __future__ import annotations

from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.rowset import RowSet

Row = tuple[str, str]  # (name, id)
ROWS: list[Row] = [(f"disk-{i}", f"id-{i:03d}") for i in range(300)]
NAME: Column[Row] = Column("name", "NAME", 16, lambda r: r[0], grow=2)


def vault_column(vaults: dict[str, str]) -> Column[Row]:
    return Column("vault", "VAULT", 10, lambda r: vaults.get(r[1], ""), grow=1)


def rowset() -> RowSet[Row]:
    rows: RowSet[Row] = RowSet([NAME], lambda r: r[1], None)
    rows.replace(ROWS)
    return rows


def test_a_new_column_is_found_by_the_filter_and_measured() -> None:
    rows = rowset()
    rows.set_filter("nightly", None)
    assert rows.shown == []
    rows.set_columns([NAME, vault_column({"id-007": "nightly-vault"})])
    rows.set_filter("nightly", None)
    assert rows.shown == [("disk-7", "id-007")]
    assert rows.longest["vault"] == len("nightly-vault")


def test_a_column_shown_again_with_new_texts_is_measured_again() -> None:
    rows = rowset()
    rows.set_columns([NAME, vault_column({"id-001": "a"})])
    rows.set_columns([NAME, vault_column({"id-001": "a-much-longer-vault-name"})])
    assert rows.longest["vault"] == len("a-much-longer-vault-name")
    rows.set_filter("much-longer", None)
    assert rows.shown == [("disk-1", "id-001")]


def test_a_kept_column_is_not_measured_again() -> None:
    calls: list[Row] = []

    def name(row: Row) -> str:
        calls.append(row)
        return row[0]

    counted: Column[Row] = Column("name", "NAME", 16, name, grow=2)
    rows: RowSet[Row] = RowSet([counted], lambda r: r[1], lambda r: r[0])
    rows.replace(ROWS)
    measured = rows.longest["name"]
    calls.clear()
    rows.set_columns([counted, vault_column({})])
    assert calls == []  # the search text here does not use the column either
    assert rows.longest == {"name": measured, "vault": 0}


def test_a_filter_and_a_sort_stay_when_the_columns_change() -> None:
    rows = rowset()
    rows.sort_by("name")
    rows.sort_by("name")  # descending
    rows.set_filter("disk-1", None)
    before = list(rows.shown)
    rows.set_columns([NAME, vault_column({})])
    assert rows.shown == before and rows.sort_reverse
