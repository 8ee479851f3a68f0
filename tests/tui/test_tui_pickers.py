"""The restore picker: the disks that can take a backup first, the others grouped."""

from __future__ import annotations

from textual.widgets import OptionList
from tuikit import SIZE, demo_target, loaded, make_app, type_text, wait_until

from vbstui.ops.restore import restore_problems
from vbstui.ui.screens.pickers import RestoreScreen


def prompts(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_restore_picker_lists_usable_disks_first_and_explains_the_rest_once() -> None:
    app = make_app(demo_target(volumes=120))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 120)
        volumes = app.volumes
        await pilot.press("f4")
        await wait_until(pilot, lambda: len(app.backups_view.table.all_rows) > 0
                         and not app.backups_view.loading_text, what="backups listed")
        table = app.backups_view.table
        backup = next(b for b in table.rows if b.status == "available"
                      and volumes.get(b.volume_id) is not None
                      and volumes[b.volume_id].status == "in-use")
        usable = {v.id for v in volumes.values() if not restore_problems(backup, v)}
        in_use = [v for v in volumes.values() if v.status == "in-use"]
        assert usable and len(in_use) > 50  # the demo world has many attached disks
        await pilot.press("slash")
        await type_text(pilot, backup.id)
        await pilot.press("enter")
        assert table.current is backup
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RestoreScreen), what="picker")
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        disks = [i for i in ids if i is not None]
        assert sorted(disks) == sorted(volumes)  # every disk is listed, once
        # The usable disks come first, right after their heading, and the cursor is there.
        assert set(disks[:len(usable)]) == usable
        assert prompts(options)[0].startswith(f"can take the backup ({len(usable)})")
        assert options.highlighted_option is not None
        assert options.highlighted_option.id in usable
        # The in-use reason is said once, for all of them, not on every line.
        text = "\n".join(prompts(options))
        assert text.count("stop the server and detach the disk first") == 1
        heading = next(p for p in prompts(options) if "'in-use'" in p)
        assert heading.startswith("cannot:") and heading.endswith(f"({len(in_use)})")
        # Headings cannot be chosen: the cursor moves from disk to disk.
        assert all(options.get_option_at_index(i).disabled
                   for i, option_id in enumerate(ids) if option_id is None)
