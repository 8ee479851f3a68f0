"""A newcomer's first move in the demo: `b`, `ctrl+s` on the first disk ends in SUCCESS."""

from __future__ import annotations

import pytest
from tuikit import SIZE, demo_target, loaded, log_text, make_app, wait_until

from vbstui.jobs import Phase
from vbstui.ui.screens.backup_form import BackupForm


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_first_disk_of_the_demo_backs_up_to_success(seed: int) -> None:
    app = make_app(demo_target(volumes=120, seed=seed))  # the demo's size, default order
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 120)
        first = app.volumes_view.table.rows[0]
        assert app.volumes_view.table.cursor == 0
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(j.finished for j in app.jobs.values()),
                         what="job end")
        [job] = app.jobs.values()
        assert job.phase is Phase.SUCCESS, log_text(app)
        assert job.volume_id == first.id
        assert "REFUSED" not in log_text(app)
