"""Soak: 156 backups through the headless CLI against one `vbstui sim` with mixed faults.

Every request may be delayed (0-50 ms), dropped after processing (5 %), answered
500/502/503/504 (3 % each) or 429 (5 %), and tokens are revoked 6 s after issue; 3 % of
the jobs fail.  Four bulk runs of 36 disks (`--concurrency 8`) and twelve single runs,
two bulk runs and six single runs at a time, each disk backed up once, all sharing one
journal; meanwhile another process runs `vbstui jobs` on that journal again and again
(it must leave every job a live process is sending alone).  Asserted from the
simulator's own state:

- no (disk, name) was ever created twice;
- every submission ended as SUCCESS, FAIL (with the service's code, or with its
  reason when the job was adopted after a lost answer), a refusal with the reason,
  or an explicit "outcome unknown" (exit 4, phase "unknown");
- the CLI's outcomes agree with the backups that exist: each SUCCESS names the one
  available backup of its (disk, name); every backup the simulator created belongs to
  a submission the CLI reported as success, failure or unknown (none silently lost),
  and nothing reported as refused exists;
- looking again (`vbstui jobs --wait`) sends nothing, and settles an unknown outcome
  only by the backup that was in fact made.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from faultkit import (
    FAST_RECONCILE,
    Client,
    Result,
    Sim,
    Spawned,
    created_count,
    no_traceback,
)

FAULTS = ("latency=0-0.05,drop=0.05,500=0.03,502=0.03,503=0.03,504=0.03,429=0.05,"
          "retry_after=1,token_expiry=6,job_fail=0.03,seed=11")
BULK_RUNS, BULK_SIZE, SINGLES = 4, 36, 12
ENDINGS = {"success", "failed", "refused", "unknown"}
EXIT_OK, EXIT_FAILED, EXIT_UNKNOWN = 0, 1, 4


def expected_exit(outcomes: list[dict[str, Any]]) -> int:
    phases = {o["phase"] for o in outcomes}
    if phases & {"failed", "refused"}:
        return EXIT_FAILED
    if "unknown" in phases:
        return EXIT_UNKNOWN
    return EXIT_OK


def outcomes_of(result: Result) -> list[dict[str, Any]]:
    data = result.json()
    return list(data["jobs"]) if "jobs" in data else [data]


def settled_only_by_its_backup(printed: dict[str, Any], record: dict[str, Any],
                               state: dict[str, Any],
                               existing: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
    """A job printed as "outcome unknown", as its journal record is later: still unknown
    when nothing was made for it; when a backup was made, a later look (`vbstui jobs`)
    may have found it and settled the job, by that very backup."""
    key = (printed["volume_id"], printed["backup_name"])
    if created_count(state, *key) == 0:
        assert record["phase"] == "unknown", record  # nothing to find: still undecided
    elif record["phase"] != "unknown":
        assert record["phase"] in ("success", "failed"), record
        assert record["backup_id"] in [b["id"] for b in existing.get(key, [])], record


@pytest.mark.slow
def test_soak_mixed_faults(sims: Callable[..., Sim], clients: Callable[..., Client]) -> None:
    started = time.monotonic()
    sim = sims(volumes=400, job_seconds=3, seed=5, faults=FAULTS)  # VBS only (faultkit)
    total = BULK_RUNS * BULK_SIZE + SINGLES
    with sim.api() as api:
        near = [e["volume_id"] for e in sim.state()["near_limit"]]
        disks = api.pick_volumes(total, near_limit=near)
    # Polls at most 2 s apart: the soak is about what is sent, not about polling slowly.
    client = clients(sim, jobs={**FAST_RECONCILE, "poll_max_seconds": 2})

    def bulk(index: int, chunk: list[str]) -> Spawned:
        args = ["backup", "create", "--name", f"soak{index}", "--concurrency", "8",
                "--wait", "--json"]
        for disk in chunk:
            args += ["--volume", disk]
        return client.spawn(*args, tag=f"bulk{index}")

    def single(index: int, disk: str) -> Spawned:
        return client.spawn("backup", "create", "--volume", disk, "--name", f"single{index}",
                            "--wait", "--json", tag=f"single{index}")

    bulks = [disks[i * BULK_SIZE:(i + 1) * BULK_SIZE] for i in range(BULK_RUNS)]
    singles = disks[BULK_RUNS * BULK_SIZE:]
    results: list[Result] = []
    waves_done = threading.Event()
    meddling: list[tuple[float, Result]] = []  # (when it ended, what it said)
    exited: dict[str, float] = {}  # backup name prefix -> when its process ended

    def meddle() -> None:  # a second kind of process on the same journal, all along
        while not waves_done.is_set() and len(meddling) < 200:
            done = client.run("jobs", "--json", timeout=60)
            meddling.append((time.monotonic(), done))
            # Paced, not back to back: every process start costs a core for ~0.3 s, and
            # the runs being meddled with need the CPU to stay realistic.
            waves_done.wait(0.5)

    def wait_all(procs: dict[str, Spawned]) -> list[Result]:
        """Wait for every process, noting when each one ended (to 50 ms)."""
        deadline = time.monotonic() + 200
        while not all(name in exited for name in procs):
            for name, proc in procs.items():
                if name not in exited and proc.proc.poll() is not None:
                    exited[name] = time.monotonic()
            assert time.monotonic() < deadline, "a CLI run did not end"
            time.sleep(0.05)
        return [proc.wait(timeout=10) for proc in procs.values()]

    meddler = threading.Thread(target=meddle, daemon=True)
    meddler.start()
    try:
        for wave in range(2):
            procs = {f"soak{i + 1}": bulk(i + 1, bulks[i]) for i in (2 * wave, 2 * wave + 1)}
            half = SINGLES // 2
            procs |= {f"single{i + 1}": single(i + 1, singles[i])
                      for i in range(wave * half, (wave + 1) * half)}
            results += wait_all(procs)
    finally:
        waves_done.set()
        meddler.join(90)
    assert meddling, "the meddling process never ran"
    for ended, result in meddling:
        no_traceback(result)
        assert result.returncode == EXIT_OK, str(result)
        # A job may be looked into only once the process sending it is gone: a run that
        # ended while the owner still lived must not have touched the owner's jobs.
        for line in result.stderr.splitlines():
            if "finding out what happened" in line:
                owner = line.split()[2].rstrip(":").split("-")[0]
                assert ended > exited.get(owner, 0), (owner, line)

    outcomes: list[dict[str, Any]] = []
    not_sent: list[tuple[str, str]] = []  # (disk, name) of runs refused before sending
    for result in results:
        no_traceback(result)
        mine = outcomes_of(result)
        assert result.returncode == expected_exit(mine), str(result)
        disks = [result.args[i + 1] for i, word in enumerate(result.args) if word == "--volume"]
        if len(mine) == 1 and mine[0].get("sent") is False:
            # The pre-flight checks could not be made (the faults outlasted the retries):
            # the whole run is refused, nothing sent, and it says so once.
            assert mine[0]["phase"] == "refused", str(result)
            assert "nothing was sent" in str(mine[0].get("message")), str(result)
            name = result.args[result.args.index("--name") + 1]
            not_sent += [(disk, name) for disk in disks]
            continue
        assert len(mine) == len(disks), str(result)  # one outcome for each disk asked for
        outcomes += mine
    assert len(outcomes) + len(not_sent) == total
    assert len({(o["volume_id"], o["backup_name"]) for o in outcomes}) == len(outcomes)

    state = sim.state()
    assert state["duplicates"] == [], state["duplicates"]
    assert all(created_count(state, *key) == 0 for key in not_sent), not_sent

    phases = Counter(o["phase"] for o in outcomes)
    assert set(phases) <= ENDINGS, phases
    with sim.api() as api:
        existing: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for backup in api.backups():
            existing.setdefault((backup["volume_id"], backup["name"]), []).append(backup)
    unknown_but_created = 0
    for o in outcomes:
        key = (o["volume_id"], o["backup_name"])
        made = created_count(state, *key)
        there = [(b["id"], b["status"]) for b in existing.get(key, [])]
        if o["phase"] == "success":
            assert made == 1 and there == [(o["backup_id"], "available")], (o, there)
            assert o["job_id"] or o["recovered_after_network_error"], o
        elif o["phase"] == "failed":
            assert made == 1, (o, there)
            assert o["error_code"] or (o["recovered_after_network_error"] and o["message"]), o
            if o["backup_id"]:
                assert there == [(o["backup_id"], "error")], (o, there)
        elif o["phase"] == "refused":
            assert made == 0 and there == [], (o, there)
            assert o["message"], o
        else:
            assert "outcome unknown" in (o["message"] or ""), o
            assert made <= 1
            unknown_but_created += made
    # Every backup the simulator created in this run is one the CLI told about.
    reported = {(o["volume_id"], o["backup_name"]): o["phase"] for o in outcomes}
    for entry in state["created_backups"]:
        key = (entry["volume_id"], entry["name"])
        assert reported.get(key) in ("success", "failed", "unknown"), (entry, reported.get(key))

    # The journal agrees with what was printed; only unknown outcomes stay unfinished,
    # unless the meddling process, looking once their run had ended, settled one since.
    journal = {r["local_id"]: r for r in client.journal()}
    assert set(journal) == {o["local_id"] for o in outcomes}
    for o in outcomes:
        if o["phase"] == "unknown":
            settled_only_by_its_backup(o, journal[o["local_id"]], state, existing)
        else:
            assert journal[o["local_id"]]["phase"] == o["phase"], journal[o["local_id"]]

    # Looking again at the unknown ones (`vbstui jobs --wait`) never sends anything.
    again = client.run("jobs", "--wait", "--json", "--timeout", "120")
    no_traceback(again)
    assert 0 < len(again.json()["jobs"]) <= len(outcomes)  # `jobs` lists the newest records
    rechecked = {r["local_id"]: r for r in client.journal()}
    after = sim.state()
    assert after["create_backup_posts"] == state["create_backup_posts"]
    assert after["created_backups"] == state["created_backups"]
    assert after["duplicates"] == []
    for o in outcomes:
        if o["phase"] == "unknown":
            settled_only_by_its_backup(o, rechecked[o["local_id"]], state, existing)

    wall = time.monotonic() - started
    print(
        f"\nsoak: {total} submissions in {len(results)} CLI runs, wall {wall:.0f} s; "
        f"create POSTs seen by the sim {state['create_backup_posts']}, backups created "
        f"{sum(e['count'] for e in state['created_backups'])}, duplicates "
        f"{len(state['duplicates'])}; outcomes: {phases.get('success', 0)} success, "
        f"{phases.get('failed', 0)} failed, {phases.get('refused', 0)} refused, "
        f"{phases.get('unknown', 0)} unknown ({unknown_but_created} of them created); "
        f"recovered after a network error "
        f"{sum(o['recovered_after_network_error'] for o in outcomes)}; "
        f"requests {state['requests_total']}, token requests {state['token_requests']}, "
        f"faults injected {state['faults_injected']}, "
        f"max concurrent creates {state['max_in_flight_create_backup']}; "
        f"`vbstui jobs` runs alongside {len(meddling)}"
    )
    for o in outcomes:
        if o["phase"] in ("refused", "failed") and not o["error_code"]:
            print(f"  {o['phase']} without a code: {o['backup_name']}: {o['message']}")
        elif o["phase"] == "refused":
            print(f"  refused: {o['backup_name']}: {o['error_code']}: {o['message']}")
    assert wall < 240
