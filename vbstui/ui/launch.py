"""Start the TUI: choose the profile first (errors go to stderr), then run the app."""

from __future__ import annotations

import argparse
import sys

from vbstui.errors import ConfigError, ExitCode
from vbstui.ops.target import Choices, choose_target
from vbstui.ui.app import VbsApp


def run_tui(args: argparse.Namespace) -> int:
    try:
        target = choose_target(Choices.from_args(args))
    except ConfigError as exc:
        print(f"vbstui: {exc}", file=sys.stderr)
        return ExitCode.CONFIG
    mouse = target.config.preferences.mouse and not args.no_mouse
    app = VbsApp(target, readonly=args.readonly)
    code = app.run(mouse=mouse)
    return code if isinstance(code, int) else ExitCode.OK
