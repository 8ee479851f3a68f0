"""The jobs panel: every job of this session (and resumed ones) with a live status.

A job whose outcome is unknown is marked "⚠ DECIDE" (it reads without colour too);
the user decides with c / S / x here or in the jobs view, never in a dialog that
opens by itself.
"""

from __future__ import annotations

import time

from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from vbstui.jobs import Phase, TrackedJob
from vbstui.ops.outcome import Decision
from vbstui.ui.keys import changes_cloud
from vbstui.ui.messages import DecisionRequested
from vbstui.ui.widgets.vtable import Column, VirtualTable

SPINNER = "◐◓◑◒"
spinner_clock = time.monotonic  # replaceable, so screenshots can pin the frame
PHASE_STYLE = {
    Phase.SUCCESS: "good", Phase.FAILED: "bad", Phase.REFUSED: "bad", Phase.UNKNOWN: "warn",
    Phase.CANCELLED: "dim", Phase.RUNNING: "busy", Phase.SUBMITTING: "busy",
    Phase.RECONCILING: "warn",
}


def _elapsed(job: TrackedJob) -> str:
    seconds = int(job.elapsed)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


UNKNOWN_IN_PANEL = "⚠ DECIDE (:jobs)"  # fits the panel's 16 columns
UNKNOWN_IN_VIEW = "⚠ UNKNOWN: c / S / x"  # the jobs view, where those keys decide


def job_state(job: TrackedJob, unknown: str = UNKNOWN_IN_PANEL) -> str:
    """What the status column says, with a spinner while the job is in flight; `unknown`
    is the mark of a job that waits for the user's decision."""
    if job.phase in (Phase.RUNNING, Phase.SUBMITTING, Phase.RECONCILING):
        frame = SPINNER[int(spinner_clock() * 2) % len(SPINNER)]
        word = {Phase.SUBMITTING: "SUBMITTING", Phase.RECONCILING: "CHECKING"}.get(
            job.phase, job.status or "RUNNING")
        return f"{frame} {word}"
    # The short code (0017) fits the column; the log has the full code and its meaning.
    code = job.error_code.removeprefix("VolumeBackup.")
    if job.phase is Phase.FAILED:
        return f"✗ FAIL {code}".rstrip()
    if job.phase is Phase.REFUSED:
        return f"✗ REFUSED {code}".rstrip()
    if job.phase is Phase.UNKNOWN:
        return unknown
    if job.phase is Phase.SUCCESS:
        return "✓ SUCCESS" + (" (recovered)" if job.recovered else "")
    return job.phase.value.upper()


JOB_COLUMNS: list[Column[TrackedJob]] = [
    Column("state", "STATUS", 16, job_state, sort_key=lambda j: j.phase.value,
           style=lambda j: PHASE_STYLE.get(j.phase, "")),
    Column("elapsed", "TIME", 6, _elapsed, sort_key=lambda j: j.elapsed, align_right=True),
    Column("disk", "DISK", 20, lambda j: j.volume_name or j.volume_id),
    Column("backup", "BACKUP", 26, lambda j: j.backup_name or j.backup_id),
    Column("result", "RESULT", 24, lambda j: j.backup_id if j.phase is Phase.SUCCESS
           else j.message),
    Column("kind", "ACTION", 7, lambda j: j.kind.value),
    Column("job", "JOB ID", 32, lambda j: j.job_id or "—"),
]


def ask_decision(widget: Widget, job: TrackedJob | None, decision: Decision) -> None:
    """A decision key on a row: asked of the app if that job's outcome is unknown."""
    if job is None:
        return
    if job.phase is not Phase.UNKNOWN:
        widget.app.notify("only jobs whose outcome is unknown need a decision",
                          severity="information")
        return
    widget.post_message(DecisionRequested(job, decision))


class JobsPanel(VirtualTable[TrackedJob]):
    """The panel under the views; c / S / x decide on the job under the cursor, as in
    the jobs view (not in the footer: they mean nothing for most rows).

    New jobs come in at the top and the panel follows them, unless the user is
    working in the panel with the cursor on an older job: then the cursor stays on
    the job they chose (they may be about to press c / S / x on it) and the title
    says a newer job arrived above (g goes there)."""

    BINDINGS = [
        Binding("c", "decide('check')", "Check again", show=False),
        Binding("S", "decide('resubmit')", "Submit again", show=False),
        Binding("x", "decide('cancel')", "Give up", show=False),
    ]

    @changes_cloud(lambda decision: "submit again"
                   if decision == Decision.SUBMIT_AGAIN.value else None)
    def action_decide(self, decision: str) -> None:
        ask_decision(self, self.current, Decision(decision))

    @property
    def following(self) -> bool:
        """Whether a new job should take the cursor: yes unless the user moved it away
        from the newest job while working in the panel."""
        return not self.has_focus or self.cursor == 0

    def upsert_row(self, row: TrackedJob, *, first: bool = True) -> None:
        key = self.row_key(row)
        new = all(self.row_key(r) != key for r in self.all_rows)
        follow = new and first and self.following
        super().upsert_row(row, first=first)
        if follow:
            self.action_first()
            self.scroll_to(y=0, animate=False)
        elif new:
            self._set_newer_above(True)

    newer_above = False  # a job arrived above the cursor while the user worked below

    def _set_newer_above(self, value: bool) -> None:
        if value != self.newer_above:
            self.newer_above = value
            self.post_message(self.NewerAbove(value))

    def watch_cursor(self, cursor: int) -> None:
        if cursor == 0:
            self._set_newer_above(False)

    class NewerAbove(Message):
        """A newer job is (or no longer is) waiting above the user's cursor."""

        def __init__(self, waiting: bool) -> None:
            super().__init__()
            self.waiting = waiting


def jobs_table(**kwargs: object) -> JobsPanel:
    return JobsPanel(JOB_COLUMNS, row_key=lambda j: j.local_id,
                     empty_text="no jobs yet — press b on a disk to back it up",
                     **kwargs)  # type: ignore[arg-type]
