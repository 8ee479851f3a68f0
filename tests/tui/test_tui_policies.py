"""The policies view (issue 11), driven by Pilot against the in-process simulator: it
lists the demo's policies with their schedule and next run, the volumes view names each
disk's policy (and `/` finds it), deleting a policy names its disks first; the policy
form refuses a bad name and start time as you type, creates and edits a valid policy and
explains the project's policy limit; linking disks names the policy a disk moves from and
each refused disk's code; run now is followed in the jobs panel to the end (across a
restart), and a second run meanwhile is explained (AutoBackup.0225)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from tuikit import SIZE, demo_target, loaded, log_text, make_app, sim_state, type_text, wait_until

from vbstui.cloud.policy_models import Policy
from vbstui.jobs import Kind, Phase
from vbstui.ops.policies import policy_record
from vbstui.sim import ManualClock
from vbstui.ui.app import VbsApp
from vbstui.ui.policies_view import POLICY_COLUMNS, PoliciesView, PolicyRow
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.policy_details import PolicyDetailsScreen
from vbstui.ui.screens.policy_form import PolicyForm
from vbstui.ui.widgets.columns import layout, widest


async def open_policies(pilot: Pilot[Any], app: VbsApp) -> PoliciesView:
    await pilot.press("colon", "p", "o", "enter")  # the bar goes to the view a prefix names
    view = app.main.policies_view
    await wait_until(pilot, lambda: len(view.table.all_rows) >= 4 and not view.loading,
                     what="policies listed")
    return view


async def go_to(pilot: Pilot[Any], table: Any, key: str) -> None:
    index = next(i for i, row in enumerate(table.rows) if row.id == key)
    from_end = len(table.rows) - 1 - index
    if index <= from_end:
        await pilot.press("g", *["j"] * index)
    else:
        await pilot.press("G", *["k"] * from_end)
    assert table.current.id == key


def sim_policies(app: VbsApp) -> dict[str, Any]:
    return {p.name: p for p in app.target.sim_app.state.sim.policies.policies.values()}


def disk_policy(app: VbsApp, volume_id: str) -> str | None:
    volume = next(v for v in app.target.sim_app.state.sim.volumes if v.id == volume_id)
    return volume.vbs_policy


def cells(view: PoliciesView, name: str) -> dict[str, str]:
    row = next(r for r in view.table.all_rows if r.name == name)
    return {c.key: c.text(row) for c in view.table.columns}


async def test_the_view_lists_the_policies_each_disk_names_its_policy_delete_names_disks(
) -> None:
    app = make_app(demo_target(volumes=40))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        view = await open_policies(pilot, app)
        assert [r.name for r in view.table.rows][:1] == ["default"]
        assert {"nightly-db", "weekly-files", "reports-twice-daily"} <= {
            r.name for r in view.table.rows}
        # The app's clock is 2026-11-27 (a Friday) 10:15 UTC.
        nightly = cells(view, "nightly-db")
        assert nightly["schedule"] == "02:00 UTC every day"
        assert nightly["next"] == "2026-11-28 02:00"  # the header says UTC
        assert nightly["retention"] == "keep 7 + first of month"
        assert nightly["status"] == "ON"
        weekly_cells = cells(view, "weekly-files")
        assert weekly_cells["schedule"].startswith("Sun, Wed at 23:00 UTC")
        # Its days count in its zone, UTC+01:00: Saturday 23:00 UTC is Sunday 00:00 there.
        assert weekly_cells["next"] == "2026-11-28 23:00"
        assert cells(view, "reports-twice-daily")["next"] == "—"  # OFF: no next run
        linked = len(sim_state(app)["vbs_policy_disks"])
        assert sum(int(cells(view, r.name)["disks"]) for r in view.table.rows) == linked

        await pilot.press("g", "enter")  # details of the first policy
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyDetailsScreen),
                         what="details")
        await pilot.press("escape")
        # The details pane (F8) shows the selected policy, as `vbstui policy show` does.
        await go_to(pilot, view.table, sim_policies(app)["nightly-db"].id)
        await pilot.press("f8")
        details = app.main.details
        await wait_until(pilot, lambda: details.plain().startswith("POLICY"), what="pane")
        shown = details.plain().splitlines()
        assert "Schedule: 02:00 UTC every day" in shown
        assert "Next run: 2026-11-28 02:00 UTC (in 15 h)" in shown
        assert "Retention: keep 7 + first of month" in shown
        await pilot.press("f8", "enter")  # its details name the failing disk's error code
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyDetailsScreen),
                         what="details of nightly-db")
        lines = app.screen.query_one("#policy-details-body", Static).render_lines(
            app.screen.query_one("#policy-details-body").region.reset_offset)
        body = "\n".join("".join(seg.text for seg in line) for line in lines)
        assert "EXECUTE_FAIL  " in body and "  VolumeBackup.0040: The disk already has 20" in body
        await pilot.press("escape", "g")
        await pilot.press("ctrl+d")  # the built-in default policy: refused, explained
        await wait_until(pilot, lambda: "built-in default policy: it cannot be deleted"
                         in log_text(app), what="refusal explained")
        assert not isinstance(app.screen, ConfirmScreen)

        await pilot.press("f3")
        volumes = app.volumes_view.table
        assert "policy" in [c.key for c in volumes.columns]
        nightly_id = sim_policies(app)["nightly-db"].id
        in_nightly = {v.id for v in volumes.all_rows if disk_policy(app, v.id) == nightly_id}
        assert in_nightly
        column = next(c for c in volumes.columns if c.key == "policy")
        assert {column.text(v) for v in volumes.all_rows if v.id in in_nightly} == {
            "nightly-db"}
        await pilot.press("slash")
        await type_text(pilot, "nightly-db")
        await wait_until(pilot, lambda: volumes.filter_text == "nightly-db", what="filter")
        assert {v.id for v in volumes.rows} == in_nightly

        # Deleting a policy names its disks first; they leave it with the policy.
        await pilot.press("escape")
        view = await open_policies(pilot, app)
        weekly = sim_policies(app)["weekly-files"]
        weekly_disks = [v for v in volumes.all_rows if disk_policy(app, v.id) == weekly.id]
        await go_to(pilot, view.table, weekly.id)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         what="confirmation")
        assert isinstance(app.screen, ConfirmScreen)
        assert all(v.id in app.screen.body.plain for v in weekly_disks)
        await pilot.press("y")
        await wait_until(pilot, lambda: "weekly-files" not in sim_policies(app),
                         what="policy deleted")
        assert all(disk_policy(app, v.id) is None for v in weekly_disks)
        await wait_until(pilot, lambda: len(view.table.all_rows) == 3, what="listed again")


async def test_the_form_refuses_as_you_type_creates_a_policy_and_explains_the_limit(
) -> None:
    # Three policies of the demo besides the default one: room for exactly one more.
    app = make_app(demo_target(volumes=20, vbs_policy_limit=4))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        view = await open_policies(pilot, app)
        await pilot.press("g", "e")  # the built-in default policy keeps its name
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyForm), what="edit form")
        await pilot.press("ctrl+u", "m", "y")
        assert "cannot be renamed" in str(app.screen.query_one("#name-error", Static).render())
        assert app.screen.query_one("#submit", Button).disabled
        await pilot.press("escape")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyForm), what="form")
        form = app.screen
        submit = form.query_one("#submit", Button)

        def error(field: str) -> str:
            return str(form.query_one(f"#{field}-error", Static).render())

        await type_text(pilot, "Default-db")
        assert "must not start with 'default'" in error("name")
        assert submit.disabled
        await pilot.press("ctrl+u")
        await type_text(pilot, "tui-db")
        assert error("name").startswith("✓")
        form.query_one("#start_times", Input).focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "02:30")
        assert "'02:30' is not a full hour" in error("start_times")
        assert submit.disabled
        await pilot.press("ctrl+s")  # refused: nothing is sent
        assert isinstance(app.screen, PolicyForm)
        await pilot.press("backspace", "backspace")
        await type_text(pilot, "00,14:00")
        assert not submit.disabled
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "tui-db" in sim_policies(app), what="policy created")
        created = sim_policies(app)["tui-db"]
        assert created.start_times == ["02:00", "14:00"]
        await wait_until(pilot, lambda: any(r.name == "tui-db" for r in view.table.all_rows),
                         what="new policy listed")
        await go_to(pilot, view.table, created.id)
        await pilot.press("e")  # edit: the form starts from the policy as it is
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyForm), what="edit form")
        app.screen.query_one("#keep", Input).focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "15")
        assert "must be from 2 to 14" in str(app.screen.query_one("#keep-error",
                                                                   Static).render())
        await pilot.press("backspace", "backspace", "5", "ctrl+s")
        await wait_until(pilot, lambda: created.keep_count == 5, what="policy changed")
        assert created.name == "tui-db" and created.start_times == ["02:00", "14:00"]
        await go_to(pilot, view.table, created.id)
        await pilot.press("o")  # ON -> OFF
        await wait_until(pilot, lambda: not created.enabled, what="policy switched OFF")

        await pilot.press("n")  # a fifth policy: over the project's limit
        await wait_until(pilot, lambda: isinstance(app.screen, PolicyForm), what="form")
        await type_text(pilot, "one-too-many")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "AutoBackup.0203" in log_text(app), what="refusal")
        assert "already has the most backup policies" in log_text(app)
        assert "one-too-many" not in sim_policies(app)


def policy_jobs(app: VbsApp) -> list[Any]:
    return [j for j in app.jobs_panel.all_rows if j.kind is Kind.POLICY_RUN]


async def test_three_marked_disks_are_linked_run_and_followed_across_a_restart(
        tmp_path: Path) -> None:
    """The issue's "done when": link three marked disks (one moves from another policy,
    and the confirmation says so), run the policy, and watch three backups appear in the
    jobs panel — here with a restart in between, the tasks taken over from the journal."""
    clock = ManualClock()  # the simulated jobs move only when the test moves the clock
    target = replace(demo_target(volumes=40, clock=clock),
                     demo_journal=tmp_path / "jobs.sqlite3")  # a journal that outlives the app
    app = make_app(target)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        policies = sim_policies(app)
        weekly, reports = policies["weekly-files"], policies["reports-twice-daily"]
        volumes = app.volumes_view.table
        await wait_until(pilot, lambda: app.protection.known, what="vault listing")
        near = {v["volume_id"] for v in sim_state(app)["near_limit"]}
        moving = next(v for v in volumes.rows if disk_policy(app, v.id) == weekly.id)
        free = [v for v in volumes.rows if disk_policy(app, v.id) is None and v.backupable
                and app.protection.label(v.id) == "VBS" and v.id not in near][:2]
        # A disk in a CBR vault: the service refuses it, the log says so with the code.
        in_vault = next(v for v in volumes.rows
                        if app.protection.label(v.id) not in ("", "VBS", "—"))
        linked = [moving, *free]
        for disk in (*linked, in_vault):
            await go_to(pilot, volumes, disk.id)
            await pilot.press("space")

        view = await open_policies(pilot, app)
        await go_to(pilot, view.table, reports.id)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         what="confirmation")
        assert isinstance(app.screen, ConfirmScreen)
        body = app.screen.body.plain
        assert f"{moving.name} ({moving.id}) moves from policy weekly-files" in body
        assert all(v.id in body for v in free)
        await pilot.press("y")
        await wait_until(pilot, lambda: all(disk_policy(app, v.id) == reports.id
                                            for v in linked), what="disks linked")
        await wait_until(pilot, lambda: f"{in_vault.id}): FAILED with AutoBackup."
                         in log_text(app), what="the refused disk logged with its code")
        assert disk_policy(app, in_vault.id) is None
        assert "3 disks linked to policy reports-twice-daily: " in log_text(app)  # one line
        assert not volumes.marked

        # Run now, twice: the second run while the first one's tasks wait is explained
        # (AutoBackup.0225) and starts nothing.
        await wait_until(pilot, lambda: cells(view, "reports-twice-daily")["disks"] == "3",
                         what="listing updated")
        await go_to(pilot, view.table, reports.id)
        await pilot.press("R", "R")
        await wait_until(pilot, lambda: len(policy_jobs(app)) == 3, what="tasks in the panel")
        await wait_until(pilot, lambda: "is running right now" in log_text(app),
                         what="the second run explained")
        assert len(app.target.sim_app.state.sim.policies.tasks[reports.id]) == 3
        assert not any(j.finished for j in policy_jobs(app))

    app = make_app(target)  # the next start: the tasks are followed from the journal
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app, 40)
        await wait_until(pilot, lambda: len(policy_jobs(app)) == 3, what="tasks resumed")
        clock.advance(60)
        await wait_until(pilot, lambda: all(j.finished for j in policy_jobs(app)),
                         what="tasks followed to the end")
        assert {j.volume_id for j in policy_jobs(app)} == {v.id for v in linked}
        assert all(j.phase is Phase.SUCCESS for j in policy_jobs(app))
        made = {(b.volume_id, b.name) for b in app.target.sim_app.state.sim.backups.values()
                if b.status == "available"}
        assert {(j.volume_id, j.backup_name) for j in policy_jobs(app)} <= made
        by_name = {(b.volume_id, b.name): b.id
                   for b in app.target.sim_app.state.sim.backups.values()}
        # the jobs panel's RESULT cell: the backup each task made
        assert all(j.backup_id == by_name[j.volume_id, j.backup_name] for j in policy_jobs(app))
        await wait_until(pilot, lambda: "policy run done: 3 of 3 succeeded" in log_text(app),
                         what="the resumed run summed up as a policy run")

        # Unlinking a marked disk asks first, naming it.
        volumes = app.volumes_view.table
        await go_to(pilot, volumes, moving.id)
        await pilot.press("space")
        view = await open_policies(pilot, app)
        await go_to(pilot, view.table, reports.id)
        await pilot.press("U")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen),
                         what="confirmation")
        assert isinstance(app.screen, ConfirmScreen)
        assert moving.id in app.screen.body.plain
        await pilot.press("y")
        await wait_until(pilot, lambda: disk_policy(app, moving.id) is None, what="unlinked")


def test_the_columns_keep_the_words_whole_at_120_and_the_essentials_at_80() -> None:
    now = datetime(2026, 11, 27, 10, 15, tzinfo=timezone.utc)

    def row(name: str, zone: str = "", **scheduled: Any) -> PolicyRow:
        raw = {"backup_policy_id": "0" * 36, "backup_policy_name": name,
               "policy_resource_count": 12, "scheduled_policy": {"status": "ON", **scheduled}}
        policy = Policy.from_api({**raw, **({"time_zone": zone} if zone else {})})
        return PolicyRow(policy, policy_record(policy, now))

    rows = [row("nightly-db", start_time="02:00", frequency=1, rentention_num=7,
                remain_first_backup_of_curMonth="Y"),
            row("weekly-files", "UTC+01:00", start_time="23:00", week_frequency=["SUN"],
                rentention_day=30),
            row("reports", start_time="06:00,18:00", frequency=2, rentention_num=14)]
    longest = {c.key: widest(c, rows) for c in POLICY_COLUMNS}
    keys = [c.key for c in POLICY_COLUMNS]
    wide = dict(zip(keys, layout(POLICY_COLUMNS, 120 - 5, longest), strict=True))
    assert wide["retention"] >= len("keep 7 + first of month")
    assert wide["schedule"] >= len("06:00, 18:00 UTC every 2 days")
    assert wide["next"] >= len("2026-11-28 02:00") and wide["name"] >= len("weekly-files")
    narrow = layout(POLICY_COLUMNS, 80 - 5, longest)
    # what 80 columns show before scrolling: name, state, disks, schedule, next run (UTC)
    assert sum(w + 1 for w in narrow[:keys.index("next") + 1]) <= 80 - 5
