"""`vbstui backup prune` end to end: a disk with 20 backups, the preview and the refusal
without confirmation, then exactly the previewed backups deleted and followed to the end."""

from __future__ import annotations

import pytest
from conftest import SimStarter
from e2ekit import (
    DELETE_ROUTE,
    FAST_POLL_TOML,
    Cli,
    SimProcess,
    assert_no_traceback,
    cli_for,
    delta,
)


@pytest.fixture(scope="module")
def sim(module_sims: SimStarter) -> SimProcess:
    return module_sims("--services", "vbs", "--job-seconds", "1", "--delete-seconds", "0.3",
                       name="prune")


@pytest.fixture(scope="module")
def cli(sim: SimProcess, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return cli_for(tmp_path_factory.mktemp("prune-cli"), sim, extra=FAST_POLL_TOML)


def test_prune_previews_refuses_unconfirmed_then_deletes_exactly_the_preview(
        sim: SimProcess, cli: Cli) -> None:
    disk = next(n for n in sim.state()["near_limit"] if n["backups"] >= 20)
    backups = {b["id"]: b for b in sim.backups(volume_id=disk["volume_id"])}
    newest_first = sorted(backups.values(), key=lambda b: (b["created_at"], b["id"]),
                          reverse=True)

    before = sim.requests()
    preview = cli.run("backup", "prune", "--volume", disk["volume_id"], "--keep", "3",
                      "--json")
    assert preview.rc == 2, str(preview)  # no terminal and no --yes: nothing is deleted
    answer = preview.json()
    assert (answer["phase"], answer["sent"]) == ("not_confirmed", False)
    [planned] = answer["plan"]["disks"]
    assert planned["kept"] == [b["id"] for b in newest_first[:3]]
    going = [b["id"] for b in planned["delete"]]
    cannot = {b["id"]: b["reason"] for b in planned["cannot"]}
    assert set(going) | set(cannot) == {b["id"] for b in newest_first[3:]}
    assert len(going) + len(cannot) == len(backups) - 3
    assert going, "the disk has backups to prune"
    assert delta(before, sim.requests(), DELETE_ROUTE) == 0
    assert set(backups) == {b["id"] for b in sim.backups(volume_id=disk["volume_id"])}

    done = cli.run("backup", "prune", "--volume", disk["volume_id"], "--keep", "3", "--yes",
                   "--wait")
    assert done.rc == 0, str(done)
    for backup_id in going:  # the preview named each one it deletes
        assert f"delete  {backup_id}" in done.err
    left = {b["id"] for b in sim.backups(volume_id=disk["volume_id"])}
    assert left == set(backups) - set(going)  # exactly the previewed backups are gone
    assert delta(before, sim.requests(), DELETE_ROUTE) == len(going)
    freed = sum(backups[b]["size"] for b in going)
    assert f"pruned: {len(going)} backups deleted, {freed} GB freed" in done.err
    for result in (preview, done):
        assert_no_traceback(result)


def test_keep_zero_is_refused_before_connecting(cli: Cli) -> None:
    result = cli.run("backup", "prune", "--volume", "web-01-data", "--keep", "0")
    assert result.rc == 2, str(result)
    assert "must be 1 or more" in result.err
    assert_no_traceback(result)


@pytest.fixture(scope="module")
def both_sim(module_sims: SimStarter) -> SimProcess:
    """A project in the middle of the VBS to CBR migration (both services)."""
    return module_sims("--job-seconds", "1", "--delete-seconds", "0.3", name="prune-both")


def test_a_disk_in_a_vault_is_pruned_through_cbr(both_sim: SimProcess,
                                                 tmp_path_factory: pytest.TempPathFactory
                                                 ) -> None:
    cli = cli_for(tmp_path_factory.mktemp("prune-both-cli"), both_sim, extra=FAST_POLL_TOML)
    response = both_sim.api("GET", "/cbr/v3/{pid}/backups", params={"limit": 1000})
    assert response.status_code == 200, response.text
    by_disk: dict[str, list[dict]] = {}
    for backup in response.json()["backups"]:
        by_disk.setdefault(backup["resource_id"], []).append(backup)
    disk, backups = max(by_disk.items(), key=lambda item: len(item[1]))
    assert len(backups) >= 2 and not both_sim.backups(volume_id=disk)  # CBR backups only

    done = cli.run("backup", "prune", "--volume", disk, "--keep", "1", "--yes", "--wait",
                   "--json")
    assert done.rc == 0, str(done)
    answer = done.json()
    [planned] = answer["plan"]["disks"]
    going = {b["id"] for b in planned["delete"]}
    assert going and {b["service"] for b in planned["delete"]} == {"cbr"}
    assert {j["service"] for j in answer["jobs"]} == {"cbr"}
    assert {j["backup_id"] for j in answer["jobs"] if j["phase"] == "success"} == going
    after = both_sim.api("GET", "/cbr/v3/{pid}/backups",
                         params={"limit": 1000, "resource_id": disk}).json()["backups"]
    assert {b["id"] for b in after} == {b["id"] for b in backups} - going
    assert answer["summary"]["deleted"] == len(going)
    assert_no_traceback(done)
