"""The main screen's layout at every size: panes sized to the terminal, the log wrapped
again after a resize, the jobs/log panes resized or collapsed with a key (remembered
across a restart), the details pane following the selection, the jobs panel following
new jobs."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static
from tuikit import demo_target, loaded, make_app, sim_state, wait_until

from vbstui.jobs import Phase
from vbstui.local.config import load_layout
from vbstui.ui.messages import BackupRequested
from vbstui.ui.screens.backup_form import BackupForm

LONG = ("the same log line, long enough to need two lines at 80 columns and one at 200: "
        "it ends with the word SENTINEL-END")


def log_rows(app: Any) -> list[str]:
    """The log pane's rendered rows, as the terminal shows them."""
    return [strip.text.rstrip() for strip in app.log_pane.lines]


async def test_the_log_wraps_again_when_the_terminal_is_resized() -> None:
    app = make_app(demo_target(volumes=10))
    async with app.run_test(size=(200, 50)) as pilot:
        await loaded(pilot, app, 10)
        app.say(LONG)
        await pilot.pause()
        # Whole on one row at 200 columns.
        assert any(LONG in row for row in log_rows(app))
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: not any(LONG in row for row in log_rows(app)),
                         what="log wrapped at 80 columns")
        rows = log_rows(app)
        width = app.log_pane.scrollable_content_region.width
        assert all(len(row) <= width for row in rows), "nothing reaches past the pane"
        ending = next(i for i, row in enumerate(rows) if "SENTINEL-END" in row)
        # The line is still there in full, over two rows.
        assert LONG in " ".join(rows[ending - 1: ending + 1]).replace("  ", " ")
        await pilot.resize_terminal(200, 50)
        await wait_until(pilot, lambda: any(LONG in row for row in log_rows(app)),
                         what="log whole again at 200 columns")


async def test_panes_give_the_table_most_rows_at_24_lines_and_grow_at_60() -> None:
    app = make_app(demo_target(volumes=60))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, 60)
        table = app.volumes_view.table
        small = table.scrollable_content_region.height - 1  # minus the header
        assert small >= 12, f"only {small} table rows at 80×24"
        assert not app.main.details.display  # no room for it at 80 columns
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert app.log_pane.size.height > 3 and app.jobs_panel.size.height > 3
        assert app.main.details.display  # the room at 200×60 shows the details


async def test_z_cycles_the_panes_and_the_choice_survives_a_restart() -> None:
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, 20)
        normal = app.jobs_panel.size.height
        table_rows = app.volumes_view.table.size.height
        await pilot.press("z")
        await pilot.pause()
        assert app.jobs_panel.size.height > normal  # large
        await pilot.press("z")
        await pilot.pause()
        assert not app.jobs_panel.display  # collapsed: the table gets the rows
        assert app.volumes_view.table.size.height > table_rows
        assert app.log_pane.size.height == 1  # the newest log line stays in sight
        title = str(app.main.query_one("#jobs-title", Static).render())
        assert "z shows it" in title
    assert load_layout().panes == "collapsed"

    again = make_app(demo_target(volumes=20))
    async with again.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, again, 20)
        assert not again.jobs_panel.display  # remembered
        await pilot.press("z")
        await pilot.pause()
        assert again.jobs_panel.display and again.jobs_panel.size.height == normal


async def test_i_toggles_the_details_pane_and_it_is_remembered() -> None:
    app = make_app(demo_target(volumes=10))
    async with app.run_test(size=(200, 60)) as pilot:
        await loaded(pilot, app, 10)
        assert app.main.details.display
        await pilot.press("i")
        await pilot.pause()
        assert not app.main.details.display
    assert load_layout().details is False
    again = make_app(demo_target(volumes=10))
    async with again.run_test(size=(200, 60)) as pilot:
        await loaded(pilot, again, 10)
        assert not again.main.details.display
        await pilot.press("f8")  # the same from an F-key, for when a field has focus
        await pilot.pause()
        assert again.main.details.display


async def test_details_of_the_selected_disk_and_backup_follow_the_cursor() -> None:
    app = make_app(demo_target(volumes=30))
    async with app.run_test(size=(200, 60)) as pilot:
        await loaded(pilot, app, 30)
        details = app.main.details
        disk = app.volumes_view.table.current
        await wait_until(pilot, lambda: disk.id in details.plain(), what="disk details")
        text = details.plain()
        assert f"Disk: {disk.name}" in text and f"ID: {disk.id}" in text
        assert f"Size: {disk.size_gb} GB" in text and "UTC (" in text and " ago)" in text
        await pilot.press("j")
        second = app.volumes_view.table.current
        await wait_until(pilot, lambda: second.id in details.plain(), what="follows j")

        await pilot.press("f4")
        await wait_until(pilot, lambda: bool(app.backups_view.table.rows), what="backups")
        table = app.backups_view.table
        failed = next(i for i, b in enumerate(table.rows) if b.fail_reason)
        await pilot.press("g")
        for _ in range(failed):
            await pilot.press("j")
        backup = table.current
        await wait_until(pilot, lambda: backup.id in details.plain(), what="backup details")
        text = details.plain()
        disk_name = app.volumes[backup.volume_id].name
        assert f"Disk: {disk_name}" in text, "the backup's disk by name"
        assert f"Failure: {backup.fail_reason}" in text
        assert f"Disk ID: {backup.volume_id}" in text
        assert "DESC" not in text, "the description is decoded, not the JSON string"


async def test_details_of_a_failed_job_give_code_meaning_and_action() -> None:
    app = make_app(demo_target(volumes=20, job_seconds=0.3, faults="job_fail=1.0"))
    async with app.run_test(size=(200, 60)) as pilot:
        await loaded(pilot, app, 20)
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        index = next(i for i, v in enumerate(app.volumes_view.table.rows)
                     if v.backupable and v.id not in near)
        await pilot.press("g", *(["j"] * index))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(j.phase is Phase.FAILED for j in app.jobs.values()),
                         what="job failed")
        [job] = app.jobs.values()
        app.jobs_panel.focus()
        details = app.main.details
        await wait_until(pilot, lambda: job.error_code in details.plain(), what="job details")
        text = details.plain()
        assert "Action: back up a disk" in text
        assert f"Job ID: {job.job_id}" in text and job.volume_name in text
        assert "→" in text, "what to do about the error code"
        assert "✗ failed" in text


async def submit_backup(pilot: Pilot[Any], app: Any, volume: Any) -> None:
    """Back up one disk through the form, as the `b` key does from wherever focus is."""
    count = len(app.jobs)
    app.post_message(BackupRequested([volume]))
    await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                     and bool(app.screen.query("#name")), what="form")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: len(app.jobs) > count, what="job shown")


async def test_jobs_panel_follows_new_jobs_unless_the_user_moved_away() -> None:
    app = make_app(demo_target(volumes=40, job_seconds=60))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, 40)
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        disks = [v for v in app.volumes_view.table.rows if v.backupable and v.id not in near]
        panel = app.jobs_panel
        for volume in disks[:4]:
            await submit_backup(pilot, app, volume)
        # Not looking at the panel (2 rows high here): it shows the newest job, at the top.
        assert panel.cursor == 0 and round(panel.scroll_y) == 0
        assert panel.current is max(panel.all_rows, key=lambda j: j.submitted_at)

        panel.focus()
        await pilot.press("j", "j")  # the user picks an older job on purpose
        chosen = panel.current
        await submit_backup(pilot, app, disks[4])
        assert panel.has_focus  # back from the form, to where the user was
        assert panel.current is chosen, "the user's choice is kept"
        title = app.main.query_one("#jobs-title", Static)
        assert "newer job" in str(title.render())
        await pilot.press("g")
        await pilot.pause()
        assert "newer job" not in str(title.render())
        await submit_backup(pilot, app, disks[5])
        assert panel.cursor == 0 and panel.current.volume_id == disks[5].id, (
            "on the newest job, the panel follows again")
