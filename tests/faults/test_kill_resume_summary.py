"""SIGKILL the CLI mid-bulk: the jobs journal their run, so `vbstui jobs --wait` ends the
resumed bulk with its summary line, as the killed command would have (issue 13 item 10).
The kill moment is chosen by watching the journal, never by a fixed sleep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faultkit import FAST_POLL, Client, Sim, no_traceback, wait_until

Sims = Callable[..., Sim]
Clients = Callable[..., Client]
DISKS = 4


def test_a_bulk_killed_mid_run_is_summed_up_when_resumed(sims: Sims, clients: Clients) -> None:
    sim = sims(job_seconds=3)  # the kill comes within ~0.1 s of the last submit
    near = [e["volume_id"] for e in sim.state()["near_limit"]]
    with sim.api() as api:
        volumes = api.pick_volumes(DISKS, near_limit=near)
    client = clients(sim, jobs=FAST_POLL)  # the resumed run sees the jobs end within 0.5 s
    args = ["backup", "create", "--name", "cut", "--wait", "--concurrency", "4"]
    for volume in volumes:
        args += ["--volume", volume]
    proc = client.spawn(*args, tag="create")

    def all_running() -> list[dict[str, Any]] | None:
        records = client.journal()
        if len(records) == DISKS and all(r["job_id"] and r["phase"] == "running"
                                          for r in records):
            return records
        assert proc.proc.poll() is None, f"the CLI ended before the kill: {proc.result()}"
        return None

    records = wait_until(all_running, timeout=30, what="all jobs running")
    assert len({r["run_id"] for r in records}) == 1 and records[0]["run_id"]
    proc.kill()

    resumed = client.run("jobs", "--wait", "--timeout", "120")
    no_traceback(resumed)
    assert resumed.returncode == 0, str(resumed)
    assert f"bulk backup done: {DISKS} of {DISKS} succeeded" in resumed.stderr, str(resumed)
    assert resumed.stderr.count("bulk backup done") == 1
    assert sim.state()["create_backup_posts"] == DISKS
