"""The vaults view (issue 15), driven by Pilot against the in-process simulator: it
lists the project's vaults; the disks marked in the volumes view are added to a vault
after a confirmation (a disk CBR would refuse is named in the log with its code and
meaning), and a disk is removed from the vault's disk list after a confirmation."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from tuikit import SIZE, demo_target, loaded, log_text, make_app, wait_until

from vbstui.cloud.cbr_models import Vault
from vbstui.ops.vault_changes import vbs_policy_of
from vbstui.ops.vaults import VaultRow
from vbstui.ui.app import VbsApp
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.vault_screens import VaultDisksScreen
from vbstui.ui.vaults_view import VAULT_COLUMNS
from vbstui.ui.widgets.columns import layout, widest


async def go_to(pilot: Pilot[Any], table: Any, key: str) -> None:
    index = next(i for i, row in enumerate(table.rows) if row.id == key)
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    assert table.current.id == key


async def confirm(pilot: Pilot[Any], app: VbsApp) -> str:
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
    assert isinstance(app.screen, ConfirmScreen)
    body = app.screen.body.plain
    await pilot.press("y")
    return body


async def test_the_vaults_view_lists_vaults_and_adds_and_removes_disks_with_confirmation(
) -> None:
    app = make_app(demo_target(volumes=40, services="cbr"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        await wait_until(pilot, lambda: app.protection.known, what="vault listing")
        protection = app.protection
        volumes = app.volumes_view.table
        free = next(v for v in volumes.rows if protection.label(v.id) == "—"
                    and not vbs_policy_of(v))
        elsewhere = next(v for v in volumes.rows if protection.label(v.id) == "default")
        for disk in (free, elsewhere):
            await go_to(pilot, volumes, disk.id)
            await pilot.press("space")

        await pilot.press("colon")
        for key in "vaults":
            await pilot.press(key)
        await pilot.press("enter")
        view = app.main.vaults_view
        await wait_until(pilot, lambda: len(view.table.all_rows) == 3, what="vaults listed")
        assert [r.name for r in view.table.rows] == ["daily-prod", "default",
                                                     "vault-nearly-full"]
        daily = view.table.rows[0]
        await go_to(pilot, view.table, daily.id)
        await pilot.press("a")
        body = await confirm(pilot, app)
        assert "Add 1 disk to vault 'daily-prod'" in body and free.id in body
        assert "BackupService.6103" in body  # the other disk is left out, and why
        await wait_until(pilot, lambda: protection.label(free.id) == "daily-prod",
                         what="the disk in the vault")
        said = log_text(app)
        assert f"disk '{free.name}': added to vault 'daily-prod'" in said
        assert f"'{elsewhere.name}'" in said and "BackupService.6103" in said
        assert "in vault 'default'" in said

        await wait_until(pilot, lambda: any(r.id == daily.id and r.disk_count ==
                                            daily.disk_count + 1 for r in view.table.rows),
                         what="the vault listed again")
        await go_to(pilot, view.table, daily.id)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, VaultDisksScreen),
                         what="the vault's disks")
        disks = app.screen.query_one("#vault-disks")
        assert free.id in {d.id for d in disks.all_rows}
        await go_to(pilot, disks, free.id)
        await pilot.press("x")
        body = await confirm(pilot, app)
        assert "Remove 1 disk from vault 'daily-prod'" in body and "backups of it stay" in body
        await wait_until(pilot, lambda: protection.label(free.id) == "—",
                         what="the disk out of the vault")
        assert f"disk '{free.name}': removed from vault 'daily-prod'" in log_text(app)


def test_a_large_vaults_capacity_is_shown_whole_at_80_columns() -> None:
    """The demo's `default` showed '15572 GB / 32487 …': the capacity now says its unit
    once, and the vaults table fits a 78-cell wide table (80 columns less the borders)."""
    vault = Vault.from_api({"id": "cae12ef4-9de3-4516-9b06-9016b2a46d2f", "name": "default",
                            "billing": {"status": "available", "object_type": "disk",
                                        "size": 32487, "used": 15572 * 1024}})
    row = VaultRow.of(vault, {})
    assert row.capacity_text() == "15572 / 32487 GB"
    longest = {c.key: widest(c, [row]) for c in VAULT_COLUMNS} | {"name": 17}
    widths = dict(zip((c.key for c in VAULT_COLUMNS), layout(VAULT_COLUMNS, 78, longest),
                      strict=True))
    assert widths["capacity"] == len(row.capacity_text())
    assert sum(w + 1 for w in widths.values()) <= 78
