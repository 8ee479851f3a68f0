"""Which process works on a job: its pid and its start time, so a reused pid is not
mistaken for the process that took the lease."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def process_start(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot), None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after it.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


@dataclass(frozen=True)
class Lease:
    """The process that holds a job (pid and start time; None: nobody)."""

    pid: int | None
    start: str | None

    @classmethod
    def mine(cls) -> Lease:
        pid = os.getpid()
        return cls(pid, process_start(pid))

    def alive(self) -> bool:
        """Is the process that took this lease still running?"""
        if self.pid is None:
            return False
        if self.start is not None:
            return process_start(self.pid) == self.start
        try:  # no /proc: the pid alone (a reused pid keeps the lease until it exits)
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # it exists, another user's
        return True
