"""Help and footer come from the live bindings: every key is in the help, the footer
keeps help and quit at any width, and read-only mode offers nothing it would refuse."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.console import Console
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey
from tuikit import demo_target, loaded, make_app, wait_until

from vbstui.ui.keys import key_label
from vbstui.ui.palette import VbsCommands
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.help import HelpScreen
from vbstui.ui.screens.login import LoginScreen
from vbstui.ui.screens.modals import ConfirmScreen, RawJsonScreen
from vbstui.ui.screens.pickers import ProfileScreen, RestoreScreen
from vbstui.ui.widgets.footer import KeysFooter

MODALS = (BackupForm, RestoreScreen, RawJsonScreen, ConfirmScreen, ProfileScreen, LoginScreen,
          HelpScreen)
CHANGES = ("Back up", "Restore", "Delete", "Submit again", "Retry")


def declared(node_class: type) -> list[Binding]:
    """The bindings vbstui's own classes declare along `node_class`'s ancestry."""
    found = []
    for cls in node_class.__mro__:
        if cls.__module__.startswith("vbstui."):
            found += [b for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", []))
                      if not b.system]
    return found


def help_lines(app: Any) -> list[str]:
    table = app.screen.query_one("#help-keys", Static).content  # the Rich table drawn
    console = Console(width=240, record=True, color_system=None)
    console.print(table)
    return console.export_text().splitlines()


def screen_lines(app: Any) -> dict[int, str]:
    """The text of each line of the screen as drawn (from the SVG screenshot)."""
    lines: dict[int, str] = {}
    for number, text in re.findall(r'clip-path="url\(#terminal-\d+-line-(\d+)\)">([^<]*)<',
                                   app.export_screenshot()):
        lines[int(number)] = lines.get(int(number), "") + html.unescape(text)
    return lines


def footer_keys(app: Any) -> list[FooterKey]:
    return list(app.main.query_one(KeysFooter).query(FooterKey))


async def open_help(pilot: Any, app: Any) -> list[str]:
    await pilot.press("f1")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
    await pilot.pause()
    return help_lines(app)


async def test_every_binding_of_every_screen_is_in_the_help() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, app, 5)
        classes = {type(app), *(type(n) for n in app.main.walk_children()), type(app.main),
                   *MODALS}
        lines = await open_help(pilot, app)
        missing = []
        for cls in classes:
            for binding in declared(cls):
                if not any(binding.description in line and key_label(binding.key) in line
                           for line in lines):
                    missing.append(f"{cls.__name__}: {binding.key} {binding.description}")
        assert not missing, "bindings not in the help: " + ", ".join(sorted(set(missing)))
        text = "\n".join(lines)
        assert "Mark range" in text.split("Backups", 1)[1]  # v for backups too
        # The help scrolls with j / k / G / g.
        body = app.screen.query_one("#help-body")
        await pilot.press("G")
        await wait_until(pilot, lambda: body.scroll_y == body.max_scroll_y > 0, what="G")
        await pilot.press("g")
        await wait_until(pilot, lambda: body.scroll_y == 0, what="g")
        await pilot.press("j", "j")
        await wait_until(pilot, lambda: body.scroll_y == 2, what="j")
        await pilot.press("k")
        await wait_until(pilot, lambda: body.scroll_y == 1, what="k")


async def test_readonly_offers_no_change_in_footer_help_or_palette() -> None:
    app = make_app(demo_target(volumes=5), readonly=True)
    async with app.run_test(size=(160, 36)) as pilot:
        await loaded(pilot, app, 5)
        for view in ("f3", "f4", "f6"):
            await pilot.press(view)
            await wait_until(pilot, lambda: "Refresh" in [str(key.description)
                                                          for key in footer_keys(app)],
                             what="the view's keys in the footer")
            shown = [str(key.description) for key in footer_keys(app)]
            assert "Help" in shown and "Quit" in shown
            assert not set(shown) & set(CHANGES), (view, shown)
        lines = await open_help(pilot, app)
        text = "\n".join(lines)
        assert "Refresh" in text and "Filter" in text and "Check again" in text
        for change in (*CHANGES, "Backup form", "Restore picker", "Revoke"):
            assert change not in text, change
        assert "Mine / shared with me" in text  # the shares list itself stays
        await pilot.press("escape")
        names = [name for name, _, _ in VbsCommands(app.screen)._commands()]
        assert "Refresh" in names and not any("Back up" in n or "Delete" in n for n in names)
    # Not read-only: the same places offer them.
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=(160, 36)) as pilot:
        await loaded(pilot, app, 5)
        await wait_until(pilot, lambda: "Back up" in [str(key.description)
                                                      for key in footer_keys(app)],
                         what="Back up offered in the footer")
        assert "Backup form" in "\n".join(await open_help(pilot, app))


async def test_the_footer_keeps_help_and_quit_at_80_columns() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, 5)
        for view, main_action in (("f3", "Back up"), ("f4", "Restore"), ("f6", "Check again")):
            await pilot.press(view)
            await wait_until(pilot, lambda: main_action in [str(key.description)  # noqa: B023
                                                            for key in footer_keys(app)],
                             what="the view's keys in the footer")
            await pilot.pause()
            footer = app.main.query_one(KeysFooter)
            keys = {str(key.description): key for key in footer_keys(app)}
            for wanted in ("Help", "Quit"):
                region = keys[wanted].region
                assert region.width > 0 and footer.region.contains_region(region), wanted
            bottom = screen_lines(app)[23].replace("\xa0", " ")
            assert "? Help" in bottom and "q Quit" in bottom, bottom
        # In a field, ? and q are text: the footer offers F1 and F10 instead.
        await pilot.press("slash")
        await wait_until(pilot, lambda: "F1 Help" in screen_lines(app)[23].replace("\xa0", " ")
                         and "F10 Quit" in screen_lines(app)[23].replace("\xa0", " "),
                         what="F1 Help and F10 Quit while the filter has the focus")
