"""The policy side of a simulated world: saved and loaded with it (and a world saved
before policies existed still loads), scheduled runs agreeing in every process, the
demo app's second project, and the fast clock of `vbstui sim --clock-speed`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import httpx
import pytest
from simkit import login, wait_for

from vbstui.sim import (
    ManualClock,
    SavedWorldError,
    SimConfig,
    SimState,
    create_app,
    dump_world,
    load_world,
)
from vbstui.sim.cli import _config, build_parser
from vbstui.sim.clock import ScaledClock
from vbstui.sim.persist import _V2, _V2_SCHEMA
from vbstui.sim.policy_filters import TaskQuery
from vbstui.sim.policy_rules import parse_policy

BASE = "http://sim.test"
JOB = 10.0


def world(clock: ManualClock) -> SimState:
    return SimState(SimConfig(volumes=60, job_seconds=JOB, clock=clock))


def empty(clock: ManualClock) -> SimState:
    return SimState(SimConfig(volumes=60, job_seconds=JOB, clock=clock), generate=False)


def policy_books(sim: SimState) -> tuple[object, ...]:
    tasks = {pid: [sim.policies.task_json(t, sim.clock()) for t in tasks]
             for pid, tasks in sim.policies.tasks.items()}
    shares = sorted(s.id for s in sim.shares.involving(sim.config.project_id))
    bound = {v.id: v.vbs_policy for v in sim.volumes if v.vbs_policy}
    return sim.policies.list_json(), tasks, shares, bound


def test_policies_tasks_and_shares_are_saved_with_the_world() -> None:
    clock = ManualClock()
    original = world(clock)
    nightly = next(p for p in original.policies.policies.values() if p.name == "nightly-db")
    original.policies.execute(nightly.id)
    original.policies.add_tag(nightly.id, {"key": "saved", "value": "yes"})
    clock.advance(3)  # tasks of the run are RUNNING when saved
    saved = dump_world(original)
    copy = empty(clock)
    load_world(copy, saved)
    assert policy_books(copy) == policy_books(original)
    assert copy.snapshot()["vbs_policies"] == original.snapshot()["vbs_policies"]
    clock.advance(JOB)
    assert policy_books(copy) == policy_books(original)  # the run ends alike in both


def test_a_scheduled_run_makes_the_same_backups_in_every_process() -> None:
    clock = ManualClock()
    saved = dump_world(world(clock))
    first, second = empty(clock), empty(clock)
    load_world(first, saved)
    load_world(second, saved)
    clock.advance(2 * 3600 + JOB + 1)  # past nightly-db's 02:00 start and its jobs
    nightly = next(p for p in first.policies.policies.values() if p.name == "nightly-db")

    def made(sim: SimState) -> list[tuple[str, str, str]]:
        return sorted((b["volume_id"], b["id"], b["name"]) for vid in nightly.resources
                      for b in sim.backup_page(BASE, volume_id=vid, name=None, status=None,
                                               marker=None, offset=0, limit=100).items
                      if b["created_at"].startswith("2026-01-01T02"))

    assert made(first) and made(first) == made(second)


def test_a_world_saved_before_policies_existed_keeps_its_bound_disks_bound() -> None:
    clock = ManualClock()
    document = json.loads(dump_world(world(clock)))
    document.update(version=_V2, schema=_V2_SCHEMA)
    del document["vbs"]
    copy = empty(clock)
    load_world(copy, json.dumps(document).encode())
    listed = {p["backup_policy_id"]: p for p in copy.policies.list_json()}
    bound = [v for v in copy.volumes if v.vbs_policy]
    assert bound and all(v.vbs_policy in listed for v in bound)
    assert all(listed[v.vbs_policy]["scheduled_policy"]["status"] == "OFF" for v in bound)
    assert listed and any(p["backup_policy_name"] == "default" for p in listed.values())


def test_a_saved_world_whose_disks_and_policies_disagree_is_refused() -> None:
    clock = ManualClock()
    original = world(clock)
    document = json.loads(dump_world(original))
    resources = document["schema"]["vbs_policy"].index("resources")
    document["vbs"]["policies"][0][resources] = [original.volumes[0].id]
    copy = empty(clock)
    with pytest.raises(SavedWorldError, match="disagree"):
        load_world(copy, json.dumps(document).encode())
    assert copy.volumes == []


def test_the_demo_app_has_the_second_project_and_the_demo_policies() -> None:
    app = create_app(SimConfig(volumes=60, clock=ManualClock()), generate=False)
    sim: SimState = app.state.sim
    sim.regenerate()  # what the demo does when there is no saved world
    state = sim.snapshot()
    assert state["peer_project_id"] == sim.config.peer_project_id
    assert state["vbs_policies"]["count"] == 4 and state["vbs_policies"]["on"] == 2
    assert state["shares"] == 1
    peer = sim.peers[sim.config.peer_project_id]
    assert peer.volumes and peer.config.project == "eu-de_partner"


def test_clock_speed_makes_simulated_time_run_faster() -> None:
    base = ManualClock()
    fast = ScaledClock(base, 3600.0)
    start = fast()
    base.advance(2)
    assert fast() - start == pytest.approx(7200.0)
    args = build_parser().parse_args(["--clock-speed", "3600", "--policy-limit", "50",
                                      "--peer-project", ""])
    config = _config(args)
    assert (config.clock_speed, config.vbs_policy_limit, config.peer_project) == (3600, 50, "")
    assert isinstance(config.clock, ScaledClock)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--clock-speed", "0"])


def test_a_fast_clock_runs_a_policy_within_moments() -> None:
    base = ManualClock()
    sim = SimState(SimConfig(volumes=60, job_seconds=JOB, clock=base, clock_speed=3600.0))
    disk = next(v for v in sim.volumes[:10] if v.id not in sim.cbr.vault_of)
    policy_id = sim.policies.create(parse_policy({
        "backup_policy_name": "fast", "scheduled_policy": {
            "start_time": "01:00", "frequency": 1, "rentention_num": 3, "status": "ON"}},
        create=True))
    sim.policies.associate(policy_id, [{"resource_id": disk.id, "resource_type": "volume"}])
    base.advance(2.0)  # two real seconds: two simulated hours, past 01:00
    page = sim.policies.task_page(policy_id, TaskQuery())[0]
    assert [t["status"] for t in page] == ["EXECUTE_SUCCESS"]
    made = [b for b in sim.backups_of(disk.id) if b.name == page[0]["backup_name"]]
    assert [b.status for b in made] == ["available"]



def test_vbstui_sim_runs_a_policy_on_a_fast_clock_and_skips_ahead_on_request() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "vbstui.sim", "--port", "0", "--volumes", "40",
         "--clock-speed", "14400"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().strip()
        banner = process.stderr.readline()
        assert "second project 'eu-de_partner'" in banner and "clock x14400" in banner
        with httpx.Client(base_url=url, timeout=10) as client:
            api = login(client)
            now = datetime.fromtimestamp(api.state()["clock"], tz=timezone.utc)
            # One to two simulated hours away: a quarter to half a real second at x14400,
            # with an hour (a quarter second) of margin for the requests below; a loaded
            # machine that misses it sees the next day's run, six real seconds later.
            hour = f"{(now.hour + 2) % 24:02d}:00"
            created = api.post("/v2/{pid}/backuppolicy", json={
                "backup_policy_name": "watch-it", "scheduled_policy": {
                    "start_time": hour, "frequency": 1, "rentention_num": 2, "status": "ON"}})
            policy = created.json()["backup_policy_id"]
            disks = [{"resource_id": v["id"], "resource_type": "volume"}
                     for v in api.volumes(status="available")]
            linked = api.post("/v2/{pid}/backuppolicyresources", json={
                "backup_policy_id": policy, "resources": disks}).json()["success_resources"]
            assert linked  # those in a CBR vault are refused, the others linked

            def succeeded() -> bool:
                tasks = api.get(f"/v2/{{pid}}/backuppolicy/{policy}/backuptasks").json()
                return any(t["status"] == "EXECUTE_SUCCESS" for t in tasks["tasks"])

            wait_for(succeeded, timeout=15)
            # A script skips ahead instead of waiting: the next day's run is there at once.
            assert client.post("/_sim/clock", json={"advance": -1}).status_code == 400
            moved = client.post("/_sim/clock", json={"advance": 86400})
            assert moved.status_code == 200 and moved.json()["clock"] >= now.timestamp() + 86400
            api = login(client)  # a day later the first token has expired
            listed = api.get(f"/v2/{{pid}}/backuppolicy/{policy}/backuptasks").json()
            assert len({t["created_at"] for t in listed["tasks"]}) >= 2
    finally:
        process.kill()
        process.communicate(timeout=10)
