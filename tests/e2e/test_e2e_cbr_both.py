"""Issue 15 headless on a project in the middle of the VBS to CBR migration (the default
`vbstui sim`, both services): the backups of both listed and each marked, every disk's
protection, the vaults, a bulk run whose disks go each where they belong (and one
delete of a backup of each), a CBR restore sent to CBR, and the listings when the
vaults cannot be listed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from e2ekit import FAST_POLL_TOML, Cli, SimProcess, assert_no_traceback, cli_for, delta


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "1", "--delete-seconds", "0.3", name="both-services")


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim, extra=FAST_POLL_TOML)


def vaults(sim: SimProcess) -> dict[str, dict[str, Any]]:
    response = sim.api("GET", "/cbr/v3/{pid}/vaults", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()["vaults"]}


def cbr_backups(sim: SimProcess, **params: Any) -> list[dict[str, Any]]:
    response = sim.api("GET", "/cbr/v3/{pid}/backups", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["backups"])


def cells(table: str, *names: str) -> dict[str, list[str]]:
    """Row id → the cells under these headers (each column starts where its header
    does; a cell may hold spaces, as "error (no backup)" does)."""
    header, *rows = table.splitlines()
    found = list(re.finditer(r"\S+(?: \S+)*", header))  # headers stand 2+ spaces apart
    spans = {m.group(): (m.start(), nxt.start() if nxt else None)
             for m, nxt in zip(found, [*found[1:], None], strict=True)}
    return {row.split()[0]: [row[spans[n][0]:spans[n][1]].strip() for n in names]
            for row in rows}


def test_backups_of_both_services_each_marked(cli: Cli, sim: SimProcess) -> None:
    vbs_ids = {b["id"] for b in sim.backups()}
    cbr_ids = {b["id"]: b["vault_id"] for b in cbr_backups(sim)}
    names = {v["id"]: v["name"] for v in vaults(sim).values()}

    listed = cli.run("backups", "--json")
    assert listed.rc == 0, listed
    # the ones there before and after the listing (seeded deletions end meanwhile)
    vbs_ids &= {b["id"] for b in sim.backups()}
    cbr_ids = {b["id"]: v for b in cbr_backups(sim) if (v := cbr_ids.get(b["id"]))}
    assert vbs_ids and cbr_ids
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
    assert table.out.split()[3:5] == ["SERVICE", "VAULT"]
    by_id = cells(table.out, "SERVICE", "VAULT")
    for backup_id, vault_id in cbr_ids.items():
        assert by_id[backup_id] == ["cbr", names[vault_id]]
    assert {tuple(by_id[b]) for b in vbs_ids} == {("vbs", "-")}


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
    assert table.out.split()[3] == "PROTECTION"
    column = cells(table.out, "PROTECTION")
    assert column == {d: [holder[d]["name"] if d in holder else "VBS"] for d in protection}


def test_vaults_listing(cli: Cli, sim: SimProcess) -> None:
    listed = cli.run("vaults", "--json")
    assert listed.rc == 0, listed
    document = listed.json()
    served = vaults(sim)
    assert document["count"] == len(served)
    for record in document["vaults"]:
        vault = served[record["id"]]
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

    # one delete command for a backup of each service: each goes to its own
    mine = [jobs[in_vault["id"]]["backup_id"], jobs[vbs_disk["id"]]["backup_id"]]
    deleted = cli.run("backup", "delete", *mine, "--yes", "--wait", "--json")
    assert deleted.rc == 0, deleted
    assert {(j["service"], j["phase"]) for j in deleted.json()["jobs"]} == {
        ("cbr", "success"), ("vbs", "success")}
    assert sim.api("GET", f"/cbr/v3/{{pid}}/backups/{mine[0]}").status_code == 404
    assert sim.backup_status(mine[1]) == 404

    wrong_vault = cli.run("backup", "create", "--volume", vbs_disk["id"], "--name", "x",
                          "--vault", "daily-prod")
    assert wrong_vault.rc == 2, wrong_vault
    assert "vault add" in wrong_vault.err and "nothing was sent" in wrong_vault.err


@pytest.fixture(scope="module")
def broken_vaults(module_sims: Any) -> SimProcess:
    """The vault listing answers with JSON nested too deep (refused at once, no retry)."""
    return module_sims("--faults", "deep=1,paths=vaults,methods=GET", name="broken-vaults")


def test_listings_still_work_when_the_vaults_cannot_be_listed(tmp_path: Path,
                                                              broken_vaults: SimProcess
                                                              ) -> None:
    cli = cli_for(tmp_path / "cli", broken_vaults)
    listed = cli.run("volumes", "--json")
    assert listed.rc == 0, listed
    records = listed.json()["volumes"]
    assert len(records) == len(broken_vaults.volumes())
    # not known is left out; null would say "protected nowhere"
    assert all("protection" not in r["vbstui"] and "backupable" in r["vbstui"]
               for r in records)
    assert "vaults could not be listed" in listed.err and "not known" in listed.err

    table = cli.run("volumes")
    assert table.rc == 0, table
    assert table.out.split()[3] == "PROTECTION"
    assert {c[0] for c in cells(table.out, "PROTECTION").values()} == {"?"}

    backups = cli.run("backups", "--json")
    assert backups.rc == 0, backups
    services = {b["vbstui"]["service"] for b in backups.json()["backups"]}
    assert services == {"vbs", "cbr"}  # each still marked; only the vault names are missing
    assert_no_traceback(backups)


def test_restore_of_a_cbr_backup_goes_to_cbr(cli: Cli, sim: SimProcess) -> None:
    busy = {b["resource_id"] for b in cbr_backups(sim, status="protecting")}
    backup = next(b for b in cbr_backups(sim, status="available")
                  if b["resource_id"] not in busy
                  and sim.volume(b["resource_id"])["status"] == "available")
    before = sim.requests()
    restored = cli.run("backup", "restore", backup["id"], "--yes", "--wait", "--json")
    assert restored.rc == 0, restored
    outcome = restored.json()
    assert (outcome["service"], outcome["vault_id"], outcome["phase"]) == (
        "cbr", backup["vault_id"], "success")
    assert delta(before, sim.requests(),
                 "POST /cbr/v3/{project_id}/backups/{backup_id}/restore") == 1
    assert delta(before, sim.requests(),
                 "POST /v2/{project_id}/cloudbackups/{backup_id}/restore") == 0
