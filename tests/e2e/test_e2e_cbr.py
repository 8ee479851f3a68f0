"""Issue 15 headless on a CBR-only project (`vbstui sim --services cbr`, a project made
after VBS closed): a backup into the disk's vault followed to success, restored and
deleted; a job left running ended by the next `vbstui jobs --wait`; a vault too small
refused before sending, with the numbers; vaults created only when confirmed; disks
added to a vault and removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2ekit import (
    FAST_POLL_TOML,
    UUID_RE,
    Cli,
    SimProcess,
    assert_no_traceback,
    cli_for,
    delta,
)

CHECKPOINT_ROUTE = "POST /cbr/v3/{project_id}/checkpoints"
VAULT_CREATE_ROUTE = "POST /cbr/v3/{project_id}/vaults"
ADD_ROUTE = "POST /cbr/v3/{project_id}/vaults/{vault_id}/addresources"
RESTORE_ROUTE = "POST /cbr/v3/{project_id}/backups/{backup_id}/restore"
DELETE_ROUTE = "DELETE /cbr/v3/{project_id}/backups/{backup_id}"


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--services", "cbr", "--job-seconds", "1", "--delete-seconds", "0.3",
                       name="cbr-only")


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim, extra=FAST_POLL_TOML)


def vaults(sim: SimProcess) -> dict[str, dict[str, Any]]:
    response = sim.api("GET", "/cbr/v3/{pid}/vaults", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return {v["name"]: v for v in response.json()["vaults"]}


def cbr_backup(sim: SimProcess, backup_id: str) -> dict[str, Any] | None:
    response = sim.api("GET", f"/cbr/v3/{{pid}}/backups/{backup_id}")
    return dict(response.json()["backup"]) if response.status_code == 200 else None


def vault_disk(sim: SimProcess, vault: str, status: str = "available") -> dict[str, Any]:
    """A disk of `vault` in `status`, with no backup running."""
    for resource in vaults(sim)[vault]["resources"]:
        volume = sim.volume(resource["id"])
        if volume["status"] == status:
            return volume
    raise AssertionError(f"no {status} disk in vault {vault}")


def disks_in_no_vault(sim: SimProcess, count: int) -> list[dict[str, Any]]:
    held = {r["id"] for v in vaults(sim).values() for r in v["resources"]}
    free = [v for v in sim.volumes() if v["id"] not in held
            and v["status"] in ("available", "in-use") and not v.get("metadata", {}).get("policy")]
    assert len(free) >= count, "not enough disks outside every vault"
    return free[:count]


def test_backup_into_its_vault_restore_and_delete(cli: Cli, sim: SimProcess) -> None:
    disk = vault_disk(sim, "default")
    before = sim.requests()
    created = cli.run("backup", "create", "--volume", disk["name"], "--name", "e2e-cbr",
                      "--wait")
    assert created.rc == 0, created
    backup_id = created.out.strip()
    assert UUID_RE.match(backup_id), created
    assert "succeeded" in created.err and "e2e-cbr" in created.err, created
    made = cbr_backup(sim, backup_id)
    assert made is not None and made["status"] == "available", made
    assert made["vault_id"] == vaults(sim)["default"]["id"]
    assert made["resource_id"] == disk["id"]
    assert delta(before, sim.requests(), CHECKPOINT_ROUTE) == 1  # sent once
    journal = [j for j in cli.run("jobs", "--json").json()["jobs"]
               if j.get("backup_name") == "e2e-cbr"]
    assert [(j["service"], j["vault_id"], j["phase"]) for j in journal] == [
        ("cbr", made["vault_id"], "success")]
    no_job = cli.run("job", "show", journal[0]["job_id"])
    assert no_job.rc == 2 and "vbstui jobs" in no_job.err, no_job  # CBR has no job to show

    listed = cli.run("backups", "--volume", disk["id"], "--json")
    assert listed.rc == 0, listed
    mine = [b for b in listed.json()["backups"] if b["id"] == backup_id]
    assert len(mine) == 1
    assert mine[0]["vbstui"]["service"] == "cbr"
    assert mine[0]["vbstui"]["vault_name"] == "default"
    assert mine[0]["vault_id"] == made["vault_id"]  # the service's record is kept as sent

    restored = cli.run("backup", "restore", backup_id, "--yes", "--wait")
    assert restored.rc == 0, restored
    assert "restore of e2e-cbr succeeded" in restored.err, restored
    assert delta(before, sim.requests(), RESTORE_ROUTE) == 1
    assert sim.volume(disk["id"])["status"] == "available"

    deleted = cli.run("backup", "delete", backup_id, "--yes", "--wait")
    assert deleted.rc == 0, deleted
    assert f"{backup_id}: deleted" in deleted.err, deleted
    assert cbr_backup(sim, backup_id) is None
    assert delta(before, sim.requests(), DELETE_ROUTE) == 1
    assert sim.state()["cbr"]["duplicates"] == []


def test_a_cbr_job_left_running_is_ended_by_jobs_wait(cli: Cli, sim: SimProcess) -> None:
    disk = vault_disk(sim, "daily-prod")
    submitted = cli.run("backup", "create", "--volume", disk["id"], "--name", "left-running")
    assert submitted.rc == 0, submitted
    assert "follow it with: vbstui jobs --wait" in submitted.err  # no CBR job to show
    resumed = cli.run("jobs", "--wait", "--json")
    assert resumed.rc == 0, resumed
    [job] = [j for j in resumed.json()["jobs"] if j.get("backup_name") == "left-running"]
    assert job["phase"] == "success"
    made = cbr_backup(sim, job["backup_id"])
    assert made is not None and made["status"] == "available"


def test_vault_too_small_is_refused_with_the_numbers(cli: Cli, sim: SimProcess) -> None:
    vault = vaults(sim)["vault-nearly-full"]
    free_gb = vault["billing"]["size"] - vault["billing"]["used"] / 1024
    too_big = [sim.volume(r["id"]) for r in vault["resources"]]
    disk = next(v for v in too_big if v["size"] > free_gb and v["status"] == "available")
    before = sim.requests()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", "wont-fit")
    assert result.rc == 2, result
    assert f"disk {disk['size']} GB" in result.err, result
    assert f"free of {vault['billing']['size']} GB" in result.err, result
    assert "BackupService.6114" in result.err and "nothing was sent" in result.err
    assert delta(before, sim.requests(), CHECKPOINT_ROUTE) == 0
    assert_no_traceback(result)


def test_tags_on_a_backup_into_a_vault_are_refused_even_with_force(cli: Cli, sim: SimProcess
                                                                   ) -> None:
    disk = vault_disk(sim, "default")
    before = sim.requests()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", "tagged",
                     "--tag", "env=prod", "--force")
    assert result.rc == 2, result
    assert "CBR backups carry no tags" in result.err, result
    assert delta(before, sim.requests(), CHECKPOINT_ROUTE) == 0
    assert_no_traceback(result)


def test_create_vault_needs_confirmation_then_add_and_remove(cli: Cli, sim: SimProcess
                                                            ) -> None:
    first, second = disks_in_no_vault(sim, 2)
    before = sim.requests()
    unconfirmed = cli.run("vault", "create", "--name", "e2e-vault", "--size", "500",
                          "--volume", first["id"])
    assert unconfirmed.rc == 2, unconfirmed
    assert "costs money" in unconfirmed.err and "nothing was sent" in unconfirmed.err
    assert delta(before, sim.requests(), VAULT_CREATE_ROUTE) == 0
    assert "e2e-vault" not in vaults(sim)
    too_small = cli.run("vault", "create", "--name", "e2e-vault", "--size", "5", "--yes")
    assert too_small.rc == 2 and "size: must be 10 to" in too_small.err, too_small
    assert "size_gb" not in too_small.err  # the flag's name, not the API field's

    created = cli.run("vault", "create", "--name", "e2e-vault", "--size", "500",
                      "--volume", first["id"], "--yes")
    assert created.rc == 0, created
    vault = vaults(sim)["e2e-vault"]
    assert created.out.strip() == vault["id"]
    assert [r["id"] for r in vault["resources"]] == [first["id"]]

    unconfirmed_add = cli.run("vault", "add", "e2e-vault", "--volume", second["name"])
    assert unconfirmed_add.rc == 2, unconfirmed_add
    assert delta(before, sim.requests(), ADD_ROUTE) == 0
    added = cli.run("vault", "add", "e2e-vault", "--volume", second["name"], "--yes")
    assert added.rc == 0, added
    assert {r["id"] for r in vaults(sim)["e2e-vault"]["resources"]} == {first["id"],
                                                                        second["id"]}
    again = cli.run("vault", "add", vault["id"], "--volume", second["id"], "--yes")
    assert again.rc == 2 and "BackupService.7006" in again.err, again

    shown = cli.run("vault", "show", "e2e-vault", "--json")
    assert shown.rc == 0, shown
    assert {d["id"] for d in shown.json()["disks"]} == {first["id"], second["id"]}

    removed = cli.run("vault", "remove", "e2e-vault", "--volume", first["id"], "--yes",
                      "--json")
    assert removed.rc == 0, removed
    assert removed.json()["ok"] is True
    assert f"disk '{first['name']}': removed from vault 'e2e-vault'" in removed.err
    assert [r["id"] for r in vaults(sim)["e2e-vault"]["resources"]] == [second["id"]]
    volumes = {v["id"]: v["vbstui"] for v in cli.run("volumes", "--json").json()["volumes"]}
    assert volumes[first["id"]]["protection"] is None  # CBR only: in no vault, not protected
    assert volumes[second["id"]]["protection"] == {
        "service": "cbr", "vault_id": vault["id"], "vault_name": "e2e-vault"}


def test_a_remove_whose_answer_is_lost_exits_4_and_says_how_to_check(module_sims: Any,
                                                                     tmp_path: Path) -> None:
    """A 500 to the remove request may come after CBR acted, and the vault read again still
    shows the disk: the outcome is unknown (exit 4, not 1), with where to look."""
    failing = module_sims("--services", "cbr", "--volumes", "40", "--faults",
                          "500=1,methods=POST,paths=removeresources", name="lossy-remove")
    disk = vault_disk(failing, "default")
    removed = cli_for(tmp_path / "cli", failing).run(
        "vault", "remove", "default", "--volume", disk["id"], "--yes")
    assert removed.rc == 4, removed
    assert "OUTCOME UNKNOWN" in removed.err and "vbstui vault show default" in removed.err
    assert_no_traceback(removed)
