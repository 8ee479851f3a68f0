"""Issue 13 items 2 and 10 in the TUI, driven by Pilot against the in-process simulator:
the form says before sending what the service would refuse (and the bulk form lists
the disks it backs up and the ones it skips), `R` in the jobs view sends again only a
run's failed backups, `c` shows at once that it is checking, and a bulk interrupted by
a restart still ends with its summary line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, sim_state, wait_until

from vbstui.jobs import Phase
from vbstui.local.config import Config, Preferences
from vbstui.ops.target import Target, demo_profile
from vbstui.sim import FaultSpec, SimConfig, create_app
from vbstui.ui.app import VbsApp
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.modals import ConfirmScreen


def creates(app: VbsApp) -> int:
    return int(sim_state(app)["create_backup_posts"])


def near_limit(app: VbsApp) -> dict[str, int]:
    return {n["volume_id"]: n["backups"] for n in sim_state(app)["near_limit"]}


def clean_rows(app: VbsApp, count: int) -> list[int]:
    """Rows of disks that back up cleanly (backupable, far from the limit)."""
    near = near_limit(app)
    rows = app.volumes_view.table.rows
    return [i for i, v in enumerate(rows) if v.backupable and v.id not in near][:count]


async def go_to(pilot: Pilot[Any], app: VbsApp, index: int) -> None:
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    assert app.volumes_view.table.cursor == index


async def mark(pilot: Pilot[Any], app: VbsApp, indices: list[int]) -> None:
    for index in indices:
        await go_to(pilot, app, index)
        await pilot.press("space")


async def open_form(pilot: Pilot[Any], app: VbsApp) -> BackupForm:
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                     and bool(app.screen.query("#name")), what="form")
    assert isinstance(app.screen, BackupForm)
    return app.screen


def form_text(form: BackupForm, selector: str) -> str:
    return str(form.query_one(selector, Static).render())


async def test_the_form_says_a_disk_is_at_its_limit_before_submit_and_b_shows_its_backups(
) -> None:
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        full = next(v for v, n in near_limit(app).items() if n >= 20)
        index = next(i for i, v in enumerate(app.volumes_view.table.rows) if v.id == full)
        await go_to(pilot, app, index)
        form = await open_form(pilot, app)
        said = form_text(form, "#preflight")
        assert "VolumeBackup.0040" in said and "20 backups" in said
        assert "B: see the backups of this disk" in said
        assert form.query_one("#submit", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert creates(app) == 0 and not app.jobs  # nothing was sent
        await pilot.press("B")
        await wait_until(pilot, lambda: app.main.current_view == "backups", what="backups view")
        assert not isinstance(app.screen, BackupForm)
        await wait_until(pilot, lambda: bool(app.backups_view.table.all_rows), what="backups")
        assert {b.volume_id for b in app.backups_view.table.rows} == {full}


async def test_the_bulk_form_lists_what_it_backs_up_and_skips_and_sends_only_those() -> None:
    app = make_app(demo_target(volumes=40, services="vbs"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        full = next(v for v, n in near_limit(app).items() if n >= 20)
        rows = app.volumes_view.table.rows
        clean = clean_rows(app, 2)
        limit_row = next(i for i, v in enumerate(rows) if v.id == full)
        await mark(pilot, app, [*clean, limit_row])
        form = await open_form(pilot, app)
        said = form_text(form, "#preflight")
        names = [rows[i].name for i in clean]
        assert "Backs up 2 of 3 disks" in said and all(name in said for name in names)
        assert f"skips disk '{rows[limit_row].name}'" in said and "VolumeBackup.0040" in said
        assert "1 disk skipped" in form_text(form, "#form-state")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "bulk backup done: 2 of 2 succeeded" in log_text(app),
                         what="bulk done")
        assert creates(app) == 2
        assert {j.volume_id for j in app.jobs.values()} == {rows[i].id for i in clean}


async def test_r_in_the_jobs_view_sends_again_only_the_failed_backups() -> None:
    app = make_app(demo_target(volumes=40, job_seconds=0.3, faults="job_fail=0.5,seed=3",
                                 services="vbs"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        await mark(pilot, app, clean_rows(app, 6))
        await open_form(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(app.jobs) == 6
                         and all(j.finished for j in app.jobs.values()), what="bulk done")
        failed = {j.volume_id for j in app.jobs.values() if j.phase is Phase.FAILED}
        assert failed and len(failed) < 6, "the seed makes some fail and some succeed"
        before = creates(app)
        await pilot.press("f6")
        await wait_until(pilot, lambda: app.main.current_view == "jobs", what="jobs view")
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        body = str(app.screen.query_one("#confirm-body", Static).render())
        assert f"Send again {len(failed)} failed backup" in body
        assert creates(app) == before  # nothing sent before confirming
        await pilot.press("y")
        await wait_until(pilot, lambda: len(app.jobs) == 6 + len(failed)
                         and all(j.finished for j in app.jobs.values()), what="retry done")
        assert creates(app) == before + len(failed)
        retried = [j for j in app.jobs.values() if j.run != next(iter(app.jobs.values())).run]
        assert {j.volume_id for j in retried} == failed


QUICK_RECONCILE = Preferences(reconcile_seconds=2.0, reconcile_quiet_seconds=1.0)


async def test_check_again_shows_at_once_that_it_is_checking() -> None:
    config = SimConfig(volumes=20, job_seconds=0.3,
                       faults=FaultSpec.parse("500=1.0,paths=cloudbackups,methods=POST"))
    target = Target(profile=demo_profile(),
                    config=Config(path=None, profiles={}, preferences=QUICK_RECONCILE),
                    demo=True, sim_app=create_app(config))
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await go_to(pilot, app, clean_rows(app, 1)[0])
        await open_form(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(j.phase is Phase.UNKNOWN for j in app.jobs.values()),
                         timeout=20, what="unknown outcome")
        [job] = app.jobs.values()
        await pilot.press("f6")
        await wait_until(pilot, lambda: app.main.current_view == "jobs", what="jobs view")
        table = app.main.jobs_view.table
        assert "UNKNOWN" in table.render_line(1).text
        await pilot.press("c")
        # While the check is still under way, the row already says so.
        await wait_until(pilot, lambda: "CHECKING" in table.render_line(1).text,
                         what="checking shown")
        assert app.runner.deciding(job)
        await wait_until(pilot, lambda: not app.runner.deciding(job), what="check done")
        assert job.phase is Phase.UNKNOWN and creates(app) == 1


async def test_a_bulk_resumed_after_a_restart_still_ends_with_its_summary(tmp_path: Path
                                                                          ) -> None:
    sim = create_app(SimConfig(volumes=40, job_seconds=4.0, services="vbs"))

    def target() -> Target:
        return Target(profile=demo_profile(), config=Config(path=None, profiles={}),
                      demo=True, sim_app=sim, demo_journal=tmp_path / "jobs.sqlite3")

    first = make_app(target())
    async with first.run_test(size=SIZE) as pilot:
        await loaded(pilot, first, 40)
        await mark(pilot, first, clean_rows(first, 3))
        await open_form(pilot, first)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(first.jobs) == 3 and all(
            j.phase is Phase.RUNNING and j.job_id for j in first.jobs.values()),
            what="all submitted")
    # The app is gone with its jobs running in the cloud; the next start resumes them.
    second = make_app(target())
    async with second.run_test(size=SIZE) as pilot:
        await loaded(pilot, second, 40)
        await wait_until(pilot, lambda: "resuming 3 unfinished jobs" in log_text(second),
                         what="resumed")
        await wait_until(pilot, lambda: "bulk backup done: 3 of 3 succeeded" in log_text(second),
                         timeout=30, what="summary of the resumed bulk")
        assert sim.state.sim.snapshot()["create_backup_posts"] == 3
