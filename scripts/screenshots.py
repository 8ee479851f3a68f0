"""Render the README screenshots (SVG) from the built-in simulator.

    python scripts/screenshots.py            # writes screenshots/*.svg

Everything that varies is pinned (simulator seed and clock, the app's clock), so
re-running the script reproduces the same files.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from vbstui.jobs import Kind, Phase
from vbstui.jobs.timing import PollSchedule
from vbstui.local.config import Config
from vbstui.local.credentials import KeyringAccess
from vbstui.ops.target import Target, demo_profile
from vbstui.sim import FaultSpec, ManualClock, SimConfig, create_app
from vbstui.ui.app import VbsApp
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.pickers import RestoreScreen
from vbstui.ui.screens.policy_form import PolicyForm
from vbstui.ui.screens.prune_screens import KeepForm, PrunePreviewScreen
from vbstui.ui.widgets import jobspanel

LOCAL_ZONE_SHOTS = {"policies"}
OUT = Path(__file__).resolve().parents[1] / "screenshots"
SIZE = (120, 34)
NOW = datetime(2026, 11, 27, 10, 15, 0, tzinfo=timezone.utc)
JOB_SECONDS = 10.0


class NoKeyring:
    name = "none"

    def get_password(self, service: str, user: str) -> None:
        return None


def make_app(**sim: Any) -> VbsApp:
    config = SimConfig(volumes=60, job_seconds=JOB_SECONDS, clock=ManualClock(), **sim)
    target = Target(profile=demo_profile(), config=Config(path=None, profiles={}), demo=True,
                    sim_app=create_app(config))
    return VbsApp(target, poll=PollSchedule(first=0.1, factor=1.0, maximum=0.1),
                  keyring=KeyringAccess(NoKeyring()), clock=lambda: NOW, bulk_concurrency=3)


async def wait(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def loaded(pilot: Pilot[Any], app: VbsApp) -> None:
    await wait(pilot, lambda: len(app.volumes_view.table.all_rows) >= 60
               and not app.volumes_view.loading_text, "volumes")


def clock(app: VbsApp) -> ManualClock:
    return app.target.sim_app.state.sim.clock


async def go_to(pilot: Pilot[Any], table: Any, predicate: Callable[[Any], bool]) -> None:
    index = next(i for i, row in enumerate(table.rows) if predicate(row))
    await pilot.press("g")
    for _ in range(index):
        await pilot.press("j")


def backupable(app: VbsApp) -> Callable[[Any], bool]:
    near = {v["volume_id"] for v in app.target.sim_app.state.sim.snapshot()["near_limit"]}
    return lambda v: v.backupable and v.id not in near


async def submit_form(pilot: Pilot[Any], app: VbsApp, name: str | None = None) -> None:
    await pilot.press("b")
    await wait(pilot, lambda: isinstance(app.screen, BackupForm)
               and bool(app.screen.query("#name")), "form")
    if name is not None:
        await pilot.press("ctrl+u")
        for char in name:
            await pilot.press(char)
    await pilot.press("ctrl+s")
    await wait(pilot, lambda: not isinstance(app.screen, BackupForm), "form closed")


async def shot_volumes(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await pilot.press("j", "j", "space", "j", "space", "j")


async def shot_form_error(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await go_to(pilot, app.volumes_view.table, backupable(app))
    await pilot.press("b")
    await wait(pilot, lambda: isinstance(app.screen, BackupForm)
               and bool(app.screen.query("#name")), "form")
    await pilot.press("ctrl+u")
    for char in "auto/nightly-backup":
        await pilot.press(char)


async def shot_jobs_running(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    pick = backupable(app)
    jobs = []
    for skip in range(3):
        rows = [i for i, v in enumerate(app.volumes_view.table.rows) if pick(v)]
        await pilot.press("g")
        for _ in range(rows[skip]):
            await pilot.press("j")
        await submit_form(pilot, app)
        await wait(pilot, lambda count=skip + 1: len(app.jobs) == count and all(
            j.status for j in app.jobs.values()), "job submitted")
        jobs.append(next(j for j in app.jobs.values() if j not in jobs))
        clock(app).advance(0.5)  # half a simulated second between submissions
    # INIT lasts 15 % of a job (1.5 s here): move time so the jobs reach RUNNING one
    # after the other, and the log's order is the same on every run.
    clock(app).advance(0.1)
    for job in jobs:
        await wait(pilot, lambda job=job: job.status == "RUNNING", "RUNNING")
        clock(app).advance(0.5)


async def shot_failed_job(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    app.target.sim_app.state.sim.set_faults(FaultSpec.parse("job_fail=1.0"))
    await go_to(pilot, app.volumes_view.table, backupable(app))
    await submit_form(pilot, app)
    await wait(pilot, lambda: any(j.status == "INIT" for j in app.jobs.values()), "INIT")
    clock(app).advance(JOB_SECONDS * 2)
    await wait(pilot, lambda: any(j.phase is Phase.FAILED for j in app.jobs.values()), "FAIL")


async def shot_backups_quota(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await pilot.press("f4")
    await wait(pilot, lambda: len(app.backups_view.table.all_rows) > 0
               and app.quota is not None, "backups and quota")


async def shot_restore_confirm(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    volumes = app.volumes
    await pilot.press("f4")
    await wait(pilot, lambda: len(app.backups_view.table.all_rows) > 0, "backups")

    def restorable(backup: Any) -> bool:
        return backup.status == "available" and any(
            v.status == "available" and (v.size_gb or 0) >= (backup.size_gb or 0)
            for v in volumes.values())

    await go_to(pilot, app.backups_view.table, restorable)
    backup = app.backups_view.table.current
    await pilot.press("R")
    await wait(pilot, lambda: isinstance(app.screen, RestoreScreen), "picker")
    picker = app.screen
    assert isinstance(picker, RestoreScreen)
    index = next(i for i, v in enumerate(picker.volumes) if v.status == "available"
                 and (v.size_gb or 0) >= (backup.size_gb or 0))
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await wait(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")


async def shot_bulk(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    table = app.volumes_view.table
    chosen = [v for v in table.rows if backupable(app)(v)][:8]
    for volume in chosen:
        await go_to(pilot, table, lambda v, wanted=volume.id: v.id == wanted)
        await pilot.press("space")
    await submit_form(pilot, app, "weekly")
    await wait(pilot, lambda: len(app.jobs) == 8 and all(
        j.phase is Phase.RUNNING and j.job_id for j in app.jobs.values()), "all submitted")
    clock(app).advance(JOB_SECONDS * 2)
    await wait(pilot, lambda: all(j.finished for j in app.jobs.values()), "bulk done")
    assert all(j.kind is Kind.CREATE for j in app.jobs.values())


async def shot_preflight_limit(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    at_limit = {n["volume_id"] for n in app.target.sim_app.state.sim.snapshot()["near_limit"]
                if n["backups"] >= 20}
    await go_to(pilot, app.volumes_view.table, lambda v: v.id in at_limit)
    await pilot.press("b")
    await wait(pilot, lambda: isinstance(app.screen, BackupForm)
               and bool(app.screen.query("#preflight")), "form with its pre-flight check")


async def shot_details(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await pilot.press("f4")
    await wait(pilot, lambda: len(app.backups_view.table.all_rows) > 0, "backups")
    await pilot.press("j", "i")  # a backup whose disk still exists: its name shows


async def vaults_known(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await wait(pilot, lambda: app.protection.known, "vault listing")


async def shot_vaults(pilot: Pilot[Any], app: VbsApp) -> None:
    await vaults_known(pilot, app)
    await pilot.press("f12")
    await wait(pilot, lambda: bool(app.main.vaults_view.table.all_rows)
               and not app.main.vaults_view.loading, "vaults")


async def shot_cbr_backup(pilot: Pilot[Any], app: VbsApp) -> None:
    """A backup into a vault, followed to its end (a project that has only CBR)."""
    await vaults_known(pilot, app)

    def in_vault(volume: Any) -> bool:
        route = app.protection.route(volume.id)
        return backupable(app)(volume) and route is not None and route.vault is not None

    await go_to(pilot, app.volumes_view.table, in_vault)
    await submit_form(pilot, app, "nightly-cbr")
    await wait(pilot, lambda: any(j.status for j in app.jobs.values()), "submitted")
    clock(app).advance(JOB_SECONDS * 2)
    await wait(pilot, lambda: all(j.finished for j in app.jobs.values()), "backup done")


async def open_policies(pilot: Pilot[Any], app: VbsApp) -> None:
    await loaded(pilot, app)
    await pilot.press("colon", *"policies", "enter")
    view = app.main.policies_view
    await wait(pilot, lambda: len(view.table.all_rows) >= 4 and not view.loading, "policies")


async def shot_policies(pilot: Pilot[Any], app: VbsApp) -> None:
    await open_policies(pilot, app)
    await pilot.press("g", "j")


async def shot_policy_form(pilot: Pilot[Any], app: VbsApp) -> None:
    """The policy form with a start time it refuses as it is typed."""
    await open_policies(pilot, app)
    await pilot.press("n")
    await wait(pilot, lambda: isinstance(app.screen, PolicyForm)
               and bool(app.screen.query("#start_times")), "policy form")
    for char in "app-servers":
        await pilot.press(char)
    app.screen.query_one("#start_times", Input).focus()
    await pilot.press("ctrl+u", *"02:00,14:30")


async def shot_prune_preview(pilot: Pilot[Any], app: VbsApp) -> None:
    """Keep the newest 15 of a disk's 20 backups: the preview names the 5 that go."""
    await loaded(pilot, app)
    full = next(n["volume_id"] for n in app.target.sim_app.state.sim.snapshot()["near_limit"]
                if n["backups"] >= 20)
    await go_to(pilot, app.volumes_view.table, lambda v: v.id == full)
    await pilot.press("space", "P")
    await wait(pilot, lambda: isinstance(app.screen, KeepForm), "keep form")
    await pilot.press("1", "5", "enter")
    await wait(pilot, lambda: isinstance(app.screen, PrunePreviewScreen), "prune preview")


SHOTS: dict[str, tuple[Callable[[Pilot[Any], VbsApp], Awaitable[None]], dict[str, Any]]] = {
    "volumes": (shot_volumes, {}),
    "backup-form-error": (shot_form_error, {}),
    "jobs-running": (shot_jobs_running, {}),
    "job-failed": (shot_failed_job, {}),
    "backups-quota": (shot_backups_quota, {"backup_quota": 400}),
    "restore-confirm": (shot_restore_confirm, {}),
    "bulk-backup": (shot_bulk, {}),
    "preflight-limit": (shot_preflight_limit, {}),
    "details": (shot_details, {}),
    "vaults": (shot_vaults, {"services": "cbr"}),
    "cbr-backup": (shot_cbr_backup, {"services": "cbr"}),
    "policies": (shot_policies, {"services": "vbs"}),
    "policy-form": (shot_policy_form, {"services": "vbs"}),
    "prune-preview": (shot_prune_preview, {"services": "vbs"}),
}


async def render(name: str) -> Path:
    steps, sim = SHOTS[name]
    # Local times are pinned like the clock; the policies view shows a zone other than UTC
    # so that its two next-run columns differ, as they do for most operators.
    os.environ["TZ"] = "Europe/Berlin" if name in LOCAL_ZONE_SHOTS else "UTC"
    time.tzset()
    app = make_app(**sim)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app)
        await pilot.pause(0.2)
        # Times shown in the jobs panel come from the real clock while a job runs.
        for job in app.jobs.values():
            job.submitted_at = NOW.timestamp() - 42
            if job.finished_at is not None:
                job.finished_at = NOW.timestamp()
            app.jobs_panel.update_row(job)
        await pilot.pause(0.1)
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


def main(argv: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    jobspanel.spinner_clock = lambda: 0.0  # the same spinner frame on every run
    for name in argv or list(SHOTS):
        print(asyncio.run(render(name)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
