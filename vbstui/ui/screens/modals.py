"""Small modal screens: raw JSON and confirmation."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


def safe_json(data: Any) -> str:
    """Pretty JSON with every non-printable character escaped (json.dumps leaves DEL and
    the C1 controls raw when ensure_ascii is off)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str, sort_keys=True)
    return "".join(
        ch if ch == "\n" or ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text
    )


class RawJsonScreen(ModalScreen[None]):
    """`y`: the raw JSON the server sent, exactly (unknown fields included)."""

    BINDINGS = [
        Binding("escape,q,y", "close", "Close"),
        Binding("c", "copy", "Copy to clipboard"),
    ]

    def __init__(self, title: str, data: Any) -> None:
        super().__init__()
        self.title_text = title
        self.text = safe_json(data)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box wide"):
            yield Static(Text(self.title_text, style="bold"), classes="modal-title")
            yield TextArea(self.text, read_only=True, soft_wrap=False, id="raw-json",
                           show_line_numbers=True)
            yield Static("esc close · c copy (works over SSH via OSC 52)", classes="hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("JSON copied to the clipboard")


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no with No focused: Enter alone never confirms, only `y` or moving to the
    confirm button does; esc is always No.  Destructive actions say so in red."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, title: str, body: Text | str, *, confirm_label: str = "Yes",
                 cancel_label: str = "No", danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body if isinstance(body, Text) else Text(body)
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Text(self.title_text, style="bold"), classes="modal-title")
            yield Static(self.body, id="confirm-body")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.cancel_label} (esc)", id="no")
                yield Button(f"{self.confirm_label} (y)", id="yes",
                             variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
