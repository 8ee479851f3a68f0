"""Restore, delete, quota and bulk backups in the TUI, against the in-process simulator."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, sim_state, type_text, wait_until

from vbstui.jobs import Kind, Phase
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.pickers import RestoreScreen


def sim(app: Any) -> Any:
    return app.target.sim_app.state.sim


async def open_backups(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f4")
    await wait_until(pilot, lambda: len(app.backups_view.table.all_rows) > 0
                     and not app.backups_view.loading_text, what="backups listed")


async def select(pilot, table, predicate) -> Any:  # type: ignore[no-untyped-def]
    index = next(i for i, row in enumerate(table.rows) if predicate(row))
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    assert table.cursor == index
    return table.current


async def test_quota_is_shown_in_the_backups_view() -> None:
    app = make_app(demo_target(volumes=30, backup_quota=500))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 30)
        await open_backups(pilot, app)
        used = sim_state(app)["backups"]
        quota_line = app.backups_view.query_one(".quota", Static)
        await wait_until(pilot, lambda: "of 500" in str(quota_line.render()), what="quota")
        text = str(quota_line.render())
        assert f"backups: {used} of 500 used ({500 - used} left)" in text
        assert "capacity" in text and "unlimited" in text


async def test_form_warns_before_a_create_that_would_exceed_the_quota() -> None:
    full = demo_target(volumes=30).sim_app.state.sim.snapshot()["backups"]
    target = demo_target(volumes=30, backup_quota=full)  # not one more backup fits
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 30)
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        await select(pilot, app.volumes_view.table, lambda v: v.backupable and v.id not in near)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="form")
        warning = str(app.screen.query_one("#quota-warning", Static).render())
        assert "exceed the quota" in warning and f"{full} of {full} used, 0 left" in warning
        await pilot.press("ctrl+s")  # the user may still try; the server has the last word
        await wait_until(pilot, lambda: any(j.finished for j in app.jobs.values()),
                         what="refusal")
        assert "VolumeBackup.0080" in log_text(app)


async def test_restore_refuses_a_bad_target_then_restores_onto_a_good_one() -> None:
    app = make_app(demo_target(volumes=40, job_seconds=0.3))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        volumes = app.volumes
        await open_backups(pilot, app)
        table = app.backups_view.table

        def restorable(backup) -> bool:  # type: ignore[no-untyped-def]
            source = volumes.get(backup.volume_id)
            return (backup.status == "available" and source is not None
                    and source.status == "in-use" and any(
                        v.status == "available" and (v.size_gb or 0) >= (backup.size_gb or 0)
                        for v in volumes.values()))

        backup = await select(pilot, table, restorable)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen), what="picker")
        picker = app.screen
        options = picker.query_one(OptionList)
        first = options.highlighted  # the picker starts on a disk that can take it
        assert first is not None
        target = volumes[options.get_option_at_index(first).id]
        assert target.status == "available" and (target.size_gb or 0) >= (backup.size_gb or 0)
        # The source disk is in use: choosing it is refused with the reason.
        options.highlighted = options.get_option_index(backup.volume_id)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RestoreScreen)
        restore_posts = sim_state(app)["requests"].get(
            "POST /v2/{project_id}/cloudbackups/{backup_id}/restore", 0)
        assert restore_posts == 0
        options.highlighted = first
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        body = str(app.screen.query_one("#confirm-body", Static).render())
        assert target.id in body and "WILL BE OVERWRITTEN" in body
        await pilot.press("y")
        await wait_until(pilot, lambda: any(j.kind is Kind.RESTORE and j.finished
                                            for j in app.jobs.values()), what="restore done")
        job = next(j for j in app.jobs.values() if j.kind is Kind.RESTORE)
        assert job.phase is Phase.SUCCESS, job.message
        assert job.volume_id == target.id and job.backup_id == backup.id


async def test_restore_refused_by_the_server_shows_0209() -> None:
    app = make_app(demo_target(volumes=40, job_seconds=0.3))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        volumes = app.volumes
        await open_backups(pilot, app)
        table = app.backups_view.table
        backup = await select(pilot, table, lambda b: b.status == "available" and any(
            v.status == "available" and (v.size_gb or 0) >= (b.size_gb or 0) > 1
            for v in volumes.values()))
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen), what="picker")
        picker = app.screen
        target = next(v for v in picker.volumes if v.status == "available"
                      and (v.size_gb or 0) >= (backup.size_gb or 0))
        options = picker.query_one(OptionList)
        options.highlighted = options.get_option_index(target.id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        # Someone shrinks the disk behind our back (the check was right a moment ago):
        # the server refuses, and the user sees its code and what to do.
        sim(app)._volumes_by_id[target.id].size = 1
        await pilot.press("y")
        await wait_until(pilot, lambda: any(j.kind is Kind.RESTORE and j.finished
                                            for j in app.jobs.values()), what="refusal")
        job = next(j for j in app.jobs.values() if j.kind is Kind.RESTORE)
        assert job.phase is Phase.REFUSED and job.error_code == "VolumeBackup.0209"
        assert "VolumeBackup.0209" in log_text(app) and "at least as large" in log_text(app)


async def test_delete_one_and_several_with_confirmation() -> None:
    app = make_app(demo_target(volumes=30, delete_seconds=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 30)
        await open_backups(pilot, app)
        table = app.backups_view.table
        first = await select(pilot, table, lambda b: b.status == "available")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        assert first.id in str(app.screen.query_one("#confirm-body", Static).render())
        await pilot.press("n")  # said no: nothing happens
        await pilot.pause()
        assert not any(j.kind is Kind.DELETE for j in app.jobs.values())
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: any(j.kind is Kind.DELETE and j.finished
                                            for j in app.jobs.values()), what="deleted")
        with sim(app).lock:
            sim(app)._advance()
            assert first.id not in sim(app).backups
        # Several marked backups at once.
        await wait_until(pilot, lambda: all(b.id != first.id for b in table.all_rows),
                         what="list refreshed")
        available = [b for b in table.rows if b.status in ("available", "error")][:3]
        for backup in available:
            await select(pilot, table, lambda b, wanted=backup.id: b.id == wanted)
            await pilot.press("space")
        assert len(table.marked) == 3
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        body = str(app.screen.query_one("#confirm-body", Static).render())
        assert "Delete 3 backups?" in body and all(b.id in body for b in available)
        await pilot.press("y")
        await wait_until(pilot, lambda: sum(1 for j in app.jobs.values()
                                            if j.kind is Kind.DELETE and j.finished) == 4,
                         what="all deleted")
        with sim(app).lock:
            sim(app)._advance()
            assert not set(sim(app).backups) & {b.id for b in available}


async def test_delete_refuses_busy_backups() -> None:
    # Slow jobs, so the busy backups stay busy: the check is fresh, not the table row.
    app = make_app(demo_target(volumes=60, job_seconds=600))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 60)
        await open_backups(pilot, app)
        table = app.backups_view.table
        busy = await select(pilot, table, lambda b: b.status in ("creating", "restoring"))
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: "cannot delete" in log_text(app), what="fresh check")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert f"'{busy.status}'" in log_text(app)


async def test_bulk_backup_of_20_marked_disks_respects_the_concurrency_limit() -> None:
    app = make_app(demo_target(volumes=60, job_seconds=0.5, services="vbs",  # VBS's bulk
                               faults="latency=0.15,paths=cloudbackups,methods=POST"),
                   bulk_concurrency=3)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 60)
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        table = app.volumes_view.table
        chosen = [v for v in table.rows if v.backupable and v.id not in near][:20]
        assert len(chosen) == 20
        await pilot.press("g")
        for volume in chosen:  # in table order: walk down from one to the next, no restarts
            index = next(i for i, row in enumerate(table.rows) if row.id == volume.id)
            await pilot.press(*["j"] * (index - table.cursor))
            assert table.current is not None and table.current.id == volume.id
            await pilot.press("space")
        assert len(table.marked) == 20
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm), what="bulk form")
        form = app.screen
        assert form.bulk and form.name_max == 59
        await pilot.press("ctrl+u")
        await type_text(pilot, "b" * 60)
        await pilot.pause()
        assert "at most 59 characters (now 60)" in str(form.query_one("#name-error",
                                                                      Static).render())
        await pilot.press("ctrl+u")
        await type_text(pilot, "weekly")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(app.jobs) == 20 and all(
            j.finished for j in app.jobs.values()), timeout=60, what="bulk done")
        names = sorted(j.backup_name for j in app.jobs.values())
        assert names == [f"weekly-{i:04d}" for i in range(1, 21)]
        assert all(j.phase is Phase.SUCCESS for j in app.jobs.values())
        state = sim_state(app)
        assert state["create_backup_posts"] == 20
        assert 1 <= state["max_in_flight_create_backup"] <= 3
        assert state["duplicates"] == []
        assert "bulk backup done: 20 of 20 succeeded, 0 failed" in log_text(app)


async def test_readonly_refuses_restore_and_delete() -> None:
    app = make_app(demo_target(volumes=20), readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await open_backups(pilot, app)
        await select(pilot, app.backups_view.table, lambda b: b.status == "available")
        await pilot.press("R")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert not isinstance(app.screen, (RestoreScreen, ConfirmScreen))
        assert log_text(app).count("read-only mode") == 2
        assert "READ-ONLY" in str(app.main.query_one("#status-line").render())
