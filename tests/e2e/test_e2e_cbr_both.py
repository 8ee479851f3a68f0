"""Issue 15 headless on a project in the middle of the VBS to CBR migration (the default
`vbstui sim`, both services): the backups of both listed and each marked, every disk's
protection, the vaults, and a bulk run whose disks go each where they belong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2ekit import Cli, SimProcess, assert_no_traceback, cli_for


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "1", name="both-services")


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim)


def vaults(sim: SimProcess) -> dict[str, dict[str, Any]]:
    response = sim.api("GET", "/cbr/v3/{pid}/vaults", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()["vaults"]}


def cbr_backups(sim: SimProcess, **params: Any) -> list[dict[str, Any]]:
    response = sim.api("GET", "/cbr/v3/{pid}/backups", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["backups"])


def test_backups_of_both_services_each_marked(cli: Cli, sim: SimProcess) -> None:
    vbs_ids = {b["id"] for b in sim.backups()}
    cbr_ids = {b["id"]: b["vault_id"] for b in cbr_backups(sim)}
    assert vbs_ids and cbr_ids
    names = {v["id"]: v["name"] for v in vaults(sim).values()}

    listed = cli.run("backups", "--json")
    assert listed.rc == 0, listed
    derived = {b["id"]: b["vbstui"] for b in listed.json()["backups"]}
    assert vbs_ids <= derived.keys() and cbr_ids.keys() <= derived.keys()
    for backup_id in vbs_ids:
        assert derived[backup_id]["service"] == "vbs"
        assert derived[backup_id]["vault_id"] is None
    for backup_id, vault_id in cbr_ids.items():
        assert derived[backup_id]["service"] == "cbr"
        assert derived[backup_id]["vault_id"] == vault_id
        assert derived[backup_id]["vault_name"] == names[vault_id]

    table = cli.run("backups")
    assert table.rc == 0, table
    header, *rows = table.out.splitlines()
    assert header.split()[3:5] == ["SERVICE", "VAULT"]
    by_id = {row.split()[0]: row.split() for row in rows}
    some_cbr = next(iter(cbr_ids))
    assert by_id[some_cbr][3:5] == ["cbr", names[cbr_ids[some_cbr]]]
    assert by_id[next(iter(vbs_ids))][3:5] == ["vbs", "-"]


def test_volumes_show_each_disks_protection(cli: Cli, sim: SimProcess) -> None:
    holder = {r["id"]: v for v in vaults(sim).values() for r in v["resources"]}
    listed = cli.run("volumes", "--json")
    assert listed.rc == 0, listed
    protection = {v["id"]: v["vbstui"]["protection"] for v in listed.json()["volumes"]}
    assert len(protection) == len(sim.volumes())
    for disk_id, shown in protection.items():
        vault = holder.get(disk_id)
        if vault is None:  # the project still has VBS: every other disk's backups go there
            assert shown == {"service": "vbs", "vault_id": None, "vault_name": None}
        else:
            assert shown == {"service": "cbr", "vault_id": vault["id"],
                             "vault_name": vault["name"]}

    table = cli.run("volumes")
    assert table.rc == 0, table
    header, *rows = table.out.splitlines()
    assert header.split()[3] == "PROTECTION"
    column = {row.split()[0]: row.split()[3] for row in rows}
    in_vault = next(iter(holder))
    assert column[in_vault] == holder[in_vault]["name"]
    assert column[next(d for d in protection if d not in holder)] == "VBS"


def test_vaults_listing(cli: Cli, sim: SimProcess) -> None:
    listed = cli.run("vaults", "--json")
    assert listed.rc == 0, listed
    document = listed.json()
    assert document["count"] == len(vaults(sim))
    for record in document["vaults"]:
        vault = vaults(sim)[record["id"]]
        assert record["billing"] == vault["billing"]  # as CBR sent it
        derived = record["vbstui"]
        assert derived["disk_count"] == len(vault["resources"])
        assert derived["allocated_gb"] == vault["billing"]["size"]
        assert derived["service"] == "cbr"
    table = cli.run("vaults")
    assert table.rc == 0, table
    assert "vault-nearly-full" in table.out and "daily-prod" in table.out
    unknown = cli.run("vault", "show", "no-such-vault")
    assert unknown.rc == 2 and "no disk vault has this id or name" in unknown.err, unknown
    assert_no_traceback(unknown)


def test_bulk_run_sends_each_disk_where_it_belongs(cli: Cli, sim: SimProcess) -> None:
    all_vaults = vaults(sim)
    held = {r["id"]: v for v in all_vaults.values() for r in v["resources"]}
    state = sim.state()
    awkward = ({n["volume_id"] for n in state["near_limit"]} | set(state["odd_name_volumes"])
               | {b["volume_id"] for b in sim.backups()})
    daily = next(v for v in all_vaults.values() if v["name"] == "daily-prod")
    busy = {b["resource_id"] for b in cbr_backups(sim, status="protecting")}
    in_vault = next(sim.volume(r["id"]) for r in daily["resources"]
                    if r["id"] not in busy and sim.volume(r["id"])["status"] == "available")
    vbs_disk = next(v for v in sim.volumes() if v["id"] not in held and v["id"] not in awkward
                    and v["status"] == "available" and not v.get("metadata", {}).get("policy"))

    result = cli.run("backup", "create", "--volume", in_vault["id"], "--volume",
                     vbs_disk["id"], "--name", "mixed", "--wait", "--json")
    assert result.rc == 0, result
    jobs = {j["volume_id"]: j for j in result.json()["jobs"]}
    assert jobs[in_vault["id"]]["service"] == "cbr"
    assert jobs[in_vault["id"]]["vault_id"] == daily["id"]
    assert jobs[vbs_disk["id"]]["service"] == "vbs"
    assert all(j["phase"] == "success" for j in jobs.values()), jobs
    made_cbr = [b for b in cbr_backups(sim, resource_id=in_vault["id"])
                if b["id"] == jobs[in_vault["id"]]["backup_id"]]
    assert len(made_cbr) == 1 and made_cbr[0]["vault_id"] == daily["id"]
    assert sim.backup(jobs[vbs_disk["id"]]["backup_id"])["volume_id"] == vbs_disk["id"]

    wrong_vault = cli.run("backup", "create", "--volume", vbs_disk["id"], "--name", "x",
                          "--vault", "daily-prod")
    assert wrong_vault.rc == 2, wrong_vault
    assert "vault add" in wrong_vault.err and "nothing was sent" in wrong_vault.err
