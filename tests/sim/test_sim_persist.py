"""A saved simulated project loads back as it was, its clock carries on, and a damaged
or planted document is refused with a reason, leaving the simulator untouched."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbstui.sim import ManualClock, SavedWorldError, SimConfig, SimState, dump_world, load_world
from vbstui.sim.rules import CreateRequest

BASE = "http://sim.test"


def world(clock: ManualClock, **config: object) -> SimState:
    return SimState(SimConfig(volumes=60, job_seconds=10, clock=clock, **config))  # type: ignore[arg-type]


def empty(clock: ManualClock) -> SimState:
    return SimState(SimConfig(volumes=60, job_seconds=10, clock=clock), generate=False)


def listing(sim: SimState) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    volumes = sim.volume_page(BASE, name=None, status=None, marker=None, offset=0, limit=1000)
    backups = sim.backup_page(BASE, volume_id=None, name=None, status=None, marker=None,
                              offset=0, limit=1000)
    return volumes.items, backups.items


def test_a_saved_world_lists_the_same_disks_and_backups() -> None:
    clock = ManualClock()
    original = world(clock)
    copy = empty(clock)
    load_world(copy, dump_world(original))
    assert listing(copy) == listing(original)
    assert copy.snapshot()["near_limit"] == original.snapshot()["near_limit"]


def test_a_job_running_when_saved_carries_on_and_ends_in_the_loaded_world() -> None:
    clock = ManualClock()
    original = world(clock)
    disk = listing(original)[0][0]["id"]
    job = original.create_backup(CreateRequest(disk, "kept", "", None, False))
    clock.advance(3)  # past INIT: the backup exists, still creating
    saved = dump_world(original)
    clock.advance(20)
    copy = empty(clock)
    load_world(copy, saved)
    view = copy.job_view(job)
    assert view["status"] == "SUCCESS"
    assert copy.backup_view(BASE, view["entities"]["backup_id"])["status"] == "available"
    assert copy.volume_view(BASE, disk)["status"] in {"available", "in-use"}


def test_the_backup_a_job_makes_has_the_same_id_in_every_process() -> None:
    """Time passing is not saved; two processes loading one world must agree on it."""
    clock = ManualClock()
    original = world(clock)
    disk = listing(original)[0][0]["id"]
    job = original.create_backup(CreateRequest(disk, "same", "", None, False))
    saved = dump_world(original)
    clock.advance(20)
    first, second = empty(clock), empty(clock)
    load_world(first, saved)
    load_world(second, saved)
    assert first.job_view(job)["entities"]["backup_id"] == \
        second.job_view(job)["entities"]["backup_id"]


def test_new_jobs_after_loading_get_fresh_ids() -> None:
    clock = ManualClock()
    original = world(clock)
    saved = dump_world(original)
    disks = [v["id"] for v in listing(original)[0][:2]]
    a, b = empty(clock), empty(clock)
    load_world(a, saved)
    load_world(b, saved)
    assert a.create_backup(CreateRequest(disks[0], "a", "", None, False)) != \
        b.create_backup(CreateRequest(disks[1], "b", "", None, False))


def test_a_world_of_another_project_is_refused() -> None:
    clock = ManualClock()
    saved = dump_world(world(clock, seed=5))
    with pytest.raises(SavedWorldError, match="another project"):
        load_world(empty(clock), saved)


def _damaged(document: dict, path: list, value: object) -> bytes:  # type: ignore[type-arg]
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(document).encode()


DAMAGE = [
    (["format"], "something-else"),
    (["version"], 99),
    (["schema", "volume"], ["id"]),
    (["volumes", 0, 2], "big"),            # size as text
    (["volumes", 0, 6], "true"),           # bootable as text
    (["volumes", 0, 2], True),             # size as a boolean
    (["volumes", 1, 0], None),             # a second row of another shape than the first
    (["volumes", 0], ["too", "short"]),
    (["volumes", 0, 10], 10_000),          # a server that is not in the table
    (["backups", 0, 5], "yesterday"),      # created_at as text
    (["jobs"], {}),
    (["events", 0], [1.0, 1, "explode", "x"]),
    (["events", 0, 3], "no-such-job"),
    (["near_limit"], ["no-such-disk"]),
    (["seq"], 1.5),
    (["pending"], []),
]


@pytest.mark.parametrize(("path", "value"), DAMAGE, ids=[".".join(map(str, p)) for p, _ in DAMAGE])
def test_a_damaged_document_is_refused_and_the_world_stays_as_it_was(path: list, value: object
                                                                     ) -> None:
    clock = ManualClock()
    original = world(clock)
    disk = listing(original)[0][0]["id"]
    original.create_backup(CreateRequest(disk, "x", "", None, False))
    data = _damaged(json.loads(dump_world(original)), path, value)
    target = world(clock)
    before = listing(target)
    with pytest.raises(SavedWorldError):
        load_world(target, data)
    assert listing(target) == before


def test_a_time_too_large_to_be_a_number_is_refused_and_a_whole_one_loads() -> None:
    clock = ManualClock()
    original = world(clock)
    document = json.loads(dump_world(original))
    document["backups"][0][5] = 1234
    target = world(clock)
    load_world(target, json.dumps(document).encode())
    assert listing(target)[0] == listing(original)[0]
    backup_id = document["backups"][0][0]
    assert target.backups[backup_id].created_at == 1234.0
    document["backups"][1][5] = "TOO-BIG"
    huge = json.dumps(document).replace('"TOO-BIG"', "1e999").encode()  # json reads inf
    with pytest.raises(SavedWorldError, match="created_at"):
        load_world(target, huge)
    assert target.backups[backup_id].created_at == 1234.0


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000,
                                  b'{"format": NaN}', b"null"])
def test_what_is_not_a_saved_world_is_refused(data: bytes) -> None:
    with pytest.raises(SavedWorldError):
        load_world(empty(ManualClock()), data)


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20))
def test_any_json_in_a_field_is_refused_or_loaded_never_a_crash(value: object) -> None:
    clock = ManualClock()
    document = json.loads(dump_world(world(clock)))
    for path in (["volumes", 0], ["backups", 1], ["jobs", 0], ["events", 0], ["servers", 0]):
        data = _damaged(json.loads(json.dumps(document)), path, value)
        target = empty(clock)
        try:
            load_world(target, data)
        except SavedWorldError:
            continue
        target.snapshot()  # loaded: the world must then be usable
