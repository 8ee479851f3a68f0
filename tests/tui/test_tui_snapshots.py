"""SVG snapshots of the main screens (pytest-textual-snapshot; --snapshot-update to accept).

Everything that varies is pinned: the simulator's seed, the app's clock (log
timestamps, suggested names, job times), the terminal size."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from tuikit import demo_target, loaded, make_app, sim_state, type_text, wait_until

from vbstui.jobs import Phase
from vbstui.sim import FaultSpec, ManualClock
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.help import HelpScreen

SIZE = (120, 34)


JOB_SECONDS = 10.0


def snapshot_app(services: str = "both") -> Any:
    """The simulator's clock only moves when a test moves it, so the world is frozen."""
    return make_app(demo_target(volumes=40, job_seconds=JOB_SECONDS, clock=ManualClock(),
                                services=services))


async def run_job_to_the_end(pilot: Pilot[Any], app: Any) -> None:
    """Move the simulated time through INIT, RUNNING and the end, one observed step each."""
    clock = app.target.sim_app.state.sim.clock
    job = next(j for j in app.jobs.values() if not j.finished)
    await wait_until(pilot, lambda: job.status == "INIT" and job.polls >= 1, what="INIT seen")
    clock.advance(JOB_SECONDS / 2)
    await wait_until(pilot, lambda: job.status == "RUNNING", what="RUNNING seen")
    clock.advance(JOB_SECONDS)
    await wait_until(pilot, lambda: job.finished, what="job finished")


def backupable_ids(app: Any) -> list[str]:
    near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
    return [v.id for v in app.volumes_view.table.rows if v.backupable and v.id not in near]


async def to_disk(pilot: Pilot[Any], app: Any, volume_id: str) -> None:
    index = next(i for i, v in enumerate(app.volumes_view.table.rows) if v.id == volume_id)
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")


async def to_backupable(pilot: Pilot[Any], app: Any, skip: int = 0) -> None:
    await to_disk(pilot, app, backupable_ids(app)[skip])


def test_volumes_screen(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app()

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app, 40)
        await pilot.press("j", "j", "space", "j", "space")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_backup_form_with_errors(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app()

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app, 40)
        await to_backupable(pilot, app)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and bool(app.screen.query("#name")), what="form")
        await pilot.press("ctrl+u")
        await type_text(pilot, "auto/nightly")
        await pilot.press("tab")
        await type_text(pilot, "<script>")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await type_text(pilot, "env/prod")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_jobs_and_log_with_success_and_failure(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(services="vbs")  # VBS jobs: INIT → RUNNING → the end, step by step

    chosen: list[str] = []

    async def submit(pilot: Pilot[Any], skip: int) -> None:
        # The disks are chosen before the first backup: a disk being backed up is not
        # backupable, and whether its row shows that yet must not change the choice.
        await to_disk(pilot, app, chosen[skip])
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and bool(app.screen.query("#name")), what="form")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, BackupForm), what="closed")

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app, 40)
        chosen.extend(backupable_ids(app)[:2])
        await submit(pilot, 0)
        await run_job_to_the_end(pilot, app)
        app.target.sim_app.state.sim.set_faults(FaultSpec.parse("job_fail=1.0"))
        await submit(pilot, 1)
        await wait_until(pilot, lambda: len(app.jobs) == 2, what="second job")
        await run_job_to_the_end(pilot, app)
        assert sorted(j.phase.value for j in app.jobs.values()) == [
            Phase.FAILED.value, Phase.SUCCESS.value]

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_help_screen(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app()

    async def ready(pilot: Pilot[Any]) -> None:
        await loaded(pilot, app, 40)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


async def _layout_ready(pilot: Pilot[Any], app: Any) -> None:
    """The volumes view, and a long line in the log (wrapped at the pane's width).  No job
    runs: its TIME column counts real seconds, which a snapshot cannot pin."""
    await loaded(pilot, app, 40)
    app.say("a long line to show the log wraps at the width of the pane, whatever the "
            "terminal's size: nothing is cut at the right edge, and a resize wraps it again")
    await pilot.pause()


def test_layout_at_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    """Most rows for the table; the details pane hidden (no room)."""
    app = snapshot_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=lambda p: _layout_ready(p, app))


def test_layout_at_200x60(snap_compare) -> None:  # type: ignore[no-untyped-def]
    """Larger jobs and log panes; the details pane beside the table."""
    app = snapshot_app()
    assert snap_compare(app, terminal_size=(200, 60),
                        run_before=lambda p: _layout_ready(p, app))


def cbr_snapshot_app() -> Any:
    """A project that has only CBR (a new one), frozen like `snapshot_app`."""
    return make_app(demo_target(volumes=40, job_seconds=JOB_SECONDS, clock=ManualClock(),
                                services="cbr"))


async def _vaults_known(pilot: Pilot[Any], app: Any) -> None:
    await loaded(pilot, app, 40)
    await wait_until(pilot, lambda: app.protection.known, what="vault listing")


def test_vaults_view(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = cbr_snapshot_app()

    async def ready(pilot: Pilot[Any]) -> None:
        await _vaults_known(pilot, app)
        await pilot.press("f12")
        await wait_until(pilot, lambda: len(app.main.vaults_view.table.all_rows) == 3
                         and not app.main.vaults_view.loading, what="vaults listed")
        await pilot.press("j")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_cbr_backup_form(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = cbr_snapshot_app()

    async def ready(pilot: Pilot[Any]) -> None:
        await _vaults_known(pilot, app)
        in_vault = next(v.id for v in app.volumes_view.table.rows if v.backupable
                        and (route := app.protection.route(v.id)) is not None
                        and route.vault is not None)
        await to_disk(pilot, app, in_vault)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, BackupForm)
                         and bool(app.screen.query("#destination")), what="form")

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
