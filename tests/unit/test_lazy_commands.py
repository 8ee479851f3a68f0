"""A headless command imports the module of that command only (issue 14: start-up),
and every command of the parser has a handler that exists."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

import pytest
from listing_probe import demo_listing

from vbstui.cli.dispatch import HANDLERS, handler_for

COMMAND_MODULES = {f"vbstui.cli.{module}" for module, _ in HANDLERS.values()}


@pytest.mark.parametrize("key", sorted(HANDLERS, key=str))
def test_every_handler_resolves_to_a_command(key: tuple[str, str | None]) -> None:
    command, action = key
    args = argparse.Namespace(command=command, backup_command=None, job_command=None,
                              jobs_command=None)
    if action is not None:  # each command's subparser keeps its action in COMMAND_command
        setattr(args, f"{command}_command", action)
    assert inspect.iscoroutinefunction(handler_for(args))


def test_a_listing_loads_no_other_command(tmp_path: Path) -> None:
    stdout, loaded = demo_listing(tmp_path)
    assert '"volumes":[{' in stdout  # the listing itself ran
    assert "vbstui.cli.listing" in loaded
    assert loaded & COMMAND_MODULES == {"vbstui.cli.listing"}
    # The demo project has CBR as well: its one vault listing (the PROTECTION of each
    # disk) needs the CBR client; a VBS-only project never asks for it.
