"""Issue 12 ("Trust"), the pieces below the CLI: private directories, the log handler,
the token cache's password check, expiry sanity and number checks in the config."""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vbstui.cloud.secret import Secret
from vbstui.cloud.token import Token, sane_time
from vbstui.errors import ConfigError
from vbstui.local import tokencache
from vbstui.local.config import parse_config
from vbstui.local.filecheck import read_config_file
from vbstui.local.logfile import PrivateRotatingFileHandler
from vbstui.local.paths import ensure_private_dir
from vbstui.local.tokencache import TokenCache, password_check, password_matches

PROFILE = ("[profiles.p]\nauth_url = 'https://iam.example.test/v3'\nusername = 'u'\n"
           "project_name = 'p'\nuser_domain_name = 'd'\n")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_dir_is_created_tightened_or_refused(tmp_path: Path) -> None:
    fresh = ensure_private_dir(tmp_path / "a" / "b")
    assert mode_of(fresh) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert mode_of(ensure_private_dir(loose)) == 0o700
    open_to_all = tmp_path / "open"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)
    with pytest.raises(ConfigError, match=re.escape(f"chmod 700 {open_to_all}")):
        ensure_private_dir(open_to_all)
    assert mode_of(open_to_all) == 0o777


def test_log_handler_refuses_a_symlink_and_tightens_a_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    victim.chmod(0o644)
    link = tmp_path / "vbstui.log"
    link.symlink_to(victim)
    with pytest.raises(OSError) as info:
        PrivateRotatingFileHandler(link, maxBytes=100, backupCount=1, encoding="utf-8")
    assert info.value.errno == errno.ELOOP
    assert victim.read_text() == "keep" and mode_of(victim) == 0o644

    link.unlink()
    link.write_text("")
    link.chmod(0o644)
    handler = PrivateRotatingFileHandler(link, maxBytes=100, backupCount=1, encoding="utf-8")
    handler.close()
    assert mode_of(link) == 0o600


def test_password_check_recognises_only_its_password() -> None:
    check = password_check(Secret("right-password"))
    assert "right-password" not in repr(check)
    assert password_matches(check, Secret("right-password"))
    assert not password_matches(check, Secret("wrong-password"))
    assert not password_matches(None, Secret("right-password"))
    assert not password_matches({**check, "n": 1 << 30}, Secret("right-password"))
    assert not password_matches({**check, "salt": "zz"}, Secret("right-password"))


def test_cache_without_password_uses_a_token_with_password_checks(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    token = Token(value=Secret("tok-" + "x" * 30), expires_at=now + timedelta(hours=1),
                  issued_at=now, project_id="pid", project_name="p", user_name="u")
    path = tmp_path / "tokens" / "t.json"
    TokenCache(path, Secret("pw-one")).save(token)
    assert "pw-one" not in path.read_text()
    assert TokenCache(path).load() is not None
    assert TokenCache(path, Secret("pw-one")).load() is not None
    other = TokenCache(path, Secret("pw-two"))
    assert other.load() is None and not other.broken


def test_a_read_only_cache_checks_once_and_never_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read-ahead's cache (vbstui/ops/first_page.py): the slow password check once,
    however often the session asks; neither a save nor a clear touches the file."""
    now = datetime.now(timezone.utc)
    token = Token(value=Secret("tok-" + "y" * 30), expires_at=now + timedelta(hours=1),
                  issued_at=now, project_id="pid", project_name="p", user_name="u")
    path = tmp_path / "tokens" / "t.json"
    TokenCache(path, Secret("pw")).save(token)
    saved = path.read_bytes()
    checks = []
    real = tokencache.password_matches
    monkeypatch.setattr(tokencache, "password_matches",
                        lambda check, pw: checks.append(1) or real(check, pw))
    reader = TokenCache(path, Secret("pw"), read_only=True)
    assert reader.load() == reader.load() == token
    assert len(checks) == 1
    reader.save(replace(token, project_id="other"))
    reader.clear()
    assert path.read_bytes() == saved
    writer = TokenCache(path, Secret("pw"))
    assert writer.load() is not None and writer.load() is not None
    assert len(checks) == 3  # a cache that may change looks each time


@pytest.mark.parametrize("text", [
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
    "1970-01-01T00:00:00Z",
])
def test_absurd_expiry_makes_a_cached_token_absent(text: str) -> None:
    data = {"value": "t" * 30, "expires_at": text, "project_id": "p"}
    assert Token.from_cache(data) is None
    assert sane_time(datetime.fromisoformat(text.replace("Z", "+00:00"))) is None


def test_cached_token_with_absurd_issue_time_keeps_a_sane_margin() -> None:
    expires = datetime.now(timezone.utc) + timedelta(hours=2)
    data = {"value": "t" * 30, "expires_at": expires.isoformat(),
            "issued_at": "9999-01-01T00:00:00Z", "project_id": "p"}
    token = Token.from_cache(data)
    assert token is not None and token.issued_at is None
    assert token.usable(datetime.now(timezone.utc))


@pytest.mark.parametrize(("extra", "where"), [
    ("[profiles.p.timeouts]\nread = nan\n", "line 7: profiles.p.timeouts.read"),
    ("[profiles.p.timeouts]\nwrite = inf\n", "profiles.p.timeouts.write"),
    ("[profiles.p.timeouts]\nconnect = 7200\n", "profiles.p.timeouts.connect"),
    ("[jobs]\npoll_max_seconds = -inf\n", "jobs.poll_max_seconds"),
    ("[jobs]\nreconcile_seconds = 1e999\n", "jobs.reconcile_seconds"),
])
def test_config_numbers_must_be_finite_and_in_range(extra: str, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(PROFILE + extra, Path("c.toml"))
    assert str(info.value).startswith("c.toml")
    assert where in str(info.value)


def test_deeply_nested_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"^c\.toml: not valid TOML"):
        parse_config("a = " + "[" * 100_000 + "]" * 100_000 + "\n", Path("c.toml"))


def test_read_config_file_limits(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("#" * (2 << 20))
    with pytest.raises(ConfigError, match="larger than 1024 KiB"):
        read_config_file(big)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_config_file(binary)
    with pytest.raises(FileNotFoundError):
        read_config_file(tmp_path / "missing.toml")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(ConfigError, match="named pipe"):
            read_config_file(fifo)
