"""New columns over many rows are indexed a slice at a time (RowSet.catch_up), and
nothing that needs the index sees it half done: the filter, the longest texts and a row
inserted at the top all find every row's text of the new columns."""

from __future__ import annotations

from vbstui.ui.widgets.columns import Column
from vbstui.ui.widgets.rowset import RowSet

Row = tuple[str, str]  # (name, id)
ROWS: list[Row] = [(f"disk-{i}", f"id-{i:05d}") for i in range(10_000)]
NAME: Column[Row] = Column("name", "NAME", 16, lambda r: r[0], grow=2)
# Only the last row's vault has a long name: only a complete pass measures it.
VAULTS = {ROWS[-1][1]: "the-last-vault-has-a-long-name", ROWS[0][1]: "first"}
VAULT: Column[Row] = Column("vault", "VAULT", 10, lambda r: VAULTS.get(r[1], ""), grow=1)


def rowset() -> RowSet[Row]:
    rows: RowSet[Row] = RowSet([NAME], lambda r: r[1], None)
    rows.replace(ROWS)
    return rows


def test_slices_measure_the_new_column_until_every_row_is_done() -> None:
    rows = rowset()
    rows.set_columns([NAME, VAULT])
    slices = 1
    while not rows.catch_up(3000):
        slices += 1
        assert rows.measured.get("vault", 0) < len("the-last-vault-has-a-long-name")
    assert slices == 4
    assert rows.measured["vault"] == len("the-last-vault-has-a-long-name")
    assert rows.catch_up(3000)


def test_the_filter_finds_the_new_column_before_the_slices_are_done() -> None:
    rows = rowset()
    rows.set_columns([NAME, VAULT])
    rows.catch_up(100)  # a slice, as the table does at once
    rows.set_filter("long-name", None)
    assert rows.shown == [ROWS[-1]]
    assert rows.longest["vault"] == len("the-last-vault-has-a-long-name")


def test_rows_added_meanwhile_are_indexed_for_the_new_column_too() -> None:
    rows = rowset()
    rows.set_columns([NAME, VAULT])
    VAULTS["id-late"] = "late-vault"
    try:
        rows.extend([("late", "id-late")])
        rows.insert(("top", "id-top"), first=True)  # every row moves down one place
        rows.set_filter("late-vault", None)
        assert rows.shown == [("late", "id-late")]
        rows.set_filter("first", None)
        assert rows.shown == [ROWS[0]]
        assert rows.longest["vault"] == len("the-last-vault-has-a-long-name")
    finally:
        del VAULTS["id-late"]


def test_columns_changed_again_before_the_slices_are_done() -> None:
    rows = rowset()
    other: Column[Row] = Column("vault", "VAULT", 10, lambda r: "v" if r == ROWS[-1] else "",
                                grow=1)
    rows.set_columns([NAME, VAULT])
    rows.catch_up(9_999)  # every row but the last measured for VAULT
    rows.set_columns([NAME, other])
    assert rows.longest == {"name": len("disk-9999"), "vault": 1}
    rows.set_filter("v", None)
    assert rows.shown == [ROWS[-1]]


def test_appended_rows_are_measured_at_once_and_found_by_the_filter_before_indexing() -> None:
    """Appended rows' filter texts wait for `catch_up` (the table runs it once pages stop
    coming); their longest texts do not, and the filter never misses them."""
    rows = rowset()
    rows.extend([("a-much-longer-disk-name", "id-new-1"), ("other", "id-new-2")])
    assert rows.measured["name"] == len("a-much-longer-disk-name")  # laid out at once
    rows.set_filter("much-longer", None)
    assert rows.shown == [("a-much-longer-disk-name", "id-new-1")]
    rows.set_filter("", None)
    rows.extend([("later", "id-new-3")])
    done = rows.catch_up(5)
    assert done  # only the one row appended since the filter needed the rest
    rows.set_filter("later", None)
    assert rows.shown == [("later", "id-new-3")]


def test_rows_appended_while_new_columns_wait_are_indexed_in_the_same_pass() -> None:
    rows = rowset()
    rows.set_columns([NAME, VAULT])
    rows.extend([("tail", "id-tail")])
    slices = 1
    while not rows.catch_up(3000):
        slices += 1
    assert slices == 4  # 10,001 rows: the appended one went into the pending pass
    rows.set_filter("tail", None)
    assert rows.shown == [("tail", "id-tail")]
