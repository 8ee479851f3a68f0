"""Reading the command line: the parser's answer (or the exit code of a refusal or of
--help), with logging set up as it asks.  `vbstui.main` imports this module inside
`start_up()`, so the parser's modules load with the collector off (see cli/startup.py)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from vbstui.cli.parser import build_parser
from vbstui.errors import ExitCode
from vbstui.local.logfile import setup_logging


def read_command_line(argv: Sequence[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when argparse ended the run itself."""
    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse prints usage (or the help) itself
        return int(exc.code or 0) if not isinstance(exc.code, str) else ExitCode.USAGE
    setup_logging(args.log_level)
    return args
