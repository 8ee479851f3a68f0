"""The TUI driven by Pilot against the in-process simulator: the flows a user relies on."""

from __future__ import annotations

from textual.widgets import Button, Input, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, sim_state, type_text, wait_until

from vbstui.jobs import Phase
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.help import HelpScreen
from vbstui.ui.screens.modals import RawJsonScreen


def first_backupable(app) -> int:  # type: ignore[no-untyped-def]
    rows = app.volumes_view.table.rows
    near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
    return next(i for i, v in enumerate(rows) if v.backupable and v.id not in near)


async def move_to(pilot, app, index: int) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    assert app.volumes_view.table.cursor == index


async def test_volumes_load_and_filter_narrows_as_you_type() -> None:
    app = make_app(demo_target(volumes=60))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 60)
        table = app.volumes_view.table
        assert len(table.rows) == 60
        target = table.rows[7]
        await pilot.press("slash")
        assert app.volumes_view.query_one(".filter", Input).has_focus
        await type_text(pilot, target.name[:8])
        await pilot.pause()
        assert 0 < len(table.rows) < 60
        assert all(target.name[:8].casefold() in f"{v.name} {v.id} {v.status}".casefold()
                   for v in table.rows)
        # Status and id match too.
        await pilot.press("ctrl+u")
        await type_text(pilot, "in-use")
        await pilot.pause()
        assert table.rows and all(v.status == "in-use" for v in table.rows)
        await pilot.press("escape")  # leaves the field
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert len(table.rows) == 60
        assert table.has_focus


async def test_backup_form_live_validation_submit_and_success_in_log() -> None:
    app = make_app(demo_target(volumes=30, job_seconds=0.5))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 30)
        index = first_backupable(app)
        await move_to(pilot, app, index)
        volume = app.volumes_view.table.current
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        form = app.screen
        name = form.query_one("#name", Input)
        # Suggested name: disk name plus the UTC time, valid as it stands.
        assert name.value.endswith("-20261127-101500")
        assert not form.query_one("#submit", Button).disabled
        await pilot.press("ctrl+u")
        await type_text(pilot, "auto-" + "x" * 66)
        await pilot.pause()
        error = str(form.query_one("#name-error", Static).render())
        assert "at most 64 characters (now 71)" in error
        assert "must not start with 'auto'" in error
        assert form.query_one("#submit", Button).disabled
        assert name.has_class("-invalid")
        await pilot.press("ctrl+s")  # refused while invalid: nothing is sent
        await pilot.pause()
        assert isinstance(app.screen, BackupForm)
        assert sim_state(app)["create_backup_posts"] == 0
        await pilot.press("ctrl+u")
        await type_text(pilot, "nightly-1")
        await pilot.pause()
        assert not form.query_one("#submit", Button).disabled
        assert "✓" in str(form.query_one("#name-error", Static).render())
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, BackupForm),
                         what="form closed")
        await wait_until(pilot, lambda: any(j.phase is Phase.SUCCESS for j in app.jobs.values()),
                         what="job success")
        [job] = app.jobs.values()
        assert job.volume_id == volume.id and job.backup_name == "nightly-1"
        text = log_text(app)
        assert f"submitted create of nightly-1: job {job.job_id}" in text
        assert "succeeded in" in text and job.backup_id in text
        assert sim_state(app)["create_backup_posts"] == 1


async def test_double_submit_sends_one_request() -> None:
    slow_create = "latency=0.3,paths=cloudbackups"
    app = make_app(demo_target(volumes=20, job_seconds=0.5, faults=slow_create))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await move_to(pilot, app, first_backupable(app))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(j.finished for j in app.jobs.values()),
                         what="job finished")
        assert sim_state(app)["create_backup_posts"] == 1
        assert len(app.jobs) == 1


async def test_failed_job_shows_code_explanation_and_action() -> None:
    app = make_app(demo_target(volumes=20, job_seconds=0.3, faults="job_fail=1.0"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await move_to(pilot, app, first_backupable(app))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(j.phase is Phase.FAILED for j in app.jobs.values()),
                         what="job failed")
        [job] = app.jobs.values()
        assert job.error_code.startswith("VolumeBackup.")
        line = next(line for line in app.log_pane.plain_lines() if "FAILED" in line)
        assert job.error_code in line
        assert "→" in line  # what to do, from the error catalogue


async def test_a_disk_at_the_backup_limit_is_explained_before_anything_is_sent() -> None:
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        full = sim_state(app)["near_limit"][0]["volume_id"]
        index = next(i for i, v in enumerate(app.volumes_view.table.rows) if v.id == full)
        await move_to(pilot, app, index)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = log_text(app)
        assert "VolumeBackup.0040" in text and "20 backups" in text
        assert sim_state(app)["create_backup_posts"] == 0 and not app.jobs


async def test_disk_that_cannot_be_backed_up_explains_instead_of_opening_the_form() -> None:
    app = make_app(demo_target(volumes=80))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 80)
        rows = app.volumes_view.table.rows
        index = next(i for i, v in enumerate(rows) if not v.backupable)
        await move_to(pilot, app, index)
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, BackupForm)
        assert f"is '{rows[index].status}'" in log_text(app)
        assert "available" in log_text(app) and "in-use" in log_text(app)


async def test_survives_server_errors_and_hostile_text() -> None:
    target = demo_target(volumes=20, faults="503=1.0,paths=cloudvolumes")
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "503" in log_text(app) or "unavailable" in log_text(app),
                         timeout=20, what="the error reported")
        assert app.is_running
        # The server recovers; refreshing loads the disks.
        state = target.sim_app.state.sim
        from vbstui.sim import FaultSpec

        state.set_faults(FaultSpec())
        await pilot.press("f5")
        await loaded(pilot, app, 20)
        # A backup whose texts carry markup and terminal escapes.
        hostile = "[/bold] \x1b]0;pwned\x07 [red]x"
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        volume = next(v for v in app.volumes_view.table.rows
                      if v.backupable and v.id not in near)
        import httpx

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=target.sim_app),
                                     base_url="http://demo.localhost") as raw:
            token = await raw.post("/v3/auth/tokens", json={"auth": {"identity": {
                "methods": ["password"], "password": {"user": {
                    "name": "demo", "password": "vbstui-demo",
                    "domain": {"name": "OTC-EU-DE-DEMO"}}}},
                "scope": {"project": {"name": "eu-de_demo"}}}})
            headers = {"X-Auth-Token": token.headers["x-subject-token"]}
            pid = token.json()["token"]["project"]["id"]
            made = await raw.post(f"/v2/{pid}/cloudbackups", headers=headers, json={"backup": {
                "volume_id": volume.id, "name": "hostile", "description": hostile[:64]
                .replace("<", "").replace(">", "")}})
            assert made.status_code == 200, made.text
        await pilot.press("f4")

        def listed() -> bool:
            if any(b.name == "hostile" for b in app.backups_view.table.all_rows):
                return True
            app.backups_view.action_refresh()  # the record appears once the job leaves INIT
            return False

        await wait_until(pilot, listed, timeout=20, what="hostile backup listed")
        table = app.backups_view.table
        index = next(i for i, b in enumerate(table.rows) if b.name == "hostile")
        await pilot.press("g")
        for _ in range(index):
            await pilot.press("j")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, RawJsonScreen), what="raw json")
        shown = app.screen.text
        assert "\x1b" not in shown and "\x07" not in shown
        assert "pwned" in shown and "[/bold]" in shown
        await pilot.press("escape")
        # The description column shows the decoded text literally: markup as text,
        # the escape sequence made visible, nothing raw reaching the terminal.  Wide
        # enough for the whole description (columns share the terminal's width).
        await pilot.resize_terminal(260, 36)
        await pilot.pause()
        backup = next(b for b in table.rows if b.name == "hostile")
        assert backup.description.startswith("[/bold] \x1b]0;pwned")
        row = "".join(segment.text for segment in table._row_segments(backup, False))
        assert "[/bold] \\e]0;pwned\\a [red]x" in row
        await pilot.pause()
        table.scroll_to(x=table.virtual_size.width, animate=False)
        await pilot.pause()
        screen_text = app.export_screenshot()
        assert "pwned" in screen_text and "[/bold]" in screen_text
        assert "\x1b" not in screen_text and "\x07" not in screen_text
        assert app.is_running


async def test_help_lists_every_key_and_closes() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 5)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press("escape")
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help by F1")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_command_bar_switches_views() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 5)
        await pilot.press("colon")
        await type_text(pilot, "back")
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.current_view == "backups"
        await wait_until(pilot, lambda: len(app.backups_view.table.all_rows) > 0,
                         what="backups listed")
        await pilot.press("f6")
        assert app.main.current_view == "jobs"
        await pilot.press("f3")
        assert app.main.current_view == "volumes"
        assert app.volumes_view.table.has_focus


async def test_readonly_refuses_backups() -> None:
    app = make_app(demo_target(volumes=10), readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 10)
        await move_to(pilot, app, first_backupable(app))
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, BackupForm)
        assert "read-only mode" in log_text(app)
        assert sim_state(app)["create_backup_posts"] == 0


async def test_a_burst_of_keys_edits_in_the_order_typed() -> None:
    """Over a laggy link keys arrive in bursts; a backspace must not land late."""
    from textual import events

    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await move_to(pilot, app, first_backupable(app))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and app.screen.query_one("#name", Input).has_focus, what="form")
        burst = [("ctrl+u", None), *[(c, c) for c in "nightlx"], ("backspace", None),
                 ("y", "y"), ("left", None), ("left", None), ("backspace", None)]
        for key, char in burst:  # posted at once, as a terminal delivers a burst
            app.post_message(events.Key(key, char))
        await wait_until(pilot, lambda: app.screen.query_one("#name", Input).value == "nighly",
                         timeout=5, what="the burst applied in order")


async def test_huge_and_hostile_server_strings_render_literally() -> None:
    target = demo_target(volumes=20)
    world = target.sim_app.state.sim
    huge = "[bold]" + "x" * 200_000 + "\x1b[2J"
    world.volumes[0].name = huge
    world.volumes[1].name = "[/bold] \x1b]0;title\x07 [red]spoof"
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        table = app.volumes_view.table
        names = {v.name for v in table.all_rows}
        assert huge in names  # kept whole in the model…
        await pilot.pause()
        screen = app.export_screenshot()
        assert "\x1b" not in screen and "\x07" not in screen
        assert "[/bold]" in screen and "\\e]0;title\\a" in screen  # …shown literally
        assert "[bold]" + "x" * 15 in screen and "x" * 300 not in screen  # cut to the column
        await pilot.press("g")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, RawJsonScreen), what="raw json")
        assert "\\u001b[2J" in app.screen.text
        await pilot.press("escape")
        assert app.is_running
