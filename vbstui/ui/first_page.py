"""The TUI's side of the first page read ahead by a second process (`vbstui.read_ahead`;
`vbstui.ops.first_page` says what that process may do and why).

`vbstui.main` starts it first, before the parser or Textual is imported, so this module
imports only the standard library.  A thread drains the answer as it comes (it is
bigger than a pipe holds).  The app shows the page's disks as its screen is built
(`peek`), opens its own session after that first frame, and its listing takes the page
as its first (`take`) and goes on from there: once, at start-up (a page older than
`FRESH_FOR` is not used, nor one of another project).  No answer (nothing could be
read ahead, the process failed or was slow) leaves the TUI listing as it always did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

MAX_ANSWER = 16 << 20  # bytes: a first page is a few hundred kB at most
FRESH_FOR = 30.0  # seconds: after that the listing asks the server itself
DEMO_OPTIONS = ("--demo", "--demo-reset")  # its simulator lives in the TUI's process


class FirstPageAhead:
    """The second process reading the first page, and its answer once it is there."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._started = time.monotonic()
        self._done = threading.Event()
        self._answer: dict[str, Any] | None = None
        self._stopped = False
        threading.Thread(target=self._read, name="vbstui-first-page", daemon=True).start()

    @classmethod
    def start(cls, argv: Sequence[str]) -> FirstPageAhead | None:
        """Start reading ahead for the TUI run with the command line `argv` (the process
        reads it with vbstui's parser); None where nothing is read ahead: the demo, a
        frozen executable, `VBSTUI_NO_READ_AHEAD` set, no process."""
        if (any(word in DEMO_OPTIONS for word in argv) or getattr(sys, "frozen", False)
                or os.environ.get("VBSTUI_NO_READ_AHEAD")):
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "vbstui.read_ahead"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            return None
        assert process.stdin is not None
        try:
            with process.stdin:
                process.stdin.write(json.dumps(list(argv)).encode())
        except OSError:
            pass  # it ended already: no answer
        return cls(process)

    def _read(self) -> None:
        try:
            assert self._process.stdout is not None
            with self._process.stdout:
                raw = self._process.stdout.read(MAX_ANSWER + 1)
            if self._process.wait() == 0 and len(raw) <= MAX_ANSWER:
                answer = json.loads(raw)
                if (isinstance(answer, dict) and isinstance(answer.get("project_id"), str)
                        and isinstance(answer.get("body"), dict)):
                    self._answer = answer
        except (OSError, ValueError, RecursionError):
            pass  # no answer
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        """The process has ended (with an answer or without)."""
        return self._done.is_set()

    async def wait(self, timeout: float) -> None:
        """Until the process has ended, at most `timeout` seconds."""
        import asyncio  # noqa: PLC0415 - Textual has loaded it long before this runs

        await asyncio.to_thread(self._done.wait, timeout)

    def peek(self) -> dict[str, Any] | None:
        """The page's body, if it is there and still fresh (to show its disks)."""
        answer = self._answer
        if answer is None or self._stopped or time.monotonic() - self._started > FRESH_FOR:
            return None
        body: dict[str, Any] = answer["body"]
        return body

    def take(self, project_id: str) -> dict[str, Any] | None:
        """The page's body for the first listing of `project_id`; after this (whatever
        it returned) there is nothing more to read ahead."""
        answer = self._answer if self.done else None
        body = self.peek() if answer is not None else None
        self.stop()
        return body if answer is not None and answer["project_id"] == project_id else None

    def stop(self) -> None:
        """Forget the answer; end the process if it is still at work."""
        self._stopped = True
        self._answer = None
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
