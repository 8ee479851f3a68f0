"""The first disks read ahead by a second process (`vbstui.ui.first_page`): on screen
when the main screen is built, before the app has a session; the app's own listing
goes on from that page (not asked for again) to every disk; and without an answer
(no cached token) the app logs in and lists as it always did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from tuikit import demo_target, loaded, make_app, served_simulator, wait_until

from vbstui.ops.first_page import FIRST_PAGE
from vbstui.ops.target import Choices, choose_target
from vbstui.ui.app import VbsApp
from vbstui.ui.first_page import FirstPageAhead

DISKS = 250  # the first page, then one more page (by offset) for the rest
DETAIL = "GET /v2/{project_id}/cloudvolumes/detail"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A served simulator and a private config file whose profile `sim` points at it."""
    monkeypatch.setenv("VBSTUI_PASSWORD", "vbstui-demo")
    with served_simulator(tmp_path, "--volumes", str(DISKS)) as served:
        yield served


def requests(url: str) -> dict[str, int]:
    return dict(httpx.get(f"{url}/_sim/state", timeout=10).json()["requests"])


def cache_a_token(config: Path) -> None:
    """A headless run before: the token cache holds a valid token, as on a jump host."""
    done = subprocess.run([sys.executable, "-m", "vbstui", "--config", str(config),
                           "--profile", "sim", "quota", "--json"], capture_output=True,
                          text=True, timeout=60, check=False, env=os.environ.copy())
    assert done.returncode == 0, done.stderr


class Watched(VbsApp):
    """Notes what the main screen shows when its widgets are ready."""

    at_main_ready: dict[str, Any]

    def main_ready(self) -> None:
        super().main_ready()
        self.at_main_ready = {"rows": len(self.volumes_view.table.all_rows),
                              "session": self.session}


async def all_listed(pilot: Pilot[Any], app: VbsApp) -> None:
    await wait_until(pilot, lambda: (app.session is not None
                                     and len(app.volumes_view.table.all_rows) == DISKS
                                     and not app.volumes_view.loading_text),
                     timeout=30, what="every disk listed")


async def test_the_disks_read_ahead_are_on_screen_before_the_session_and_not_asked_again(
        served: tuple[str, Path]) -> None:
    url, config = served
    cache_a_token(config)
    before = requests(url)
    ahead = FirstPageAhead.start(["--config", str(config), "--profile", "sim"])
    assert ahead is not None
    await ahead.wait(30)
    assert ahead.done and ahead.peek() is not None
    app = Watched(choose_target(Choices(config_path=str(config), profile="sim")),
                  first_page=ahead)
    async with app.run_test(size=(120, 40)) as pilot:
        await all_listed(pilot, app)
        listed = [v.id for v in app.volumes_view.table.all_rows]
    assert app.at_main_ready == {"rows": FIRST_PAGE, "session": None}
    after = requests(url)
    # One request read ahead, one for the rest: the first page was not asked for again.
    assert after[DETAIL] - before.get(DETAIL, 0) == 2
    assert after["POST /v3/auth/tokens"] == before["POST /v3/auth/tokens"]
    assert len(set(listed)) == DISKS


async def test_without_a_cached_token_nothing_is_read_ahead_and_the_app_logs_in(
        served: tuple[str, Path]) -> None:
    url, config = served
    before = requests(url)
    ahead = FirstPageAhead.start(["--config", str(config), "--profile", "sim"])
    assert ahead is not None
    await ahead.wait(30)
    assert ahead.done and ahead.peek() is None
    app = Watched(choose_target(Choices(config_path=str(config), profile="sim")),
                  first_page=ahead)
    async with app.run_test(size=(120, 40)) as pilot:
        await all_listed(pilot, app)
    after = requests(url)
    assert after["POST /v3/auth/tokens"] == before.get("POST /v3/auth/tokens", 0) + 1
    assert after[DETAIL] - before.get(DETAIL, 0) == 2  # the app's own two pages


def slow_read_ahead(seconds: float, answer: str = "", code: int = 1) -> FirstPageAhead:
    """A read-ahead still at work when the app starts: it ends after `seconds` with
    `answer` (none by default)."""
    program = (f"import sys, time; time.sleep({seconds}); sys.stdout.write({answer!r}); "
               f"sys.exit({code})")
    return FirstPageAhead(subprocess.Popen([sys.executable, "-c", program],
                                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE))


@pytest.mark.parametrize("seconds", [0.05, 1.0])
async def test_a_read_ahead_that_ends_without_an_answer_leaves_the_app_listing(
        seconds: float) -> None:
    """Whenever it ends (before the screen is built, after, after the first frame), the
    app logs in and lists every disk itself."""
    app = make_app(demo_target(volumes=30), first_page=slow_read_ahead(seconds))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, 30)
        assert len(app.volumes_view.table.all_rows) == 30


async def test_a_page_of_another_project_is_not_shown_as_this_ones() -> None:
    other = json.dumps({"project_id": "another-project", "body": {
        "volumes": [{"id": "not-ours", "name": "elsewhere", "size": 1, "status": "available"}],
        "count": 1}})
    app = make_app(demo_target(volumes=30), first_page=slow_read_ahead(0.3, other, 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, 30)
        await pilot.pause(0.5)
        ids = {v.id for v in app.volumes_view.table.all_rows}
    assert "not-ours" not in ids and len(ids) == 30


async def test_a_read_ahead_that_ends_between_the_start_and_the_screen_still_connects(
        ) -> None:
    """Still at work when the app starts (so the session waits for the first frame),
    over without an answer by the time the screen is built."""
    ahead = slow_read_ahead(30)

    class EndsBeforeTheScreen(VbsApp):
        def on_mount(self) -> None:  # Textual calls VbsApp's after it: not super() here
            ahead.stop()
            deadline = time.monotonic() + 10
            while not ahead.done and time.monotonic() < deadline:
                time.sleep(0.01)

    app = make_app(demo_target(volumes=30), first_page=ahead)
    app.__class__ = EndsBeforeTheScreen  # make_app's test defaults, with this class
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, 30)


async def test_a_terminal_too_small_to_draw_the_table_still_connects() -> None:
    body = {"volumes": [{"id": "v-early", "name": "early", "size": 1, "status": "available"}],
            "count": 1}
    ahead = slow_read_ahead(0, json.dumps({"project_id": "p", "body": body}), 0)
    await ahead.wait(30)
    app = make_app(demo_target(volumes=30), first_page=ahead)
    async with app.run_test(size=(60, 3)) as pilot:
        await loaded(pilot, app, 30)
