"""Keys as a person types them: the `:` bar, bursts of keys across fields."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Label, Static
from tuikit import SIZE, demo_target, loaded, make_app, type_text, wait_until

from vbstui.ui.screens.backup_form import BackupForm


def command_bar(app) -> Input:  # type: ignore[no-untyped-def]
    return app.main.query_one("#command-bar", Input)


async def test_command_bar_tab_completes_view_names_and_esc_closes() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 5)
        await pilot.press("colon")
        bar = command_bar(app)
        assert bar.has_focus and bar.display and bar.has_class("-active")
        await type_text(pilot, "j")
        await pilot.press("tab")
        assert bar.value == "jobs" and bar.has_focus  # completed, the focus stays
        await pilot.press("escape")
        assert not bar.has_class("-active") and not bar.has_focus
        assert app.volumes_view.table.has_focus and app.main.current_view == "volumes"
        # An empty bar cycles through every view, one per tab; enter goes there.
        await pilot.press("colon")
        seen = []
        for _ in range(6):
            await pilot.press("tab")
            seen.append(bar.value)
        assert seen == ["volumes", "backups", "jobs", "vaults", "policies", "volumes"]
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert app.main.current_view == "backups" and not bar.has_class("-active")
        # What matches nothing is left as typed; esc still closes.
        await pilot.press("colon")
        await type_text(pilot, "zz")
        await pilot.press("tab")
        assert bar.value == "zz" and bar.has_focus
        await pilot.press("escape")
        assert not bar.has_class("-active") and app.backups_view.table.has_focus


async def test_command_bar_closes_when_the_focus_leaves_it() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 5)
        await pilot.press("colon")
        await type_text(pilot, "vo")
        await pilot.click("#log")  # a click elsewhere: the bar does not stay on screen
        await pilot.pause()
        assert not command_bar(app).has_class("-active")


async def test_text_and_tab_in_one_burst_land_in_their_own_fields() -> None:
    """A paste of keystrokes: what comes before the Tab stays in the field it was typed
    in, what comes after goes to the next field, in order."""
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and app.screen.query_one("#name", Input).has_focus, what="form")
        burst = [("ctrl+u", None), *[(c, c) for c in "nightly"], ("tab", None),
                 *[(c, c) for c in "before"], ("backspace", None), ("E", "E"),
                 ("shift+tab", None), ("end", None), ("backspace", None), ("Y", "Y")]
        for key, char in burst:  # posted at once, as a terminal delivers a paste
            app.post_message(events.Key(key, char))
        form = app.screen
        await wait_until(pilot, lambda: form.query_one("#name", Input).value == "nightlY"
                         and form.query_one("#description", Input).value == "beforE",
                         timeout=5, what="each key in the field it was typed in")
        assert form.query_one("#name", Input).has_focus


async def test_tag_rows_say_what_is_wrong_once_and_stop_offering_at_ten() -> None:
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and app.screen.query_one("#name", Input).has_focus, what="form")
        form = app.screen
        for _ in range(2):
            await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: "2 of 10" in str(form.query_one("#tags-label",
                                                                        Label).render()),
                         what="two tag rows")
        errors = str(form.query_one("#tags-error", Static).render())
        assert "key is required" in errors and "duplicate" not in errors
        for _ in range(8):
            await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: "10 of 10" in str(form.query_one("#tags-label",
                                                                         Label).render()),
                         what="ten tag rows")
        label = str(form.query_one("#tags-label", Label).render())
        assert "ctrl+t adds one" not in label


async def test_a_view_key_and_a_filter_in_one_burst_filter_the_new_view() -> None:
    """F3 then '/name' typed fast (or over a laggy link): the text filters the volumes
    view F3 opened, not the view that was shown before."""
    app = make_app(demo_target(volumes=20))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        await pilot.press("f6")
        await wait_until(pilot, lambda: app.main.current_view == "jobs", what="jobs view")
        name = app.volumes_view.table.rows[3].name
        for key, char in [("f3", None), ("slash", "/"), *[(c, c) for c in name]]:
            app.post_message(events.Key(key, char))
        volumes_filter = app.volumes_view.query_one(".filter", Input)
        await wait_until(pilot, lambda: volumes_filter.value == name, timeout=5,
                         what="the name in the volumes filter")
        assert app.main.current_view == "volumes"
        assert app.main.jobs_view.query_one(".filter", Input).value == ""
