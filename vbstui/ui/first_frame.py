"""What waits for the app's first frame to be out: the views not shown at first
(`MainScreen`), the login while disks are read ahead (`vbstui.ui.early_start`).

Textual writes no frame during its start-up, a batch update that ends after the main
screen is composed and laid out; a callback scheduled from a drawing in there would run
as soon as that batch is over, before the frame it meant to follow.  Textual's `Ready`
event comes after the batch: from there, a callback scheduled after the screen's
refresh runs once the first frame is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

Callback = Callable[[], object]


class FirstFrame:
    """Callbacks run after the first frame, in the order they were given."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.is_out = False
        self._waiting: list[Callback] = []

    def after(self, callback: Callback) -> None:
        if self.is_out:
            self.app.call_after_refresh(callback)
        else:
            self._waiting.append(callback)

    def out(self) -> None:
        """The app's `Ready` event: start-up is over, its frame goes out next."""
        self.is_out = True
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            self.app.call_after_refresh(callback)
