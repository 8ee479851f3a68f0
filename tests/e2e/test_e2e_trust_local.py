"""Issue 12 ("Trust") end to end, for what lives on this machine: config files someone
else could have written, the log/state/cache directories, numbers and structures that
must not crash a run, and cached tokens that work the same with and without a password.

Every run is the real `python -m vbstui` against a `vbstui sim` (or, for one IAM answer
the simulator never gives, a tiny loopback server in this process)."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from e2ekit import (
    DOMAIN,
    PROJECT,
    REGION,
    USER,
    Cli,
    Result,
    SimProcess,
    assert_no_traceback,
    cli_for,
    write_config,
)

SECRET = "trust-S3cret-41c2e"  # the simulator's password here
NOBODY = 65534
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                             reason="needs root to give a file to another user")


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "1", "--password", SECRET, name="trust")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """No config, no password: each test says where the credentials come from."""
    return cli_for(tmp_path / "cli", None, password=None)


def token_requests(sim: SimProcess) -> int:
    return int(sim.state()["token_requests"])


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_refused(result: Result, *needles: str) -> None:
    """Exit 3, a message naming what is wrong, nothing on stdout, no traceback."""
    assert result.rc == 3, result
    for needle in needles:
        assert needle in result.err, result
    assert "internal error" not in result.err, result
    assert result.out == "", result
    assert_no_traceback(result)


def write_yaml(path: Path, data: dict[str, Any], mode: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")  # JSON is YAML
    path.chmod(mode)
    return path


def clouds_entry(auth_url: str) -> dict[str, Any]:
    return {"auth": {"auth_url": auth_url, "username": USER, "project_name": PROJECT,
                     "user_domain_name": DOMAIN}, "region_name": REGION}


def private_secure_yaml(cli: Cli) -> Path:
    """The victim's own, correctly private secure.yaml: the password a planted
    clouds.yaml would like to receive."""
    return write_yaml(cli.root / "home" / ".config" / "openstack" / "secure.yaml",
                      {"clouds": {"otc": {"auth": {"password": SECRET}}}}, 0o600)


# -- 1. config files someone else could have written ------------------------------------------


@as_root
def test_clouds_yaml_owned_by_another_user_gets_no_password(cli: Cli, sims: Any) -> None:
    attacker = sims("--password", SECRET, name="attacker")
    private_secure_yaml(cli)
    shared = cli.root / "shared"
    shared.mkdir()
    planted = write_yaml(shared / "clouds.yaml",
                         {"clouds": {"otc": clouds_entry(attacker.auth_url)}}, 0o644)
    os.chown(planted, NOBODY, NOBODY)
    cli.cwd = shared

    result = cli.run("--os-cloud", "otc", "--clouds-from-cwd", "volumes", "--json")
    assert_refused(result, str(planted), "belongs to another user", "Fix:")
    assert SECRET not in result.err
    assert attacker.state()["requests_total"] == 0  # nothing, let alone the password


@pytest.mark.parametrize("mode", [0o666, 0o664, 0o646])
def test_clouds_yaml_others_can_write_gets_no_password(cli: Cli, sims: Any, mode: int,
                                                       sim: SimProcess) -> None:
    attacker = sims("--password", SECRET, name="attacker")
    private_secure_yaml(cli)
    shared = cli.root / "shared"
    shared.mkdir()
    planted = write_yaml(shared / "clouds.yaml",
                         {"clouds": {"otc": clouds_entry(attacker.auth_url)}}, mode)
    cli.cwd = shared

    from_cwd = cli.run("--os-cloud", "otc", "--clouds-from-cwd", "volumes", "--json")
    assert_refused(from_cwd, str(planted), f"{mode:04o}", f"chmod go-w {planted}")
    via_env = cli.run("--os-cloud", "otc", "volumes", "--json",
                      env_extra={"OS_CLIENT_CONFIG_FILE": str(planted)})
    assert_refused(via_env, str(planted), f"chmod go-w {planted}")
    assert attacker.state()["requests_total"] == 0

    # The same file pointing at the real cloud, once only its owner can write it: accepted.
    write_yaml(planted, {"clouds": {"otc": clouds_entry(sim.auth_url)}}, 0o644)
    accepted = cli.run("--os-cloud", "otc", "--clouds-from-cwd", "volumes", "--json")
    assert accepted.rc == 0, accepted


def test_clouds_yaml_in_a_directory_others_can_write_is_refused(cli: Cli,
                                                                sim: SimProcess) -> None:
    private_secure_yaml(cli)
    shared = cli.root / "shared"
    shared.mkdir()
    clouds = write_yaml(shared / "clouds.yaml", {"clouds": {"otc": clouds_entry(sim.auth_url)}},
                        0o644)
    cli.cwd = shared
    shared.chmod(0o777)  # anyone could swap the file (rename over it)
    before = sim.state()["requests_total"]
    refused = cli.run("--os-cloud", "otc", "--clouds-from-cwd", "volumes", "--json")
    assert_refused(refused, str(clouds), str(shared), "others can write")
    assert sim.state()["requests_total"] == before

    shared.chmod(0o1777)  # sticky, like /tmp: only the owner may replace the file
    accepted = cli.run("--os-cloud", "otc", "--clouds-from-cwd", "volumes", "--json")
    assert accepted.rc == 0, accepted


def test_toml_config_others_can_write_is_refused(cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url, mode=0o666)
    before = sim.state()["requests_total"]
    refused = cli.run("--config", str(config), "volumes", "--json",
                      env_extra={"VBSTUI_PASSWORD": SECRET})
    assert_refused(refused, str(config), f"chmod go-w {config}")
    assert sim.state()["requests_total"] == before

    config.chmod(0o644)  # no password in it: readable is fine, writable was not
    accepted = cli.run("--config", str(config), "volumes", "--json",
                       env_extra={"VBSTUI_PASSWORD": SECRET})
    assert accepted.rc == 0, accepted


@as_root
def test_toml_config_without_password_owned_by_another_user_is_refused(
        cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url, mode=0o644)
    os.chown(config, NOBODY, NOBODY)
    before = sim.state()["requests_total"]
    refused = cli.run("--config", str(config), "volumes", env_extra={"VBSTUI_PASSWORD": SECRET})
    assert_refused(refused, str(config), "belongs to another user")
    assert sim.state()["requests_total"] == before


# -- 4. the log file and the state / cache / log directories ----------------------------------


def test_log_symlink_is_neither_followed_nor_chmodded(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    cli.log_dir.mkdir(mode=0o700)
    victim = cli.root / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    link = cli.log_dir / "vbstui.log"
    link.symlink_to(victim)

    result = cli.run("--log-level", "DEBUG", "volumes", "--json")
    assert result.rc == 0, result
    assert result.json()["count"] == 120
    assert victim.read_text() == "precious\n"
    assert mode_of(victim) == 0o644
    assert result.err.count("no log file this run") == 1, result
    assert str(link) in result.err and "symbolic link" in result.err
    assert link.is_symlink()


def test_own_directories_readable_by_others_are_tightened(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    for directory in (cli.root / "state", cli.cache_dir, cli.log_dir):
        directory.mkdir()
        directory.chmod(0o755)
    assert cli.run("quota", "--json").rc == 0
    assert cli.run("jobs", "--json").rc == 0
    for directory in (cli.root / "state", cli.cache_dir, cli.cache_dir / "tokens", cli.log_dir):
        assert mode_of(directory) == 0o700, directory
    assert mode_of(cli.log_dir / "vbstui.log") == 0o600


def test_fresh_directories_are_private(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    assert cli.run("jobs", "--json").rc == 0
    for directory in (cli.root / "state", cli.cache_dir, cli.cache_dir / "tokens", cli.log_dir):
        assert mode_of(directory) == 0o700, directory


def test_cache_directory_others_can_write_is_refused(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    cli.cache_dir.mkdir()
    cli.cache_dir.chmod(0o777)
    before = sim.state()["requests_total"]
    result = cli.run("quota", "--json")
    assert_refused(result, str(cli.cache_dir), f"chmod 700 {cli.cache_dir}")
    assert sim.state()["requests_total"] == before  # refused before anything was sent
    assert mode_of(cli.cache_dir) == 0o777  # not silently "repaired"


def test_state_directory_others_can_write_is_refused(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    state = cli.root / "state"
    state.mkdir()
    state.chmod(0o777)
    result = cli.run("jobs", "--json")
    assert_refused(result, str(state), f"chmod 700 {state}")
    assert list(state.iterdir()) == []


def test_log_directory_others_can_write_means_no_log_and_one_notice(cli: Cli,
                                                                     sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    cli.log_dir.mkdir()
    cli.log_dir.chmod(0o777)
    result = cli.run("quota", "--json")
    assert result.rc == 0, result
    assert result.err.count("no log file this run") == 1, result
    assert str(cli.log_dir) in result.err and "chmod 700" in result.err
    assert list(cli.log_dir.iterdir()) == []


# -- 11. bad numbers and structures ------------------------------------------------------------


def _plant_year_one_expiry(cache: Path) -> None:
    data = json.loads(cache.read_text())
    data["expires_at"] = "0001-01-01T00:00:00.000000Z"
    data["issued_at"] = "0001-01-01T00:00:00+14:00"
    cache.write_text(json.dumps(data))
    assert mode_of(cache) == 0o600


def test_token_cache_with_a_year_one_expiry_is_ignored(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    for args in (("doctor", "--json"), ("quota", "--json"), ("doctor",)):
        _plant_year_one_expiry(cache)
        before = token_requests(sim)
        result = cli.run(*args)
        assert result.rc == 0, result
        assert "internal error" not in result.err, result
        assert_no_traceback(result)
        assert token_requests(sim) == before + 1  # treated as absent: a fresh token
        assert json.loads(cache.read_text())["expires_at"].startswith("20")


class _YearOneIam(BaseHTTPRequestHandler):
    """Answers every token request with a token that expired in year 1 (and no issue
    time, so the 5-minute refresh margin is subtracted from it)."""

    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        body = json.dumps({"token": {
            "expires_at": "0001-01-01T00:00:00.000000Z",
            "project": {"id": "0" * 32, "name": PROJECT},
            "user": {"name": USER},
            "catalog": [{"type": t, "endpoints": [{"url": f"{base}/v2/{'0' * 32}",
                                                   "interface": "public", "region": REGION}]}
                        for t in ("vbsv2", "evs")],
        }}).encode()
        self.send_response(201)
        self.send_header("X-Subject-Token", "year-one-token-" + "x" * 40)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def year_one_iam() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _YearOneIam)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v3"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_iam_token_with_an_impossible_expiry_is_refused_clearly(cli: Cli,
                                                               year_one_iam: str) -> None:
    config = write_config(cli.root / "config.toml", year_one_iam)
    cli.base_args = ("--config", str(config))
    cli.env_defaults["VBSTUI_PASSWORD"] = SECRET
    for args in (("quota", "--json"), ("doctor", "--json")):
        result = cli.run(*args)
        assert result.rc != 0, result
        assert "impossible expiry" in result.out + result.err, result
        assert "internal error" not in result.err, result
        assert_no_traceback(result)
    assert cli.token_files() == []  # nothing was cached to break the next run


def _alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_yaml_aliases_in_clouds_yaml_are_refused(cli: Cli, sim: SimProcess) -> None:
    private_secure_yaml(cli)
    clouds = cli.root / "home" / ".config" / "openstack" / "clouds.yaml"
    auth = json.dumps(clouds_entry(sim.auth_url)["auth"])
    # A million strings behind one key: enough to show it, small enough that even a build
    # without the fix finishes (each further level multiplies by 10).
    clouds.write_text(_alias_bomb(7) + f"clouds:\n  otc: {{auth: {auth}, region_name: *a6}}\n")
    clouds.chmod(0o600)
    before = sim.state()["requests_total"]
    result = cli.run("--os-cloud", "otc", "volumes", "--json", timeout=60)
    assert_refused(result, str(clouds), "aliases")
    assert sim.state()["requests_total"] == before


def test_oversized_config_files_are_refused(cli: Cli, sim: SimProcess) -> None:
    padding = "# padding\n" * 110_000  # > 1 MiB of valid comments
    config = write_config(cli.root / "config.toml", sim.auth_url, extra=padding)
    before = sim.state()["requests_total"]
    toml = cli.run("--config", str(config), "volumes", env_extra={"VBSTUI_PASSWORD": SECRET})
    assert_refused(toml, str(config), "larger than")

    private_secure_yaml(cli)
    clouds = write_yaml(cli.root / "home" / ".config" / "openstack" / "clouds.yaml",
                        {"clouds": {"otc": clouds_entry(sim.auth_url)}}, 0o600)
    clouds.write_text(clouds.read_text() + padding)
    yaml = cli.run("--os-cloud", "otc", "volumes")
    assert_refused(yaml, str(clouds), "larger than")
    assert sim.state()["requests_total"] == before


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "directory"])
def test_config_that_is_not_a_regular_file_is_refused(cli: Cli, special: str) -> None:
    if special == "fifo":
        path = cli.root / "config.fifo"
        os.mkfifo(path, 0o600)  # nobody will ever write to it: opening must not wait
    elif special == "directory":
        path = cli.root / "config.d"
        path.mkdir()
    else:
        path = Path(special)
    result = cli.run("--config", str(path), "volumes", env_extra={"VBSTUI_PASSWORD": SECRET},
                     timeout=30)
    assert_refused(result, str(path), "not a regular file")


@pytest.mark.parametrize(("table", "line", "key"), [
    ("profiles.sim.timeouts", "read = nan", "read"),
    ("profiles.sim.timeouts", "connect = inf", "connect"),
    ("profiles.sim.timeouts", "mutate_read = -inf", "mutate_read"),
    ("profiles.sim.timeouts", "pool = 1e300", "pool"),
    ("jobs", "poll_max_seconds = nan", "poll_max_seconds"),
    ("jobs", "poll_first_seconds = 61", "poll_first_seconds"),
    ("jobs", "reconcile_seconds = inf", "reconcile_seconds"),
    ("jobs", "reconcile_quiet_seconds = 1e400", "reconcile_quiet_seconds"),
])
def test_non_finite_or_huge_numbers_in_the_config_are_refused(
        cli: Cli, sim: SimProcess, table: str, line: str, key: str) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url, extra=f"[{table}]\n{line}\n")
    before = sim.state()["requests_total"]
    result = cli.run("--config", str(config), "volumes", "--json",
                     env_extra={"VBSTUI_PASSWORD": SECRET})
    assert_refused(result, str(config), f"{table}.{key}")
    assert sim.state()["requests_total"] == before


# -- 13. credentials that behave the same everywhere -------------------------------------------


def test_valid_cached_token_is_used_when_no_password_is_at_hand(cli: Cli,
                                                                sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    assert cli.run("quota", "--json", env_extra={"VBSTUI_PASSWORD": SECRET}).rc == 0
    [cache] = cli.token_files()
    text = cache.read_text()
    assert SECRET not in text
    assert json.loads(text)["password_check"]["scheme"] == "scrypt"

    before = token_requests(sim)
    quota = cli.run("quota", "--json")  # no VBSTUI_PASSWORD, no keyring, no terminal
    assert quota.rc == 0, quota
    assert "quotas" in quota.json()
    doctor = cli.run("doctor", "--json")
    assert doctor.rc == 0, doctor
    assert doctor.json()["credential_source"] == "cached token (no password at hand)"
    assert "from cache" in doctor.json()["cloud"]["token"]
    assert token_requests(sim) == before

    # Without the token there is nothing to go on: the usual explanation, exit 3.
    assert cli.run("logout").rc == 0
    none = cli.run("quota", "--json")
    assert_refused(none, "no password for profile")


def test_wrong_password_is_noticed_although_a_token_is_cached(cli: Cli,
                                                             sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    assert cli.run("quota", "--json", env_extra={"VBSTUI_PASSWORD": SECRET}).rc == 0
    [cache] = cli.token_files()
    cached = cache.read_text()

    before = token_requests(sim)
    wrong = cli.run("quota", "--json", env_extra={"VBSTUI_PASSWORD": "not-the-password"})
    assert_refused(wrong, "refused the credentials")
    assert token_requests(sim) == before + 1  # the given password was checked with IAM
    assert "not-the-password" not in wrong.err

    doctor = cli.run("doctor", "--json", env_extra={"VBSTUI_PASSWORD": "not-the-password"})
    assert doctor.rc == 3, doctor
    assert any("refused the credentials" in e for e in doctor.json()["errors"])

    assert cache.read_text() == cached  # the good token survived the wrong password
    right = cli.run("quota", "--json", env_extra={"VBSTUI_PASSWORD": SECRET})
    assert right.rc == 0, right
    assert token_requests(sim) == before + 2  # the right password reuses it: no new token


def test_cached_token_of_an_older_vbstui_is_rechecked_once(cli: Cli, sim: SimProcess) -> None:
    """A cache file without a password check (as older versions wrote it) proves nothing
    about the given password: IAM is asked once, and the new file has the check."""
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    cli.env_defaults["VBSTUI_PASSWORD"] = SECRET
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    data = json.loads(cache.read_text())
    del data["password_check"]
    cache.write_text(json.dumps(data))
    before = token_requests(sim)
    assert cli.run("quota", "--json").rc == 0
    assert cli.run("quota", "--json").rc == 0
    assert token_requests(sim) == before + 1
    assert "password_check" in json.loads(cache.read_text())


def test_doctor_exits_3_when_the_token_cache_is_unsafe(cli: Cli, sim: SimProcess) -> None:
    cli = cli_for(cli.root, sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    cache.chmod(0o644)
    doctor = cli.run("doctor", "--json", "--offline")
    assert doctor.rc == 3, doctor
    [error] = doctor.json()["errors"]
    assert str(cache) in error and "chmod 600" in error
    human = cli.run("doctor", "--offline")
    assert human.rc == 3, human
    assert f"chmod 600 {cache}" in human.out

    cache.chmod(0o600)
    healthy = cli.run("doctor", "--json")
    assert healthy.rc == 0, healthy
    assert healthy.json()["errors"] == []
