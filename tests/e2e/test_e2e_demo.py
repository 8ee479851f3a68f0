"""`vbstui --demo` as a newcomer and a script writer meet it: real processes, each with
its own state dir, the demo world kept between runs like a real project."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from e2ekit import Cli, Result, assert_no_traceback

FAST = {"VBSTUI_DEMO_JOB_SECONDS": "1"}


@pytest.fixture
def demo(tmp_path: Path) -> Cli:
    return Cli(tmp_path, env_defaults=dict(FAST), base_args=("--demo",))


def ok(result: Result) -> Result:
    assert result.rc == 0, str(result)
    assert_no_traceback(result)
    return result


def world_files(cli: Cli) -> list[Path]:
    return sorted((cli.root / "state" / "demo").glob("world-*.saved"))


def create(cli: Cli, volume_id: str, name: str, *extra: str) -> Result:
    return cli.run("backup", "create", "--volume", volume_id, "--name", name, *extra)


def test_a_newcomers_first_backup_of_the_first_disk_succeeds(demo: Cli) -> None:
    first = ok(demo.run("volumes", "--json")).json()["volumes"][0]
    result = ok(create(demo, first["id"], "my-first-backup", "--wait"))
    assert "succeeded" in result.err
    backup_id = result.out.strip().splitlines()[-1]
    [backup] = ok(demo.run("backups", "--name", "my-first-backup", "--json")).json()["backups"]
    assert backup["id"] == backup_id and backup["status"] == "available"
    assert backup["volume_id"] == first["id"]


def vbs_disks(cli: Cli) -> list[str]:
    """Disks whose backups go to VBS (the demo project also has CBR vaults)."""
    return [v["id"] for v in ok(cli.run("volumes", "--json")).json()["volumes"]
            if v["vbstui"]["protection"] == {"service": "vbs", "vault_id": None,
                                             "vault_name": None}]


def test_what_one_demo_command_did_the_next_ones_find(demo: Cli) -> None:
    disk = vbs_disks(demo)[1]
    backup_id = ok(create(demo, disk, "kept-between-runs", "--wait")).out.strip().splitlines()[-1]
    [journaled] = ok(demo.run("jobs", "--json")).json()["jobs"]
    assert journaled["backup_name"] == "kept-between-runs" and journaled["status"] == "SUCCESS"
    job = ok(demo.run("job", "show", journaled["job_id"], "--json")).json()
    assert job["status"] == "SUCCESS" and job["entities"]["backup_id"] == backup_id
    listed = ok(demo.run("backups", "--name", "kept-between-runs", "--json")).json()["backups"]
    assert [b["id"] for b in listed] == [backup_id]


def test_a_job_left_running_by_one_command_ends_in_the_next(demo: Cli) -> None:
    disk = vbs_disks(demo)[2]
    submitted = json.loads(ok(create(demo, disk, "left-running", "--json")).out)
    assert submitted["phase"] == "running"
    job = ok(demo.run("job", "show", submitted["job_id"], "--wait", "--json")).json()
    assert job["status"] == "SUCCESS"
    assert ok(demo.run("backups", "--name", "left-running", "--json")).json()["backups"]


def test_demo_reset_starts_over_with_a_fresh_world(demo: Cli) -> None:
    disk = ok(demo.run("volumes", "--json")).json()["volumes"][0]["id"]
    ok(create(demo, disk, "before-reset", "--wait"))
    reset = ok(demo.run("--demo-reset", "backups", "--name", "before-reset", "--json"))
    assert reset.json()["backups"] == []
    assert "fresh demo world" in reset.err
    assert ok(demo.run("jobs", "--json")).json()["jobs"] == []
    # --demo-reset alone (without --demo) also means the demo.
    alone = ok(demo.run("--demo-reset", "quota", "--json", bare=True))
    assert "fresh demo world" in alone.err


def test_the_saved_world_is_private(demo: Cli) -> None:
    ok(demo.run("volumes", "--json"))
    [world] = world_files(demo)
    assert stat.S_IMODE(world.stat().st_mode) == 0o600
    assert stat.S_IMODE(world.parent.stat().st_mode) == 0o700


@pytest.fixture(scope="module")
def saved_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The state dir of one demo run: a saved world, as a first `--demo` command leaves
    it (copied into each test below instead of one more process start each)."""
    first = Cli(tmp_path_factory.mktemp("first-demo"), env_defaults=dict(FAST),
                base_args=("--demo",))
    ok(first.run("volumes", "--json"))
    assert world_files(first)
    return first.root / "state"


@pytest.mark.parametrize("damage", ["garbage", "other-version", "no-header", "not-a-file",
                                    "writable-by-others"])
def test_a_broken_saved_world_is_reported_in_one_line_and_replaced(demo: Cli, damage: str,
                                                                   saved_state: Path) -> None:
    shutil.copytree(saved_state, demo.root / "state")  # modes kept: 0700 dir, 0600 file
    [world] = world_files(demo)
    text = world.read_text()
    if damage == "garbage":
        world.write_bytes(b"\x00\xff not json")
    elif damage == "other-version":
        header, _, body = text.partition("\n")
        document = json.loads(body)
        document["version"] = 999
        world.write_text(f"{header}\n{json.dumps(document)}")
    elif damage == "no-header":
        world.write_text(text.partition("\n")[2])
    elif damage == "not-a-file":
        world.unlink()
        world.mkdir()
    else:
        world.chmod(0o666)
    result = demo.run("volumes", "--json")
    assert_no_traceback(result)
    assert result.rc == 0, str(result)
    assert len(result.json()["volumes"]) == 120
    notes = [line for line in result.err.splitlines() if "demo world" in line]
    assert len(notes) == 1, result.err
    if damage != "not-a-file":
        assert "could not be used" in notes[0] and "fresh" in notes[0]
        assert "demo world" not in ok(demo.run("volumes", "--json")).err  # replaced: quiet


def test_two_demo_processes_at_once_keep_both_changes(demo: Cli) -> None:
    disks = [v["id"] for v in ok(demo.run("volumes", "--json")).json()["volumes"][:4]]
    running = [demo.start("backup", "create", "--volume", disk, "--name", f"together-{i}",
                          "--wait") for i, disk in enumerate(disks)]
    readers = [demo.start("backups", "--json") for _ in range(2)]
    for proc in [*running, *readers]:
        ok(Cli.finish(proc))
    listed = ok(demo.run("backups", "--json")).json()["backups"]
    names = {b["name"] for b in listed if b["name"].startswith("together-")}
    assert names == {f"together-{i}" for i in range(4)}
    assert {b["status"] for b in listed if b["name"] in names} == {"available"}
    # The file is whole: a later run loads it without a word.
    assert "demo world" not in ok(demo.run("quota", "--json")).err
    assert len(ok(demo.run("jobs", "--json")).json()["jobs"]) == 4
