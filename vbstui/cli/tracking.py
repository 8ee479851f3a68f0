"""The job tracker of a headless command that starts or follows jobs.

Apart from `vbstui.cli.context` so that a command that only lists never loads the
tracker (its journal, sqlite3, the follow and reconcile loops).
"""

from __future__ import annotations

from vbstui.cli.context import Context
from vbstui.cli.output import event_printer
from vbstui.jobs.tracker import JobTracker
from vbstui.local.journal import Journal
from vbstui.ops.runs import build_tracker


def command_tracker(ctx: Context, journal: Journal, *, concurrency: int | None = None
                    ) -> JobTracker:
    """The tracker of the command's jobs, reporting their events on the terminal."""
    return build_tracker(ctx.target, ctx.service, journal, listener=event_printer,
                         concurrency=concurrency)
