"""CBR under faults, through the real CLI against a `vbstui sim --services cbr` subprocess.

Soak: 200 CBR creates in four bulk runs of 50 disks (two at a time, `--concurrency 8`),
each run's disks spread over ten vaults (one checkpoint per vault: 40 in all), while
checkpoint POSTs are answered after 0-1.6 s against a read timeout of 1 s, lose their
answer after the service acted (15 %), or are answered 500/502/504 (5 % each).
Asserted from the simulator's own records: no (vault, disk, name) was created twice,
and every outcome the CLI printed agrees with what exists, with an honest exit code.

Kill: a CBR bulk run is killed with SIGKILL while it follows its jobs, or while its
checkpoints are on their way; `vbstui jobs --wait` in a new process finishes them, and
each disk was backed up at most once (exactly once when killed while following).
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from faultkit import (
    FAST_POLL,
    FAST_RECONCILE,
    Client,
    Sim,
    SimApi,
    no_traceback,
    wait_until,
)

CHECKPOINT_FAULTS = ("latency=0-1.6,drop=0.15,500=0.05,502=0.05,504=0.05,methods=POST,"
                     "paths=checkpoints,seed=4")
CHECKPOINTS = "POST /cbr/v3/{project_id}/checkpoints"
RUNS, RUN_SIZE, VAULTS = 4, 50, 20  # a run's 50 disks span 10 vaults: 10 checkpoints
ENDINGS = {"success", "failed", "refused", "unknown"}


def _vault_disks(api: SimApi, vaults: int, per_vault: int) -> list[str]:
    """Idle disks in `vaults` new roomy vaults, `per_vault` each, in vault order (set-up
    through the simulated API, not under test)."""
    base = f"/cbr/v3/{api.pid}"
    held = {r["id"] for v in api.get(f"{base}/vaults", {"limit": 1000}).json()["vaults"]
            for r in v["resources"]}
    spare = [v["id"] for v in api.volumes()
             if v["id"] not in held and v["status"] in ("available", "in-use")]
    assert len(spare) >= vaults * per_vault, f"only {len(spare)} idle disks in no vault"
    chosen: list[str] = []
    for index in range(vaults):
        disks = spare[index * per_vault:(index + 1) * per_vault]
        body = {"vault": {"name": f"soak-{index}", "resources": [
            {"id": d, "type": "OS::Cinder::Volume"} for d in disks], "billing": {
            "consistent_level": "crash_consistent", "object_type": "disk",
            "protect_type": "backup", "size": 10_000_000, "charging_mode": "post_paid"}}}
        response = api.client.post(f"{base}/vaults", json=body)
        assert response.status_code == 200, response.text
        chosen += disks
    return chosen


def _outcomes(result: Any) -> list[dict[str, Any]]:
    data = result.json()
    return list(data["jobs"]) if "jobs" in data else [data]


def _bulk(client: Client, name: str, disks: list[str]) -> Any:
    args = ["backup", "create", "--name", name, "--concurrency", "8", "--wait", "--json"]
    for disk in disks:
        args += ["--volume", disk]
    return client.spawn(*args, tag=name)


@pytest.mark.slow
def test_soak_cbr_creates_with_lost_checkpoint_answers_make_no_duplicates(
        sims: Callable[..., Sim], clients: Callable[..., Client]) -> None:
    started = time.monotonic()
    sim = sims(volumes=300, job_seconds=1, seed=5, faults=CHECKPOINT_FAULTS,
               extra=("--services", "cbr"))
    with sim.api() as api:
        disks = _vault_disks(api, VAULTS, 2 * RUN_SIZE // VAULTS)
    # Answers later than 1 s are read timeouts: the request was processed all the same.
    client = clients(sim, jobs=FAST_RECONCILE, timeouts={"mutate_read": 1})
    halves = [disks[:RUN_SIZE], disks[RUN_SIZE:]]
    outcomes: list[dict[str, Any]] = []
    for wave in range(RUNS // 2):
        procs = [_bulk(client, f"cbrsoak{2 * wave + i + 1}", halves[i]) for i in range(2)]
        for proc in procs:
            result = proc.wait(timeout=180)
            no_traceback(result)
            mine = _outcomes(result)
            phases = {o["phase"] for o in mine}
            expected = 1 if phases & {"failed", "refused"} else 4 if "unknown" in phases else 0
            assert result.returncode == expected, str(result)
            outcomes += mine
    assert len(outcomes) == RUNS * RUN_SIZE
    assert all(o["service"] == "cbr" for o in outcomes)
    state = sim.state()["cbr"]
    assert state["duplicates"] == [], state["duplicates"]
    made = {(e["volume_id"], e["name"]): e["count"] for e in state["created_backups"]}
    phases = Counter(o["phase"] for o in outcomes)
    assert set(phases) <= ENDINGS, phases
    for o in outcomes:
        count = made.get((o["volume_id"], o["backup_name"]), 0)
        if o["phase"] in ("success", "failed"):
            assert count == 1, o
        elif o["phase"] == "refused":
            assert count == 0 and o["message"], o
        else:
            assert count <= 1 and "outcome unknown" in (o["message"] or ""), o
    assert phases["success"] >= RUNS * RUN_SIZE * 0.8, phases
    assert any(o["recovered_after_network_error"] for o in outcomes)
    # One checkpoint per vault and run, none sent again after an answer was lost.
    assert sim.state()["requests"][CHECKPOINTS] == RUNS * VAULTS // 2
    faults = sim.state()["faults_injected"]
    print(f"\ncbr soak: {len(outcomes)} creates in {RUNS} CLI runs, wall "
          f"{time.monotonic() - started:.0f} s; checkpoint faults {dict(faults)}; "
          f"duplicates {len(state['duplicates'])}; outcomes {dict(phases)}; recovered "
          f"after a lost answer {sum(o['recovered_after_network_error'] for o in outcomes)}")


@pytest.mark.parametrize(("faults", "killed_when"), [
    ("", "running"), ("latency=1.5-1.5,methods=POST,paths=checkpoints", "submitting")],
    ids=["while-following", "while-sending"])
def test_a_killed_cbr_bulk_run_is_resumed_and_each_disk_is_backed_up_at_most_once(
        sims: Callable[..., Sim], clients: Callable[..., Client], faults: str,
        killed_when: str) -> None:
    sim = sims(volumes=120, job_seconds=3, seed=6, faults=faults,
               extra=("--services", "cbr"))
    with sim.api() as api:
        disks = _vault_disks(api, 3, 4)
    client = clients(sim, jobs={**FAST_RECONCILE, **FAST_POLL})
    proc = _bulk(client, "killed", disks)
    # Killed once every job is journaled (as sent, or as being sent) and none has ended.
    wait_until(lambda: len([r for r in client.journal() if r["phase"] == killed_when])
               == len(disks), timeout=60)
    proc.proc.send_signal(signal.SIGKILL)
    proc.proc.wait(10)
    resumed = client.run("jobs", "--wait", "--json", "--timeout", "120")
    no_traceback(resumed)
    journal = {r["volume_id"]: r for r in client.journal() if r["backup_name"]}
    phases = {journal[d]["phase"] for d in disks}
    state = sim.state()["cbr"]
    assert state["duplicates"] == []
    made = Counter(e["volume_id"] for e in state["created_backups"] for _ in range(e["count"]))
    if killed_when == "running":
        assert resumed.returncode == 0, str(resumed)
        assert phases == {"success"}
        assert all(made[d] == 1 for d in disks), made
    else:
        # The requests reached the service before the kill: the resumed run finds each
        # backup by vault, disk and name; one it cannot find is unknown, never resent.
        assert phases <= {"success", "unknown"}, phases
        for disk in disks:
            assert made[disk] == (1 if journal[disk]["phase"] == "success" else made[disk])
            assert made[disk] <= 1
        assert sim.state()["requests"].get(CHECKPOINTS, 0) <= 3  # none sent again
        assert resumed.returncode == (0 if phases == {"success"} else 4), str(resumed)
