"""Headless listings end to end (issues 13 and 14): disks named by --volume, the fields
vbstui derives in --json, streamed JSON and JSON lines, `jobs --limit`, the help text."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from e2ekit import JOB_ID_RE, Cli, Pool, SimProcess, assert_no_traceback, cli_for, delta

VOLUME_PAGES = "GET /v2/{project_id}/cloudvolumes/detail"


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    # VBS only: these tests read VBS's own listing as the oracle (both services: test_e2e_cbr*)
    return module_sims("--job-seconds", "2", "--services", "vbs", name="listing")


@pytest.fixture(scope="module")
def pool(sim: SimProcess) -> Pool:
    return Pool(sim)


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim)


# -- --volume: an id or a name only one disk has ------------------------------------------------


def test_backups_of_a_disk_given_by_its_unique_name(cli: Cli, sim: SimProcess) -> None:
    owners = Counter(b["volume_id"] for b in sim.backups())
    names = Counter(v["name"] for v in sim.volumes())
    disk = next(v for v in sim.volumes() if owners[v["id"]] and names[v["name"]] == 1
                and v["name"])
    by_name = cli.run("backups", "--volume", disk["name"], "--json")
    assert by_name.rc == 0, by_name
    by_id = cli.run("backups", "--volume", disk["id"], "--json")
    assert by_id.rc == 0, by_id
    ids = [b["id"] for b in by_name.json()["backups"]]
    assert ids and ids == [b["id"] for b in by_id.json()["backups"]]
    assert set(ids) == {b["id"] for b in sim.backups(volume_id=disk["id"])}

    table = cli.run("backups", "--volume", disk["name"])
    assert table.rc == 0, table
    rows = table.out.splitlines()[1:]
    assert len(rows) == len(ids)
    assert all(disk["name"] in row for row in rows), table.out  # the name, not the id
    assert disk["id"] not in table.out


def test_an_unknown_disk_name_exits_2_and_says_so(cli: Cli, sim: SimProcess) -> None:
    before = sim.requests()
    result = cli.run("backups", "--volume", "no-such-disk-anywhere")
    assert result.rc == 2, result
    assert "no disk has this name" in result.err
    assert "no-such-disk-anywhere" in result.err
    assert result.out == ""
    assert sim.requests().get("GET /v2/{project_id}/backups/detail", 0) == \
        before.get("GET /v2/{project_id}/backups/detail", 0)  # nothing listed
    assert_no_traceback(result)


def test_a_name_in_the_wrong_case_is_not_guessed(cli: Cli, pool: Pool) -> None:
    disk = pool.disk()
    shouted = disk["name"].upper()
    if shouted == disk["name"]:
        pytest.fail(f"disk name without letters: {disk['name']!r}")
    result = cli.run("backups", "--volume", shouted)
    # A disk is never picked by a near match: the user names it exactly or gives its id.
    assert result.rc == 2, result
    assert "no disk has this name" in result.err
    assert_no_traceback(result)


def test_a_name_several_disks_share_exits_2_with_their_ids(cli: Cli, sim: SimProcess) -> None:
    names = Counter(v["name"] for v in sim.volumes() if v["name"])
    shared = [name for name, count in names.items() if count > 1]
    if not shared:
        pytest.skip("this simulator world has no two disks with the same name")
    name = shared[0]
    result = cli.run("backups", "--volume", name)
    assert result.rc == 2, result
    assert f"{names[name]} disks have this name" in result.err
    for volume in sim.volumes(name=name):
        assert volume["id"] in result.err
    assert_no_traceback(result)


# -- what --json adds: a "vbstui" object next to the server's record ----------------------------


def test_backups_json_keeps_the_record_and_adds_derived_fields(cli: Cli, sim: SimProcess
                                                               ) -> None:
    # The server's listing before and after: a backup may go (the seeded `deleting` one is
    # gone 3 s after the simulator starts) or come (a job of an earlier test) meanwhile.
    before = {b["id"]: b for b in sim.backups()}
    result = cli.run("backups", "--json")
    assert result.rc == 0, result
    after = {b["id"]: b for b in sim.backups()}
    listed = {b["id"]: b for b in result.json()["backups"]}
    names = {v["id"]: v["name"] for v in sim.volumes()}
    assert before.keys() & after.keys() <= listed.keys() <= before.keys() | after.keys()
    for backup_id, record in listed.items():
        derived = record.pop("vbstui")
        if record["status"] in ("available", "error"):  # settled: as one read has it
            assert record in (before.get(backup_id), after.get(backup_id))  # unchanged
        assert derived["service"] == "vbs"
        assert derived["volume_name"] == (names.get(record["volume_id"]) or None)
        raw = record["description"]
        if isinstance(raw, str) and raw.startswith("{"):
            decoded = json.loads(raw)
            assert derived["description"] == decoded.get("DESC", "")
            assert derived["incremental"] == (decoded.get("INC") == 1)


def test_backups_table_shows_description_and_failure_reason(cli: Cli, sim: SimProcess) -> None:
    failed = [b for b in sim.backups(status="error") if b.get("fail_reason")]
    assert failed, "the simulator seeds failed backups"
    result = cli.run("backups", "--status", "error")
    assert result.rc == 0, result
    assert result.out.splitlines()[0].split()[-1] == "DESCRIPTION"
    for backup in failed:
        row = next(line for line in result.out.splitlines() if line.startswith(backup["id"]))
        assert f"error: {backup['fail_reason'][:20]}" in row, row
    rows = result.out.splitlines()[1:]
    assert f"{len(rows)} backup{'' if len(rows) == 1 else 's'}" in result.err


def test_job_show_json_adds_backup_id_and_explanation(cli: Cli, sim: SimProcess, pool: Pool
                                                      ) -> None:
    disk = pool.disk()
    created = cli.run("backup", "create", "--volume", disk["id"], "--name", "derived-job",
                      "--wait")
    assert created.rc == 0, created
    backup_id = created.out.strip()
    job_id = next(r["job_id"] for r in cli.run("jobs", "--json").json()["jobs"]
                  if r.get("backup_name") == "derived-job")
    shown = cli.run("job", "show", job_id, "--json").json()
    derived = shown.pop("vbstui")
    assert shown == sim.job(job_id)
    assert derived == {"backup_id": backup_id, "error_code": None, "meaning": None,
                       "action": None}


def test_quota_json_adds_what_is_left(cli: Cli, sim: SimProcess) -> None:
    shown = cli.run("quota", "--json")
    assert shown.rc == 0, shown
    data = shown.json()
    derived = data.pop("vbstui")
    resources = {r["type"]: r for r in data["quotas"]["resources"]}
    backups = resources["backups"]
    assert derived["backups"] == {
        "left": backups["quota"] - backups["used"] - (backups.get("reserved") or 0),
        "unlimited": False}
    table = cli.run("quota")
    row = next(line.split() for line in table.out.splitlines() if line.startswith("backups "))
    assert row[-1] == str(derived["backups"]["left"])  # the table and JSON agree


# -- streaming: one valid document, compact when piped; JSON lines ------------------------------


def test_volumes_json_is_compact_complete_and_derived(cli: Cli, sim: SimProcess) -> None:
    result = cli.run("volumes", "--json")
    assert result.rc == 0, result
    assert result.out.count("\n") == 1  # compact: stdout is not a terminal
    data = result.json()
    served = {v["id"]: v for v in sim.volumes()}
    assert data["count"] == len(data["volumes"]) == len(served)
    settled = 0
    for record in data["volumes"]:
        derived = record.pop("vbstui")
        if record["status"] == served[record["id"]]["status"]:  # not changed in between
            assert record == served[record["id"]]
            settled += 1
        linked = (record.get("metadata") or {}).get("policy")  # EVS names the policy
        assert (derived.pop("policy") or {}).get("id") == (linked or None)
        assert derived == {"backupable": record["status"] in ("available", "in-use")}
    assert settled >= len(served) - 3


def test_volumes_jsonl_is_one_disk_per_line(cli: Cli, sim: SimProcess) -> None:
    result = cli.run("volumes", "--jsonl", "--status", "available")
    assert result.rc == 0, result
    lines = result.out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [v["id"] for v in sim.volumes(status="available")]
    assert all(r["vbstui"]["backupable"] for r in records)
    both = cli.run("volumes", "--json", "--jsonl")
    assert both.rc == 2, both
    assert "not allowed with" in both.err


def test_empty_listing_is_a_valid_document(cli: Cli) -> None:
    nothing = cli.run("volumes", "--name", "no-such-disk-e2e", "--json")
    assert nothing.rc == 0, nothing
    assert nothing.json() == {"volumes": [], "count": 0}
    lines = cli.run("volumes", "--name", "no-such-disk-e2e", "--jsonl")
    assert lines.rc == 0 and lines.out == "", lines


def _seed_failing(request: int, rate: float) -> int:
    """A fault seed whose `request`-th roll (from 1) is the first to fault: the simulator
    rolls one `random.Random(seed).random()` per request a fault may hit."""
    for seed in range(1, 10_000):
        rolls = random.Random(seed)
        if all(rolls.random() >= rate for _ in range(request - 1)) and rolls.random() < rate:
            return seed
    raise AssertionError("no seed found")


def test_a_listing_failing_half_way_leaves_no_valid_document(tmp_path: Path, sims: Any) -> None:
    seed = _seed_failing(3, 0.5)
    broken = sims("--volumes", "5000", "--faults",
                  f"deep=0.5,paths=cloudvolumes,methods=GET,seed={seed}", name="half")
    cli = cli_for(tmp_path / "cli", broken)
    result = cli.run("volumes", "--json")
    assert result.rc == 1, result
    pages = broken.requests().get(VOLUME_PAGES, 0)
    assert pages >= 3, broken.requests()  # it failed on a later page, not the first
    assert result.out.startswith('{"volumes":[{'), result.out[:100]  # pages went out
    with pytest.raises(ValueError):
        json.loads(result.out)
    assert "nested more than" in result.err
    assert_no_traceback(result)

    lines = cli_for(tmp_path / "lines", broken).run("volumes", "--jsonl")
    assert lines.rc == 1, lines  # JSON lines: the exit code says it is partial
    assert all(json.loads(line) for line in lines.out.splitlines())


# -- the journal: recent jobs first, the rest on request ----------------------------------------


def test_jobs_limit_shows_recent_jobs_and_says_how_many_more(cli: Cli, pool: Pool) -> None:
    disks = pool.disks(3)
    created = cli.run("backup", "create", *[a for d in disks for a in ("--volume", d["id"])],
                      "--name", "limit-run")
    assert created.rc == 0, created
    assert all(JOB_ID_RE.match(line) for line in created.out.split()), created

    limited = cli.run("jobs", "--limit", "2")
    assert limited.rc == 0, limited
    assert len(limited.out.splitlines()) == 1 + 2
    assert "the latest 2 of 3 jobs in the journal; 1 more with --all" in limited.err

    everything = cli.run("jobs", "--all")
    assert len(everything.out.splitlines()) == 1 + 3
    assert "3 jobs in the journal" in everything.err

    data = cli.run("jobs", "--limit", "1", "--json").json()
    assert len(data["jobs"]) == 1 and data["total"] == 3
    every = cli.run("jobs", "--all", "--json").json()["jobs"]
    assert data["jobs"][0]["submitted_at"] == max(j["submitted_at"] for j in every)

    bad = cli.run("jobs", "--limit", "0")
    assert bad.rc == 2 and "must be 1 or more" in bad.err, bad


def test_one_job_is_one_job(cli: Cli, pool: Pool) -> None:
    created = cli.run("backup", "create", "--volume", pool.disk()["id"], "--name", "single")
    assert created.rc == 0, created
    listed = cli.run("jobs")
    assert "1 job in the journal" in listed.err, listed


# -- options and help ---------------------------------------------------------------------------


def test_log_level_accepts_any_case(cli: Cli) -> None:
    for level in ("debug", "Warning", "ERROR"):
        result = cli.run("--log-level", level, "volumes", "--name", "nothing-here", "--json")
        assert result.rc == 0, result
    assert "DEBUG" in cli.log_text()
    wrong = cli.run("--log-level", "chatty", "volumes")
    assert wrong.rc == 2 and "--log-level" in wrong.err, wrong


def test_help_has_examples_exit_codes_and_every_option_explained(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "cli")
    top = cli.run("--help", bare=True)
    assert top.rc == 0, top
    assert "examples:" in top.out and "vbstui backups --volume" in top.out
    for code in ("0", "1", "2", "3", "4", "5"):
        assert any(line.strip().startswith(f"{code} ") for line in top.out.splitlines()), code
    assert '"vbstui"' in top.out

    jobs = cli.run("jobs", "--help", bare=True)
    assert "The journal of the jobs vbstui started" in jobs.out
    assert "--limit N" in jobs.out and "--all" in jobs.out

    create = " ".join(cli.run("backup", "create", "--help", bare=True).out.split())
    assert "at most 59 with several --volume" in create
    assert "--description TEXT backup description: up to 64 characters" in create
    assert "--concurrency N bulk runs: how many disks are sent at once" in create
    assert "--timeout SECONDS end the whole command after SECONDS" in create

    volumes = " ".join(cli.run("volumes", "--help", bare=True).out.split())
    assert "--jsonl one JSON object per line" in volumes


# -- the same --volume rule for backup create and restore ----------------------------------------


def _unique_name(sim: SimProcess, disk: dict[str, Any]) -> str:
    names = Counter(v["name"] for v in sim.volumes())
    if not disk["name"] or names[disk["name"]] != 1:
        pytest.fail(f"disk {disk['id']} has no unique name: {disk['name']!r}")
    return str(disk["name"])


def test_backup_create_takes_a_disk_by_its_unique_name(cli: Cli, sim: SimProcess, pool: Pool
                                                       ) -> None:
    disk = pool.disk()
    result = cli.run("backup", "create", "--volume", _unique_name(sim, disk),
                     "--name", "by-name-1", "--json")
    assert result.rc == 0, result
    assert result.json()["volume_id"] == disk["id"]
    assert JOB_ID_RE.fullmatch(result.json()["job_id"]), result.out


def test_backup_create_with_an_unknown_disk_name_sends_nothing(cli: Cli, sim: SimProcess
                                                               ) -> None:
    before = sim.requests()
    result = cli.run("backup", "create", "--volume", "no-such-disk-anywhere",
                     "--name", "never-sent")
    assert result.rc == 2, result
    assert "no-such-disk-anywhere" in result.err and "no disk has this name" in result.err
    assert delta(before, sim.requests(), "POST /v2/{project_id}/cloudbackups") == 0
    assert_no_traceback(result)


def test_a_bad_name_is_refused_before_the_disk_name_is_looked_up(cli: Cli, sim: SimProcess
                                                                ) -> None:
    before = sim.requests()
    result = cli.run("backup", "create", "--volume", "some-disk-name", "--name", "bad name!")
    assert result.rc == 2, result
    assert "name" in result.err
    assert delta(before, sim.requests(), VOLUME_PAGES) == 0  # refused offline


def test_restore_takes_its_target_disk_by_name(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    backup = pool.backups(1)[0]
    own = sim.volume(backup["volume_id"])
    # The backup's own disk named: the preconditions are then checked on that disk.
    result = cli.run("backup", "restore", backup["id"], "--volume", _unique_name(sim, own),
                     "--yes", "--json")
    assert result.json()["volume_id"] == own["id"], result
    assert_no_traceback(result)
