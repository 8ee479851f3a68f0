"""The jobs panel: every job of this session (and resumed ones) with a live status."""

from __future__ import annotations

import time

from vbstui.jobs import Phase, TrackedJob
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


def job_state(job: TrackedJob) -> str:
    """What the status column says, with a spinner while the job is in flight."""
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
        return "? UNKNOWN"
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


def jobs_table(**kwargs: object) -> VirtualTable[TrackedJob]:
    return VirtualTable(JOB_COLUMNS, row_key=lambda j: j.local_id,
                        empty_text="no jobs yet — press b on a disk to back it up",
                        **kwargs)  # type: ignore[arg-type]
