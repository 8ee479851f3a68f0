"""The command names `vbstui.main` checks before the parser exists are the parser's."""

from __future__ import annotations

import argparse

from vbstui.cli.command_names import COMMANDS, names_a_command
from vbstui.cli.parser import build_parser


def test_the_names_are_the_parsers_commands() -> None:
    [commands] = [a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == COMMANDS


def test_a_run_naming_a_command_is_told_apart_from_a_tui_run() -> None:
    assert names_a_command(["--profile", "prod", "volumes", "--json"])
    assert not names_a_command(["--profile", "prod", "--readonly"])
    assert not names_a_command([])
