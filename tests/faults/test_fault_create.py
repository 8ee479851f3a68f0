"""One backup create through the headless CLI per fault type, against `vbstui sim`.

Each test forces one fault on `POST .../cloudbackups` (scoped with
`paths=cloudbackups,methods=POST`) and asserts the exact number of create POSTs the
simulator received, the number of backups that exist for (disk, name) afterwards, the
exit code and the CLI's JSON outcome.

In the simulator 429/500/503 are answered *before* the request is processed and
502/504/drop *after* it (the backup exists, the answer is lost).  The client may
resend only what provably never arrived (429, 503, connect refused) and must look for
the backup instead of resending after 500/502/504/drop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from faultkit import (
    CREATE_FAILURE_CODES,
    FAST_POLL,
    FAST_RECONCILE,
    Client,
    Result,
    Sim,
    closed_port,
    created_count,
    find_seed,
    no_traceback,
    route_count,
)

from vbstui.cloud.error_codes import explain

ON_CREATE = "paths=cloudbackups,methods=POST"
EXIT_OK, EXIT_FAILED, EXIT_UNKNOWN = 0, 1, 4
SUBMIT_ATTEMPTS = 4  # JobTracker's default number of sends for a never-processed create


def one_volume(sim: Sim) -> str:
    state = sim.state()
    with sim.api() as api:
        return api.pick_volumes(1, near_limit=[e["volume_id"] for e in state["near_limit"]])[0]


def create(client: Client, volume: str, name: str, *extra: str) -> Result:
    return client.run("backup", "create", "--volume", volume, "--name", name, "--wait",
                      "--json", *extra)


def backups_for(sim: Sim, volume: str, name: str) -> list[dict[str, Any]]:
    with sim.api() as api:
        return api.backups_of(volume, name)


Sims = Callable[..., Sim]
Clients = Callable[..., Client]


# -- the request never reaches the service -------------------------------------------


def test_fault_connect_refused_iam(clients: Clients) -> None:
    """IAM at a port where nothing listens: a clean failure, nothing journaled."""
    client = clients(f"http://127.0.0.1:{closed_port()}/v3")
    result = create(client, "0b2a4c4e-0000-4000-8000-000000000001", "refused-iam")
    no_traceback(result)
    assert result.returncode == EXIT_FAILED, str(result)
    assert "could not connect" in result.stderr, str(result)
    assert result.stdout == "", str(result)
    assert client.journal() == [], "nothing was submitted, so nothing may be journaled"
    assert result.seconds < 30, str(result)


def test_fault_connect_refused_vbs(sims: Sims, clients: Clients) -> None:
    """IAM answers, the VBS endpoint refuses connections: refused, nothing sent, no POST."""
    sim = sims()
    volume = one_volume(sim)
    client = clients(sim, endpoints={"vbs": f"http://127.0.0.1:{closed_port()}"})
    result = create(client, volume, "refused-vbs")
    no_traceback(result)
    assert result.returncode == EXIT_FAILED, str(result)
    outcome = result.json()
    assert outcome["phase"] == "refused"
    assert "could not connect" in outcome["message"]
    assert "nothing was sent" in outcome["message"]
    state = sim.state()
    assert state["create_backup_posts"] == 0
    assert created_count(state, volume, "refused-vbs") == 0
    # Refused by the pre-flight checks, before any job existed: nothing to journal.
    assert client.journal() == []
    assert result.seconds < 60, str(result)


@pytest.mark.parametrize(("status", "extra"), [("429", ",retry_after=3"), ("503", "")])
def test_fault_rejected_before_processing_is_resent(sims: Sims, clients: Clients, status: str,
                                                    extra: str) -> None:
    """429/503 on the first create, success on the second: resent once, one backup."""
    seed = find_seed({status: 0.5}, [status, None])
    sim = sims(faults=f"{status}=0.5,seed={seed},{ON_CREATE}{extra}")
    volume = one_volume(sim)
    result = create(clients(sim), volume, f"resent-{status}")
    no_traceback(result)
    assert result.returncode == EXIT_OK, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["job_id"]
    assert outcome["recovered_after_network_error"] is False
    state = sim.state()
    assert state["faults_injected"] == {status: 1}
    assert state["create_backup_posts"] == 2
    assert created_count(state, volume, f"resent-{status}") == 1
    backups = backups_for(sim, volume, f"resent-{status}")
    assert [(b["id"], b["status"]) for b in backups] == [(outcome["backup_id"], "available")]
    assert "never reached the service, sending again" in result.stderr
    if status == "429":
        # Retry-After: 3 is honoured (the client's own jitter is at most 2 s here).
        assert "sending again in 3.0 s" in result.stderr, str(result)
        assert result.seconds >= 3.0


@pytest.mark.parametrize(("status", "code"), [("429", "APIGW.0308"),
                                              ("503", "VolumeBackup.0900")])
def test_fault_rejected_every_time_gives_up(sims: Sims, clients: Clients, status: str,
                                            code: str) -> None:
    """Always 429/503: a bounded number of sends, then a refusal with the service's code."""
    sim = sims(faults=f"{status}=1.0,retry_after=0,{ON_CREATE}")
    volume = one_volume(sim)
    result = create(clients(sim), volume, f"never-{status}")
    no_traceback(result)
    assert result.returncode == EXIT_FAILED, str(result)
    outcome = result.json()
    assert outcome["phase"] == "refused"
    assert outcome["error_code"] == code
    state = sim.state()
    assert state["create_backup_posts"] == SUBMIT_ATTEMPTS
    assert state["faults_injected"] == {status: SUBMIT_ATTEMPTS}
    assert created_count(state, volume, f"never-{status}") == 0
    assert backups_for(sim, volume, f"never-{status}") == []


# -- the service may have acted: look, never resend blindly ------------------------------


def test_fault_500_is_not_resent_and_ends_unknown(sims: Sims, clients: Clients) -> None:
    """500 is ambiguous for the client: one POST, no resend; the simulator answered before
    processing, so no backup appears and the outcome is reported as unknown (exit 4)."""
    sim = sims(faults=f"500=1.0,{ON_CREATE}")
    volume = one_volume(sim)
    client = clients(sim, jobs=FAST_RECONCILE)
    result = create(client, volume, "ambiguous-500")
    no_traceback(result)
    assert result.returncode == EXIT_UNKNOWN, str(result)
    outcome = result.json()
    assert outcome["phase"] == "unknown"
    assert "outcome unknown" in outcome["message"]
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert state["faults_injected"] == {"500": 1}
    assert created_count(state, volume, "ambiguous-500") == 0
    assert backups_for(sim, volume, "ambiguous-500") == []
    # It stays in the journal, unfinished, so `vbstui jobs` looks again later.
    assert [r["phase"] for r in client.journal()] == ["unknown"]


@pytest.mark.parametrize("fault", ["502", "504", "drop"])
def test_fault_lost_answer_is_adopted(sims: Sims, clients: Clients, fault: str) -> None:
    """502/504 HTML or a dropped connection after processing: not resent; the backup is
    found by disk and name and adopted ("recovered after a network error")."""
    sim = sims(faults=f"{fault}=1.0,{ON_CREATE}")
    volume = one_volume(sim)
    client = clients(sim, jobs=FAST_RECONCILE)
    result = create(client, volume, f"lost-{fault}")
    no_traceback(result)
    assert result.returncode == EXIT_OK, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["status"] == "SUCCESS"
    assert outcome["recovered_after_network_error"] is True
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert state["faults_injected"] == {fault: 1}
    assert created_count(state, volume, f"lost-{fault}") == 1
    assert state["duplicates"] == []
    backups = backups_for(sim, volume, f"lost-{fault}")
    assert [(b["id"], b["status"]) for b in backups] == [(outcome["backup_id"], "available")]
    assert "recovered after a network error" in result.stderr
    if fault != "drop":
        # The gateway's page is described, not dumped.
        assert "gateway answered with an HTML page (" in result.stderr
        assert "<html>" not in result.stderr
    [record] = client.journal()
    assert record["phase"] == "success"
    assert record["recovered"] is True


# -- slow answers ------------------------------------------------------------------------


def test_fault_latency_longer_than_httpx_default(sims: Sims, clients: Clients) -> None:
    """A create answered after 6 s (httpx's default timeout is 5 s) simply succeeds."""
    sim = sims(faults=f"latency=6,{ON_CREATE}")
    volume = one_volume(sim)
    result = create(clients(sim), volume, "slow-answer")
    no_traceback(result)
    assert result.returncode == EXIT_OK, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["job_id"]
    assert outcome["recovered_after_network_error"] is False
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "slow-answer") == 1
    assert len(backups_for(sim, volume, "slow-answer")) == 1
    assert result.seconds >= 6


def test_fault_read_timeout_is_reconciled(sims: Sims, clients: Clients) -> None:
    """The create's read timeout (1 s) expires while the server still works on it (3 s):
    ambiguous, so the client looks instead of resending, and adopts the backup."""
    sim = sims(faults=f"latency=3,{ON_CREATE}")
    volume = one_volume(sim)
    client = clients(sim, timeouts={"mutate_read": 1}, jobs=FAST_RECONCILE)
    result = create(client, volume, "timed-out")
    no_traceback(result)
    assert result.returncode == EXIT_OK, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["recovered_after_network_error"] is True
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "timed-out") == 1
    assert [b["id"] for b in backups_for(sim, volume, "timed-out")] == [outcome["backup_id"]]


# -- tokens and failing jobs -------------------------------------------------------------


def test_fault_token_expiry_mid_job(sims: Sims, clients: Clients) -> None:
    """Tokens are revoked 2 s after issue while the job runs 5 s: the client
    re-authenticates and follows the job to SUCCESS; one POST, one backup."""
    sim = sims(job_seconds=5, faults="token_expiry=2")
    volume = one_volume(sim)
    before = sim.state()["token_requests"]
    result = create(clients(sim, jobs=FAST_POLL), volume, "reauth")
    no_traceback(result)
    assert result.returncode == EXIT_OK, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["status"] == "SUCCESS"
    assert outcome["job_id"]
    state = sim.state()
    client_tokens = state["token_requests"] - before
    # One token at start, then a fresh one after the 401 of a poll at ~2 s and after that
    # of a poll at ~4 s (or ~5 s): polls come every 0.5 s (FAST_POLL) until the job ends.
    assert client_tokens >= 3, state
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "reauth") == 1
    assert route_count(state, "/jobs/{job_id}") >= 3  # followed through the 401s


def test_fault_job_fails(sims: Sims, clients: Clients) -> None:
    """job_fail=1.0: exit 1, the job's error code and its explanation on stderr and in JSON."""
    sim = sims(faults="job_fail=1.0")
    volume = one_volume(sim)
    result = create(clients(sim), volume, "doomed")
    no_traceback(result)
    assert result.returncode == EXIT_FAILED, str(result)
    outcome = result.json()
    assert outcome["phase"] == "failed"
    assert outcome["status"] == "FAIL"
    code = outcome["error_code"]
    assert code in CREATE_FAILURE_CODES
    info = explain(code)
    assert outcome["error_meaning"] == info.meaning
    assert code in result.stderr
    assert info.meaning in result.stderr
    if info.action:
        assert info.action in result.stderr
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "doomed") == 1
    assert [b["status"] for b in backups_for(sim, volume, "doomed")] == ["error"]


def test_fault_adopted_job_that_fails(sims: Sims, clients: Clients) -> None:
    """The answer is lost (drop) and the job then fails: reported as failed (exit 1),
    with the server's reason, never as success and never resent."""
    sim = sims(faults=f"drop=1.0,job_fail=1.0,{ON_CREATE}")
    volume = one_volume(sim)
    result = create(clients(sim, jobs=FAST_RECONCILE), volume, "lost-and-failed")
    no_traceback(result)
    assert result.returncode == EXIT_FAILED, str(result)
    outcome = result.json()
    assert outcome["phase"] == "failed"
    assert outcome["recovered_after_network_error"] is True
    [backup] = backups_for(sim, volume, "lost-and-failed")
    assert backup["status"] == "error"
    assert outcome["backup_id"] == backup["id"]
    assert backup["fail_reason"] and backup["fail_reason"] in (outcome["message"] or "")
    state = sim.state()
    assert state["create_backup_posts"] == 1
    assert created_count(state, volume, "lost-and-failed") == 1
