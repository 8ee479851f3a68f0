"""The entry point: argv → `vbstui sim` | the TUI (imported lazily) | a headless command.

Each path loads only what it needs (start-up time matters on a jump host): headless
commands never import Textual, the TUI never imports the headless commands, and the
simulator's server stack is loaded only for `vbstui sim` (or `--demo`).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

import vbstui.skip_httpx_cli  # noqa: F401 - first of vbstui's imports: before any httpx import
from vbstui.cli.parser import build_parser
from vbstui.cli.startup import start_up
from vbstui.errors import ExitCode
from vbstui.local.logfile import setup_logging


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sim"]:
        from vbstui.sim.cli import main as sim_main  # noqa: PLC0415 - the server stack

        return sim_main(args_list[1:])
    frozen_before = gc.get_freeze_count()
    try:
        with start_up():  # the collector skips what start-up makes (see there)
            parser = build_parser()
            try:
                args = parser.parse_args(args_list)
            except SystemExit as exc:  # argparse prints usage itself
                return int(exc.code or 0) if not isinstance(exc.code, str) else ExitCode.USAGE
            setup_logging(args.log_level)
            if args.command is None:
                from vbstui.ui.launch import run_tui  # noqa: PLC0415 - Textual, only for the TUI
            else:
                from vbstui.cli.dispatch import run_command  # noqa: PLC0415 - not for the TUI
        if args.command is None:
            return run_tui(args)
        return _headless(run_command(args))
    finally:
        if not frozen_before:  # a caller in the same process (a test) gets it back as it was
            gc.unfreeze()


def _headless(command: Coroutine[Any, Any, int]) -> int:
    try:
        return int(asyncio.run(command))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `vbstui volumes | head`: the reader is gone; that is not an error.
        _silence_stdout()
        return ExitCode.OK


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
