"""An unknown outcome in the TUI: announced, never a dialog that takes the keyboard; the
user decides in the jobs view, and "submit again" and "give up" are confirmed first.

The create is answered 500 (the service did not act on it, but the client cannot tell),
the reconcile window is a fraction of a second, and nothing is found: the outcome is
unknown, with exactly one create POST in the simulator.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from tuikit import SIZE, loaded, log_text, make_app, sim_state, type_text, wait_until

from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.local.config import Config, Preferences
from vbstui.ops.target import Target, demo_profile
from vbstui.sim import FaultSpec, SimConfig, create_app
from vbstui.ui.app import VbsApp
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.modals import ConfirmScreen

CREATE_FAILS = "500=1.0,paths=cloudbackups,methods=POST"
QUICK_RECONCILE = Preferences(reconcile_seconds=0.6, reconcile_quiet_seconds=0.3)


def unknown_target(**sim: Any) -> Target:
    config = SimConfig(volumes=20, job_seconds=0.3, faults=FaultSpec.parse(CREATE_FAILS), **sim)
    return Target(profile=demo_profile(),
                  config=Config(path=None, profiles={}, preferences=QUICK_RECONCILE),
                  demo=True, sim_app=create_app(config))


def creates(app: VbsApp) -> int:
    return int(sim_state(app)["create_backup_posts"])


def modals(app: VbsApp) -> list[ModalScreen[Any]]:
    return [s for s in app.screen_stack if isinstance(s, ModalScreen)]


def toasts(app: VbsApp) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


def panel_line(app: VbsApp, index: int = 0) -> str:
    return app.jobs_panel.render_line(index + 1).text


async def into_unknown(pilot: Pilot[Any], app: VbsApp) -> TrackedJob:
    """Back up one disk; the create is lost and the reconcile window finds nothing."""
    await loaded(pilot, app, 20)
    near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
    table = app.volumes_view.table
    index = next(i for i, v in enumerate(table.rows) if v.backupable and v.id not in near)
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    await pilot.press("b")
    await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                     and bool(app.screen.query("#name")), what="form")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: any(j.phase is Phase.UNKNOWN for j in app.jobs.values()),
                     what="unknown outcome")
    [job] = app.jobs.values()
    await pilot.pause(0.3)  # time for anything that would open by itself
    assert creates(app) == 1
    return job


async def to_jobs_view(pilot: Pilot[Any], app: VbsApp, job: TrackedJob) -> None:
    await pilot.press("f6")
    await wait_until(pilot, lambda: app.main.current_view == "jobs", what="jobs view")
    table = app.main.jobs_view.table
    await wait_until(pilot, lambda: any(j.local_id == job.local_id for j in table.rows),
                     what="job listed")
    index = next(i for i, j in enumerate(table.rows) if j.local_id == job.local_id)
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")
    assert table.current is not None and table.current.local_id == job.local_id


async def confirmation(pilot: Pilot[Any], app: VbsApp, key: str) -> ConfirmScreen:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    return screen


async def test_an_unknown_outcome_is_announced_and_takes_no_keys() -> None:
    app = make_app(unknown_target())
    async with app.run_test(size=SIZE) as pilot:
        job = await into_unknown(pilot, app)
        assert not modals(app), "a dialog opened by itself"
        text = log_text(app)
        assert "needs your decision" in text and "jobs view (:jobs)" in text
        assert "⚠ DECIDE" in panel_line(app)  # reads without colour too
        assert any("needs your decision" in t and job.backup_name in t for t in toasts(app))
        # The keys of a word being typed go where they were meant to, not to a dialog.
        await pilot.press("colon")
        await type_text(pilot, "jobs")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.main.current_view == "jobs", what="jobs view")
        await pilot.pause(0.3)
        assert not modals(app)
        assert job.phase is Phase.UNKNOWN
        assert creates(app) == 1
        assert "⚠ UNKNOWN" in app.main.jobs_view.table.render_line(1).text


async def test_submit_again_is_confirmed_and_esc_decides_later() -> None:
    app = make_app(unknown_target())
    async with app.run_test(size=SIZE) as pilot:
        job = await into_unknown(pilot, app)
        await to_jobs_view(pilot, app, job)
        screen = await confirmation(pilot, app, "S")
        body = str(screen.query_one("#confirm-body", Static).render())
        assert f"'{job.backup_name}'" in body and job.volume_name in body
        assert "may already exist" in body
        focused = screen.focused
        assert isinstance(focused, Button) and focused.id == "no"
        await pilot.press("escape")  # decide later
        await pilot.pause(0.3)
        assert not modals(app) and job.phase is Phase.UNKNOWN and creates(app) == 1
        assert "decide later" in log_text(app)
        # Enter on the focused (safe) button does not send either.
        await confirmation(pilot, app, "S")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert not modals(app) and job.phase is Phase.UNKNOWN and creates(app) == 1
        # Moving to "submit again" and choosing it sends exactly one more create.
        app.target.sim_app.state.sim.set_faults(FaultSpec())
        await confirmation(pilot, app, "S")
        await pilot.press("tab")
        await pilot.press("enter")
        await wait_until(pilot, lambda: job.phase is Phase.SUCCESS, what="resubmitted job done")
        assert creates(app) == 2
        assert not modals(app)


async def test_check_again_needs_no_confirmation() -> None:
    app = make_app(unknown_target())
    async with app.run_test(size=SIZE) as pilot:
        job = await into_unknown(pilot, app)
        await to_jobs_view(pilot, app, job)
        requests = sim_state(app)["requests_total"]
        announced = len([t for t in toasts(app) if "needs your decision" in t])
        await pilot.press("c")
        await pilot.pause()
        assert not modals(app)
        await wait_until(pilot, lambda: sim_state(app)["requests_total"] > requests,
                         what="looked again")
        await wait_until(pilot, lambda: len([t for t in toasts(app)
                                             if "needs your decision" in t]) > announced,
                         what="still unknown, announced again")
        assert not modals(app)
        assert job.phase is Phase.UNKNOWN and creates(app) == 1
        assert "checking again" in log_text(app)


async def test_give_up_only_after_confirming() -> None:
    app = make_app(unknown_target())
    async with app.run_test(size=SIZE) as pilot:
        job = await into_unknown(pilot, app)
        await to_jobs_view(pilot, app, job)
        screen = await confirmation(pilot, app, "x")
        focused = screen.focused
        assert isinstance(focused, Button) and focused.id == "no"
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not modals(app) and job.phase is Phase.UNKNOWN
        await confirmation(pilot, app, "x")
        await pilot.press("y")
        await wait_until(pilot, lambda: job.phase is Phase.CANCELLED, what="given up")
        assert creates(app) == 1
        assert not modals(app)
        assert "given up" in log_text(app)


async def test_decisions_from_the_jobs_panel() -> None:
    app = make_app(unknown_target())
    async with app.run_test(size=SIZE) as pilot:
        job = await into_unknown(pilot, app)
        app.jobs_panel.focus()
        await pilot.pause()
        screen = await confirmation(pilot, app, "S")
        assert f"'{job.backup_name}'" in str(screen.query_one("#confirm-body", Static).render())
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert job.phase is Phase.UNKNOWN and creates(app) == 1
        assert app.jobs_panel.has_focus


async def test_readonly_still_refuses_submit_again() -> None:
    app = make_app(unknown_target(), readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 20)
        volume = app.volumes_view.table.rows[0]
        # An unknown outcome left by an earlier, writable session (resumed from the journal).
        job = TrackedJob(kind=Kind.CREATE, profile=app.target.profile.name,
                         volume_id=volume.id, volume_name=volume.name, backup_name="nightly",
                         phase=Phase.UNKNOWN, message="outcome unknown")
        app.runner.show(job)
        await to_jobs_view(pilot, app, job)
        await pilot.press("S")
        await pilot.pause(0.3)
        assert not modals(app)
        assert "read-only mode" in log_text(app)
        assert job.phase is Phase.UNKNOWN and creates(app) == 0
