"""The footer is rebuilt only when the keys it shows change: the bindings change at every
focus move and screen update (four times before the first rows, the keys the same), and
each new set of key widgets costs a style and render pass before the rows are drawn."""

from __future__ import annotations

from typing import Any

from textual.widgets._footer import FooterKey
from tuikit import demo_target, loaded, make_app, wait_until

from vbstui.ui.widgets.footer import KeysFooter


def footer_keys(app: Any) -> list[FooterKey]:
    return list(app.main.query_one(KeysFooter).query(FooterKey))


def descriptions(app: Any) -> list[str]:
    return [str(key.description) for key in footer_keys(app)]


async def test_the_footer_keeps_its_keys_until_other_keys_apply() -> None:
    app = make_app(demo_target(volumes=5))
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot, app, 5)
        await wait_until(pilot, lambda: "Back up" in descriptions(app),
                         what="the volumes view's keys in the footer")
        await pilot.pause()
        before = footer_keys(app)
        await app.main.query_one(KeysFooter).recompose()  # the same bindings again
        await pilot.pause()
        after = footer_keys(app)
        assert [id(key) for key in after] == [id(key) for key in before]  # not rebuilt
        await pilot.press("f4")  # the backups view: its own keys replace the disks' keys
        await wait_until(pilot, lambda: "Restore" in descriptions(app),
                         what="the backups view's keys in the footer")
        assert "Back up" not in descriptions(app)
        await pilot.press("f3")
        await wait_until(pilot, lambda: "Back up" in descriptions(app),
                         what="the volumes view's keys again")
        assert "Restore" not in descriptions(app)
