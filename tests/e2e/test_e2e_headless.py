"""Issue 2 end to end: the headless CLI against `vbstui sim` through a config file,
and against the in-process simulator with --demo."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from e2ekit import (
    CREATE_ROUTE,
    FAST_POLL_TOML,
    JOB_ID_RE,
    JOB_ROUTE,
    UUID_RE,
    Cli,
    Pool,
    SimProcess,
    assert_no_traceback,
    cli_for,
    delta,
    wait_until,
    write_config,
)


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "3", "--services", "vbs", name="headless")


@pytest.fixture(scope="module")
def pool(sim: SimProcess) -> Pool:
    return Pool(sim)


@pytest.fixture
def cli(tmp_path: Path, sim: SimProcess) -> Cli:
    return cli_for(tmp_path / "cli", sim, extra=FAST_POLL_TOML)


@pytest.fixture
def demo(tmp_path: Path) -> Cli:
    """--demo: no config, no password; quick jobs so --wait is short."""
    return Cli(tmp_path / "demo", env_defaults={"VBSTUI_DEMO_JOB_SECONDS": "1"},
               base_args=("--demo",))


# -- create ------------------------------------------------------------------------------


def test_create_wait_json_through_config_file(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disk = pool.disk()
    before = sim.state()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", "nightly-1",
                     "--wait", "--json")
    assert result.rc == 0, result
    outcome = result.json()
    assert outcome["status"] == "SUCCESS"
    assert outcome["phase"] == "success"
    assert UUID_RE.match(outcome["backup_id"] or ""), outcome
    assert outcome["volume_id"] == disk["id"]
    assert outcome["backup_name"] == "nightly-1"
    assert outcome["error_code"] is None

    listed = cli.run("backups", "--volume", disk["id"], "--json")
    assert listed.rc == 0, listed
    backups = {b["id"]: b for b in listed.json()["backups"]}
    assert outcome["backup_id"] in backups
    assert backups[outcome["backup_id"]]["name"] == "nightly-1"
    assert backups[outcome["backup_id"]]["status"] == "available"

    after = sim.state()
    assert after["create_backup_posts"] - before["create_backup_posts"] == 1
    assert {"volume_id": disk["id"], "name": "nightly-1", "count": 1} in after["created_backups"]
    assert after["duplicates"] == []
    assert sim.backup(outcome["backup_id"])["status"] == "available"


def test_create_wait_json_in_demo_mode(demo: Cli) -> None:
    listed = demo.run("volumes", "--status", "available", "--json")
    assert listed.rc == 0, listed
    disk_id = None
    for volume in listed.json()["volumes"][:6]:
        if not volume.get("name"):
            continue
        backups = demo.run("backups", "--volume", volume["id"], "--json")
        assert backups.rc == 0, backups
        if backups.json()["count"] < 20:
            disk_id = volume["id"]
            break
    assert disk_id, "no demo disk below the backup limit"
    result = demo.run("backup", "create", "--volume", disk_id, "--name", "nightly-1",
                      "--wait", "--json")
    assert result.rc == 0, result
    outcome = result.json()
    assert outcome["status"] == "SUCCESS"
    assert UUID_RE.match(outcome["backup_id"] or ""), outcome
    # Demo mode needs no configuration at all.
    assert not (demo.root / "home" / ".config" / "vbstui").exists()

    # Without --json: the backup id alone on stdout, progress on stderr.
    human = demo.run("backup", "create", "--volume", disk_id, "--name", "nightly-2", "--wait")
    assert human.rc == 0, human
    assert UUID_RE.match(human.out.strip()), human
    assert len(human.out.splitlines()) == 1
    assert "submitted" in human.err and "succeeded" in human.err


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto-x", "must not start with 'auto'"),
        ("a" * 71, "at most 64 characters (now 71)"),
        ("bad name", "found a space"),
    ],
)
def test_invalid_name_exits_2_and_sends_nothing(cli: Cli, sim: SimProcess, pool: Pool,
                                                 name: str, reason: str) -> None:
    disk = pool.disk()
    before = sim.state()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", name, "--json")
    assert result.rc == 2, result
    assert reason in result.err
    assert "nothing was sent" in result.err
    assert result.out == ""
    assert_no_traceback(result)
    after = sim.state()
    # Not a single request: no POST, and not even a token request.
    assert after["requests_total"] == before["requests_total"], after["requests"]
    assert after["create_backup_posts"] == before["create_backup_posts"]


def test_reserved_name_in_demo_mode_exits_2(demo: Cli) -> None:
    result = demo.run("backup", "create", "--volume", "2f41f7cd-1cdd-4e9c-a824-74872226ff43",
                      "--name", "auto-x")
    assert result.rc == 2, result
    assert "must not start with 'auto'" in result.err
    assert result.out == ""


def test_disk_at_backup_limit_gives_0040(cli: Cli, sim: SimProcess) -> None:
    full = [n for n in sim.state()["near_limit"]
            if n["backups"] >= 20 and n["status"] in ("available", "in-use")]
    assert full, "the simulator offers no disk at the 20-backup limit"
    disk = full[0]["volume_id"]
    before = sim.state()

    # --force: past the pre-flight check (tests/e2e/test_e2e_preflight_retry.py), so the
    # service itself refuses.
    human = cli.run("backup", "create", "--volume", disk, "--name", "one-too-many", "--wait",
                    "--force")
    assert human.rc == 1, human
    assert "VolumeBackup.0040" in human.err
    assert "already has 20 backups" in human.err  # the explanation ...
    assert "Delete old backups" in human.err  # ... and what to do
    assert human.out == ""
    assert_no_traceback(human)

    as_json = cli.run("backup", "create", "--volume", disk, "--name", "one-too-many", "--json",
                      "--force")
    assert as_json.rc == 1, as_json
    outcome = as_json.json()
    assert outcome["phase"] == "refused"
    assert outcome["error_code"] == "VolumeBackup.0040"
    assert "20 backups" in outcome["error_meaning"]

    after = sim.state()
    assert delta(before["requests"], after["requests"], CREATE_ROUTE) == 2  # the server said no
    assert not [c for c in after["created_backups"] if c["volume_id"] == disk]


# -- listing -----------------------------------------------------------------------------


def test_json_is_only_json_on_stdout(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disk = pool.disk()
    created = cli.run("backup", "create", "--volume", disk["id"], "--name", "json-check")
    assert created.rc == 0, created
    job_id = created.out.strip()
    assert JOB_ID_RE.match(job_id), created

    volumes = cli.run("volumes", "--json").json()
    assert volumes["count"] == len(volumes["volumes"]) == sim.state()["volumes"]

    backups = cli.run("backups", "--json").json()
    assert backups["count"] == len(backups["backups"]) > 0

    quota = cli.run("quota", "--json").json()
    types = {r["type"]: r for r in quota["quotas"]["resources"]}
    assert set(types) >= {"backups", "backup_gigabytes"}
    assert types["backups"]["quota"] == 2000

    job = cli.run("job", "show", job_id, "--json").json()
    assert job["job_id"] == job_id
    assert job["status"] in ("INIT", "RUNNING", "SUCCESS")

    followed = cli.run("job", "show", job_id, "--wait", "--json")
    assert followed.rc == 0, followed
    job = followed.json()
    assert job["status"] == "SUCCESS"
    assert UUID_RE.match(job["entities"]["backup_id"])
    assert "SUCCESS" in followed.err  # status changes go to stderr

    history = cli.run("jobs", "--json").json()
    assert job_id in {r.get("job_id") for r in history["jobs"]}


def test_human_volumes_output_is_a_table(cli: Cli, sim: SimProcess) -> None:
    result = cli.run("volumes")
    assert result.rc == 0, result
    lines = result.out.splitlines()
    assert lines[0].split()[:5] == ["ID", "NAME", "STATUS", "SIZE", "TYPE"]
    rows = lines[1:]
    assert len(rows) == sim.state()["volumes"]
    assert all(UUID_RE.match(row.split()[0]) for row in rows), rows[:3]
    assert all(re.search(r"\b\d+ GB\b", row) for row in rows if "?" not in row)
    assert f"{len(rows)} disks" in result.err
    with pytest.raises(ValueError):
        json.loads(result.out)


@pytest.fixture(scope="module")
def big_sim(module_sims: Any) -> SimProcess:
    return module_sims("--volumes", "2500", "--job-seconds", "3", name="big")


def test_paging_lists_all_2500_volumes(tmp_path: Path, big_sim: SimProcess) -> None:
    cli = cli_for(tmp_path / "cli", big_sim)
    before = big_sim.requests()
    result = cli.run("volumes", "--json")
    assert result.rc == 0, result
    data = result.json()
    ids = [v["id"] for v in data["volumes"]]
    assert data["count"] == 2500
    assert len(ids) == 2500
    assert len(set(ids)) == 2500
    assert set(ids) == {v["id"] for v in big_sim.volumes()}
    pages = delta(before, big_sim.requests(), "GET /v2/{project_id}/cloudvolumes/detail")
    assert pages >= 3  # at most 1000 per page

    human = cli.run("volumes")
    assert human.rc == 0, human
    assert len(human.out.splitlines()) == 2501
    assert "2500 disks" in human.err


def test_name_and_status_filters(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    in_use = cli.run("volumes", "--status", "in-use", "--json").json()
    assert in_use["count"] > 0
    assert {v["status"] for v in in_use["volumes"]} == {"in-use"}

    def same_as_server() -> bool:
        mine = {v["id"] for v in cli.run("volumes", "--status", "available", "--json")
                .json()["volumes"]}
        return mine == {v["id"] for v in sim.volumes(status="available")}

    wait_until(same_as_server, timeout=10, what="--status available matches the server")

    disk = pool.disk()
    named = cli.run("volumes", "--name", disk["name"], "--json").json()
    assert [v["id"] for v in named["volumes"]] == [v["id"] for v in
                                                   sim.volumes(name=disk["name"])]
    assert {v["name"] for v in named["volumes"]} == {disk["name"]}

    nothing = cli.run("volumes", "--name", "no-such-disk-e2e", "--json")
    assert nothing.rc == 0, nothing
    assert nothing.json() == {"count": 0, "volumes": []}

    errors = cli.run("backups", "--status", "error", "--json").json()
    assert errors["count"] > 0
    assert {b["status"] for b in errors["backups"]} == {"error"}
    some = errors["backups"][0]
    by_name = cli.run("backups", "--name", some["name"], "--json").json()
    assert some["id"] in {b["id"] for b in by_name["backups"]}
    assert {b["name"] for b in by_name["backups"]} == {some["name"]}


# -- the journal ---------------------------------------------------------------------------


def test_create_without_wait_then_jobs_wait_resumes_it(cli: Cli, sim: SimProcess,
                                                       pool: Pool) -> None:
    disk = pool.disk()
    created = cli.run("backup", "create", "--volume", disk["id"], "--name", "resume-me")
    assert created.rc == 0, created
    job_id = created.out.strip()
    assert JOB_ID_RE.match(job_id), created
    assert f"vbstui job show {job_id} --wait" in created.err

    journal = {r["job_id"]: r for r in cli.run("jobs", "--json").json()["jobs"]}
    if sim.job(job_id)["status"] in ("INIT", "RUNNING"):  # the job takes 3 s
        assert journal[job_id]["phase"] == "running"

    before = sim.requests()
    resumed = cli.run("jobs", "--wait")
    assert resumed.rc == 0, resumed
    assert delta(before, sim.requests(), JOB_ROUTE) >= 1
    journal = {r["job_id"]: r for r in cli.run("jobs", "--json").json()["jobs"]}
    assert journal[job_id]["phase"] == "success"
    assert journal[job_id]["status"] == "SUCCESS"
    names = {b["name"]: b for b in sim.backups(volume_id=disk["id"])}
    assert names["resume-me"]["status"] == "available"
    assert sim.job(job_id)["status"] == "SUCCESS"


# -- job outcomes: failure, --timeout, a lost answer ----------------------------------------


def test_failed_job_exits_1_with_code_and_explanation(tmp_path: Path, sims: Any) -> None:
    failing = sims("--job-seconds", "1", "--faults", "job_fail=1", name="failing")
    cli = cli_for(tmp_path / "cli", failing)
    disk = Pool(failing).disk()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", "doomed", "--wait",
                     "--json")
    assert result.rc == 1, result
    outcome = result.json()
    assert outcome["phase"] == "failed"
    assert outcome["status"] == "FAIL"
    code = outcome["error_code"] or ""
    assert code.startswith("VolumeBackup."), outcome
    assert outcome["error_meaning"] and outcome["error_action"]
    assert code in result.err and "FAILED" in result.err

    shown = cli.run("job", "show", outcome["job_id"], "--wait")
    assert shown.rc == 1, shown
    assert "FAIL" in shown.out and code in shown.out


def test_timeout_exits_5_and_jobs_resumes(cli: Cli, sim: SimProcess, pool: Pool) -> None:
    disk = pool.disk()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", "slowpoke", "--wait",
                     "--timeout", "0.5", "--json")
    assert result.rc == 5, result
    outcome = result.json()
    assert outcome["phase"] == "running"
    assert JOB_ID_RE.match(outcome["job_id"] or "")
    assert "--timeout" in result.err and "vbstui jobs" in result.err

    resumed = cli.run("jobs", "--wait", "--json")
    assert resumed.rc == 0, resumed
    records = {r["job_id"]: r for r in resumed.json()["jobs"]}
    assert records[outcome["job_id"]]["phase"] == "success"


def test_dropped_create_answer_is_recovered_without_duplicate(tmp_path: Path,
                                                              sims: Any) -> None:
    """The server creates the backup, then the connection drops before the answer."""
    lossy = sims("--job-seconds", "1", "--faults", "drop=1,methods=POST,paths=cloudbackups",
                 name="lossy")
    cli = cli_for(tmp_path / "cli", lossy)
    disk = Pool(lossy).disk()
    result = cli.run("backup", "create", "--volume", disk["id"], "--name", "lost-answer",
                     "--wait", "--json")
    assert result.rc == 0, result
    outcome = result.json()
    assert outcome["phase"] == "success"
    assert outcome["recovered_after_network_error"] is True
    state = lossy.state()
    assert state["create_backup_posts"] == 1  # looked before sending again: found it
    assert state["duplicates"] == []
    [backup] = lossy.backups(volume_id=disk["id"], name="lost-answer")
    assert backup["id"] == outcome["backup_id"]


def test_jobs_wait_gives_a_verdict_for_a_job_the_server_forgot(tmp_path: Path,
                                                               sims: Any) -> None:
    """E.g. VBS expired the job record, or the simulator restarted: `jobs --wait` should
    look for the backup and end (success/failed/unknown), not poll a 404 until --timeout."""
    first = sims("--job-seconds", "60", name="forgetful")
    cli = cli_for(tmp_path / "cli", first)
    disk = Pool(first).disk()
    created = cli.run("backup", "create", "--volume", disk["id"], "--name", "forgotten")
    assert created.rc == 0, created
    assert first.stop() == 0
    second = sims("--job-seconds", "60", name="amnesiac")  # same seed: same project id
    write_config(Path(cli.base_args[1]), second.auth_url, extra=FAST_POLL_TOML)
    result = cli.run("jobs", "--wait", "--timeout", "20")
    assert "common.0011" in result.err, result
    # A verdict, not "still waiting": the new service has no such backup either.
    assert "outcome unknown" in result.err and "no longer knows job" in result.err, result
    assert result.rc == 4, result


# -- configuration and credential problems ----------------------------------------------------


BROKEN_CONFIGS = {
    "toml-syntax": (
        '[profiles.sim]\nauth_url = "http://127.0.0.1:9/v3"\nusername = demo\n',
        "line 3",
    ),
    "unknown-profile-key": (
        '[profiles.sim]\nauth_url = "http://127.0.0.1:9/v3"\nusername = "demo"\n'
        'project_name = "p"\nuser_domain_name = "d"\ncolour = "red"\n',
        "line 6",
    ),
    "unknown-top-key": ('default_profile = "sim"\nbogus = 1\n', "line 2"),
    "wrong-type": (
        '[profiles.sim]\nauth_url = "http://127.0.0.1:9/v3"\nusername = "demo"\n'
        'project_name = "p"\nuser_domain_name = "d"\ninsecure = "yes"\n',
        "line 6",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CONFIGS))
def test_broken_config_file_exits_3_with_path_and_line(tmp_path: Path, case: str) -> None:
    text, line = BROKEN_CONFIGS[case]
    path = tmp_path / "broken.toml"
    path.write_text(text)
    path.chmod(0o600)
    cli = cli_for(tmp_path / "cli", None)
    result = cli.run("--config", str(path), "volumes", "--json")
    assert result.rc == 3, result
    assert str(path) in result.err
    assert line in result.err
    assert result.out == ""
    assert_no_traceback(result)
    if case == "unknown-profile-key":
        assert "colour" in result.err and "unknown setting" in result.err


def test_missing_config_file_exits_3(tmp_path: Path) -> None:
    cli = cli_for(tmp_path / "cli", None)
    missing = tmp_path / "nope.toml"
    result = cli.run("--config", str(missing), "volumes")
    assert result.rc == 3, result
    assert str(missing) in result.err and "not found" in result.err
    assert_no_traceback(result)


def test_wrong_password_exits_3_plainly(tmp_path: Path, sim: SimProcess) -> None:
    wrong = "Wr0ng-e2e-Passw0rd"
    cli = cli_for(tmp_path / "cli", sim, password=wrong)
    before = sim.state()["token_requests"]
    result = cli.run("volumes", "--json")
    assert result.rc == 3, result
    assert "401" in result.err or "refused the credentials" in result.err
    assert wrong not in result.err and wrong not in result.out
    assert result.out == ""
    assert_no_traceback(result)
    assert len(result.err.strip().splitlines()) <= 2
    assert sim.state()["token_requests"] == before + 1
    assert cli.token_files() == []  # nothing cached for a refused login
    assert wrong not in cli.log_text()


def test_unknown_profile_exits_3(cli: Cli, sim: SimProcess) -> None:
    before = sim.state()["requests_total"]
    result = cli.run("--config", cli.base_args[1], "--profile", "nope", "volumes", bare=True)
    assert result.rc == 3, result
    assert "no profile named 'nope'" in result.err
    assert "sim" in result.err  # the known profiles are listed
    assert_no_traceback(result)
    via_env = cli.run("--config", cli.base_args[1], "volumes", bare=True,
                      env_extra={"VBSTUI_PROFILE": "nope"})
    assert via_env.rc == 3, via_env
    assert "no profile named 'nope'" in via_env.err
    assert sim.state()["requests_total"] == before


def test_no_password_and_no_terminal_exits_3(tmp_path: Path, sim: SimProcess) -> None:
    cli = cli_for(tmp_path / "cli", sim, password=None)
    result = cli.run("volumes")
    assert result.rc == 3, result
    assert "VBSTUI_PASSWORD" in result.err
    assert_no_traceback(result)


# -- start-up ----------------------------------------------------------------------------------


def test_headless_commands_do_not_import_textual(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "cli")
    result = cli.run("--demo", "volumes", "--json", python_flags=("-X", "importtime"))
    assert result.rc == 0, result
    assert result.json()["count"] > 0
    modules = [line.rsplit("|", 1)[-1].strip() for line in result.err.splitlines()
               if line.startswith("import time:")]
    assert len(modules) > 50, result.err[:500]  # the import log is really there
    assert "vbstui.cli.listing" in modules
    textual = [m for m in modules if m == "textual" or m.startswith("textual.")]
    assert textual == []


def test_sim_stops_cleanly_on_sigterm(sims: Any) -> None:
    sim = sims("--job-seconds", "3", name="sigterm")
    assert sim.state()["volumes"] == 120
    started = time.monotonic()
    assert sim.stop() == 0
    assert time.monotonic() - started < 5
