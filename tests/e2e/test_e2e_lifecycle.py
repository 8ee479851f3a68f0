"""Issue 7 headless: quota, restore, delete, bulk create with bounded concurrency, and
--readonly, against `vbstui sim` over a socket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2ekit import (
    CREATE_ROUTE,
    DELETE_ROUTE,
    FAST_POLL_TOML,
    RESTORE_ROUTE,
    UUID_RE,
    VOLUME_ROUTE,
    Cli,
    Pool,
    SimProcess,
    assert_no_traceback,
    cli_for,
    delta,
    wait_until,
)


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "3", "--delete-seconds", "0.5", "--services", "vbs",
                       name="lifecycle")


@pytest.fixture(scope="module")
def pool(sim: SimProcess) -> Pool:
    return Pool(sim)


@pytest.fixture(scope="module")
def slow_sim(module_sims: Any) -> SimProcess:
    """Long jobs (backups stay `creating`/`restoring`) and disk reads answered 1.5 s late
    (time to change the disk under the client's feet after its check)."""
    return module_sims("--job-seconds", "10",
                       "--faults", "latency=1.5,paths=cloudvolumes,methods=GET", name="slow")


@pytest.fixture(scope="module")
def slow_pool(slow_sim: SimProcess) -> Pool:
    return Pool(slow_sim)


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim, extra=FAST_POLL_TOML)


def restore_pair(pool: Pool, *, target_status: str = "available") -> tuple[dict[str, Any],
                                                                           dict[str, Any]]:
    """An available backup and a disk in `target_status` at least as large."""
    backup = pool.backups(min_size=10, max_size=200)[0]
    target = pool.disk(statuses=(target_status,), min_size=backup["size"], fresh=False)
    return backup, target


# -- quota ---------------------------------------------------------------------------------


def test_quota_json_and_table(cli: Cli, sim: SimProcess) -> None:
    def matches_server() -> dict[str, Any] | None:
        result = cli.run("quota", "--json")
        assert result.rc == 0, result
        resources = {r["type"]: r for r in result.json()["quotas"]["resources"]}
        return resources if resources["backups"]["used"] == sim.state()["backups"] else None

    resources = wait_until(matches_server, timeout=10, what="quota used = server's backups")
    assert resources["backups"]["quota"] == 2000
    assert resources["backup_gigabytes"]["quota"] == -1

    table = cli.run("quota")
    assert table.rc == 0, table
    lines = table.out.splitlines()
    assert lines[0].split() == ["RESOURCE", "USED", "RESERVED", "QUOTA", "LEFT"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["backups"][3] == "2000"
    assert int(rows["backups"][4]) == 2000 - int(rows["backups"][1]) - int(rows["backups"][2])
    assert rows["backup_gigabytes"][3] == "unlimited"  # -1 is shown as unlimited


def test_quota_used_up_is_explained(tmp_path: Path, sims: Any) -> None:
    full = sims("--job-seconds", "1", "--volumes", "30", "--backup-quota", "0",
                "--services", "vbs", name="full")
    cli = cli_for(tmp_path / "cli", full)
    quota = {r["type"]: r for r in cli.run("quota", "--json").json()["quotas"]["resources"]}
    assert quota["backups"]["quota"] == 0
    disks = Pool(full).disks(2)
    args = [a for d in disks for a in ("--volume", d["id"])]
    # The pre-flight check sees the quota used up: nothing is sent, exit 2.
    before = full.requests()
    checked = cli.run("backup", "create", *args, "--name", "q", "--wait", "--json")
    assert checked.rc == 2, checked
    assert checked.json()["phase"] == "refused" and checked.json()["sent"] is False
    assert "quota" in checked.err.lower()
    assert delta(before, full.requests(), CREATE_ROUTE) == 0
    # Sent anyway, the service's own refusal is explained per disk.
    result = cli.run("backup", "create", *args, "--name", "q", "--wait", "--json", "--force")
    assert result.rc == 1, result
    summary = result.json()["summary"]
    assert summary["error_codes"] == {"VolumeBackup.0080": 2}
    assert summary["by_phase"] == {"refused": 2}
    assert "VolumeBackup.0080" in result.err
    assert "quota" in result.err.lower()


# -- restore -------------------------------------------------------------------------------


def test_restore_onto_available_disk(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    backup, target = restore_pair(pool)
    before = sim.requests()
    result = cli.run("backup", "restore", backup["id"], "--volume", target["id"], "--yes",
                     "--wait", "--json")
    assert result.rc == 0, result
    outcome = result.json()
    assert outcome["kind"] == "restore"
    assert outcome["phase"] == "success"
    assert outcome["status"] == "SUCCESS"
    assert outcome["backup_id"] == backup["id"]
    assert outcome["volume_id"] == target["id"]
    assert delta(before, sim.requests(), RESTORE_ROUTE) == 1
    assert sim.backup(backup["id"])["status"] == "available"
    assert sim.volume(target["id"])["status"] == "available"


def test_restore_preconditions_refused_before_sending(cli: Cli, sim: SimProcess,
                                                      pool: Pool) -> None:
    backup, in_use = restore_pair(pool, target_status="in-use")
    small = pool.disk(statuses=("available",), max_size=backup["size"] - 1, fresh=False)
    before = sim.requests()

    busy = cli.run("backup", "restore", backup["id"], "--volume", in_use["id"], "--yes")
    assert busy.rc == 1, busy
    assert "'in-use'" in busy.err and "detach" in busy.err
    assert "nothing was sent" in busy.err

    too_small = cli.run("backup", "restore", backup["id"], "--volume", small["id"], "--yes",
                        "--json")
    assert too_small.rc == 1, too_small
    assert "smaller than the backup" in too_small.err
    assert f"({small['size']} GB)" in too_small.err
    assert "nothing was sent" in too_small.err

    missing = cli.run("backup", "restore", "00000000-0000-4000-8000-000000000000",
                      "--volume", small["id"], "--yes")
    assert missing.rc == 1, missing
    assert "does not exist" in missing.err

    for result in (busy, too_small, missing):
        assert_no_traceback(result)
    assert delta(before, sim.requests(), RESTORE_ROUTE) == 0
    assert sim.backup(backup["id"])["status"] == "available"


def test_restore_refused_by_the_server(tmp_path: Path, slow_sim: SimProcess,
                                       slow_pool: Pool) -> None:
    """The disk starts a backup after the client checked it (the check's answer is
    late) and before the restore is sent: the server's refusal (VolumeBackup.0206)
    reaches the user.

    (0209, "disk smaller than the backup", cannot be provoked through the CLI: the
    client compares the sizes first and no disk changes size in the simulator.)"""
    cli = cli_for(tmp_path / "cli", slow_sim)
    backup, target = restore_pair(slow_pool)
    before = slow_sim.requests()
    proc = cli.start("backup", "restore", backup["id"], "--volume", target["id"], "--yes",
                     "--json")
    wait_until(lambda: delta(before, slow_sim.requests(), VOLUME_ROUTE) == 1, timeout=15,
               what="the client's check of the disk reached the server")
    slow_sim.create(target["id"], "sneaks-in")  # the disk is now backing-up
    result = Cli.finish(proc)
    assert result.rc == 1, result
    outcome = result.json()
    assert outcome["phase"] == "refused"
    assert outcome["error_code"] == "VolumeBackup.0206"
    assert outcome["error_meaning"]
    assert "VolumeBackup.0206" in result.err
    assert_no_traceback(result)
    assert delta(before, slow_sim.requests(), RESTORE_ROUTE) == 1  # refused, not resent
    assert slow_sim.backup(backup["id"])["status"] == "available"
    assert slow_sim.volume(target["id"])["status"] == "backing-up"


def test_without_yes_and_no_terminal_nothing_is_sent(cli: Cli, sim: SimProcess,
                                                     pool: Pool) -> None:
    backup, target = restore_pair(pool)
    doomed = pool.backups()[0]
    before = sim.requests()
    for answer in ("", f"{target['name']}\n", "y\n"):
        restore = cli.run("backup", "restore", backup["id"], "--volume", target["id"],
                          input=answer)
        assert restore.rc == 2, restore
        assert "not confirmed" in restore.err and "--yes" in restore.err
        delete = cli.run("backup", "delete", doomed["id"], "--wait", input=answer)
        assert delete.rc == 2, delete
        assert "not confirmed" in delete.err
    after = sim.requests()
    assert delta(before, after, RESTORE_ROUTE) == 0
    assert delta(before, after, DELETE_ROUTE) == 0
    assert sim.backup(doomed["id"])["status"] == "available"
    assert sim.volume(target["id"])["status"] == "available"


# -- delete --------------------------------------------------------------------------------


def test_delete_two_backups(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    first, second = pool.backups(2)
    before = sim.requests()
    result = cli.run("backup", "delete", first["id"], second["id"], "--yes", "--wait",
                     "--json")
    assert result.rc == 0, result
    jobs = {j["backup_id"]: j for j in result.json()["jobs"]}
    assert set(jobs) == {first["id"], second["id"]}
    assert {j["phase"] for j in jobs.values()} == {"success"}
    assert delta(before, sim.requests(), DELETE_ROUTE) == 2
    assert sim.backup_status(first["id"]) == 404
    assert sim.backup_status(second["id"]) == 404
    listed = {b["id"] for b in cli.run("backups", "--json").json()["backups"]}
    assert not listed & {first["id"], second["id"]}

    again = cli.run("backup", "delete", first["id"], "--yes")
    assert again.rc == 1, again
    assert "no such backup" in again.err


def test_deleting_busy_backups_is_refused_client_side(tmp_path: Path, slow_sim: SimProcess,
                                                      slow_pool: Pool) -> None:
    cli = cli_for(tmp_path / "cli", slow_sim)
    disk = slow_pool.disk()
    slow_sim.create(disk["id"], "busy-creating")
    creating = wait_until(
        lambda: slow_sim.backups(volume_id=disk["id"], name="busy-creating"),
        timeout=15, what="the new backup appears")[0]
    assert creating["status"] == "creating"
    source, target = restore_pair(slow_pool)
    slow_sim.restore(source["id"], target["id"])
    assert slow_sim.backup(source["id"])["status"] == "restoring"
    idle = slow_pool.backups()[0]

    before = slow_sim.requests()
    for busy, status in ((creating, "creating"), (source, "restoring")):
        result = cli.run("backup", "delete", busy["id"], "--yes", "--wait")
        assert result.rc == 1, result
        assert f"status '{status}'" in result.err
        assert "only 'available' or 'error'" in result.err
        assert "nothing was sent" in result.err
    mixed = cli.run("backup", "delete", idle["id"], creating["id"], "--yes")
    assert mixed.rc == 1, mixed
    assert "nothing was sent" in mixed.err
    assert delta(before, slow_sim.requests(), DELETE_ROUTE) == 0
    assert slow_sim.backup(idle["id"])["status"] == "available"  # not half-done either


# -- bulk create ---------------------------------------------------------------------------


def test_bulk_create_20_disks_with_concurrency_3(tmp_path: Path, sims: Any) -> None:
    bulk_sim = sims("--job-seconds", "1", "--faults", "latency=0.2,methods=POST",
                    "--services", "vbs", name="bulk")
    disks = Pool(bulk_sim).disks(20)
    cli = cli_for(tmp_path / "cli", bulk_sim)
    args = [a for d in disks for a in ("--volume", d["id"])]
    before = bulk_sim.state()
    result = cli.run("backup", "create", *args, "--name", "bulk", "--concurrency", "3",
                     "--wait", "--json", timeout=120)
    assert result.rc == 0, result
    data = result.json()
    assert data["summary"] == {"total": 20, "by_phase": {"success": 20}, "error_codes": {}}
    by_disk = {j["volume_id"]: j for j in data["jobs"]}
    for number, disk in enumerate(disks, start=1):
        job = by_disk[disk["id"]]
        assert job["backup_name"] == f"bulk-{number:04d}"
        assert job["status"] == "SUCCESS"
        assert UUID_RE.match(job["backup_id"] or "")

    after = bulk_sim.state()
    assert after["create_backup_posts"] - before["create_backup_posts"] == 20
    assert 2 <= after["max_in_flight_create_backup"] <= 3
    assert after["duplicates"] == []
    created = {(c["volume_id"], c["name"]): c["count"] for c in after["created_backups"]}
    assert created == {(d["id"], f"bulk-{n:04d}"): 1 for n, d in enumerate(disks, start=1)}
    names = {b["name"] for b in bulk_sim.backups(status="available")}
    assert {f"bulk-{n:04d}" for n in range(1, 21)} <= names
    # Each disk is its own job in the journal.
    journal = cli.run("jobs", "--json").json()["jobs"]
    assert sorted(r["backup_name"] for r in journal) == [f"bulk-{n:04d}" for n in range(1, 21)]
    assert {r["phase"] for r in journal} == {"success"}


def test_bulk_name_limit_is_59(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disks = pool.disks(2)
    args = [a for d in disks for a in ("--volume", d["id"])]
    before = sim.state()["requests_total"]
    result = cli.run("backup", "create", *args, "--name", "n" * 60)
    assert result.rc == 2, result
    assert "at most 59 characters (now 60)" in result.err
    assert sim.state()["requests_total"] == before


def test_bulk_limit_is_on_the_base_name_and_56_characters_go_out(cli: Cli, sim: SimProcess,
                                                                   pool: Pool) -> None:
    """56 + '-0001' is 61 characters: within the service's 64, so both backups are made."""
    disks = pool.disks(2)
    args = [a for d in disks for a in ("--volume", d["id"])]
    base = "n" * 56
    result = cli.run("backup", "create", *args, "--name", base, "--wait", "--json", timeout=60)
    assert result.rc == 0, result
    assert sorted(j["backup_name"] for j in result.json()["jobs"]) == [f"{base}-0001",
                                                                       f"{base}-0002"]
    assert {j["phase"] for j in result.json()["jobs"]} == {"success"}
    later = cli.run("jobs", "--json")
    assert later.rc == 0, later
    assert "interrupted" not in later.err and "unknown" not in later.err
    assert sorted(r["phase"] for r in later.json()["jobs"]) == ["success", "success"]


def test_a_refused_bulk_name_reaches_neither_the_service_nor_the_journal(
        cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disks = pool.disks(2)
    args = [a for d in disks for a in ("--volume", d["id"])]
    before = sim.state()["requests_total"]
    result = cli.run("backup", "create", *args, "--name", "n" * 60, "--wait")
    assert result.rc == 2, result
    assert "nothing was sent" in result.err
    later = cli.run("jobs", "--json")
    assert later.rc == 0, later
    assert later.json()["jobs"] == []  # no phantom job to reconcile
    assert "finding out what happened" not in later.err
    assert sim.state()["requests_total"] == before  # not even a login


# -- --readonly ----------------------------------------------------------------------------


def test_readonly_refuses_every_change(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disk = pool.disk()
    backup, target = restore_pair(pool)
    before = sim.state()
    attempts = [
        ("--readonly", "backup", "create", "--volume", disk["id"], "--name", "ro", "--wait"),
        ("backup", "create", "--volume", disk["id"], "--name", "ro", "--readonly"),
        ("--readonly", "backup", "restore", backup["id"], "--volume", target["id"], "--yes"),
        ("--readonly", "backup", "delete", backup["id"], "--yes", "--wait"),
    ]
    for args in attempts:
        result = cli.run(*args)
        assert result.rc == 2, result
        assert "--readonly" in result.err
        assert result.out == ""
        assert_no_traceback(result)
    after = sim.state()
    assert after["requests_total"] == before["requests_total"], after["requests"]
    assert delta(before["requests"], after["requests"], CREATE_ROUTE) == 0

    reading = cli.run("--readonly", "backups", "--volume", backup["volume_id"], "--json")
    assert reading.rc == 0, reading  # looking is still allowed
    assert sim.backup(backup["id"])["status"] == "available"
