"""The TUI's side of the read-ahead (`vbstui.ui.first_page.FirstPageAhead`): which
answers it takes, once, and what it does with a process that says nothing useful."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from vbstui.ui import first_page
from vbstui.ui.first_page import FirstPageAhead

BODY = {"volumes": [{"id": "v-1", "name": "one"}], "count": 1}


def answering(text: str, code: int = 0) -> FirstPageAhead:
    """A read-ahead whose process writes `text` and exits with `code`."""
    program = f"import sys; sys.stdout.write({text!r}); sys.exit({code})"
    process = subprocess.Popen([sys.executable, "-c", program], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    ahead = FirstPageAhead(process)
    asyncio.run(ahead.wait(30))
    assert ahead.done
    return ahead


def test_the_answer_goes_to_the_listing_of_its_project_once() -> None:
    ahead = answering(json.dumps({"project_id": "p-1", "body": BODY}))
    assert ahead.peek() == BODY
    assert ahead.take("p-1") == BODY
    assert ahead.take("p-1") is None  # once: a refresh lists from the server
    assert ahead.peek() is None


def test_a_page_of_another_project_is_not_used() -> None:
    ahead = answering(json.dumps({"project_id": "p-1", "body": BODY}))
    assert ahead.take("p-2") is None


@pytest.mark.parametrize("text, code", [
    ("", 1),                                                   # nothing could be read
    (json.dumps({"project_id": "p-1", "body": BODY}), 3),      # it failed after writing
    ("{not json", 0),
    (json.dumps({"project_id": 7, "body": BODY}), 0),
    (json.dumps({"project_id": "p-1", "body": [1, 2]}), 0),
    ("[" * 100_000, 0),                                        # too deep to parse
])
def test_anything_but_a_clean_answer_is_no_answer(text: str, code: int) -> None:
    ahead = answering(text, code)
    assert ahead.peek() is None
    assert ahead.take("p-1") is None


def test_a_page_read_too_long_ago_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    ahead = answering(json.dumps({"project_id": "p-1", "body": BODY}))
    monkeypatch.setattr(first_page, "FRESH_FOR", 0.0)
    assert ahead.peek() is None
    assert ahead.take("p-1") is None


def test_stop_ends_a_process_still_at_work() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    ahead = FirstPageAhead(process)
    assert not ahead.done
    assert ahead.take("p-1") is None  # not there yet: the listing goes on without it
    assert process.poll() is not None
    asyncio.run(ahead.wait(10))
    assert ahead.done and ahead.peek() is None


@pytest.mark.parametrize("argv", [["--demo"], ["--profile", "x", "--demo-reset"]])
def test_the_demo_reads_nothing_ahead(argv: list[str]) -> None:
    assert FirstPageAhead.start(argv) is None  # its simulator lives in the TUI's process


def test_it_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VBSTUI_NO_READ_AHEAD", "1")
    assert FirstPageAhead.start(["--profile", "sim"]) is None
