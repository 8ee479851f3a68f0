"""What headless commands print: results on stdout (JSON or tables), progress on stderr.

Server text reaches a terminal (or a file a terminal will show) only through here:
every line goes through `visible()`, and JSON escapes what `json` leaves raw (C1
controls, bidi overrides, line separators), so no escape sequence is ever obeyed.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from typing import Any, TextIO

from vbstui.cloud.error_codes import explain
from vbstui.jobs import JobEvent, Kind, Phase, Severity, TrackedJob
from vbstui.textsafe import visible, visible_lines

MARKS = {Severity.INFO: " ", Severity.SUCCESS: "✓", Severity.WARNING: "!", Severity.ERROR: "✗"}


# What json.dumps(ensure_ascii=False) writes raw but a terminal may act on: DEL and the C1
# controls, soft hyphen, Arabic/Syriac/Mongolian format marks, zero-width and bidi
# controls, line and paragraph separators, invisible operators, BOM, annotation marks.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def stderr(text: str) -> None:
    print(visible_lines(text), file=sys.stderr, flush=True)


def stdout(text: str) -> None:
    """A result line for scripts (an id), made visible like everything else."""
    print(visible_lines(text), flush=True)


def json_safe(text: str) -> str:
    """JSON text with what a terminal may act on escaped (see _JSON_UNSAFE)."""
    if text.isascii():
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(data: Any, *, pretty: bool = True) -> str:
    """JSON for a person (indented, letters as they are) or for a program (compact and
    ASCII only: C speed, and nothing left that a terminal could act on)."""
    if pretty:
        return json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return json.dumps(data, default=str, separators=(",", ":"))


def for_people(stream: TextIO) -> bool:
    """Indented JSON on a terminal, compact JSON into a pipe or a file."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def out(data: Any, stream: TextIO | None = None) -> None:
    target = stream or sys.stdout
    print(json_text(data, pretty=for_people(target)), file=target)


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
        made = job.kind is Kind.CREATE or (job.kind is Kind.POLICY_RUN and job.backup_id)
        stdout(job.backup_id if made else job.job_id or job.backup_id)  # what it made
    elif job.phase is Phase.RUNNING:
        # A CBR job or a policy's task has no VBS job to show: the journal follows it.
        follow = ("vbstui jobs --wait" if job.service == "cbr" or job.kind is Kind.POLICY_RUN
                  else f"vbstui job show {job.job_id} --wait")
        stderr(f"{job.label}: job {job.job_id or '?'} is {job.status or 'running'}; follow it "
               f"with: {follow}")
        if job.job_id:
            stdout(job.job_id)
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
    elif job.phase is Phase.UNKNOWN and job.kind is Kind.CREATE:
        stderr(f"{job.label}: OUTCOME UNKNOWN — the request may have created the backup. "
               f"Check with: vbstui backups --volume {job.volume_id} --name {job.backup_name}")
    elif job.phase is Phase.UNKNOWN:
        stderr(f"{job.label}: OUTCOME UNKNOWN — the {job.kind.value} may have started. "
               "`vbstui jobs` checks again")
    elif job.phase in (Phase.SUBMITTING, Phase.RECONCILING):
        stderr(f"{job.label}: OUTCOME UNKNOWN — the request may have reached the service and "
               "no answer was read in time; `vbstui jobs` finds out what happened")
        if job.job_id:
            stdout(job.job_id)


def refused(what: str, problems: list[str]) -> None:
    """Refusals before sending, one line each, and the reassurance scripts rely on."""
    for problem in problems:
        stderr(f"cannot {what}: {problem}")
    stderr("nothing was sent")
