"""The TUI's start while its first disks are read ahead by a second process
(`vbstui.ui.first_page`): the login (and the HTTP stack it loads, some 80 ms on this
core) waits for the first frame, which shows those disks; the app's listing then takes
them as its first page and goes on from there.  Without a read-ahead, or once it is
over without an answer, the login starts at once, beside Textual's start-up."""

from __future__ import annotations

from typing import Any

from textual.app import App

from vbstui.ui.connection import Connection
from vbstui.ui.first_frame import FirstFrame
from vbstui.ui.first_page import FirstPageAhead
from vbstui.ui.loading import Loader

FIRST_PAGE_WAIT = 10.0  # seconds: a read-ahead slower than that is the listing's to do


class EarlyStart:
    """When the login starts, and what the first listing starts from."""

    def __init__(self, app: App[Any], connection: Connection, loader: Loader,
                 ahead: FirstPageAhead | None, first_frame: FirstFrame) -> None:
        self.app = app
        self.first_frame = first_frame
        self.connection = connection
        self.loader = loader
        self.ahead = ahead
        self._deferred = False  # the login waits for the first frame

    def app_loaded(self) -> None:
        """Before the main screen is built: log in now, unless disks are being read."""
        ahead = self.ahead
        self._deferred = ahead is not None and not (ahead.done and ahead.peek() is None)
        if not self._deferred:
            self.connection.connect()

    def screen_built(self) -> None:
        """The main screen's first widgets exist: the disks read ahead go into the
        volumes table (in the first frame if they are here already), and the deferred
        login starts once that frame is out."""
        if not self._deferred:
            return
        self._deferred = False
        self._show()
        self.first_frame.after(self.connection.connect)

    def first_body(self, project_id: str) -> dict[str, Any] | None:
        """For the first listing of `project_id`: the page read ahead, if it is that
        project's (once: nothing is read ahead after this)."""
        ahead, self.ahead = self.ahead, None
        return ahead.take(project_id) if ahead else None

    def stop(self) -> None:
        if self.ahead is not None:
            self.ahead.stop()

    def _show(self) -> None:
        ahead = self.ahead
        if ahead is None:
            return
        if ahead.done:
            self.loader.show_first_page(ahead.peek())
            return

        async def when_read() -> None:
            await ahead.wait(FIRST_PAGE_WAIT)
            self.loader.show_first_page(ahead.peek())

        self.app.run_worker(when_read, name="first-page", group="first-page",
                            exit_on_error=False, description="showing the first disks")
