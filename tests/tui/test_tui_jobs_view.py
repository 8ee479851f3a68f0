"""The jobs view and panel: names not ids, honest counts, the newest job first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from test_tui_unknown_outcome import confirmation, into_unknown, to_jobs_view, unknown_target
from textual.widgets import Input
from tuikit import SIZE, demo_target, loaded, make_app, sim_state, wait_until

from vbstui.jobs import Kind, Phase
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.modals import ConfirmScreen


def summary(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.main.jobs_view.query_one(".summary").render())


async def test_a_delete_job_shows_the_disk_name() -> None:
    app = make_app(demo_target(volumes=30, delete_seconds=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 30)
        await pilot.press("f4")
        table = app.backups_view.table
        await wait_until(pilot, lambda: any(b.status == "available" and b.volume_id in app.volumes
                                            and app.volumes[b.volume_id].name
                                            for b in table.rows), what="backups listed")
        backup = next(b for b in table.rows if b.status == "available"
                      and b.volume_id in app.volumes and app.volumes[b.volume_id].name)
        disk = app.volumes[backup.volume_id]
        table.cursor = table.rows.index(backup)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: any(j.kind is Kind.DELETE and j.finished
                                            for j in app.jobs.values()), what="deleted")
        line = app.jobs_panel.render_line(1).text  # the first row under the header
        assert disk.name[:12] in line and backup.volume_id[:12] not in line


async def test_the_summary_counts_in_words_and_forgets_a_given_up_job(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The undecided job comes from the journal of an earlier session, as after a
    restart: giving up on it must not leave "1 not finished" behind."""
    target = replace(unknown_target(), demo_journal=tmp_path / "jobs.sqlite3")
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        job = await into_unknown(pilot, app)
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        # Resumed from the journal, looked for once more, and unknown again.
        await wait_until(pilot, lambda: job.local_id in app.jobs
                         and app.jobs[job.local_id].phase is Phase.UNKNOWN, what="unknown again")
        await to_jobs_view(pilot, app, job)
        await wait_until(pilot, lambda: "1 not finished" in summary(app), what="summary")
        assert summary(app).startswith("1 job in the journal")
        await confirmation(pilot, app, "x")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.main.jobs_view.table.current is not None
                         and app.main.jobs_view.table.current.phase is Phase.CANCELLED,
                         what="given up")
        await wait_until(pilot, lambda: "0 not finished" in summary(app),
                         what="the given-up job no longer counted as not finished")


async def test_the_jobs_view_opens_on_the_newest_job() -> None:
    app = make_app(demo_target(volumes=20, job_seconds=0.2),
                   clock=lambda: datetime.now(timezone.utc))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        table = app.volumes_view.table
        disks = [i for i, v in enumerate(table.rows) if v.backupable and v.id not in near][:2]
        for index in disks:
            table.cursor = index
            await pilot.press("b")
            await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                             and app.screen.query_one("#name", Input).has_focus, what="form")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, BackupForm),
                             what="submitted")
        await wait_until(pilot, lambda: len(app.jobs) == 2
                         and all(j.finished for j in app.jobs.values()), what="both done")
        newest = max(app.jobs.values(), key=lambda j: j.submitted_at)
        await pilot.press("f6")
        await pilot.pause()
        view = app.main.jobs_view.table
        assert view.cursor == 0 and view.current is not None
        assert view.current.local_id == newest.local_id
        assert summary(app).startswith("2 jobs in the journal · 0 not finished")


async def test_the_summary_follows_a_job_that_ends_while_the_view_is_open() -> None:
    app = make_app(demo_target(volumes=20, job_seconds=1.5))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        table = app.volumes_view.table
        table.cursor = next(i for i, v in enumerate(table.rows)
                            if v.backupable and v.id not in near)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and app.screen.query_one("#name", Input).has_focus, what="form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(app.jobs) == 1, what="submitted")
        await pilot.press("f6")
        await wait_until(pilot, lambda: "1 not finished" in summary(app), what="running")
        await wait_until(pilot, lambda: all(j.finished for j in app.jobs.values()),
                         what="the job ended")
        await wait_until(pilot, lambda: "0 not finished" in summary(app), timeout=5,
                         what="the summary following the job's end")
