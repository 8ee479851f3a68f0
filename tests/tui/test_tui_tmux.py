"""A person at a real terminal: `vbstui --demo` in tmux (100x30), driven only by keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vbstui.sim import SimConfig, create_app

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

JOB_SECONDS = "2"


class Terminal:
    def __init__(self, session: str, socket: str) -> None:
        self.session = session
        self.socket = socket

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                                text=True, timeout=10, check=False)
        return result.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:  # one key per call: tmux may merge a control key with text after it
            self.tmux("send-keys", "-t", self.session, key)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        check = (lambda text: what in text) if isinstance(what, str) else what
        while True:
            text = self.screen()
            if check(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what!r} on the screen:\n{text}")
            time.sleep(0.1)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    # A fresh server per test: reusing one name right after kill-server races the old
    # server's exit ("server exited unexpectedly").
    socket = f"vbstui-test-{uuid.uuid4().hex[:12]}"
    session = "vbstui"
    # Not COLUMNS/LINES: pytest-xdist workers carry 80×24 there, and the app would
    # believe them over the tmux window's real size.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OS_", "VBSTUI_", "TEXTUAL", "NO_COLOR"))
           and k not in ("COLUMNS", "LINES")}
    env.update(VBSTUI_STATE_DIR=str(tmp_path / "state"), VBSTUI_CACHE_DIR=str(tmp_path / "c"),
               VBSTUI_LOG_DIR=str(tmp_path / "log"), VBSTUI_NO_KEYRING="1",
               VBSTUI_DEMO_JOB_SECONDS=JOB_SECONDS, TERM="xterm-256color")
    command = f"{sys.executable} -m vbstui --demo; echo EXITED-$?; sleep 30"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", session, "-x", "100",
                    "-y", "30", command], env=env, check=True, timeout=10)
    term = Terminal(session, socket)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False,
                       timeout=10)


def a_backupable_disk() -> str:
    """The name of a disk the demo world lets us back up (same seed as `--demo`)."""
    sim = create_app(SimConfig(volumes=120, job_seconds=float(JOB_SECONDS))).state.sim
    near = {v["volume_id"] for v in sim.snapshot()["near_limit"]}
    names = [v.name for v in sim.volumes]
    return next(v.name for v in sim.volumes
                if v.status in ("available", "in-use") and v.id not in near and v.name
                and names.count(v.name) == 1 and "[" not in v.name)


def test_back_up_a_disk_with_the_keyboard_only(terminal: Terminal) -> None:
    disk = a_backupable_disk()
    terminal.wait_for(lambda s: "120 disks" in s and "DEMO" in s)
    terminal.keys("/")
    terminal.type(disk)
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "1 of 120 disks" in s)
    terminal.keys("b")
    terminal.wait_for(f"Back up disk {disk}")
    terminal.keys("C-u")
    terminal.type("auto/nightly")
    screen = terminal.wait_for("start with 'auto'")  # the message may wrap before "start"
    assert "found '/'" in screen
    terminal.keys("C-s")  # refused while invalid: the form stays
    time.sleep(0.3)
    assert f"Back up disk {disk}" in terminal.screen()
    terminal.keys("C-u")
    terminal.type("tmux-nightly-1")
    terminal.wait_for("ready")
    terminal.keys("C-s")
    screen = terminal.wait_for("create of tmux-nightly-1 succeeded", timeout=30)
    assert "SUCCESS" in screen
    # The small log pane may already have scrolled past the first lines of the job: a
    # larger pane (z) shows its whole story, from the submission on.
    terminal.keys("z")
    screen = terminal.wait_for("submitted create of tmux-nightly-1")
    assert "create of tmux-nightly-1 succeeded" in screen
    terminal.keys("q")
    terminal.wait_for("EXITED-0")


def test_keys_at_a_real_terminal_command_bar_paste_and_footer(terminal: Terminal) -> None:
    """`:` with Tab completing, a paste of text and Tab landing in two fields, and the
    footer's help and quit at 100 columns — as a terminal delivers them."""
    screen = terminal.wait_for(lambda s: "120 disks" in s and "DEMO" in s and "Back up" in s)
    bottom = screen.rstrip("\n").splitlines()[-1]
    assert "? Help" in bottom and "q Quit" in bottom, screen
    terminal.keys(":")
    terminal.type("jo")
    terminal.keys("Tab")
    terminal.wait_for(lambda s: any(line.strip(" ▊▎") == "jobs" for line in s.splitlines()))
    # q and ? would be typed into the bar: the footer offers F1 and F10.
    terminal.wait_for(lambda s: "F1 Help" in s.rstrip("\n").splitlines()[-1]
                      and "F10 Quit" in s.rstrip("\n").splitlines()[-1])
    terminal.keys("Escape")  # closes the bar, wherever Tab left things
    terminal.wait_for(lambda s: not any(line.strip(" ▊▎") == "jobs" for line in s.splitlines())
                      and "? Help" in s.rstrip("\n").splitlines()[-1])
    terminal.keys(":")
    terminal.type("jo")
    terminal.keys("Tab")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "│ jobs │" in s.splitlines()[0])
    terminal.keys("F3")
    disk = a_backupable_disk()
    terminal.keys("/")
    terminal.type(disk)
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "1 of 120 disks" in s)
    terminal.keys("b")
    terminal.wait_for(f"Back up disk {disk}")
    terminal.keys("C-u")
    terminal.type("pasted-name\tpasted description")  # one burst, as a paste
    screen = terminal.wait_for("pasted description")
    name_line = next(line for line in screen.splitlines() if "Name" in line)
    description_line = next(line for line in screen.splitlines() if "Description" in line)
    assert "pasted-name" in name_line and "pasted" not in description_line.split(
        "Description", 1)[0]
    assert "pasted description" in description_line and "pasted-name" not in description_line
    terminal.keys("Escape")  # (a key right after esc would read as alt+key: wait)
    terminal.wait_for(lambda s: "Back up disk" not in s)
    terminal.keys("q")
    terminal.wait_for("EXITED-0")
