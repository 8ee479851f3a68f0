"""The `:` bar: type a view's name; tab completes it, enter goes there, esc closes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.suggester import SuggestFromList

from vbstui.ui.widgets.ordered_input import OrderedInput


class CommandBar(OrderedInput):
    """Shown (class `-active`) only while it has the focus: closing it, or the focus
    leaving it, hides it again and tells the screen with `Closed`."""

    BINDINGS = [
        Binding("tab", "complete", "Complete the view name", show=False),
        Binding("escape", "close", "Close the bar", show=False),
    ]

    class Closed(Message):
        """The bar was closed without going anywhere."""

    def __init__(self, names: Sequence[str], **kwargs: Any) -> None:
        super().__init__(suggester=SuggestFromList(names, case_sensitive=False), **kwargs)
        self.names = list(names)
        self._typed = ""  # what the user typed; tab cycles through the names it starts
        self._completed = ""  # what the last tab put in the bar

    def open(self) -> None:
        self.value = self._typed = self._completed = ""
        self.add_class("-active")
        self.screen.set_focus(self)  # at once, so keys typed right after ':' land here

    def wanted(self) -> str | None:
        """The view the bar names: the first one its text starts."""
        text = self.value.strip().lstrip(":").lower()
        return next((n for n in self.names if n.startswith(text)), None) if text else None

    def action_complete(self) -> None:
        if self.value != self._completed:  # typed since the last tab: complete that
            self._typed = self.value
        prefix = self._typed.strip().lstrip(":").lower()
        matches = [n for n in self.names if n.startswith(prefix)]
        if not matches:
            self.app.bell()
            return
        following = (matches.index(self.value) + 1) if self.value in matches else 0
        self.value = self._completed = matches[following % len(matches)]
        self.cursor_position = len(self.value)

    def action_close(self) -> None:
        self.hide()
        self.post_message(self.Closed())

    def hide(self) -> None:
        self.remove_class("-active")
        self.value = ""

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        # Never left on screen without the focus that closes it — unless the whole
        # terminal lost focus, which gives it back here.
        if self.has_class("-active") and self.app.app_focus:
            self.hide()
