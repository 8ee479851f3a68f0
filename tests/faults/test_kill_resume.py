"""SIGKILL the CLI while jobs run; `vbstui jobs --wait` must resume and finish every one.

The kill moment is chosen by watching the job journal (read-only, from this process)
or the simulator's counters, never by a fixed sleep.  Afterwards the simulator must
show no second create for any (disk, name).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import pytest
from faultkit import (
    FAST_POLL,
    FAST_RECONCILE,
    Client,
    Sim,
    created_count,
    no_traceback,
    wait_until,
)

ON_CREATE = "paths=cloudbackups,methods=POST"
# Long enough to kill a process mid-job (it is killed within ~0.1 s of its submit), short
# enough to wait for; the clients poll every 0.5 s (FAST_POLL) to see its end.
JOB_SECONDS = 3
LONG_JOB_SECONDS = 120  # far longer than the wait for the job id

Sims = Callable[..., Sim]
Clients = Callable[..., Client]


def near_limit(sim: Sim) -> list[str]:
    return [e["volume_id"] for e in sim.state()["near_limit"]]


def records_by_id(client: Client) -> dict[str, dict[str, Any]]:
    return {r["local_id"]: r for r in client.journal()}


def resume(client: Client) -> dict[str, dict[str, Any]]:
    result = client.run("jobs", "--wait", "--json", "--timeout", "120")
    no_traceback(result)
    assert result.returncode == 0, str(result)
    return {r["local_id"]: r for r in result.json()["jobs"]}


@pytest.mark.parametrize("disks", [1, 6])
def test_kill_while_jobs_run_then_resume(sims: Sims, clients: Clients, disks: int) -> None:
    sim = sims(job_seconds=JOB_SECONDS)
    with sim.api() as api:
        volumes = api.pick_volumes(disks, near_limit=near_limit(sim))
    client = clients(sim, jobs=FAST_POLL)
    args = ["backup", "create", "--name", "killed", "--wait", "--json", "--concurrency", "4"]
    for volume in volumes:
        args += ["--volume", volume]
    proc = client.spawn(*args, tag="create")

    def all_submitted() -> dict[str, dict[str, Any]] | None:
        records = records_by_id(client)
        if len(records) == disks and all(r["job_id"] and r["phase"] == "running"
                                         for r in records.values()):
            return records
        assert proc.proc.poll() is None, f"the CLI ended before the kill: {proc.result()}"
        return None

    before_kill = wait_until(all_submitted, timeout=30, what="all jobs journaled")
    proc.kill()
    state = sim.state()
    assert state["create_backup_posts"] == disks
    assert state["jobs"].get("SUCCESS", 0) + state["jobs"].get("FAIL", 0) <= len(
        state["seeded_jobs"]), "the kill must land while our jobs still run"
    # Nothing the dead process could have written after the kill changes the journal.
    assert {k: (r["job_id"], r["phase"]) for k, r in records_by_id(client).items()} == {
        k: (r["job_id"], r["phase"]) for k, r in before_kill.items()}

    after = resume(client)
    assert set(after) == set(before_kill)
    final = sim.state()
    assert final["create_backup_posts"] == disks, "a job was sent again"
    assert final["duplicates"] == []
    with sim.api() as api:
        for local_id, record in after.items():
            assert record["phase"] == "success", record
            assert record["status"] == "SUCCESS", record
            assert record["job_id"] == before_kill[local_id]["job_id"]
            volume, name = record["volume_id"], record["backup_name"]
            assert created_count(final, volume, name) == 1
            backups = api.backups_of(volume, name)
            assert [(b["id"], b["status"]) for b in backups] == [
                (record["backup_id"], "available")]
    # Nothing is left unfinished: a further `jobs` does not even contact the cloud.
    requests = sim.state()["requests_total"]
    listed = client.run("jobs", "--json")
    assert listed.returncode == 0, str(listed)
    assert {r["local_id"]: r["phase"] for r in listed.json()["jobs"]} == {
        local_id: "success" for local_id in before_kill}
    assert sim.state()["requests_total"] == requests


def test_kill_after_processed_before_job_id_known(sims: Sims, clients: Clients) -> None:
    """The server created the backup but its answer was lost (dropped connection); the
    CLI is killed while it is still looking for it.  Resuming must find it, not resend."""
    sim = sims(job_seconds=JOB_SECONDS, faults=f"drop=1.0,{ON_CREATE}")
    with sim.api() as api:
        [volume] = api.pick_volumes(1, near_limit=near_limit(sim))
    # Default reconcile windows: the next look comes 3 s after the first.
    client = clients(sim, jobs=FAST_POLL)
    proc = client.spawn("backup", "create", "--volume", volume, "--name", "lost-then-killed",
                        "--wait", "--json", tag="create")

    def reconciling() -> dict[str, Any] | None:
        records = client.journal()
        if records and records[0]["phase"] == "reconciling":
            return records[0]
        assert proc.proc.poll() is None, f"the CLI ended before the kill: {proc.result()}"
        return None

    wait_until(reconciling, timeout=30, what="the job reconciling")
    proc.kill()
    [record] = client.journal()
    assert record["phase"] == "reconciling", record
    assert record["job_id"] == ""
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "lost-then-killed") == 1

    after = resume(client)
    resumed = after[record["local_id"]]
    assert resumed["phase"] == "success", resumed
    assert resumed["recovered"] is True
    final = sim.state()
    assert final["create_backup_posts"] == 1, "the create was sent again"
    assert final["duplicates"] == []
    with sim.api() as api:
        [backup] = api.backups_of(volume, "lost-then-killed")
    assert (backup["id"], backup["status"]) == (resumed["backup_id"], "available")


def test_kill_while_create_request_is_in_flight(sims: Sims, clients: Clients) -> None:
    """Killed after the POST reached the server (which is still working on it, 3 s of
    latency) and before any answer: the journal only has 'submitting'.  The server then
    creates the backup; resuming must find it by disk and name, not send again."""
    sim = sims(job_seconds=JOB_SECONDS, faults=f"latency=3,{ON_CREATE}")
    with sim.api() as api:
        [volume] = api.pick_volumes(1, near_limit=near_limit(sim))
    client = clients(sim, jobs={**FAST_RECONCILE, **FAST_POLL})
    proc = client.spawn("backup", "create", "--volume", volume, "--name", "in-flight",
                        "--wait", "--json", tag="create")
    wait_until(lambda: sim.state()["create_backup_posts"] == 1, timeout=30,
               what="the create POST at the server")
    proc.kill()
    [record] = client.journal()
    assert record["phase"] == "submitting" and record["job_id"] == "", record

    after = resume(client)
    resumed = after[record["local_id"]]
    final = sim.state()
    assert final["create_backup_posts"] == 1, "the create was sent again"
    assert final["duplicates"] == []
    assert created_count(final, volume, "in-flight") == 1
    assert resumed["phase"] == "success", resumed
    assert resumed["recovered"] is True


def test_kill_then_resumed_job_fails(sims: Sims, clients: Clients) -> None:
    sim = sims(job_seconds=JOB_SECONDS, faults="job_fail=1.0")
    with sim.api() as api:
        [volume] = api.pick_volumes(1, near_limit=near_limit(sim))
    client = clients(sim, jobs=FAST_POLL)
    proc = client.spawn("backup", "create", "--volume", volume, "--name", "doomed-resumed",
                        "--wait", "--json", tag="create")
    wait_until(lambda: (r := client.journal()) and r[0]["job_id"], timeout=30,
               what="the job id journaled")
    proc.kill()
    result = client.run("jobs", "--wait", "--json", "--timeout", "120")
    no_traceback(result)
    [record] = result.json()["jobs"]
    assert record["phase"] == "failed"
    assert record["error_code"]
    assert sim.state()["create_backup_posts"] == 1
    assert result.returncode == 1, str(result)


def test_interrupt_then_resume(sims: Sims, clients: Clients) -> None:
    """Ctrl-C (SIGINT) while following: exit 130, the job stays in the journal and
    `vbstui jobs --wait` finishes it without sending anything again.  The job is long,
    so it is surely still running when the interrupt comes; the simulator's clock is
    then moved on for the resume to finish it."""
    sim = sims(job_seconds=LONG_JOB_SECONDS)
    with sim.api() as api:
        [volume] = api.pick_volumes(1, near_limit=near_limit(sim))
    client = clients(sim, jobs=FAST_POLL)
    proc = client.spawn("backup", "create", "--volume", volume, "--name", "interrupted",
                        "--wait", "--json", tag="create")
    [record] = wait_until(lambda: [r for r in client.journal() if r["job_id"]], timeout=30,
                          what="the job id journaled")
    proc.proc.send_signal(signal.SIGINT)
    result = proc.wait(timeout=30)
    no_traceback(result)
    assert result.returncode == 130, str(result)
    [still] = client.journal()
    assert (still["phase"], still["job_id"]) == ("running", record["job_id"])
    sim.advance_clock(LONG_JOB_SECONDS)
    after = resume(client)[record["local_id"]]
    assert (after["phase"], after["job_id"]) == ("success", record["job_id"])
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "interrupted") == 1


def test_wait_timeout_then_resume(sims: Sims, clients: Clients) -> None:
    """--timeout expires while the job runs: exit 5 with the job id; `jobs --wait` ends it."""
    sim = sims(job_seconds=JOB_SECONDS)
    with sim.api() as api:
        [volume] = api.pick_volumes(1, near_limit=near_limit(sim))
    client = clients(sim, jobs=FAST_POLL)
    result = client.run("backup", "create", "--volume", volume, "--name", "timed",
                        "--wait", "--timeout", "1", "--json")
    no_traceback(result)
    assert result.returncode == 5, str(result)
    outcome = result.json()
    assert outcome["phase"] == "running" and outcome["job_id"]
    assert "vbstui jobs" in result.stderr
    after = resume(client)[outcome["local_id"]]
    assert (after["phase"], after["job_id"]) == ("success", outcome["job_id"])
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "timed") == 1
