"""The config file: profiles, precise errors with line numbers, private files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vbstui.errors import ConfigError
from vbstui.local.config import load_config, parse_config

GOOD = """\
default_profile = "prod"

[profiles.prod]
auth_url = "https://iam.eu-de.otc.t-systems.com/v3"
region = "eu-de"
user_domain_name = "OTC-EU-DE-0001"
username = "ops"
project_name = "eu-de_prod"

[profiles.prod.endpoints]
vbs = "https://vbs.eu-de.otc.t-systems.com"

[profiles.lab]
auth_url = "https://iam.eu-nl.otc.t-systems.com/v3"
user_domain_id = "abc"
username = "lab"
project_id = "0123"
cacert = "/etc/ssl/corp.pem"

[profiles.lab.timeouts]
connect = 3
mutate_read = 300

[jobs]
bulk_concurrency = 6
"""


def test_profiles_and_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VBSTUI_PROFILE", raising=False)
    config = parse_config(GOOD, Path("c.toml"))
    assert config.choose(None).name == "prod"
    assert config.choose("lab").project == "0123"
    assert config.profiles["prod"].vbs_endpoint == "https://vbs.eu-de.otc.t-systems.com"
    assert config.profiles["lab"].timeouts.connect == 3.0
    assert config.profiles["lab"].timeouts.mutate_read == 300.0
    assert config.profiles["lab"].connection().ca_bundle == "/etc/ssl/corp.pem"
    assert config.preferences.bulk_concurrency == 6
    monkeypatch.setenv("VBSTUI_PROFILE", "lab")
    assert config.choose(None).name == "lab"
    with pytest.raises(ConfigError, match="no profile named 'nope'"):
        config.choose("nope")


@pytest.mark.parametrize(("text", "expected"), [
    ("[profiles.a]\nauth_url = 'x'\nusername = 'u'\nproject_name = 'p'\n"
     "user_domain_name = 'd'\nregoin = 'eu-de'\n", "line 6: profiles.a.regoin: unknown setting"),
    ("[profiles.a]\nauth_url = 'x'\nusername = 'u'\nproject_name = 'p'\n"
     "user_domain_name = 'd'\ninsecure = 'yes'\n", "line 6: profiles.a.insecure: must be true"),
    ("[profiles.a]\nauth_url = 'x'\nproject_name = 'p'\nuser_domain_name = 'd'\n",
     "line 1: profiles.a: 'username' is required"),
    ("x = [1,\n", "not valid TOML"),
    ("[jobs]\nbulk_concurrency = 0\n", "line 2: jobs.bulk_concurrency: must be between 1 and 32"),
    ("default_profile = 'zz'\n", "line 1: default_profile: no profile named 'zz'"),
])
def test_broken_files_name_file_line_and_problem(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("/home/u/.config/vbstui/config.toml"))
    message = str(info.value)
    assert message.startswith("/home/u/.config/vbstui/config.toml")
    assert expected in message


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.a]\nauth_url = \n")
    with pytest.raises(ConfigError, match=r"line 2"):
        load_config(path, explicit=True)


def test_missing_explicit_file_is_an_error_missing_default_is_empty(tmp_path: Path,
                                                                   monkeypatch) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", explicit=True)
    monkeypatch.delenv("VBSTUI_CONFIG", raising=False)
    monkeypatch.setattr("vbstui.local.paths.config_file", lambda: tmp_path / "absent.toml")
    assert load_config().profiles == {}


WITH_PASSWORD = GOOD.replace('project_name = "eu-de_prod"',
                             'project_name = "eu-de_prod"\npassword = "hunter2hunter2"')


@pytest.mark.skipif(os.name != "posix", reason="mode bits")
def test_a_file_with_a_password_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(WITH_PASSWORD)
    path.chmod(0o644)
    with pytest.raises(ConfigError) as info:
        load_config(path, explicit=True)
    assert "chmod 600" in str(info.value) and "0644" in str(info.value)
    assert "hunter2" not in str(info.value)
    path.chmod(0o600)
    config = load_config(path, explicit=True)
    assert config.profiles["prod"].password is not None
    assert "hunter2" not in repr(config)
    # Without a password, a readable file is fine.
    plain = tmp_path / "plain.toml"
    plain.write_text(GOOD)
    plain.chmod(0o644)
    assert load_config(plain, explicit=True).profiles


@pytest.mark.skipif(os.name != "posix" or os.getuid() != 0, reason="needs root to chown")
def test_a_file_owned_by_someone_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(WITH_PASSWORD)
    path.chmod(0o600)
    os.chown(path, 12345, 12345)
    with pytest.raises(ConfigError, match="belongs to another user"):
        load_config(path, explicit=True)
