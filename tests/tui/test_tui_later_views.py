"""The views not shown at first (backups, jobs, vaults, policies) are mounted just after
the first frame (`MainScreen._mount_later_views`, after Textual's `Ready`): a key asking
for one before then opens it once it is there, and only the current view is ever shown."""

from __future__ import annotations

from textual import events
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


class FrameHeldBack(VbsApp):
    """Textual's `Ready` (the first frame is out) arrives only when the test says so."""

    def on_ready(self, event: events.Ready) -> None:
        event.prevent_default()  # VbsApp's own handler is not called


async def test_a_view_asked_for_before_the_views_are_mounted_opens_when_they_are() -> None:
    app = make_app()
    app.__class__ = FrameHeldBack  # make_app's test defaults, with this class
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert not app.main.views_mounted  # the key came before them
        assert shown_views(app) == ["volumes-view"]
        app.first_frame.out()
        await wait_until(pilot, lambda: app.main.views_mounted)
        await pilot.pause()
        assert app.main.current_view == "backups"
        assert shown_views(app) == ["backups-view"]
        # and the app did what the view asks for: its backups are listed
        await wait_until(pilot, lambda: bool(app.main.backups_view.table.all_rows))


async def test_the_disks_are_listed_before_the_later_views_are_mounted() -> None:
    app = make_app()
    app.__class__ = FrameHeldBack
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        assert not app.main.views_mounted  # the first rows did not wait for them
        app.first_frame.out()
        await wait_until(pilot, lambda: app.main.views_mounted)
        await pilot.press("f4")
        await wait_until(pilot, lambda: bool(app.main.backups_view.table.all_rows))
        assert shown_views(app) == ["backups-view"]
        assert "quota" in str(app.main.backups_view.quota.render())
