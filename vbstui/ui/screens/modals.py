"""Small modal screens: raw JSON, confirmation, and choices after an unknown outcome."""

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

from vbstui.textsafe import visible


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
    """Yes/no with No as the default; destructive actions say so in red."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(self, title: str, body: Text | str, *, confirm_label: str = "Yes",
                 danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body if isinstance(body, Text) else Text(body)
        self.confirm_label = confirm_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(Text(self.title_text, style="bold"), classes="modal-title")
            yield Static(self.body, id="confirm-body")
            with Horizontal(classes="buttons"):
                yield Button("No (esc)", id="no")
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


class UnknownOutcomeScreen(ModalScreen[str]):
    """After a network failure left a submission unresolved: the user decides."""

    BINDINGS = [
        Binding("c", "choose('check')", "Check again"),
        Binding("s", "choose('resubmit')", "Submit again"),
        Binding("escape,x", "choose('cancel')", "Give up"),
    ]

    def __init__(self, label: str, detail: str, risk: str) -> None:
        super().__init__()
        self.label = label
        self.detail = detail
        self.risk = risk  # what submitting again may duplicate (vbstui.ops.outcome)

    def compose(self) -> ComposeResult:
        body = Text()
        body.append(f"The outcome of '{self.label}' is unknown.\n\n", style="bold")
        body.append(self.detail + "\n\n")
        body.append("Check again looks for what the request did, once more. Submit again "
                    f"sends a new request: {visible(self.risk)}.")
        with Vertical(classes="modal-box"):
            yield Static(Text("Outcome unknown", style="bold"), classes="modal-title")
            yield Static(body)
            with Horizontal(classes="buttons"):
                yield Button("Check again (c)", id="check", variant="primary")
                yield Button("Submit again (s)", id="resubmit", variant="warning")
                yield Button("Give up (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#check", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
