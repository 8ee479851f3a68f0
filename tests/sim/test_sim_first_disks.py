"""The first disks a newcomer meets back up cleanly, for every seed and world size.

"First" is the order the volume listing returns (newest first), which is what the
volumes view and `vbstui volumes` show before any sort.  The awkward disks (at the
backup limit, busy, in error, odd names) must still exist, just not up there.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vbstui.sim import ManualClock, SimConfig, SimState
from vbstui.sim.rules import CreateRequest

BASE = "http://sim.test"
FIRST_SCREEN = 40  # rows of a tall terminal's first screen


def listing(sim: SimState) -> list[dict]:  # type: ignore[type-arg]
    return sim.volume_page(BASE, name=None, status=None, marker=None, offset=0,
                           limit=1000).items


def backups_of(sim: SimState, volume_id: str) -> list[dict]:  # type: ignore[type-arg]
    return sim.backup_page(BASE, volume_id=volume_id, name=None, status=None, marker=None,
                           offset=0, limit=1000).items


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31), volumes=st.sampled_from([120, 300, 1000]))
def test_the_first_screen_of_disks_is_ready_for_a_backup(seed: int, volumes: int) -> None:
    sim = SimState(SimConfig(volumes=volumes, seed=seed, clock=ManualClock()))
    first = listing(sim)[:FIRST_SCREEN]
    assert len(first) == FIRST_SCREEN
    for disk in first:
        assert disk["status"] in {"available", "in-use"}, disk["name"]
        assert len(backups_of(sim, disk["id"])) < 10, disk["name"]
        assert disk["name"], "a nameless disk is awkward, not a first disk"
    near = {entry["volume_id"] for entry in sim.snapshot()["near_limit"]}
    assert near, "the disks at the limit still exist"
    assert near.isdisjoint(d["id"] for d in first)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_backing_up_each_of_the_first_disks_ends_in_success(seed: int) -> None:
    clock = ManualClock()
    sim = SimState(SimConfig(volumes=120, seed=seed, clock=clock, job_seconds=10))
    first = listing(sim)[:FIRST_SCREEN]
    jobs = [sim.create_backup(CreateRequest(d["id"], "first-try", "", None, False))
            for d in first]
    clock.advance(11)
    assert {sim.job_view(job)["status"] for job in jobs} == {"SUCCESS"}


@given(seed=st.integers(min_value=0, max_value=2**31))
@settings(max_examples=15, deadline=None)
def test_the_awkward_disks_are_all_still_there(seed: int) -> None:
    state = SimState(SimConfig(volumes=120, seed=seed, clock=ManualClock())).snapshot()
    assert [entry["backups"] for entry in state["near_limit"]] == [20, 19, 18]
    assert state["volumes_by_status"].get("backing-up", 0) >= 1
    assert state["jobs"], "a backup and a restore are already running"
    assert len(state["odd_name_volumes"]) == 5  # 3 odd names, 2 namesakes


def test_a_tiny_world_keeps_half_of_it_clean() -> None:
    sim = SimState(SimConfig(volumes=20, seed=1, clock=ManualClock()))
    first = listing(sim)[:10]
    near = {entry["volume_id"] for entry in sim.snapshot()["near_limit"]}
    assert all(d["status"] in {"available", "in-use"} and d["id"] not in near for d in first)
    assert near
