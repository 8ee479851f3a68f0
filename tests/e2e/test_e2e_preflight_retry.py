"""Issue 13 items 2 and 10 end to end: `backup create` says before sending what the
service would refuse (exit 2, nothing sent; `--force` sends anyway), and `jobs retry`
sends again only the backups of a run that failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2ekit import FAST_POLL_TOML, Cli, Pool, SimProcess, assert_no_traceback, cli_for, delta

LIMIT_MEANING = "The disk already has 20 backups"
LISTING_ROUTE = "GET /v2/{project_id}/backups/detail"


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "1", "--services", "vbs", name="preflight")


@pytest.fixture(scope="module")
def pool(sim: SimProcess) -> Pool:
    return Pool(sim)


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim)


def disk_at_limit(sim: SimProcess) -> dict[str, Any]:
    return next(n for n in sim.state()["near_limit"] if n["backups"] >= 20)


def test_a_disk_at_the_limit_exits_2_with_nothing_sent(cli: Cli, sim: SimProcess) -> None:
    disk = disk_at_limit(sim)
    before = sim.state()
    result = cli.run("backup", "create", "--volume", disk["volume_id"], "--name", "full-1")
    assert result.rc == 2, result
    assert_no_traceback(result)
    after = sim.state()
    assert after["create_backup_posts"] == before["create_backup_posts"]
    assert "VolumeBackup.0040" in result.err and "nothing was sent" in result.err
    assert result.err.count(LIMIT_MEANING) == 1, result  # the meaning, once
    assert f"vbstui backups --volume {disk['volume_id']}" in result.err  # where to look
    assert "--force" in result.err


def test_force_sends_anyway_and_the_refusal_is_explained_once(cli: Cli,
                                                              sim: SimProcess) -> None:
    disk = disk_at_limit(sim)
    before = sim.state()
    result = cli.run("backup", "create", "--volume", disk["volume_id"], "--name", "full-2",
                     "--force")
    assert result.rc == 1, result  # the service refused it, as the pre-flight said
    after = sim.state()
    assert after["create_backup_posts"] - before["create_backup_posts"] == 1
    assert result.err.count(LIMIT_MEANING) == 1, result
    assert result.err.count("Delete old backups of this disk") == 1, result


def test_a_bulk_run_names_each_disk_it_would_skip_and_sends_none(
        cli: Cli, sim: SimProcess, pool: Pool) -> None:
    fresh = pool.disks(2)
    limit = disk_at_limit(sim)
    before = sim.state()
    args = ["backup", "create", "--name", "mixed", "--json"]
    for volume_id in (fresh[0]["id"], limit["volume_id"], fresh[1]["id"]):
        args += ["--volume", volume_id]
    result = cli.run(*args)
    assert result.rc == 2, result
    refusal = result.json()
    assert refusal["sent"] is False
    assert [r["volume_id"] for r in refusal["refusals"]] == [limit["volume_id"]]
    assert refusal["refusals"][0]["code"] == "VolumeBackup.0040"
    after = sim.state()
    assert after["create_backup_posts"] == before["create_backup_posts"]
    # The three disks' backups were listed once for the run, not once per disk.
    assert delta(before["requests"], after["requests"], LISTING_ROUTE) <= 1


def test_a_bulk_run_lists_the_backups_once_and_adopts_nothing_old(
        cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disks = pool.disks(4)
    before = sim.state()
    args = ["backup", "create", "--name", "once", "--wait", "--json"]
    for disk in disks:
        args += ["--volume", disk["id"]]
    result = cli.run(*args)
    assert result.rc == 0, result
    after = sim.state()
    # Listed once for the run, not once per disk; the one more is the follow's look at
    # the backups in progress, shared by the four jobs (their 1 s jobs end before it).
    assert delta(before["requests"], after["requests"], LISTING_ROUTE) <= 2
    assert after["create_backup_posts"] - before["create_backup_posts"] == 4
    assert after["duplicates"] == []


# -- jobs retry ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flaky(module_sims: Any) -> SimProcess:
    """Half of all create jobs end in FAIL (seeded, so some fail and some succeed)."""
    return module_sims("--job-seconds", "1", "--faults", "job_fail=0.5,seed=3",
                       "--services", "vbs", name="flaky")


def created(sim: SimProcess) -> dict[tuple[str, str], int]:
    return {(c["volume_id"], c["name"]): c["count"] for c in sim.state()["created_backups"]}


def test_retry_sends_again_only_the_failed_backups(tmp_path: Path, flaky: SimProcess) -> None:
    cli = cli_for(tmp_path / "cli", flaky, extra=FAST_POLL_TOML)
    disks = Pool(flaky).disks(6)
    args = ["backup", "create", "--name", "nightly", "--wait", "--json"]
    for disk in disks:
        args += ["--volume", disk["id"]]
    first = cli.run(*args)
    assert first.rc == 1, first
    jobs = first.json()["jobs"]
    failed = {(j["volume_id"], j["backup_name"]) for j in jobs if j["phase"] == "failed"}
    succeeded = {(j["volume_id"], j["backup_name"]) for j in jobs if j["phase"] == "success"}
    assert failed and succeeded, first  # the seed makes both happen

    not_confirmed = cli.run("jobs", "retry")  # no terminal, no --yes: nothing is sent
    assert not_confirmed.rc == 2, not_confirmed
    assert created(flaky) == {key: 1 for key in failed | succeeded}

    retry = cli.run("jobs", "retry", "--yes", "--wait", "--json")
    assert retry.rc in (0, 1), retry
    assert_no_traceback(retry)
    retried = {(j["volume_id"], j["backup_name"]) for j in retry.json()["jobs"]}
    assert retried == failed  # same disks, same names, none of the others
    counts = created(flaky)
    assert {key: counts[key] for key in failed} == {key: 2 for key in failed}
    assert {key: counts[key] for key in succeeded} == {key: 1 for key in succeeded}

    # The first run's disks that failed again are retried from that run too; the ones its
    # retry backed up are left alone (superseded by a later success).
    again = {(j["volume_id"], j["backup_name"]) for j in retry.json()["jobs"]
             if j["phase"] == "failed"}
    run_id = first_run_id(cli)
    second = cli.run("jobs", "retry", "--run", run_id, "--yes", "--json")
    assert_no_traceback(second)
    assert {(j["volume_id"], j["backup_name"]) for j in second.json()["jobs"]} == again


def first_run_id(cli: Cli) -> str:
    history = cli.run("jobs", "--json").json()["jobs"]
    return str(min(history, key=lambda r: r["submitted_at"])["run_id"])
