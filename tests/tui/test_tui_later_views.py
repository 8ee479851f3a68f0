"""The views not shown at first (backups, jobs, vaults, policies) are mounted just after
the first frame (`MainScreen._mount_later_views`): a key asking for one before then
opens it once it is there, and only the current view is ever shown."""

from __future__ import annotations

from typing import Any

from textual.widgets import ContentSwitcher
from tuikit import loaded, make_app, wait_until

from vbstui.ui.app import VbsApp


def shown_views(app: VbsApp) -> list[str]:
    switcher = app.main.query_one("#views", ContentSwitcher)
    return [str(child.id) for child in switcher.children if child.display]


async def test_every_view_is_mounted_after_the_first_frame_and_one_is_shown() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await wait_until(pilot, lambda: app.main.views_mounted)
        switcher = app.main.query_one("#views", ContentSwitcher)
        assert [child.id for child in switcher.children] == [
            "volumes-view", "backups-view", "jobs-view", "vaults-view", "policies-view"]
        assert shown_views(app) == ["volumes-view"]
        await pilot.press("f6")
        await pilot.pause()
        assert shown_views(app) == ["jobs-view"]
        assert app.main.jobs_view.table.has_focus


async def test_a_view_asked_for_before_the_views_are_mounted_opens_when_they_are() -> None:
    # Three lines: the volumes table is never drawn, so the later views wait for the
    # fallback timer (half a second) and the key below comes before them.
    app = make_app()
    seen: dict[str, Any] = {}
    async with app.run_test(size=(60, 3)) as pilot:
        seen["mounted at the key"] = app.main.views_mounted
        await pilot.press("f4")
        await wait_until(pilot, lambda: app.main.views_mounted)
        await pilot.pause()
        assert seen["mounted at the key"] is False
        assert app.main.current_view == "backups"
        assert shown_views(app) == ["backups-view"]
        # and the app did what the view asks for: its backups are listed
        await wait_until(pilot, lambda: bool(app.main.backups_view.table.all_rows))
