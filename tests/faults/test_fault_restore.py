"""Restore under faults: "the same care" as create — resend only what never arrived,
otherwise find out what the server did (backup 'restoring' / disk 'restoring-backup').

Also: a create whose disk already has a backup of the same name must never adopt that
older namesake after a lost answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from faultkit import (
    FAST_RECONCILE,
    Client,
    Result,
    Sim,
    created_count,
    find_seed,
    no_traceback,
)

ON_RESTORE = "paths=restore,methods=POST"
RESTORE_ROUTE = "POST /v2/{project_id}/cloudbackups/{backup_id}/restore"

Sims = Callable[..., Sim]
Clients = Callable[..., Client]


def restorable(sim: Sim) -> tuple[dict[str, Any], dict[str, Any]]:
    """An available backup whose own disk is detached, idle and large enough."""
    near = {e["volume_id"] for e in sim.state()["near_limit"]}
    with sim.api() as api:
        volumes = {v["id"]: v for v in api.volumes(status="available")}
        for backup in api.backups(status="available"):
            volume = volumes.get(backup["volume_id"])
            if volume and volume["id"] not in near and volume["size"] >= backup["size"]:
                return backup, volume
    raise AssertionError("no restorable backup")


def restore(client: Client, backup: dict[str, Any], volume: dict[str, Any]) -> Result:
    return client.run("backup", "restore", backup["id"], "--volume", volume["id"], "--yes",
                      "--wait", "--json")


def restore_posts(sim: Sim) -> int:
    return int(sim.state()["requests"].get(RESTORE_ROUTE, 0))


def disk_status(sim: Sim, volume_id: str) -> str:
    with sim.api() as api:
        response = api.get(f"/v2/{api.pid}/cloudvolumes/{volume_id}")
        return str(response.json()["volume"]["status"])


def test_fault_restore_lost_answer_is_adopted(sims: Sims, clients: Clients) -> None:
    sim = sims(faults=f"drop=1.0,{ON_RESTORE}")
    backup, volume = restorable(sim)
    result = restore(clients(sim, jobs=FAST_RECONCILE), backup, volume)
    no_traceback(result)
    assert result.returncode == 0, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["recovered_after_network_error"] is True
    assert restore_posts(sim) == 1
    assert disk_status(sim, volume["id"]) == "available"


def test_fault_restore_rejected_once_is_resent(sims: Sims, clients: Clients) -> None:
    seed = find_seed({"503": 0.5}, ["503", None])
    sim = sims(faults=f"503=0.5,seed={seed},{ON_RESTORE}")
    backup, volume = restorable(sim)
    result = restore(clients(sim), backup, volume)
    no_traceback(result)
    assert result.returncode == 0, str(result)
    outcome = result.json()
    assert outcome["phase"] == "success" and outcome["job_id"]
    assert restore_posts(sim) == 2
    assert sim.state()["faults_injected"] == {"503": 1}


def test_fault_restore_500_ends_unknown(sims: Sims, clients: Clients) -> None:
    sim = sims(faults=f"500=1.0,{ON_RESTORE}")
    backup, volume = restorable(sim)
    client = clients(sim, jobs={"reconcile_seconds": 3, "reconcile_quiet_seconds": 2})
    result = restore(client, backup, volume)
    no_traceback(result)
    assert result.returncode == 4, str(result)
    assert result.json()["phase"] == "unknown"
    assert restore_posts(sim) == 1
    assert disk_status(sim, volume["id"]) == "available"


def test_fault_restore_adopted_then_fails(sims: Sims, clients: Clients) -> None:
    sim = sims(faults=f"drop=1.0,job_fail=1.0,{ON_RESTORE}")
    backup, volume = restorable(sim)
    result = restore(clients(sim, jobs=FAST_RECONCILE), backup, volume)
    no_traceback(result)
    assert restore_posts(sim) == 1
    assert disk_status(sim, volume["id"]) == "error_restoring"
    assert result.json()["phase"] == "failed", str(result)
    assert result.returncode == 1, str(result)


@pytest.mark.parametrize(("fault", "ends"), [("drop", "success"), ("500", "unknown")])
def test_fault_namesake_is_never_adopted(sims: Sims, clients: Clients, fault: str,
                                         ends: str) -> None:
    """The disk already has a backup with the same name.  After a lost answer the client
    must adopt only a *new* backup (drop: the new one) and never the old namesake (500:
    nothing new exists, so the outcome is unknown, not success)."""
    sim = sims(faults=f"{fault}=0.5,seed={find_seed({fault: 0.5}, [None, fault])},"
               "paths=cloudbackups,methods=POST")
    near = [e["volume_id"] for e in sim.state()["near_limit"]]
    with sim.api() as api:
        [volume] = api.pick_volumes(1, near_limit=near)
    client = clients(sim, jobs={"reconcile_seconds": 30, "reconcile_quiet_seconds": 2})
    first = client.run("backup", "create", "--volume", volume, "--name", "nightly", "--wait",
                       "--json")
    assert first.returncode == 0, str(first)
    old = first.json()["backup_id"]
    second = client.run("backup", "create", "--volume", volume, "--name", "nightly", "--wait",
                        "--json")
    no_traceback(second)
    outcome = second.json()
    assert outcome["phase"] == ends, str(second)
    assert outcome["backup_id"] != old
    state = sim.state()
    assert state["create_backup_posts"] == 2
    with sim.api() as api:
        backups = {b["id"]: b["status"] for b in api.backups_of(volume, "nightly")}
    if fault == "drop":
        assert second.returncode == 0
        assert created_count(state, volume, "nightly") == 2
        assert backups == {old: "available", outcome["backup_id"]: "available"}
    else:
        assert second.returncode == 4
        assert created_count(state, volume, "nightly") == 1
        assert backups == {old: "available"}
