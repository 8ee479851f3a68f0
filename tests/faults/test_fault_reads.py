"""Idempotent reads under 5xx, 429 and dropped connections: retried, the list complete.

The fault seed is chosen so that no single page fails more often than the client's
attempt budget allows; the exact number of requests the simulator then sees follows
from the seeded fault sequence (one roll per request in scope), and is asserted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from faultkit import Client, Sim, fault_outcomes, find_seed, no_traceback, route_count

READ_FAULTS = {"429": 0.1, "500": 0.05, "502": 0.05, "503": 0.05, "504": 0.05, "drop": 0.1}
ATTEMPTS = 5  # RetryPolicy.attempts of the cloud layer


def plan(seed: int, pages: int) -> list[str | None] | None:
    """The outcomes of all requests needed for `pages` pages, or None if some page would
    exhaust the attempts (or the mix lacks a 429, a 5xx or a drop)."""
    outcomes = fault_outcomes(seed, READ_FAULTS, pages * ATTEMPTS)
    used: list[str | None] = []
    done = 0
    streak = 0
    for outcome in outcomes:
        used.append(outcome)
        if outcome is None:
            done += 1
            streak = 0
            if done == pages:
                break
        else:
            streak += 1
            if streak == ATTEMPTS:
                return None
    kinds = {o for o in used if o}
    if done < pages or not ({"429", "drop"} <= kinds and kinds & {"500", "502", "503", "504"}):
        return None
    return used


def seed_for(pages: int) -> tuple[int, list[str | None]]:
    for seed in range(1, 10_000):
        used = plan(seed, pages)
        if used is not None:
            return seed, used
    raise AssertionError("no usable seed")


CASES = {
    "volumes": ("cloudvolumes/detail", 2500, 3),  # 2500 disks: 3 pages of 1000
    "backups": ("backups/detail", 120, 1),
}


@pytest.mark.parametrize("command", sorted(CASES))
def test_fault_reads_survive_faults(sims: Callable[..., Sim], clients: Callable[..., Client],
                                    command: str) -> None:
    """`volumes --json` / `backups --json` return the complete list through the faults."""
    path, volumes, pages = CASES[command]
    seed, used = seed_for(pages)
    spec = ",".join(f"{k}={v}" for k, v in READ_FAULTS.items())
    # Seeded `deleting` backups would vanish while a slow run lists them: keep them still.
    sim = sims(volumes=volumes, faults=f"{spec},retry_after=0,seed={seed},paths={path},"
               "methods=GET", extra=("--delete-seconds", "3600"))
    result = clients(sim).run(command, "--json")
    no_traceback(result)
    assert result.returncode == 0, str(result)
    data = result.json()
    state = sim.state()
    expected_faults = Counter(o for o in used if o)
    assert state["faults_injected"] == dict(expected_faults)
    assert route_count(state, path) == len(used)
    listed = [item["id"] for item in data[command]]
    assert len(listed) == len(set(listed)), "an item was listed twice"
    if command == "volumes":
        assert data["count"] == volumes == len(listed)
        # The truth, read through the Cinder-style alias the faults are not scoped to.
        with sim.api() as api:
            truth: list[str] = []
            params: dict[str, object] = {"limit": 1000}
            while True:
                response = api.client.get(f"/v2/{api.pid}/volumes/detail", params=params)
                assert response.status_code == 200, response.text
                page = [v["id"] for v in response.json()["volumes"]]
                truth += page
                if len(page) < 1000:
                    break
                params = {"limit": 1000, "marker": page[-1]}
        assert sorted(listed) == sorted(truth)
    else:
        assert data["count"] == state["backups"] == len(listed)
    assert "retrying in" in result.stderr


@pytest.mark.parametrize("fault", ["429", "503", "drop"])
def test_fault_token_request_fails_once(sims: Callable[..., Sim],
                                        clients: Callable[..., Client], fault: str) -> None:
    """The first token request fails transiently, the second would succeed."""
    seed = find_seed({fault: 0.5}, [fault, None])
    sim = sims(faults=f"{fault}=0.5,retry_after=0,seed={seed},auth=true,paths=auth/tokens")
    result = clients(sim).run("volumes", "--json")
    no_traceback(result)
    state = sim.state()
    assert state["faults_injected"] == {fault: 1}
    assert result.returncode == 0, str(result)
    assert result.json()["count"] == state["volumes"]
    assert state["token_requests"] == 2
