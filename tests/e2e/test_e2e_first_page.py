"""The first page read ahead for the TUI by a second process (`vbstui.ops.first_page`):
what it answers with a cached token, and what it never does (log in at IAM, change the
token cache, use a password the TUI would not use)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from e2ekit import Cli, SimProcess, cli_for, wait_until

from vbstui.ops.first_page import FIRST_PAGE

SECRET = "e2e-ahead-5b1c"


@pytest.fixture(scope="module")
def sim(module_sims: Any) -> SimProcess:
    return module_sims("--volumes", "250", "--password", SECRET, name="ahead")


def read_ahead(cli: Cli, env_extra: dict[str, str | None] | None = None,
               argv: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """The read-ahead process as the TUI starts it: the run's command line on stdin
    (by default the TUI's: `vbstui --config ... --profile sim`)."""
    return subprocess.run([sys.executable, "-m", "vbstui.read_ahead"],
                          input=json.dumps(list(cli.base_args) if argv is None else argv),
                          capture_output=True, text=True, env=cli.env(env_extra),
                          cwd=cli.root, timeout=60, check=False)


def detail_requests(sim: SimProcess) -> int:
    return sim.requests().get("GET /v2/{project_id}/cloudvolumes/detail", 0)


def test_with_a_cached_token_it_answers_the_first_page_in_one_request(
        tmp_path: Path, sim: SimProcess) -> None:
    cli = cli_for(tmp_path / "cli", sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0  # a token in the cache
    tokens, details = sim.state()["token_requests"], detail_requests(sim)

    done = read_ahead(cli)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert detail_requests(sim) == details + 1
    assert sim.state()["token_requests"] == tokens  # the cached token, no login
    answer = json.loads(done.stdout)
    assert answer["project_id"] == sim.ids()["project_id"]
    listed = [v["id"] for v in sim.volumes()][:FIRST_PAGE]
    assert [v["id"] for v in answer["body"]["volumes"]] == listed
    assert answer["body"]["count"] == 250


def test_without_a_cached_token_it_does_not_log_in(tmp_path: Path, sim: SimProcess) -> None:
    cli = cli_for(tmp_path / "cli", sim, password=SECRET)
    tokens, details = sim.state()["token_requests"], detail_requests(sim)

    done = read_ahead(cli)

    assert (done.returncode, done.stdout) == (1, "")
    assert sim.state()["token_requests"] == tokens
    assert detail_requests(sim) == details
    assert cli.token_files() == []  # nothing cached either: that is the TUI's login


def test_a_wrong_password_is_not_tried_at_iam_and_the_cache_stays(
        tmp_path: Path, sim: SimProcess) -> None:
    cli = cli_for(tmp_path / "cli", sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    cached = cache.read_bytes()
    tokens, details = sim.state()["token_requests"], detail_requests(sim)

    done = read_ahead(cli, {"VBSTUI_PASSWORD": "not-the-password"})

    assert (done.returncode, done.stdout) == (1, "")
    # One refusal at IAM is the TUI's to get (and show); a second one here could
    # count towards locking the account.
    assert sim.state()["token_requests"] == tokens
    assert detail_requests(sim) == details
    assert cache.read_bytes() == cached


def test_where_the_tui_would_ask_for_the_password_nothing_is_read(
        tmp_path: Path, sim: SimProcess) -> None:
    """No password in the environment or the config file: the TUI would look in the
    keyring or ask; the read-ahead does neither, even with a valid token cached."""
    cli = cli_for(tmp_path / "cli", sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    details = detail_requests(sim)

    done = read_ahead(cli, {"VBSTUI_PASSWORD": None, "VBSTUI_NO_KEYRING": None,
                            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})

    assert (done.returncode, done.stdout) == (1, "")
    assert detail_requests(sim) == details


def test_a_revoked_token_ends_it_without_a_login_or_a_cache_change(
        tmp_path: Path, module_sims: Any) -> None:
    revoking = module_sims("--volumes", "20", "--password", SECRET, "--faults",
                           "token_expiry=1", name="ahead-revoking")
    cli = cli_for(tmp_path / "cli", revoking, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    [cache] = cli.token_files()
    cached = cache.read_bytes()
    old = json.loads(cached)["value"]
    project = revoking.ids()["project_id"]
    wait_until(lambda: revoking.http.get(f"/v2/{project}/cloudbackups/quota",
                                         headers={"X-Auth-Token": old}).status_code == 401,
               timeout=10, what="the cached token is revoked")
    tokens = revoking.state()["token_requests"]

    done = read_ahead(cli)

    assert (done.returncode, done.stdout) == (1, "")
    assert revoking.state()["token_requests"] == tokens
    assert cache.read_bytes() == cached  # the TUI replaces it, not the read-ahead


@pytest.mark.parametrize("extra", [["volumes", "--json"], ["--help"], ["--demo"],
                                   ["--no-such-option"]])
def test_a_run_that_is_not_the_tuis_gets_nothing_read(
        tmp_path: Path, sim: SimProcess, extra: list[str]) -> None:
    """The process reads the command line with vbstui's parser: a command, the help,
    the demo or a refused option end it before anything is sent."""
    cli = cli_for(tmp_path / "cli", sim, password=SECRET)
    assert cli.run("quota", "--json").rc == 0
    details = detail_requests(sim)

    done = read_ahead(cli, argv=[*cli.base_args, *extra])

    assert done.returncode == 1
    assert detail_requests(sim) == details
