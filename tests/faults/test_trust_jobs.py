"""Issue 12 through the real CLI against `vbstui sim` subprocesses: leases between
processes, exits after a request may have arrived, a poisoned journal record, --timeout
over the whole command, and bad command-line numbers and descriptions."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from faultkit import (
    FAST_POLL,
    FAST_RECONCILE,
    Client,
    Sim,
    no_traceback,
    start_sim,
    wait_until,
)

from vbstui.local.journal import Journal

EXIT_OK, EXIT_USAGE, EXIT_UNKNOWN, EXIT_TIMEOUT = 0, 2, 4, 5
ON_CREATE = "paths=cloudbackups,methods=POST"

Sims = Callable[..., Sim]
Clients = Callable[..., Client]


def some_disks(sim: Sim, count: int) -> list[str]:
    near_limit = [e["volume_id"] for e in sim.state()["near_limit"]]
    with sim.api() as api:
        return api.pick_volumes(count, near_limit=near_limit)


def a_disk(sim: Sim) -> str:
    return some_disks(sim, 1)[0]


def submitting(client: Client) -> list[dict]:
    return [r for r in client.journal() if r["phase"] == "submitting"]


# -- 6: a job a live process is still sending is leased to it ---------------------------------


def test_a_second_process_leaves_a_job_another_live_process_is_sending(
        sims: Sims, clients: Clients) -> None:
    sim = sims(job_seconds=1, faults=f"latency=6,{ON_CREATE}")
    client = clients(sim, jobs={**FAST_RECONCILE, **FAST_POLL})
    disk = a_disk(sim)
    sender = client.spawn("backup", "create", "--volume", disk, "--name", "leased", "--wait",
                          "--json", tag="sender")
    wait_until(lambda: submitting(client), timeout=30, what="the create journaled")
    other = client.run("jobs", "--json")  # same journal, another process
    assert other.returncode == EXIT_OK, other
    assert "being worked on by vbstui process" in other.stderr
    assert "finding out what happened" not in other.stderr
    # The other process changed nothing: the job is still the sender's, still being sent.
    assert [r["phase"] for r in client.journal()] == ["submitting"]
    done = sender.wait(60)
    assert done.returncode == EXIT_OK, done
    assert done.json()["phase"] == "success"
    state = sim.state()
    assert state["create_backup_posts"] == 1 and state["duplicates"] == []


def test_a_lease_whose_process_is_gone_is_taken_over(sims: Sims, clients: Clients) -> None:
    sim = sims(job_seconds=1, faults=f"latency=3,{ON_CREATE}")
    client = clients(sim, jobs={**FAST_RECONCILE, **FAST_POLL})
    disk = a_disk(sim)
    sender = client.spawn("backup", "create", "--volume", disk, "--name", "orphan", "--wait")
    wait_until(lambda: submitting(client) and sim.state()["create_backup_posts"] == 1,
               timeout=30, what="the create journaled and received")
    sender.kill()  # while its answer is still on the way
    resumed = client.run("jobs", "--wait", "--json")
    assert resumed.returncode == EXIT_OK, resumed
    assert [r["phase"] for r in client.journal()] == ["success"]
    assert sim.state()["create_backup_posts"] == 1


# -- 7: once a request may have arrived, never exit 1 for our own trouble ---------------------


@pytest.mark.parametrize("fault", ["deep", "bad_id"])
def test_an_unreadable_answer_to_a_create_is_reconciled_not_failed(
        fault: str, sims: Sims, clients: Clients) -> None:
    sim = sims(job_seconds=1, faults=f"{fault}=1,{ON_CREATE}")
    client = clients(sim, jobs={**FAST_RECONCILE, **FAST_POLL})
    disk = a_disk(sim)
    result = client.run("backup", "create", "--volume", disk, "--name", f"odd-{fault}",
                        "--wait", "--json")
    no_traceback(result)
    assert "internal error" not in result.stderr
    assert result.returncode == EXIT_OK, result  # the backup was found and followed to its end
    outcome = result.json()
    assert outcome["phase"] == "success" and outcome["recovered_after_network_error"]
    assert sim.state()["create_backup_posts"] == 1  # looked for it, never sent again
    assert all("\r" not in str(r) and "Injected" not in str(r) for r in client.journal())
    later = client.run("jobs", "--json")
    assert later.returncode == EXIT_OK and "internal error" not in later.stderr, later


@contextlib.contextmanager
def small_disk(path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs at `path` (root only), unmounted at the end."""
    path.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs",
                              str(path)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(directory: Path) -> None:
    """Write until the file system is full."""
    with (directory / "filler").open("wb") as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()
            os.fsync(filler.fileno())


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None,
                    reason="a full disk is simulated with a tmpfs mount (root)")
def test_a_full_disk_after_sending_still_ends_with_the_backup(sims: Sims, clients: Clients,
                                                              tmp_path: Path) -> None:
    sim = sims(job_seconds=2, faults=f"latency=3,{ON_CREATE}")
    client = clients(sim, jobs=FAST_POLL)
    with small_disk(tmp_path / "state") as state:
        client.env["VBSTUI_STATE_DIR"] = str(state)
        disk = a_disk(sim)
        sender = client.spawn("backup", "create", "--volume", disk, "--name", "full-disk",
                              "--wait", "--json")
        journal = state / "jobs.sqlite3"
        wait_until(lambda: journal.exists() and journal.stat().st_size > 0
                   and sim.state()["create_backup_posts"] == 1, timeout=30,
                   what="the create sent")
        fill(state)
        done = sender.wait(90)
    no_traceback(done)
    assert "internal error" not in done.stderr
    assert done.returncode == EXIT_OK, done
    assert done.json()["phase"] == "success" and done.json()["backup_id"]
    assert "the disk is full" in done.stderr and "a crash now would lose track" in done.stderr
    assert sim.state()["create_backup_posts"] == 1


# -- 8: one bad record never stops the others --------------------------------------------------


def test_a_poisoned_journal_record_does_not_hide_the_other_jobs(sims: Sims,
                                                                clients: Clients) -> None:
    sim = sims(job_seconds=1)
    client = clients(sim, jobs={**FAST_RECONCILE, **FAST_POLL})
    disk = a_disk(sim)
    started = client.run("backup", "create", "--volume", disk, "--name", "healthy", "--json")
    assert started.returncode == EXIT_OK, started
    good = client.journal()[0]
    assert good["phase"] == "running"
    journal = Journal(client.journal_path)
    try:  # a record an older version stored from a hostile answer, not leased to anyone
        poisoned = {**good, "local_id": "poisoned", "job_id": "abc\r\nX-Injected: 1",
                    "backup_name": "poisoned"}
        journal.save(poisoned, finished=False)
        journal._write("UPDATE jobs SET lease_pid = NULL", ())
    finally:
        journal.close()
    result = client.run("jobs", "--wait", "--json")
    no_traceback(result)
    assert "internal error" not in result.stderr and "InvalidURL" not in result.stderr
    assert result.returncode == EXIT_OK, result
    phases = {r["local_id"]: r["phase"] for r in client.journal()}
    assert phases[good["local_id"]] == "success"


# -- 9: --timeout bounds the whole command ----------------------------------------------------


def test_timeout_bounds_the_login_too_and_says_nothing_was_sent(sims: Sims,
                                                                clients: Clients) -> None:
    sim = sims(faults="latency=20,auth=true,paths=auth/tokens")
    client = clients(sim)
    disk = "11111111-2222-4333-8444-555555555555"  # never looked at: the login is stuck
    started = time.monotonic()
    result = client.run("backup", "create", "--volume", disk, "--name", "slow-login",
                        "--wait", "--timeout", "2")
    assert time.monotonic() - started < 8, result
    assert result.returncode == EXIT_TIMEOUT, result
    assert "nothing was sent" in result.stderr
    assert sim.state()["create_backup_posts"] == 0


def test_timeout_during_a_create_reports_an_unknown_outcome(sims: Sims,
                                                            clients: Clients) -> None:
    sim = sims(faults=f"latency=20,{ON_CREATE}")
    client = clients(sim)
    disk = a_disk(sim)
    started = time.monotonic()
    result = client.run("backup", "create", "--volume", disk, "--name", "slow-create",
                        "--wait", "--timeout", "3")
    assert time.monotonic() - started < 10, result
    assert result.returncode == EXIT_UNKNOWN, result  # it may have been created: never "nothing"
    assert "OUTCOME UNKNOWN" in result.stderr and "vbstui jobs" in result.stderr


# -- 11: bad numbers and descriptions never send anything ---------------------------------------


@pytest.fixture(scope="module")
def refusing_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """One simulator for the refusal cases: each checks that nothing reaches it, so they
    can share it (one start instead of five)."""
    sim = start_sim(tmp_path_factory.mktemp("refusals"))
    yield sim
    sim.stop()


@pytest.mark.parametrize("extra", [("--concurrency", "0"), ("--timeout", "-5"),
                                   ("--timeout", "0"), ("--timeout", "nan"),
                                   ("--description", "title\x1b]0;pwned\x07")])
def test_bad_numbers_and_descriptions_are_refused_before_anything_is_sent(
        extra: tuple[str, str], refusing_sim: Sim, clients: Clients) -> None:
    sim = refusing_sim
    client = clients(sim)
    disks = some_disks(sim, 2)
    before = sim.state()["requests_total"]
    result = client.run("backup", "create", "--volume", disks[0], "--volume", disks[1],
                        "--name", "refused", *extra)
    assert result.returncode == EXIT_USAGE, result
    no_traceback(result)
    assert "\x1b" not in result.stderr
    assert sim.state()["requests_total"] == before
