"""What headless commands print: results on stdout (JSON or tables), progress on stderr."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, TextIO

from vbstui.cloud.error_codes import explain
from vbstui.jobs import JobEvent, Phase, Severity, TrackedJob
from vbstui.textsafe import visible

MARKS = {Severity.INFO: " ", Severity.SUCCESS: "✓", Severity.WARNING: "!", Severity.ERROR: "✗"}


def stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def out(data: Any, stream: TextIO | None = None) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str), file=stream or sys.stdout)


def stamp() -> str:
    return datetime.now().strftime("%H:%M:%S")


def progress(text: str, severity: Severity = Severity.INFO) -> None:
    """A time-stamped progress line, server text made visible."""
    stderr(f"{stamp()} {MARKS[severity]} {visible(text)}")


def event_printer(event: JobEvent) -> None:
    progress(event.text, event.severity)


def print_outcome(job: TrackedJob) -> None:
    """A job's end for a script: the id on stdout, the explanation on stderr."""
    if job.phase is Phase.SUCCESS:
        print(job.backup_id if job.kind.value == "create" else job.job_id or job.backup_id)
    elif job.phase is Phase.RUNNING:
        stderr(f"{job.label}: job {job.job_id or '?'} is {job.status or 'running'}; follow it "
               f"with: vbstui job show {job.job_id} --wait")
        if job.job_id:
            print(job.job_id)
    elif job.phase in (Phase.FAILED, Phase.REFUSED):
        info = explain(job.error_code, job.message) if job.error_code else None
        line = f"{job.label}: {job.phase.value}"
        if job.error_code:
            line += f" with {job.error_code}: {info.meaning if info else ''}"
        if job.message:
            line += f" ({visible(job.message)})"
        if info and info.action:
            line += f" → {info.action}"
        stderr(line)
    elif job.phase is Phase.UNKNOWN:
        stderr(f"{job.label}: OUTCOME UNKNOWN — the request may have created the backup. "
               f"Check with: vbstui backups --volume {job.volume_id} --name {job.backup_name}")


def refused(what: str, problems: list[str]) -> None:
    """Refusals before sending, one line each, and the reassurance scripts rely on."""
    for problem in problems:
        stderr(f"cannot {what}: {problem}")
    stderr("nothing was sent")
