"""The process that reads the TUI's first disks ahead: `python -m vbstui.read_ahead`,
started by `vbstui.main` (through `vbstui.ui.first_page`) before vbstui's parser or
Textual is imported, with the run's command line as JSON on stdin.  It reads that
command line with vbstui's own parser: a run that turns out not to be the TUI's (a
command, --help, the demo) ends here with no answer.  What it may do otherwise, and
why, is `vbstui.ops.first_page`'s; its answer goes to stdout (exit status 0), and any
failure is no answer (1)."""

from __future__ import annotations

import asyncio
import gc
import json
import sys

import vbstui.skip_httpx_cli  # noqa: F401 - before httpx is imported
from vbstui.cli.parser import build_parser
from vbstui.ops.choices import Choices
from vbstui.ops.first_page import read_first_page


def command_line_from(text: str) -> list[str]:
    """The TUI run's arguments sent on stdin; `ValueError` for anything else."""
    argv = json.loads(text)
    if not isinstance(argv, list) or not all(isinstance(word, str) for word in argv):
        raise ValueError("not a command line")
    return argv


def main() -> int:
    gc.disable()  # a short-lived process: the collector's passes would be wasted
    try:
        args = build_parser().parse_args(command_line_from(sys.stdin.read()))
        if args.command is not None:
            return 1
        answer = asyncio.run(read_first_page(Choices.from_args(args)))
    except (Exception, SystemExit):  # anything at all: no answer, and the TUI lists itself
        return 1
    if answer is None:
        return 1
    sys.stdout.write(json.dumps(answer, separators=(",", ":")))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
