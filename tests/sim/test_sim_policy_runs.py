"""Contract tests: VBS policies run on the simulator's clock — scheduled runs at their
start times, run now, task statuses and filters, retention after each run, and the
faults every other path has.  Time moves by hand (ManualClock), never by waiting."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import Api, Served, login, serve_in_thread

from vbstui.sim import FaultSpec, ManualClock, SimConfig
from vbstui.sim.policy_models import VbsPolicy
from vbstui.sim.policy_schedule import next_run

JOB = 10.0
HOUR = 3600.0


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()  # 2026-01-01T00:00:00Z, a Thursday


@pytest.fixture(scope="module")
def served(clock: ManualClock) -> Iterator[Served]:
    stopping: list[threading.Thread] = []
    # Tokens outlive the days the clock is moved by.
    config = SimConfig(clock=clock, job_seconds=JOB, delete_seconds=1.0, volumes=120,
                       token_lifetime=365 * 86400.0)
    with serve_in_thread(config, stopping) as served:
        yield served
    for thread in stopping:
        thread.join(10)


@pytest.fixture(scope="module")
def api(served: Served) -> Iterator[Api]:
    with served.client() as client:
        yield login(client)


def create(api: Api, name: str, **schedule: Any) -> str:
    body = {"backup_policy_name": name, "scheduled_policy": {
        "start_time": "01:00", "frequency": 1, "rentention_num": 2,
        "remain_first_backup_of_curMonth": "N", "status": "ON", **schedule}}
    response = api.post("/v2/{pid}/backuppolicy", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["backup_policy_id"])


def link(api: Api, policy_id: str, *volume_ids: str) -> None:
    response = api.post("/v2/{pid}/backuppolicyresources", json={
        "backup_policy_id": policy_id,
        "resources": [{"resource_id": v, "resource_type": "volume"} for v in volume_ids]})
    assert response.json()["fail_resources"] == [], response.text


def tasks(api: Api, policy_id: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"/v2/{{pid}}/backuppolicy/{policy_id}/backuptasks", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def fresh_disks(api: Api, served: Served, count: int) -> list[dict[str, Any]]:
    """Disks without backups, in no vault and no policy."""
    held = set(served.sim.cbr.vault_of)
    picked: list[dict[str, Any]] = []
    for _ in range(count):
        bound = {v["id"] for v in api.volumes(limit=1000) if "policy" in v["metadata"]}
        skip = held | bound | {d["id"] for d in picked}
        try:
            picked.append(api.pick_volume("available", fresh=True, skip=skip))
        except AssertionError:
            picked.append(api.pick_volume("in-use", fresh=True, skip=skip))
    return picked


def advance_to(clock: ManualClock, when: float) -> None:
    clock.advance(max(0.0, when - clock()))


def test_on_policies_run_at_their_start_times_and_keep_what_retention_says(
        api: Api, served: Served, clock: ManualClock) -> None:
    by_count, by_days = fresh_disks(api, served, 2)
    keep_two = create(api, "keep-two")
    keep_days = create(api, "keep-days", rentention_num=None, rentention_day=2,
                       remain_first_backup_of_curMonth="Y")
    link(api, keep_two, by_count["id"])
    link(api, keep_days, by_days["id"])
    manual = api.create(by_days["id"], "manual-keeps").json()["job_id"]
    clock.advance(JOB + 1)
    assert api.job(manual)["status"] == "SUCCESS"

    start = utc("2026-01-01T01:00:00")
    advance_to(clock, start + 0.5)
    first = tasks(api, keep_two)
    assert first["count"] == 1 and first["tasks"][0]["status"] == "WAITING"
    assert first["tasks"][0]["created_at"] == "2026-01-01T01:00:00.000"
    clock.advance(JOB / 2)
    assert tasks(api, keep_two)["tasks"][0]["status"] == "RUNNING"
    clock.advance(JOB)
    done = tasks(api, keep_two)["tasks"][0]
    assert done["status"] == "EXECUTE_SUCCESS" and "finished_at" in done
    assert done["backup_name"].startswith("autobk_") and done["resource_id"] == by_count["id"]
    job = api.job(done["vbs_job_id"])
    assert job["status"] == "SUCCESS" and job["entities"]["volume_id"] == by_count["id"]

    for day in range(2, 6):  # Jan 2 .. Jan 5, one run a day
        advance_to(clock, utc(f"2026-01-0{day}T01:00:00") + JOB + 2)
    clock.advance(2)  # retention's deletions are gone after delete_seconds
    kept = api.backups(volume_id=by_count["id"])
    assert [b["name"] for b in kept] == [t["backup_name"] for t in
                                         tasks(api, keep_two, limit=2)["tasks"]]
    assert tasks(api, keep_two)["count"] == 5
    # Keep 2 days, first of the month kept, manual backups never touched.
    dated = sorted((b["created_at"][:10], b["name"]) for b in
                   api.backups(volume_id=by_days["id"]))
    days = [d for d, name in dated if name.startswith("autobk_")]
    assert days == ["2026-01-01", "2026-01-04", "2026-01-05"]
    assert "manual-keeps" in {name for _, name in dated}


def test_an_off_policy_never_runs_but_runs_now(api: Api, served: Served,
                                               clock: ManualClock) -> None:
    (disk,) = fresh_disks(api, served, 1)
    policy = create(api, "off-one", status="OFF")
    link(api, policy, disk["id"])
    clock.advance(2 * 86400)
    assert tasks(api, policy)["count"] == 0
    assert api.post(f"/v2/{{pid}}/backuppolicy/{policy}/action").status_code == 204
    assert tasks(api, policy)["count"] == 1


def test_run_now_reports_each_disk_and_refuses_a_second_run_while_executing(
        api: Api, served: Served, clock: ManualClock) -> None:
    quiet, busy = fresh_disks(api, served, 2)
    at_limit = next(e["volume_id"] for e in api.state()["near_limit"] if e["backups"] == 20)
    policy = create(api, "run-now", status="OFF")
    empty = create(api, "no-disks", status="OFF")
    link(api, policy, quiet["id"], busy["id"], at_limit)
    manual = api.create(busy["id"], "busy-now").json()["job_id"]
    run = f"/v2/{{pid}}/backuppolicy/{policy}/action"
    assert api.post(run).status_code == 204
    again = api.post(run)
    assert again.status_code == 400 and again.json()["error"]["code"] == "AutoBackup.0225"
    nothing = api.post(f"/v2/{{pid}}/backuppolicy/{empty}/action")
    assert nothing.json()["error"]["code"] == "AutoBackup.1700"

    by_disk = {t["resource_id"]: t for t in tasks(api, policy)["tasks"]}
    assert by_disk[quiet["id"]]["status"] == "WAITING"
    assert (by_disk[busy["id"]]["status"], by_disk[busy["id"]]["code"]) == \
        ("SKIP", "VolumeBackup.0013")
    assert (by_disk[at_limit]["status"], by_disk[at_limit]["code"]) == \
        ("EXECUTE_FAIL", "VolumeBackup.0040")
    assert "vbs_job_id" not in by_disk[at_limit]
    clock.advance(JOB + 1)
    assert api.job(manual)["status"] == "SUCCESS"
    assert tasks(api, policy, status="EXECUTE_SUCCESS")["count"] == 1
    assert api.post(run).status_code == 204  # the first run is over


def test_task_listing_filters_sorts_and_pages(api: Api, served: Served,
                                              clock: ManualClock) -> None:
    disks = fresh_disks(api, served, 3)
    policy = create(api, "paged", status="OFF")
    link(api, policy, *(d["id"] for d in disks))
    for _ in range(2):
        api.post(f"/v2/{{pid}}/backuppolicy/{policy}/action")
        clock.advance(JOB + 1)
    everything = tasks(api, policy, limit=100)
    assert everything["count"] == 6
    ids = [t["job_id"] for t in everything["tasks"]]
    created = [t["created_at"] for t in everything["tasks"]]
    assert created == sorted(created, reverse=True)  # newest first by default
    oldest_first = [t["job_id"] for t in tasks(api, policy, sort_dir="asc", limit=100)["tasks"]]
    assert oldest_first == ids[::-1]
    page = tasks(api, policy, limit=2, offset=1)
    assert [t["job_id"] for t in page["tasks"]] == ids[1:3] and page["count"] == 6
    after = tasks(api, policy, marker=ids[3])
    assert [t["job_id"] for t in after["tasks"]] == ids[4:]
    assert [t["job_id"] for t in tasks(api, policy, job_id=ids[2])["tasks"]] == [ids[2]]
    assert tasks(api, policy, status="SKIP")["count"] == 0
    for bad in ({"status": "DONE"}, {"sort_key": "name"}, {"limit": "0"}):
        response = api.get(f"/v2/{{pid}}/backuppolicy/{policy}/backuptasks", params=bad)
        assert response.status_code == 400, bad
    unknown = api.get("/v2/{pid}/backuppolicy/0f187b65-8d0e-4fc0-9096-3b55d330531e/backuptasks")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "AutoBackup.1100"


def test_failed_policy_jobs_end_failed_or_timed_out_by_their_code(
        api: Api, served: Served, clock: ManualClock) -> None:
    disks = fresh_disks(api, served, 8)
    policy = create(api, "faulty", status="OFF")
    link(api, policy, *(d["id"] for d in disks))
    served.sim.set_faults(FaultSpec(job_fail=1.0))
    try:
        api.post(f"/v2/{{pid}}/backuppolicy/{policy}/action")
    finally:
        served.sim.set_faults(FaultSpec())
    clock.advance(JOB + 1)
    for task in tasks(api, policy)["tasks"]:
        job = api.job(task["vbs_job_id"])
        assert job["status"] == "FAIL"
        expected = "EXECUTE_TIMEOUT" if job["error_code"] == "VolumeBackup.0039" \
            else "EXECUTE_FAIL"
        assert (task["status"], task["code"]) == (expected, job["error_code"])


def test_request_faults_reach_the_policy_and_sharing_paths(api: Api, served: Served) -> None:
    for spec, check in (("503=1", lambda r: r.status_code == 503),
                        ("429=1", lambda r: r.status_code == 429 and "Retry-After" in r.headers),
                        ("bad_id=1", lambda r: "\r\n" in r.json()["backup_policies"][0][
                            "backup_policy_id"])):
        served.sim.set_faults(FaultSpec.parse(f"{spec},paths=backuppolicy"))
        try:
            assert check(api.get("/v2/{pid}/backuppolicy")), spec
        finally:
            served.sim.set_faults(FaultSpec())
    served.sim.set_faults(FaultSpec.parse("500=1,paths=os-vendor-backup-sharing"))
    try:
        assert api.get("/v2/{pid}/os-vendor-backup-sharing/detail").status_code == 500
    finally:
        served.sim.set_faults(FaultSpec())


def test_the_demo_history_shows_every_finished_task_status(api: Api) -> None:
    listed = api.get("/v2/{pid}/backuppolicy").json()["backup_policies"]
    seen = set()
    for policy in listed:
        seen |= {t["status"] for t in tasks(api, policy["backup_policy_id"], limit=1000)["tasks"]}
    assert {"EXECUTE_SUCCESS", "EXECUTE_FAIL", "EXECUTE_TIMEOUT", "SKIP"} <= seen


def _policy(**fields: Any) -> VbsPolicy:
    base: dict[str, Any] = {"id": "p", "name": "p", "start_times": ["02:00"], "frequency": None,
                            "week_days": [], "keep_count": 7, "keep_days": None,
                            "keep_first_of_month": False, "enabled": True, "created_at": 0.0}
    return VbsPolicy(**{**base, **fields})


@pytest.mark.parametrize(("fields", "after", "expected"), [
    # Every 3 days: days 1, 4, 7 ... of each month, then day 1 of the next.
    ({"frequency": 3}, "2026-01-01T00:00:00", "2026-01-01T02:00:00"),
    ({"frequency": 3}, "2026-01-01T02:00:00", "2026-01-04T02:00:00"),
    ({"frequency": 3}, "2026-01-31T02:00:00", "2026-02-01T02:00:00"),
    ({"frequency": 1, "start_times": ["22:00", "06:00"]}, "2026-01-01T07:00:00",
     "2026-01-01T22:00:00"),
    # Week days count in the policy's zone: 23:00 UTC is 01:00 the next day at UTC+02:00.
    ({"week_days": ["THU"], "start_times": ["23:00"]}, "2026-01-01T00:00:00",
     "2026-01-01T23:00:00"),
    ({"week_days": ["THU"], "start_times": ["23:00"], "time_zone": "UTC+02:00"},
     "2026-01-01T00:00:00", "2026-01-07T23:00:00"),
    ({"week_days": ["SUN", "WED"], "start_times": ["03:00"], "time_zone": "UTC-05:00"},
     "2026-01-01T04:00:00", "2026-01-05T03:00:00"),
])
def test_the_next_start_follows_the_documented_schedule(fields: dict[str, Any], after: str,
                                                         expected: str) -> None:
    assert next_run(_policy(**fields), utc(after)) == utc(expected)


WEEK = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def first_start_by_walking(policy: VbsPolicy, after: float) -> float | None:
    """An independent oracle: walk the hours after `after` and take the first one the
    documented rules allow."""
    sign, hours, minutes = 1, 0, 0
    if policy.time_zone:
        sign = 1 if policy.time_zone[3] == "+" else -1
        hours, minutes = int(policy.time_zone[4:6]), int(policy.time_zone[7:9])
    offset = sign * (hours * 3600 + minutes * 60)
    hour = (int(after) // 3600 + 1) * 3600
    for _ in range(64 * 24):
        moment = datetime.fromtimestamp(hour, tz=timezone.utc)
        if f"{moment.hour:02d}:00" in policy.start_times:
            if policy.frequency is not None:
                allowed = (moment.day - 1) % policy.frequency == 0
            else:
                local = datetime.fromtimestamp(hour + offset, tz=timezone.utc)
                allowed = WEEK[local.isoweekday() % 7] in policy.week_days
            if allowed:
                return float(hour)
        hour += 3600
    return None


@settings(max_examples=150, deadline=None)
@given(hours=st.sets(st.integers(0, 23), min_size=1, max_size=4),
       frequency=st.one_of(st.none(), st.integers(1, 14)),
       days=st.sets(st.sampled_from(WEEK), min_size=1),
       zone=st.one_of(st.none(), st.sampled_from(["UTC+01:00", "UTC-05:00", "UTC+05:30",
                                                   "UTC+14:00", "UTC-11:00"])),
       after=st.integers(1_767_225_600, 1_767_225_600 + 400 * 86400))
def test_the_next_start_agrees_with_walking_the_hours(hours: set[int], frequency: int | None,
                                                      days: set[str], zone: str | None,
                                                      after: int) -> None:
    policy = _policy(start_times=[f"{h:02d}:00" for h in sorted(hours)], frequency=frequency,
                     week_days=[] if frequency else sorted(days), time_zone=zone)
    assert next_run(policy, float(after)) == first_start_by_walking(policy, float(after))
