"""Sharing a backup with a second project, end to end: `vbstui backup share`, `shares`,
`shares --to-me` from the other project, the delete refused while shared, `unshare`."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SimStarter
from e2ekit import (
    DELETE_ROUTE,
    DOMAIN,
    PASSWORD,
    REGION,
    USER,
    Cli,
    Pool,
    SimProcess,
    assert_no_traceback,
    cli_for,
    delta,
)

PEER_PROJECT = "eu-de_partner"
SHARE_ROUTE = "POST /v2/{project_id}/os-vendor-backup-sharing"


@pytest.fixture(scope="module")
def sim(module_sims: SimStarter) -> SimProcess:
    return module_sims("--services", "vbs", "--job-seconds", "1", "--delete-seconds", "0.3",
                       name="sharing")


@pytest.fixture(scope="module")
def cli(sim: SimProcess, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return cli_for(tmp_path_factory.mktemp("sharing-cli"), sim)


@pytest.fixture(scope="module")
def peer_cli(sim: SimProcess, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The same account, scoped to the simulator's second project."""
    root = tmp_path_factory.mktemp("sharing-peer")
    config = root / "config.toml"
    config.write_text(
        "[profiles.peer]\n"
        f'auth_url = "{sim.auth_url}"\nregion = "{REGION}"\n'
        f'user_domain_name = "{DOMAIN}"\nusername = "{USER}"\n'
        f'project_name = "{PEER_PROJECT}"\n', encoding="utf-8")
    config.chmod(0o600)
    return Cli(root, env_defaults={"VBSTUI_PASSWORD": PASSWORD},
               base_args=("--config", str(config), "--profile", "peer"))


def _unshared_backup(sim: SimProcess) -> dict[str, Any]:
    """An available backup nobody else uses, not shared yet (the world seeds one shared
    backup) and not the newest of its disk (so pruning that disk would reach it)."""
    response = sim.api("GET", "/v2/{pid}/os-vendor-backup-sharing/detail",
                       params={"limit": 1000, "offset": 0})
    assert response.status_code == 200, response.text
    shared = {s["backup_id"] for s in response.json()["shared"]}
    for backup in Pool(sim).backups(10):
        newest = max(sim.backups(volume_id=backup["volume_id"]), key=lambda b: b["created_at"])
        if backup["id"] not in shared and newest["id"] != backup["id"]:
            return backup
    raise AssertionError("no unshared backup that is not its disk's newest")


def test_share_list_from_both_sides_refuse_delete_and_unshare(
        sim: SimProcess, cli: Cli, peer_cli: Cli) -> None:
    state = sim.state()
    me, peer = state["project_id"], state["peer_project_id"]
    backup = _unshared_backup(sim)

    shared = cli.run("backup", "share", backup["id"], "--to-project", peer.upper(), "--json")
    assert shared.rc == 0, str(shared)
    made = shared.json()["shares"]
    assert [(s["backup_id"], s["to_project_id"]) for s in made] == [(backup["id"], peer)]

    mine = cli.run("shares", "--json")
    assert mine.rc == 0, str(mine)
    assert (backup["id"], peer) in {(s["backup_id"], s["to_project_id"])
                                    for s in mine.json()["shares"]}

    to_peer = peer_cli.run("shares", "--to-me")
    assert to_peer.rc == 0, str(to_peer)
    row = next(line for line in to_peer.out.splitlines() if backup["id"] in line)
    assert me in row and backup["name"] in row  # who shared it, and what it is

    before = sim.requests()
    deleting = cli.run("backup", "delete", backup["id"], "--yes")
    assert deleting.rc == 1, str(deleting)
    assert f"shared with 1 project ({peer})" in deleting.err
    assert "nothing was sent" in deleting.err
    assert delta(before, sim.requests(), DELETE_ROUTE) == 0

    newer = [b for b in sim.backups(volume_id=backup["volume_id"])
             if (b["created_at"], b["id"]) > (backup["created_at"], backup["id"])]
    pruning = cli.run("backup", "prune", "--volume", backup["volume_id"], "--keep",
                      str(len(newer)), "--json")
    [disk] = pruning.json()["plan"]["disks"]
    # Not confirmed (exit 2), or nothing else to delete (exit 0): nothing is deleted.
    assert pruning.rc == (2 if disk["delete"] else 0), str(pruning)
    cannot = {b["id"]: b["reason"] for b in disk["cannot"]}
    assert cannot[backup["id"]].startswith(f"shared with 1 project ({peer})")
    assert backup["id"] not in {b["id"] for b in disk["delete"]}
    assert delta(before, sim.requests(), DELETE_ROUTE) == 0

    unconfirmed = cli.run("backup", "unshare", backup["id"])  # no terminal, no --yes
    assert unconfirmed.rc == 2, str(unconfirmed)
    assert "nothing was sent" in unconfirmed.err

    revoked = cli.run("backup", "unshare", backup["id"], "--yes", "--json")
    assert revoked.rc == 0, str(revoked)
    assert revoked.json() == {"backup_id": backup["id"], "revoked": [peer]}
    after = cli.run("shares", "--json").json()["shares"]
    assert backup["id"] not in {s["backup_id"] for s in after}
    seen_by_peer = peer_cli.run("shares", "--to-me", "--json").json()["shares"]
    assert backup["id"] not in {s["backup_id"] for s in seen_by_peer}
    for result in (shared, mine, to_peer, deleting, pruning, unconfirmed, revoked):
        assert_no_traceback(result)


def test_bad_project_ids_are_refused_before_sending(sim: SimProcess, cli: Cli) -> None:
    state = sim.state()
    backup = _unshared_backup(sim)
    before = sim.requests()
    result = cli.run("backup", "share", backup["id"], "--to-project", state["project_id"],
                     "--to-project", "not-a-project", "--to-project", state["peer_project_id"],
                     "--to-project", state["peer_project_id"])
    assert result.rc == 2, str(result)
    assert f"{state['project_id']} is this project" in result.err
    assert "'not-a-project': a project id has 32 characters, this has 13" in result.err
    assert f"{state['peer_project_id']} is given twice" in result.err
    assert "nothing was sent" in result.err
    assert delta(before, sim.requests(), SHARE_ROUTE) == 0
    assert_no_traceback(result)
