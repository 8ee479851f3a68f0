"""The entry point: argv → `vbstui sim` | the TUI (imported lazily) | a headless command.

Each path loads only what it needs (start-up time matters on a jump host): headless
commands never import Textual, the TUI never imports the headless commands, and the
simulator's server stack is loaded only for `vbstui sim` (or `--demo`); the TUI's first
disks are read by a second process from the start (`vbstui.ui.first_page`).  Nothing else
is imported before `start_up()` has paused the collector: the command line's parser,
logging and the command's (or the TUI's) modules all load inside it.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

import vbstui.skip_httpx_cli  # noqa: F401 - first of vbstui's imports: before any httpx import
from vbstui.cli.startup import start_up


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sim"]:
        from vbstui.sim.cli import main as sim_main  # noqa: PLC0415 - the server stack

        return sim_main(args_list[1:])
    frozen_before = gc.get_freeze_count()
    ahead = None
    try:
        with start_up():  # the collector skips what start-up makes (see there)
            from vbstui.cli.command_word import has_command_word  # noqa: PLC0415 - gc off

            if not has_command_word(args_list):  # the TUI's
                from vbstui.ui.first_page import FirstPageAhead  # noqa: PLC0415 - TUI only

                # Before the parser and Textual: the other core reads the first disks.
                ahead = FirstPageAhead.start(args_list)
            from vbstui.cli.command_line import read_command_line  # noqa: PLC0415 - gc off

            args = read_command_line(args_list)
            if isinstance(args, int):
                return args
            if args.command is None:
                from vbstui.ui.launch import run_tui  # noqa: PLC0415 - Textual, only for the TUI
            else:
                from vbstui.cli.dispatch import run_headless  # noqa: PLC0415 - not for the TUI
        if args.command is None:
            tui_ahead, ahead = ahead, None
            return run_tui(args, tui_ahead)
        return run_headless(args)
    finally:
        if ahead is not None:  # not a TUI run after all (--help, a refusal)
            ahead.stop()
        if not frozen_before:  # a caller in the same process (a test) gets it back as it was
            gc.unfreeze()


def run() -> NoReturn:
    """The `vbstui` command and `python -m vbstui`: `main`, and then the process ends.

    Everything still alive is freed with the process, so it is moved out of the cyclic
    collector's sight first: the interpreter's collections while it shuts down went over
    every object (the modules, a demo's world, the listing) and took ~35 ms of a 300 ms
    `vbstui --demo volumes --json`.  Exit handlers still run and the streams are still
    flushed; only cyclic garbage left at the very end is not collected."""
    try:
        code = main()
    finally:
        gc.freeze()
    raise SystemExit(code)
