"""Pruning in the TUI: keep the newest N backups of the marked disk — the number checked as
you type, the preview naming what goes and what cannot (a shared backup), cancelling
deletes nothing, confirming deletes exactly what the preview named (through the delete
jobs, followed to the end)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, type_text, wait_until

from vbstui.jobs import Kind, Phase
from vbstui.sim import ManualClock
from vbstui.ui.screens.prune_screens import KeepForm, PrunePreviewScreen

KEEP = 16  # of the near-limit disk's 20 backups: a few to delete, so the test stays quick


def sim(app: Any) -> Any:
    return app.target.sim_app.state.sim


def near_limit_disk(app: Any) -> str:
    return next(v["volume_id"] for v in sim(app).snapshot()["near_limit"] if v["backups"] >= 20)


def backups_of(app: Any, volume_id: str) -> dict[str, Any]:
    """The disk's backups as the simulator has them (a deleted one is gone or deleting)."""
    return {b.id: b for b in sim(app).backups.values()
            if b.volume_id == volume_id and b.status != "deleting"}


async def mark_disk(pilot: Pilot[Any], app: Any, volume_id: str) -> None:
    table = app.volumes_view.table
    index = next(i for i, v in enumerate(table.rows) if v.id == volume_id)
    await pilot.press("g", *("j" for _ in range(index)))
    assert table.current.id == volume_id
    await pilot.press("space")
    assert volume_id in table.marked


async def open_preview(pilot: Pilot[Any], app: Any, keep: int) -> PrunePreviewScreen:
    await pilot.press("P")
    await wait_until(pilot, lambda: isinstance(app.screen, KeepForm), what="keep form")
    await type_text(pilot, str(keep))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PrunePreviewScreen), what="preview")
    return app.screen


def preview_lines(screen: PrunePreviewScreen) -> list[str]:
    return str(screen.query_one("#prune-preview-body", Static).render()).splitlines()


def named(lines: list[str], verb: str) -> list[str]:
    return [line.split()[1] for line in lines if line.startswith(f"  {verb} ")]


async def test_keep_is_checked_as_you_type_and_cancel_deletes_nothing_confirm_exactly_the_preview(
) -> None:
    app = make_app(demo_target(volumes=30, services="vbs", delete_seconds=0.3))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 30)
        disk = near_limit_disk(app)
        before = backups_of(app, disk)
        newest_first = sorted(before.values(), key=lambda b: (b.created_at, b.id), reverse=True)
        # The oldest backup is shared with the other project: it is old enough to go, but
        # a shared backup cannot be deleted.
        oldest = next(b for b in reversed(newest_first) if b.status == "available")
        peer = sim(app).snapshot()["peer_project_id"]
        sim(app).share({"shared": {"backup_id": oldest.id, "to_project_ids": [peer]}})
        await mark_disk(pilot, app, disk)

        # The number is checked as you type; nothing is listed until it is right.
        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, KeepForm), what="keep form")
        form = app.screen
        await type_text(pilot, "0")
        error = str(form.query_one("#prune-keep-error", Static).render())
        assert "1 or more" in error and form.query_one("#prune-submit", Button).disabled
        await pilot.press("backspace")
        await type_text(pilot, "x")
        assert "whole number" in str(form.query_one("#prune-keep-error", Static).render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeepForm), what="closed")

        # The preview: the newest KEEP stay, every older one is named as going or not.
        screen = await open_preview(pilot, app, KEEP)
        lines = preview_lines(screen)
        going, cannot = named(lines, "delete"), named(lines, "cannot")
        assert named(lines, "keep") == [b.id for b in newest_first[:KEEP]]
        assert sorted(going + cannot) == sorted(b.id for b in newest_first[KEEP:])
        assert going, "the near-limit disk has old backups to prune"
        assert oldest.id in cannot and oldest.id not in going
        assert any(oldest.id in line and f"shared with 1 project ({peer})" in line
                   for line in lines)
        assert screen.query_one("#no", Button).has_focus  # Enter alone never deletes
        await pilot.press("escape")
        await wait_until(pilot, lambda: "prune cancelled; nothing was deleted" in log_text(app),
                         what="cancelled")
        assert backups_of(app, disk).keys() == before.keys()
        assert not any(j.kind is Kind.DELETE for j in app.jobs.values())

        # Confirmed: exactly the previewed backups go, each a delete job followed to its end.
        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, KeepForm), what="keep form")
        await type_text(pilot, str(KEEP))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PrunePreviewScreen),
                         what="preview again")
        assert named(preview_lines(app.screen), "delete") == going
        await pilot.press("y")
        await wait_until(pilot, lambda: "pruned:" in log_text(app), timeout=30,
                         what="prune summary")
        deletes = [j for j in app.jobs.values() if j.kind is Kind.DELETE]
        assert sorted(j.backup_id for j in deletes) == sorted(going)
        assert all(j.phase is Phase.SUCCESS for j in deletes), [j.message for j in deletes]
        assert {j.backup_id for j in deletes} <= {j.backup_id for j in app.jobs_panel.all_rows}
        assert backups_of(app, disk).keys() == before.keys() - set(going)
        assert oldest.id in backups_of(app, disk)
        freed = sum(before[b].size for b in going)
        assert f"pruned: {len(going)} backups deleted, {freed} GB freed" in log_text(app)


def test_prune_preview(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_target(volumes=30, services="vbs", clock=ManualClock()))

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app, 30)
        await mark_disk(pilot, app, near_limit_disk(app))
        await open_preview(pilot, app, KEEP)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


async def test_prune_is_refused_in_read_only_mode() -> None:
    app = make_app(demo_target(volumes=10, services="vbs"), readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 10)
        await pilot.press("P")
        await pilot.pause()
        assert not isinstance(app.screen, KeepForm)
        assert "read-only mode (--readonly): refusing to delete backups" in log_text(app)


async def test_a_long_preview_keeps_its_buttons_on_an_80x24_terminal() -> None:
    app = make_app(demo_target(volumes=30, services="vbs"))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, 30)
        await mark_disk(pilot, app, near_limit_disk(app))
        screen = await open_preview(pilot, app, 3)  # 17 of 20 backups go: the list scrolls
        await pilot.pause()
        assert len(named(preview_lines(screen), "delete")) > 12
        box = screen.query_one("#prune-box").content_region  # inside the border
        for button in screen.query(Button):
            assert box.contains_region(button.region), (button.id, button.region, box)
