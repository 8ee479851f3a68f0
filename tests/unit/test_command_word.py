"""`vbstui.main` tells a TUI run from a command before the parser exists: the same
answer as the parser's, for the shapes of command line people type."""

from __future__ import annotations

import argparse

import pytest

from vbstui.cli.command_word import VALUE_OPTIONS, has_command_word
from vbstui.cli.parser import build_parser


def test_the_value_options_are_the_parsers() -> None:
    taking_values = {option for action in build_parser()._actions
                     if action.option_strings and action.nargs != 0
                     and not isinstance(action, argparse._SubParsersAction)
                     for option in action.option_strings}
    assert taking_values == set(VALUE_OPTIONS)


@pytest.mark.parametrize("argv", [
    [], ["--profile", "sim"], ["--profile", "volumes", "--readonly"], ["--profile=jobs"],
    ["--prof", "backup"], ["--config", "c.toml", "--log-level", "DEBUG", "--no-mouse"],
    ["--os-cloud", "otc", "--env"], ["--demo"],
])
def test_tui_runs(argv: list[str]) -> None:
    assert not has_command_word(argv)
    assert build_parser().parse_args(argv).command is None  # the parser agrees


@pytest.mark.parametrize("argv", [
    ["volumes", "--json"], ["--profile", "sim", "backups"], ["--profile=p", "jobs"],
    ["--readonly", "quota"], ["--", "volumes"], ["sim"],
])
def test_runs_with_a_command(argv: list[str]) -> None:
    assert has_command_word(argv)
