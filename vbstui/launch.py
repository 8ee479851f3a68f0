"""Start the TUI: choose the profile first (errors go to stderr), then run the app."""

from __future__ import annotations

import argparse
import sys

from vbstui import cli
from vbstui.commands import choices_from
from vbstui.ops.target import choose_target
from vbstui.errors import ConfigError


def run_tui(args: argparse.Namespace) -> int:
    try:
        target = choose_target(choices_from(args))
    except ConfigError as exc:
        print(f"vbstui: {exc}", file=sys.stderr)
        return cli.EXIT_CONFIG
    from vbstui.ui.app import VbsApp  # noqa: PLC0415 - Textual only for the TUI

    mouse = target.config.settings.mouse and not args.no_mouse
    app = VbsApp(target, readonly=args.readonly)
    code = app.run(mouse=mouse)
    return code if isinstance(code, int) else 0
