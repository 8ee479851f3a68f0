"""The headless start-up's shortcuts change nothing a user sees: a subcommand's options
are added only when it is used, yet it parses, helps and refuses exactly as before;
the collector paused during start-up is back on, with nothing frozen, afterwards."""

from __future__ import annotations

import argparse
import gc
import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from vbstui.cli.parser import build_parser
from vbstui.main import main, run


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub: argparse.ArgumentParser = action.choices[name]
    return sub


def test_an_unused_command_has_no_options_yet_and_the_command_list_is_complete() -> None:
    parser = build_parser()
    create = _subcommand(parser, "backup")
    assert [a.dest for a in create._actions] == ["help"]  # not even the global options
    listing = parser.format_help()
    for command in ("volumes", "backups", "backup", "shares", "job", "jobs", "quota",
                    "vaults", "vault", "policy", "login", "logout", "doctor", "sim"):
        assert f"\n    {command} " in listing


def test_a_nested_command_parses_its_own_and_the_global_options() -> None:
    args = build_parser().parse_args(
        ["backup", "create", "--volume", "web-01", "--volume", "web-02", "--name", "nightly",
         "--tag", "a=b", "--demo", "--timeout", "30"])
    assert (args.command, args.backup_command) == ("backup", "create")
    assert args.volume == ["web-01", "web-02"] and args.name == "nightly"
    assert args.tag == ["a=b"] and args.timeout == 30.0 and args.demo is True
    assert args.description == "" and args.wait is False and args.readonly is False
    policy = build_parser().parse_args(["policy", "tag", "add", "p1", "k=v", "--json"])
    assert (policy.policy_command, policy.tag_command, policy.tags) == ("tag", "add", ["k=v"])


def test_help_and_refusals_of_a_nested_command_show_its_options() -> None:
    parser = build_parser()
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as shown:
        parser.parse_args(["vault", "create", "--help"])
    assert shown.value.code == 0
    text = out.getvalue()
    assert "usage: vbstui vault create" in text and "--size GB" in text
    assert "global options:" in text and "--readonly" in text
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["jobs", "retry", "--concurrency", "many"])
    assert refused.value.code == 2
    assert "usage: vbstui jobs retry" in err.getvalue()
    assert "'many' is not a whole number" in err.getvalue()


def test_a_command_leaves_the_collector_on_and_nothing_frozen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VBSTUI_STATE_DIR", "VBSTUI_LOG_DIR", "VBSTUI_CACHE_DIR"):
        monkeypatch.setenv(name, str(tmp_path))
    monkeypatch.setenv("VBSTUI_NO_KEYRING", "1")
    monkeypatch.setenv("VBSTUI_DEMO_VOLUMES", "20")
    # An earlier test in this worker (a TUI loading pages) may have frozen objects: start
    # from nothing frozen, as a fresh process does.
    gc.unfreeze()
    assert gc.isenabled()
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert main(["--demo", "volumes", "--jsonl"]) == 0
    assert len(out.getvalue().splitlines()) == 20
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with redirect_stderr(io.StringIO()):
        assert main(["volumes", "--no-such-option"]) == 2  # refused while parsing
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_command_exits_with_mains_code_and_what_is_alive_out_of_the_collectors_sight(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`vbstui` (and `python -m vbstui`) end the process after `main`: what is alive is
    frozen first, so the interpreter's collections while it shuts down skip it."""
    for name in ("VBSTUI_STATE_DIR", "VBSTUI_LOG_DIR", "VBSTUI_CACHE_DIR"):
        monkeypatch.setenv(name, str(tmp_path))
    monkeypatch.setenv("VBSTUI_NO_KEYRING", "1")
    monkeypatch.setenv("VBSTUI_DEMO_VOLUMES", "20")
    try:
        for argv, code in ((["--demo", "volumes", "--jsonl"], 0), (["volumes", "--bad"], 2)):
            gc.unfreeze()
            monkeypatch.setattr(sys, "argv", ["vbstui", *argv])
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()), \
                    pytest.raises(SystemExit) as ended:
                run()
            assert ended.value.code == code
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
