"""Start the TUI: choose the profile first (errors go to stderr), then run the app."""

from __future__ import annotations

import argparse
import sys

from vbstui.errors import ConfigError, ExitCode
from vbstui.ops.target import Choices, choose_target
from vbstui.ui.app import VbsApp
from vbstui.ui.first_page import FirstPageAhead


def run_tui(args: argparse.Namespace, first_page: FirstPageAhead | None = None) -> int:
    """`first_page`: the first disks being read ahead (`vbstui.main` starts that)."""
    try:
        try:
            target = choose_target(Choices.from_args(args))
        except ConfigError as exc:
            print(f"vbstui: {exc}", file=sys.stderr)
            return ExitCode.CONFIG
        mouse = target.config.preferences.mouse and not args.no_mouse
        app = VbsApp(target, readonly=args.readonly, first_page=first_page)
        code = app.run(mouse=mouse)
        return code if isinstance(code, int) else ExitCode.OK
    finally:
        if first_page is not None:
            first_page.stop()
