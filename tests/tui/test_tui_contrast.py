"""Every text the TUI draws meets WCAG's 4.5:1 contrast in truecolor, 256 and 16 colours,
and under NO_COLOR — measured from the rendered frame (see contrastkit)."""

from __future__ import annotations

from typing import Any

import pytest
from contrastkit import MINIMUM, frame, measure, too_faint
from textual.pilot import Pilot
from tuikit import demo_target, loaded, make_app, sim_state, type_text, wait_until

from vbstui.jobs import Phase, Severity
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.help import HelpScreen
from vbstui.ui.screens.modals import RawJsonScreen
from vbstui.ui.widgets.statebox import StateCheckbox


def report(findings: list[Any]) -> str:
    return "\n".join(str(f) for f in findings[:80])


async def main_with_everything(pilot: Pilot[Any], app: Any) -> None:
    """The volumes view with a marked row, the jobs panel with a success and a failure,
    and the log with every severity."""
    await loaded(pilot, app, 30)
    near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
    rows = app.volumes_view.table.rows
    index = next(i for i, v in enumerate(rows) if v.backupable and v.id not in near)
    await pilot.press("g", *(["j"] * index))
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                     and bool(app.screen.query("#name")), what="form")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: any(j.phase is Phase.FAILED for j in app.jobs.values()),
                     what="a failed job")
    app.say("a warning line", Severity.WARNING)
    app.say("a success line", Severity.SUCCESS)
    app.say("an error line: VolumeBackup.0040 the disk has too many backups", Severity.ERROR)
    await pilot.press("space", "j")  # a marked row, the cursor on another
    await pilot.pause()


async def form_with_errors(pilot: Pilot[Any], app: Any) -> None:
    await loaded(pilot, app, 30)
    near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
    rows = app.volumes_view.table.rows
    index = next(i for i, v in enumerate(rows) if v.backupable and v.id not in near)
    await pilot.press("g", *(["j"] * index), "b")
    await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                     and bool(app.screen.query("#name")), what="form")
    await pilot.press("ctrl+u")
    await type_text(pilot, "auto/bad")
    await pilot.press("tab")
    await type_text(pilot, "<x>")
    await pilot.pause()


async def help_screen(pilot: Pilot[Any], app: Any) -> None:
    await loaded(pilot, app, 30)
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
    await pilot.pause()


async def backups_view(pilot: Pilot[Any], app: Any) -> None:
    await loaded(pilot, app, 30)
    await pilot.press("f4")
    await wait_until(pilot, lambda: bool(app.backups_view.table.rows), what="backups")
    await pilot.pause()


async def jobs_view_and_raw_json(pilot: Pilot[Any], app: Any) -> None:
    await main_with_everything(pilot, app)
    await pilot.press("f6")
    await wait_until(pilot, lambda: bool(app.main.jobs_view.table.rows), what="jobs view")
    await pilot.press("y")
    await wait_until(pilot, lambda: isinstance(app.screen, RawJsonScreen), what="raw JSON")
    await pilot.pause()


SCREENS = {"main": main_with_everything, "form": form_with_errors, "help": help_screen,
           "backups": backups_view, "jobs-raw": jobs_view_and_raw_json}


@pytest.mark.parametrize("screen", SCREENS)
async def test_every_text_meets_4_5_to_1_in_each_colour_mode(screen: str) -> None:
    app = make_app(demo_target(volumes=30, job_seconds=0.3, faults="job_fail=1.0"))
    async with app.run_test(size=(200, 50)) as pilot:
        await SCREENS[screen](pilot, app)
        findings = too_faint(app)
    assert not findings, f"text below {MINIMUM}:1 on the {screen} screen:\n{report(findings)}"


@pytest.mark.parametrize("screen", ["main", "form", "help"])
async def test_every_text_is_readable_in_monochrome_under_no_color(
        screen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_target(volumes=30, job_seconds=0.3, faults="job_fail=1.0"))
    async with app.run_test(size=(200, 50)) as pilot:
        await SCREENS[screen](pilot, app)
        findings = too_faint(app, ("truecolor",))
        colours = {measure(cell, "truecolor").foreground for cell in frame(app)}
    assert all(red == green == blue for red, green, blue in colours), "not monochrome"
    assert not findings, f"text below {MINIMUM}:1 under NO_COLOR:\n{report(findings)}"


async def test_full_backup_says_on_or_off_in_words_not_only_in_shade() -> None:
    app = make_app(demo_target(volumes=30))
    async with app.run_test(size=(120, 36)) as pilot:
        await form_with_errors(pilot, app)
        full = app.screen.query_one("#full", StateCheckbox)
        shown = str(full.render())
        assert "off" in shown and "✓" not in shown
        full.focus()
        await pilot.press("space")
        await pilot.pause()
        shown = str(full.render())
        assert full.value and "on" in shown and "✓" in shown
