"""The order in which the TUI asks for pages and puts them on screen (vbstui.ui.loading)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from vbstui.ui.loading import _read_ahead


class Server:
    """Pages on demand; records what happened, in order."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.events: list[str] = []
        self.in_flight = 0
        self.closed = False

    async def pages(self) -> AsyncIterator[int]:
        try:
            for number in range(1, self.count + 1):
                self.events.append(f"request {number}")
                self.in_flight += 1
                await asyncio.sleep(0.001)
                self.in_flight -= 1
                yield number
        finally:
            self.closed = True

    def settle(self) -> None:
        self.events.append(f"settle ({self.in_flight} under way)")


async def test_the_first_page_is_shown_before_the_second_is_asked_for() -> None:
    server = Server(3)
    async for page in _read_ahead(server.pages(), settle=server.settle):
        server.events.append(f"show {page}")
        await asyncio.sleep(0)  # the app lets the screen paint between pages
        server.events.append(f"shown {page}")
    assert server.events[:4] == ["request 1", "show 1", "shown 1", "settle (0 under way)"]
    assert server.events[4] == "request 2"
    # Later pages: the next one is asked for while this one goes on screen.
    assert server.events.index("request 3") < server.events.index("shown 2")
    assert [e for e in server.events if e.startswith("settle")] == [
        "settle (0 under way)"] * 3


async def test_stopping_early_cancels_the_request_under_way() -> None:
    server = Server(10)
    shown = []
    async for page in _read_ahead(server.pages(), settle=server.settle):
        shown.append(page)
        if page == 2:
            break
    await asyncio.sleep(0.01)
    assert shown == [1, 2] and server.closed
    assert "request 5" not in server.events
