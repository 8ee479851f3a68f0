"""An SVG snapshot of the policies view (pytest-textual-snapshot; --snapshot-update to
accept), in a terminal whose local time is CET: the NEXT RUN (LOCAL) column differs
from the UTC one.  Everything else that varies is pinned as in test_tui_snapshots."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from tuikit import demo_target, loaded, make_app, type_text, wait_until

from vbstui.sim import ManualClock

SIZE = (120, 34)


@pytest.fixture
def cet_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "CET-1")  # POSIX form: no tz database needed
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("cet_time")
def test_policies_view(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_target(volumes=40, job_seconds=10.0, clock=ManualClock()))

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app, 40)
        await pilot.press("colon")
        await type_text(pilot, "policies")
        await pilot.press("enter")
        view = app.main.policies_view
        await wait_until(pilot, lambda: len(view.table.all_rows) == 4 and not view.loading,
                         what="policies listed")
        await pilot.press("j")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
