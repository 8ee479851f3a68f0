"""Issue 15 in the TUI, driven by Pilot against the in-process simulator: on a CBR-only
project a disk is backed up into its vault, restored and deleted, each step in the log;
with both services the backups view marks each backup's service; a vault too small for
a disk is caught by the form before anything is sent."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, sim_state, wait_until

from vbstui.cloud.models import Volume
from vbstui.jobs import Kind, Phase
from vbstui.ui.app import VbsApp
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.pickers import RestoreScreen


def checkpoints_sent(app: VbsApp) -> int:
    """POST /checkpoints requests the simulator has answered (the demo's own excluded)."""
    requests = sim_state(app)["requests"]
    return sum(n for route, n in requests.items() if route.startswith("POST") and
               route.rstrip("/").endswith("/checkpoints"))


async def vaults_known(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await wait_until(pilot, lambda: app.protection.known, what="vault listing")


async def select(pilot: Pilot[Any], table: Any, wanted: Any) -> None:
    index = next(i for i, row in enumerate(table.rows) if row.id == wanted.id)
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    assert table.current.id == wanted.id


def in_vault(app: VbsApp, *, fits: bool) -> Volume:
    """A detached disk in a vault (restorable: CBR restores only onto its own disk,
    which must be available) whose size fits (or does not fit) the vault's free room."""
    for volume in app.volumes_view.table.rows:
        route = app.protection.route(volume.id)
        if route is None or route.vault is None or volume.status != "available":
            continue
        free = route.vault.free_gb
        if free is None or volume.size_gb is None:
            continue
        if (volume.size_gb <= free) == fits:
            return volume
    raise AssertionError("the demo world has no such disk")


async def open_form(pilot: Pilot[Any], app: VbsApp) -> BackupForm:
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                     and bool(app.screen.query("#name")), what="form")
    assert isinstance(app.screen, BackupForm)
    return app.screen


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def confirm(pilot: Pilot[Any], app: VbsApp) -> str:
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
    assert isinstance(app.screen, ConfirmScreen)
    body = app.screen.body.plain
    await pilot.press("y")
    return body


def finished(app: VbsApp, kind: Kind) -> bool:
    return any(j.kind is kind and j.finished for j in app.jobs.values())


async def test_cbr_only_back_up_into_the_vault_restore_and_delete_each_step_in_the_log(
) -> None:
    app = make_app(demo_target(volumes=40, services="cbr"))
    async with app.run_test(size=SIZE) as pilot:
        await vaults_known(pilot, app)
        disk = in_vault(app, fits=True)
        vault = app.protection.route(disk.id).vault
        assert vault is not None
        row = next(i for i, v in enumerate(app.volumes_view.table.rows) if v.id == disk.id)
        assert vault.name in app.volumes_view.table.render_line(row + 1 - round(
            app.volumes_view.table.scroll_y)).text  # the PROTECTION column names it
        await select(pilot, app.volumes_view.table, disk)

        form = await open_form(pilot, app)
        assert f"CBR vault '{vault.name}'" in text_of(form, "#destination")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: finished(app, Kind.CREATE), what="backup finished")
        backup_job = next(j for j in app.jobs.values() if j.kind is Kind.CREATE)
        assert backup_job.phase is Phase.SUCCESS, backup_job.message
        assert (backup_job.service, backup_job.vault_id) == ("cbr", vault.id)
        said = log_text(app)
        assert f"goes into CBR vault '{vault.name}'" in said and "succeeded" in said

        await pilot.press("B")  # the backups of this disk: the new one is there
        await wait_until(pilot, lambda: any(b.id == backup_job.backup_id
                                            for b in app.backups_view.table.all_rows),
                         what="the new backup listed")
        backup = next(b for b in app.backups_view.table.all_rows
                      if b.id == backup_job.backup_id)
        await select(pilot, app.backups_view.table, backup)
        service = next(c for c in app.backups_view.table.columns if c.key == "service")
        assert service.text(backup) == f"CBR {vault.name}"
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen), what="picker")
        await pilot.press("enter")  # the backup's own disk comes first
        body = await confirm(pilot, app)
        assert "CBR backup" in body and disk.id in body and "OVERWRITTEN" in body
        await wait_until(pilot, lambda: finished(app, Kind.RESTORE), what="restore finished",
                         timeout=20)
        restore_job = next(j for j in app.jobs.values() if j.kind is Kind.RESTORE)
        assert restore_job.phase is Phase.SUCCESS, restore_job.message
        assert restore_job.service == "cbr"

        await wait_until(pilot, lambda: any(b.id == backup.id and b.status == "available"
                                            for b in app.backups_view.table.all_rows),
                         what="the backup available again")
        await select(pilot, app.backups_view.table, backup)
        before = int(sim_state(app)["cbr"]["backups"])
        await pilot.press("ctrl+d")
        body = await confirm(pilot, app)
        assert backup.id in body and "CBR" in body and "cannot be undone" in body
        await wait_until(pilot, lambda: finished(app, Kind.DELETE), what="delete finished",
                         timeout=20)
        delete_job = next(j for j in app.jobs.values() if j.kind is Kind.DELETE)
        assert delete_job.phase is Phase.SUCCESS, delete_job.message
        assert int(sim_state(app)["cbr"]["backups"]) == before - 1  # gone from the vault
        said = log_text(app)
        assert f"restore of {backup.name} succeeded" in said
        assert f"backup {backup.name} deleted" in said


async def test_a_vault_too_small_for_the_disk_is_caught_before_anything_is_sent() -> None:
    app = make_app(demo_target(volumes=40, services="cbr"))
    async with app.run_test(size=SIZE) as pilot:
        await vaults_known(pilot, app)
        disk = in_vault(app, fits=False)
        vault = app.protection.route(disk.id).vault
        assert vault is not None
        await select(pilot, app.volumes_view.table, disk)
        form = await open_form(pilot, app)
        said = text_of(form, "#preflight")
        assert "BackupService.6114" in said
        assert f"disk {disk.size_gb} GB" in said and f"of {vault.size_gb} GB" in said
        assert form.query_one("#submit", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert checkpoints_sent(app) == 0 and not app.jobs  # nothing was sent
        assert "BackupService.6114" in log_text(app)


async def test_with_both_services_the_backups_view_marks_each_backups_service() -> None:
    app = make_app(demo_target(volumes=40))
    async with app.run_test(size=SIZE) as pilot:
        await vaults_known(pilot, app)
        labels = {app.protection.label(v.id) for v in app.volumes_view.table.all_rows}
        assert "VBS" in labels and len(labels - {"VBS"}) >= 2  # vault names too
        await pilot.press("slash")
        for key in "daily-prod":
            await pilot.press(key)
        await pilot.pause()
        shown = app.volumes_view.table.rows
        assert shown and all(app.protection.label(v.id) == "daily-prod" for v in shown)
        await pilot.press("escape")
        await pilot.press("f4")
        await wait_until(pilot, lambda: not app.backups_view.loading_text
                         and bool(app.backups_view.table.all_rows), what="backups listed")
        header = app.backups_view.table.render_line(0).text
        assert "SERVICE" in header
        column = next(c for c in app.backups_view.table.columns if c.key == "service")
        marks = {column.text(b).split(" ")[0] for b in app.backups_view.table.all_rows}
        assert marks == {"VBS", "CBR"}
        cbr = next(b for b in app.backups_view.table.all_rows if column.text(b) != "VBS")
        assert column.text(cbr).removeprefix("CBR ") in {v.name for v in app.protection.vaults}
