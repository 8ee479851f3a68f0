"""Issue 11 headless: `vbstui policy …` against `vbstui sim` over a socket — a broken rule
sends nothing, the lifecycle of a policy, a disk that moves between policies, a run
followed to its end, and a run resumed from the journal by the next process."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from e2ekit import Cli, SimProcess, assert_no_traceback, cli_for, delta

CREATE_POLICY = "POST /v2/{project_id}/backuppolicy"
LINK = "POST /v2/{project_id}/backuppolicyresources"
DELETE_POLICY = "DELETE /v2/{project_id}/backuppolicy/{policy_id}"
TASKS = "GET /v2/{project_id}/backuppolicy/{policy_id}/backuptasks"
RUN = "POST /v2/{project_id}/backuppolicy/{policy_id}/action"
LIST_POLICIES = "GET /v2/{project_id}/backuppolicy"


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    # VBS only: no CBR vault holds a disk, so any free disk can be linked.
    return module_sims("--job-seconds", "1", "--volumes", "40", "--services", "vbs",
                       name="policies")


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim)


_taken: set[str] = set()
_lock = threading.Lock()


def free_disks(sim: SimProcess, count: int) -> list[dict[str, Any]]:
    """Disks in no policy that no other test of this module got."""
    with _lock:
        chosen = [v for v in sim.volumes() if v["status"] in ("available", "in-use")
                  and not (v.get("metadata") or {}).get("policy") and v["id"] not in _taken]
        chosen = chosen[:count]
        assert len(chosen) == count, "not enough free disks"
        _taken.update(v["id"] for v in chosen)
        return chosen


def create(cli: Cli, name: str, *extra: str) -> str:
    result = cli.run("policy", "create", "--name", name, "--start-time", "02:00",
                     "--frequency", "1", "--keep", "7", *extra, "--json")
    assert result.rc == 0, str(result)
    return str(result.json()["id"])


def listed(cli: Cli) -> dict[str, dict[str, Any]]:
    result = cli.run("policy", "list", "--json")
    assert result.rc == 0, str(result)
    return {p["name"]: p for p in result.json()["policies"]}


def test_a_broken_rule_exits_2_and_sends_nothing(cli: Cli, sim: SimProcess) -> None:
    before = sim.requests()
    result = cli.run("policy", "create", "--name", "Default-db", "--start-time", "02:30",
                     "--frequency", "2", "--week-days", "MON", "--keep-days", "1.5")
    assert result.rc == 2, str(result)
    assert_no_traceback(result)
    assert "must not start with 'default'" in result.err
    assert "--start-time: '02:30' is not a full hour" in result.err  # the option to fix
    assert "--frequency: give either an interval in days or week days, not both" in result.err
    assert "must be a whole number from 2 to 99999 (not '1.5')" in result.err
    assert "nothing was sent" in result.err
    assert delta(before, sim.requests(), CREATE_POLICY) == 0


def test_create_list_show_update_switch_delete(cli: Cli, sim: SimProcess) -> None:
    policy_id = create(cli, "e2e-life", "--tag", "env=test", "--keep-first-of-month")
    mine = listed(cli)["e2e-life"]
    assert (mine["id"], mine["schedule"], mine["retention"], mine["status"]) == (
        policy_id, "02:00 UTC every day", "keep 7 + first of month", "ON")
    assert mine["next_run_text"].endswith("02:00 UTC") and mine["disks"] == 0

    shown = cli.run("policy", "show", "e2e-life", "--json")
    assert shown.rc == 0, str(shown)
    assert shown.json()["policy"]["tags"] == [{"key": "env", "value": "test"}]
    assert cli.run("policy", "tag", "add", "e2e-life", "team=db").rc == 0
    assert cli.run("policy", "tag", "remove", "e2e-life", "env").rc == 0
    tags = cli.run("policy", "tag", "list", "e2e-life", "--json")
    assert tags.json()["tags"] == [{"key": "team", "value": "db"}], str(tags)

    changed = cli.run("policy", "update", policy_id, "--week-days", "THU,MON",
                      "--keep-days", "30", "--start-time", "23:00")
    assert changed.rc == 0, str(changed)
    assert cli.run("policy", "disable", "e2e-life").rc == 0
    mine = listed(cli)["e2e-life"]
    assert (mine["schedule"], mine["retention"], mine["status"], mine["next_run_text"]) == (
        "Mon, Thu at 23:00 UTC", "keep 30 days + first of month", "OFF", "—")
    assert cli.run("policy", "enable", policy_id).rc == 0
    assert listed(cli)["e2e-life"]["status"] == "ON"

    before = sim.requests()
    unconfirmed = cli.run("policy", "delete", "e2e-life")  # no terminal, no --yes
    assert unconfirmed.rc == 2 and "not confirmed" in unconfirmed.err, str(unconfirmed)
    assert delta(before, sim.requests(), DELETE_POLICY) == 0
    deleted = cli.run("policy", "delete", "e2e-life", "--yes")
    assert deleted.rc == 0, str(deleted)
    assert "e2e-life" not in listed(cli)


def test_the_default_policy_is_explained_not_deleted(cli: Cli, sim: SimProcess) -> None:
    before = sim.requests()
    result = cli.run("policy", "delete", "default", "--yes")
    assert result.rc == 2, str(result)
    assert "built-in default policy: it cannot be deleted" in result.err
    assert delta(before, sim.requests(), DELETE_POLICY) == 0


def test_linking_a_disk_of_another_policy_confirms_the_move(cli: Cli, sim: SimProcess
                                                            ) -> None:
    first = create(cli, "e2e-first")
    second = create(cli, "e2e-second")
    (volume,) = free_disks(sim, 1)
    linked = cli.run("policy", "link", "e2e-first", "--volume", volume["id"])
    assert linked.rc == 0, str(linked)  # a disk in no policy needs no confirmation
    assert sim.volume(volume["id"])["metadata"]["policy"] == first
    table = cli.run("volumes", "--name", volume["name"])
    header, row = table.out.splitlines()[:2]
    assert header.split()[-1] == "POLICY" and row.split()[-1] == "e2e-first", str(table)
    before = sim.requests()
    listed = cli.run("volumes", "--json")  # named as the table names it, one listing a run
    (record,) = [v for v in listed.json()["volumes"] if v["id"] == volume["id"]]
    assert record["vbstui"]["policy"] == {"id": first, "name": "e2e-first"}, str(listed)
    assert delta(before, sim.requests(), LIST_POLICIES) == 1

    before = sim.requests()
    moving = cli.run("policy", "link", "e2e-second", "--volume", volume["id"])
    assert moving.rc == 2, str(moving)
    assert f"{volume['name']} ({volume['id']}) moves from policy e2e-first" in moving.err
    assert delta(before, sim.requests(), LINK) == 0
    assert sim.volume(volume["id"])["metadata"]["policy"] == first

    moved = cli.run("policy", "link", "e2e-second", "--volume", volume["id"], "--yes",
                    "--json")
    assert moved.rc == 0, str(moved)
    assert moved.json()["disks"] == [{"id": volume["id"], "name": volume["name"], "ok": True,
                                      "error_code": None, "error_meaning": None,
                                      "message": None}]
    assert sim.volume(volume["id"])["metadata"]["policy"] == second

    unlinked = cli.run("policy", "unlink", "e2e-second", "--volume", volume["id"], "--yes")
    assert unlinked.rc == 0, str(unlinked)
    assert not (sim.volume(volume["id"]).get("metadata") or {}).get("policy")


def test_run_wait_follows_the_tasks_to_their_end(cli: Cli, sim: SimProcess) -> None:
    create(cli, "e2e-run")
    disks = free_disks(sim, 2)
    args = [a for d in disks for a in ("--volume", d["id"])]
    assert cli.run("policy", "link", "e2e-run", *args).rc == 0
    before = sim.requests()
    result = cli.run("policy", "run", "e2e-run", "--wait", "--json")
    assert result.rc == 0, str(result)
    jobs = result.json()["jobs"]
    assert sorted(j["volume_id"] for j in jobs) == sorted(d["id"] for d in disks)
    assert {(j["kind"], j["phase"], j["status"]) for j in jobs} == {
        ("policy-run", "success", "SUCCESS")}
    after = sim.requests()
    assert delta(before, after, RUN) == 1
    # one listing of the policy's tasks answers both disks' polls
    assert delta(before, after, TASKS) <= 4, after
    for job in jobs:  # each job names the backup its task made (the jobs panel's RESULT)
        made = {b["name"]: b["id"] for b in sim.backups(volume_id=job["volume_id"])}
        assert job["backup_id"] == made[job["backup_name"]]

    again = cli.run("policy", "tasks", "e2e-run", "--json")
    assert {t["status"] for t in again.json()["tasks"]} == {"EXECUTE_SUCCESS"}


def test_a_run_left_unfinished_is_resumed_from_the_journal(cli: Cli, sim: SimProcess
                                                           ) -> None:
    create(cli, "e2e-resume")
    (volume,) = free_disks(sim, 1)
    assert cli.run("policy", "link", "e2e-resume", "--volume", volume["id"]).rc == 0
    started = cli.run("policy", "run", "e2e-resume")  # the process ends before the task
    assert started.rc == 0, str(started)
    assert "still running; follow them with: vbstui jobs --wait" in started.err

    resumed = cli.run("jobs", "--wait", "--json")  # a new process, the same journal
    assert resumed.rc == 0, str(resumed)
    assert "resuming policy-run of autobk_" in resumed.err
    (job,) = [j for j in resumed.json()["jobs"] if j["volume_id"] == volume["id"]]
    assert (job["kind"], job["phase"], job["status"]) == ("policy-run", "success", "SUCCESS")


def test_a_create_whose_answer_is_lost_is_found_not_sent_again(module_sims: Any,
                                                              tmp_path: Path) -> None:
    flaky = module_sims("--services", "vbs", "--volumes", "10",
                        "--faults", "drop=1,paths=backuppolicy,methods=POST", name="flaky")
    cli = cli_for(tmp_path / "flaky-cli", flaky)
    before = flaky.requests()
    result = cli.run("policy", "create", "--name", "e2e-lost", "--start-time", "02:00",
                     "--frequency", "1", "--keep", "7", "--json")
    assert result.rc == 0, str(result)
    assert result.json()["recovered_after_network_error"] is True
    assert "found again after the answer was lost" in result.err
    assert delta(before, flaky.requests(), CREATE_POLICY) == 1  # never sent twice
    assert result.json()["id"] in {p["id"] for p in listed(cli).values()}
