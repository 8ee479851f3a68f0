"""Issue 5 end to end: clouds.yaml / secure.yaml / OS_* profiles, file permission
checks, the token cache, `doctor`, `login`/`logout` without a keyring, and secrets
kept out of output and logs."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from e2ekit import (
    DOMAIN,
    PROJECT,
    REGION,
    USER,
    UUID_RE,
    Cli,
    Pool,
    SimProcess,
    assert_no_traceback,
    cli_for,
    wait_until,
    write_config,
)

SECRET = "e2e-S3cret-7f3a9"  # the simulator's password here: easy to grep for


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--job-seconds", "1", "--password", SECRET, name="creds")


@pytest.fixture(scope="module")
def pool(sim: SimProcess) -> Pool:
    return Pool(sim)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """No config, no password: each test says where the credentials come from."""
    return cli_for(tmp_path / "cli", None, password=None)


def openstack_dir(cli: Cli) -> Path:
    path = cli.root / "home" / ".config" / "openstack"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_yaml(path: Path, data: dict[str, Any], mode: int) -> Path:
    # JSON is YAML: no dumper needed, and quoting is exact.
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    path.chmod(mode)
    return path


def clouds_entry(auth_url: str, *, password: str | None = None, by_id: dict[str, str] | None
                 = None) -> dict[str, Any]:
    """An OTC-style clouds.yaml entry (names, or ids when `by_id` is given)."""
    auth: dict[str, Any] = {"auth_url": auth_url, "username": USER}
    if by_id:
        auth["project_id"] = by_id["project_id"]
        auth["user_domain_id"] = by_id["user_domain_id"]
    else:
        auth["project_name"] = PROJECT
        auth["user_domain_name"] = DOMAIN
    if password is not None:
        auth["password"] = password
    return {"auth": auth, "region_name": REGION}


def token_requests(sim: SimProcess) -> int:
    return int(sim.state()["token_requests"])


# -- clouds.yaml, secure.yaml and OS_* ------------------------------------------------------


@pytest.mark.parametrize("style", ["names", "ids"])
def test_os_cloud_with_secure_yaml(cli: Cli, sim: SimProcess, style: str) -> None:
    ids = sim.ids() if style == "ids" else None
    directory = openstack_dir(cli)
    # No secret in clouds.yaml, so a world-readable one is fine.
    write_yaml(directory / "clouds.yaml",
               {"clouds": {"otc": clouds_entry(sim.auth_url, by_id=ids)}}, 0o644)
    write_yaml(directory / "secure.yaml",
               {"clouds": {"otc": {"auth": {"password": SECRET}}}}, 0o600)

    result = cli.run("--os-cloud", "otc", "volumes", "--json")
    assert result.rc == 0, result
    assert result.json()["count"] == 120

    via_env = cli.run("quota", "--json", env_extra={"OS_CLOUD": "otc"})
    assert via_env.rc == 0, via_env
    assert "quotas" in via_env.json()

    doctor = cli.run("--os-cloud", "otc", "doctor", "--json")
    assert doctor.rc == 0, doctor
    report = doctor.json()
    assert report["credential_source"] == "secure.yaml"
    assert "clouds.yaml" in report["profile"]["origin"]
    assert report["cloud"]["project_id"] == sim.ids()["project_id"]


def test_os_cloud_password_in_clouds_yaml_and_os_password(cli: Cli, sim: SimProcess) -> None:
    directory = openstack_dir(cli)
    write_yaml(directory / "clouds.yaml",
               {"clouds": {"otc": clouds_entry(sim.auth_url, password=SECRET)}}, 0o600)
    result = cli.run("--os-cloud", "otc", "doctor", "--json")
    assert result.rc == 0, result
    assert result.json()["credential_source"] == "clouds.yaml"

    # OS_PASSWORD counts for clouds.yaml profiles and wins over the file.
    write_yaml(directory / "clouds.yaml",
               {"clouds": {"otc": clouds_entry(sim.auth_url)}}, 0o644)
    from_env = cli.run("--os-cloud", "otc", "volumes", "--json",
                       env_extra={"OS_PASSWORD": SECRET})
    assert from_env.rc == 0, from_env


def test_env_profile_from_os_variables(cli: Cli, sim: SimProcess) -> None:
    env = {
        "OS_AUTH_URL": sim.auth_url, "OS_USERNAME": USER, "OS_PASSWORD": SECRET,
        "OS_PROJECT_NAME": PROJECT, "OS_USER_DOMAIN_NAME": DOMAIN, "OS_REGION_NAME": REGION,
    }
    result = cli.run("--env", "volumes", "--json", env_extra=env)
    assert result.rc == 0, result
    assert result.json()["count"] == 120

    doctor = cli.run("--env", "doctor", "--json", env_extra=env)
    assert doctor.rc == 0, doctor
    report = doctor.json()
    assert report["credential_source"] == "environment (OS_PASSWORD)"
    assert report["profile"]["origin"] == "environment (OS_*)"
    assert SECRET not in doctor.out

    incomplete = cli.run("--env", "volumes", env_extra={**env, "OS_USER_DOMAIN_NAME": None})
    assert incomplete.rc == 3, incomplete
    assert "OS_USER_DOMAIN_NAME" in incomplete.err
    assert_no_traceback(incomplete)


def test_planted_clouds_yaml_in_cwd_is_ignored_unless_asked(cli: Cli, sim: SimProcess,
                                                            sims: Any) -> None:
    attacker = sims("--job-seconds", "1", "--password", SECRET, name="attacker")
    directory = openstack_dir(cli)
    write_yaml(directory / "clouds.yaml",
               {"clouds": {"otc": clouds_entry(sim.auth_url)}}, 0o644)
    write_yaml(directory / "secure.yaml",
               {"clouds": {"otc": {"auth": {"password": SECRET}}}}, 0o600)
    workdir = cli.root / "shared-dir"
    workdir.mkdir()
    write_yaml(workdir / "clouds.yaml",
               {"clouds": {"otc": clouds_entry(attacker.auth_url)}}, 0o644)
    cli.cwd = workdir

    before = token_requests(sim)
    result = cli.run("--os-cloud", "otc", "volumes", "--json")
    assert result.rc == 0, result
    assert token_requests(sim) == before + 1
    assert attacker.state()["requests_total"] == 0  # the password never went there

    doctor = cli.run("--os-cloud", "otc", "doctor", "--json", "--offline")
    assert str(directory / "clouds.yaml") in doctor.json()["profile"]["origin"]

    # Asked for explicitly, the file in the current directory is used (so the test
    # above really had something to ignore).
    asked = cli.run("--os-cloud", "otc", "--clouds-from-cwd", "volumes", "--json")
    assert asked.rc == 0, asked
    assert attacker.state()["token_requests"] == 1


# -- permission checks -----------------------------------------------------------------------


def test_secure_yaml_must_be_private(cli: Cli, sim: SimProcess) -> None:
    directory = openstack_dir(cli)
    write_yaml(directory / "clouds.yaml",
               {"clouds": {"otc": clouds_entry(sim.auth_url)}}, 0o644)
    secure = write_yaml(directory / "secure.yaml",
                        {"clouds": {"otc": {"auth": {"password": SECRET}}}}, 0o644)
    before = sim.state()["requests_total"]
    refused = cli.run("--os-cloud", "otc", "volumes", "--json")
    assert refused.rc == 3, refused
    assert f"chmod 600 {secure}" in refused.err
    assert "0644" in refused.err
    assert refused.out == ""
    assert SECRET not in refused.err
    assert_no_traceback(refused)
    assert sim.state()["requests_total"] == before

    secure.chmod(0o600)
    accepted = cli.run("--os-cloud", "otc", "volumes", "--json")
    assert accepted.rc == 0, accepted


def test_clouds_yaml_with_password_must_be_private(cli: Cli, sim: SimProcess) -> None:
    clouds = write_yaml(openstack_dir(cli) / "clouds.yaml",
                        {"clouds": {"otc": clouds_entry(sim.auth_url, password=SECRET)}}, 0o644)
    refused = cli.run("--os-cloud", "otc", "volumes", "--json")
    assert refused.rc == 3, refused
    assert f"chmod 600 {clouds}" in refused.err
    assert_no_traceback(refused)

    clouds.chmod(0o600)
    accepted = cli.run("--os-cloud", "otc", "volumes", "--json")
    assert accepted.rc == 0, accepted


def test_config_toml_with_password_must_be_private(cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url, password=SECRET, mode=0o644)
    before = sim.state()["requests_total"]
    refused = cli.run("--config", str(config), "volumes", "--json")
    assert refused.rc == 3, refused
    assert f"chmod 600 {config}" in refused.err
    assert SECRET not in refused.err
    assert_no_traceback(refused)
    assert sim.state()["requests_total"] == before

    config.chmod(0o600)
    accepted = cli.run("--config", str(config), "volumes", "--json")
    assert accepted.rc == 0, accepted
    doctor = cli.run("--config", str(config), "doctor", "--json").json()
    assert doctor["credential_source"] == "config file"

    # Without a password the file may be readable by others.
    plain = write_config(cli.root / "plain.toml", sim.auth_url, mode=0o644)
    ok = cli.run("--config", str(plain), "volumes", "--json",
                 env_extra={"VBSTUI_PASSWORD": SECRET})
    assert ok.rc == 0, ok


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to give a file to another user")
def test_config_with_password_owned_by_another_user_is_refused(cli: Cli,
                                                               sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url, password=SECRET)
    os.chown(config, 65534, 65534)
    result = cli.run("--config", str(config), "volumes")
    assert result.rc == 3, result
    assert "belongs to another user" in result.err
    assert_no_traceback(result)


# -- token cache, logout ---------------------------------------------------------------------


def test_token_cache_is_reused_private_and_removed_by_logout(cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config), "--profile", "sim")
    cli.env_defaults["VBSTUI_PASSWORD"] = SECRET

    first = token_requests(sim)
    assert cli.run("volumes", "--json").rc == 0
    assert token_requests(sim) == first + 1
    for args in (("quota", "--json"), ("backups", "--json"), ("volumes", "--status",
                                                              "available", "--json")):
        result = cli.run(*args)
        assert result.rc == 0, result
    assert token_requests(sim) == first + 1  # every later run reused the cached token

    [cache] = cli.token_files()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) & 0o077 == 0
    assert SECRET not in cache.read_text()

    doctor = cli.run("doctor", "--json").json()
    assert doctor["token_cache"]["exists"] is True
    assert doctor["token_cache"]["mode"] == "0600"
    assert "from cache" in doctor["cloud"]["token"]

    logout = cli.run("logout")
    assert logout.rc == 0, logout
    assert "cached token removed" in logout.err
    assert cli.token_files() == []

    assert cli.run("quota", "--json").rc == 0
    assert token_requests(sim) == first + 2  # a fresh token after logout


def test_token_cache_readable_by_others_is_ignored(cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    cli.env_defaults["VBSTUI_PASSWORD"] = SECRET
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    cache.chmod(0o644)
    before = token_requests(sim)
    result = cli.run("quota", "--json")
    assert result.rc == 0, result
    assert token_requests(sim) == before + 1  # not trusted: authenticated again


def test_revoked_cached_token_is_replaced_once(tmp_path: Path, sims: Any) -> None:
    """The server drops tokens after 1 s although `expires_at` promises a day: the next
    run gets a 401 with the cached token, authenticates once, and caches the new token."""
    revoking = sims("--job-seconds", "1", "--password", SECRET, "--faults", "token_expiry=1",
                    name="revoking")
    cli = cli_for(tmp_path / "cli", revoking, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    old = json.loads(cache.read_text())["value"]
    wait_until(lambda: revoking.http.get(
        f"/v2/{revoking.ids()['project_id']}/cloudbackups/quota",
        headers={"X-Auth-Token": old}).status_code == 401, timeout=10,
        what="the cached token is revoked")
    before = token_requests(revoking)
    result = cli.run("quota", "--json")
    assert result.rc == 0, result
    assert token_requests(revoking) == before + 1
    new = json.loads(cache.read_text())["value"]
    assert new != old
    again = cli.run("volumes", "--json")
    assert again.rc == 0, again
    assert token_requests(revoking) == before + 1  # the replacement was cached


# -- doctor and secrets in output and logs ---------------------------------------------------


def test_doctor_and_logs_never_show_password_or_token(cli: Cli, sim: SimProcess,
                                                      pool: Pool) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config), "--log-level", "DEBUG")
    cli.env_defaults["VBSTUI_PASSWORD"] = SECRET
    disk = pool.disk()

    created = cli.run("backup", "create", "--volume", disk["id"], "--name", "secret-check",
                      "--wait", "--json")
    assert created.rc == 0, created
    assert UUID_RE.match(created.json()["backup_id"] or "")
    doctor = cli.run("doctor", "--json")
    assert doctor.rc == 0, doctor
    report = doctor.json()
    assert report["credential_source"] == "environment (VBSTUI_PASSWORD)"
    assert report["cloud"]["project_id"] == sim.ids()["project_id"]
    human_doctor = cli.run("doctor")
    assert human_doctor.rc == 0, human_doctor

    [cache] = cli.token_files()
    token = json.loads(cache.read_text())["value"]
    assert len(token) > 20
    log = cli.log_text()
    assert "DEBUG" in log and "/v3/auth/tokens" in log  # the log really has the details
    for where, text in {
        "create stdout": created.out, "create stderr": created.err,
        "doctor --json": doctor.out + doctor.err,
        "doctor": human_doctor.out + human_doctor.err, "log file": log,
    }.items():
        assert SECRET not in text, f"password in {where}"
        assert token not in text, f"token in {where}"
        assert token[:24] not in text, f"token prefix in {where}"


def test_doctor_redacts_proxy_credentials(cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    proxy = "http://proxyuser:pr0xy-Secret@proxy.example:3128"
    result = cli.run("--config", str(config), "doctor", "--json", "--offline",
                     env_extra={"HTTPS_PROXY": proxy, "NO_PROXY": "127.0.0.1,localhost",
                                "VBSTUI_PASSWORD": SECRET})
    assert result.rc == 0, result
    report = result.json()
    assert report["proxy"]["HTTPS_PROXY"] == "http://***:***@proxy.example:3128"
    assert "pr0xy-Secret" not in result.out + result.err
    assert SECRET not in result.out + result.err
    assert report["cloud"] == "not checked (--offline)"


# -- login without a keyring ----------------------------------------------------------------


def test_login_without_keyring_verifies_then_explains(cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    before = token_requests(sim)
    result = cli.run("login", input=SECRET + "\n")
    assert result.rc == 3, result
    assert token_requests(sim) == before + 1  # the password was really checked
    assert "password verified" in result.err
    assert "VBSTUI_NO_KEYRING" in result.err or "no OS keyring" in result.err
    assert "VBSTUI_PASSWORD" in result.err  # what to use instead
    assert SECRET not in result.out + result.err
    assert_no_traceback(result)

    wrong = cli.run("login", input="not-the-password\n",
                    env_extra={"VBSTUI_CACHE_DIR": str(cli.root / "other-cache")})
    assert wrong.rc == 3, wrong
    assert "password verified" not in wrong.err
    assert "401" in wrong.err or "refused the credentials" in wrong.err
    assert "not-the-password" not in wrong.out + wrong.err
    assert_no_traceback(wrong)

    empty = cli.run("login", input="")
    assert empty.rc == 2, empty
    assert "no password given" in empty.err


def test_login_with_wrong_password_is_not_verified_by_a_cached_token(
        cli: Cli, sim: SimProcess) -> None:
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    assert cli.run("quota", "--json", env_extra={"VBSTUI_PASSWORD": SECRET}).rc == 0
    assert cli.token_files()  # a valid token is cached now

    before = token_requests(sim)
    wrong = cli.run("login", input="not-the-password\n")
    assert wrong.rc == 3, wrong
    assert "password verified" not in wrong.err, wrong
    assert token_requests(sim) == before + 1, "the typed password was never sent to IAM"


def test_login_without_dbus_explains_and_does_not_hang(cli: Cli, sim: SimProcess) -> None:
    """The real keyring lookup on a host with no D-Bus session (like this CI machine)."""
    config = write_config(cli.root / "config.toml", sim.auth_url)
    cli.base_args = ("--config", str(config))
    started = time.monotonic()
    result = cli.run("login", input=f"{SECRET}\n",
                     env_extra={"VBSTUI_NO_KEYRING": None, "DBUS_SESSION_BUS_ADDRESS": None})
    assert time.monotonic() - started < 20
    assert result.rc == 3, result
    assert "password verified" in result.err
    assert "not stored" in result.err and "VBSTUI_PASSWORD" in result.err
    assert "Traceback" not in result.err and SECRET not in result.err + result.out
