"""Spawn → first rows visible, in a real terminal (a pseudo-terminal of 120×40).

The app under test is started in a pty as a user's terminal would start it; the time is
taken when the bytes of a table row (a "<n> GB" size cell) reach the terminal, i.e. when
the terminal can show them.  The reference is a minimal Textual app showing a 1,000-row
DataTable of the same shape, measured the same way.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ROW = re.compile(rb"\d+ GB")

DATATABLE_APP = r"""
from textual.app import App
from textual.widgets import DataTable

class Minimal(App):
    def compose(self):
        yield DataTable()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("NAME", "ID", "STATUS", "SIZE", "TYPE", "AZ")
        table.add_rows((f"disk-{i:05d}", f"{i:08x}", "available", f"{10 + i % 500} GB",
                        "SSD", "eu-de-01") for i in range(1000))

Minimal().run()
"""


def first_rows(argv: list[str], env: dict[str, str], *, size: tuple[int, int] = (120, 40),
               timeout: float = 60.0, cwd: Path | None = None) -> float:
    """Seconds from spawning `argv` in a pty to the first table row written to it.
    `cwd`: where it runs (`python -m vbstui` imports vbstui from there first)."""
    columns, lines = size
    env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "COLUMNS": str(columns), "LINES": str(lines)}
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, with the pty as its terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        if cwd is not None:
            os.chdir(cwd)
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    tail = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - started)
            if left <= 0:
                raise SystemExit(f"no table row within {timeout:.0f} s: {argv}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child exited
                raise SystemExit(f"{argv} ended before showing a row: {tail[-500:]!r}") from None
            tail = tail[-64:] + chunk
            if ROW.search(tail):
                return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def datatable_argv() -> list[str]:
    return [sys.executable, "-c", DATATABLE_APP]


def vbstui_argv(*options: str) -> list[str]:
    """`vbstui OPTIONS`; without options, the demo (`--demo`)."""
    return [sys.executable, "-m", "vbstui", *(options or ("--demo",))]
