"""What the small modal forms (share, prune, new vault) have in common: each change is
checked at once, enter submits, and the two buttons submit and cancel.

A form names its buttons `#<FORM>-submit` / `#<FORM>-cancel`, has a `#form-state`
line, and gives `_revalidate` (which calls `show_field` and `show_state`),
`action_submit` and `action_cancel`.  The rules themselves stay in the operations
layer; this only shows their messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from vbstui.textsafe import plural

T = TypeVar("T")


class LiveForm(ModalScreen[T]):
    FORM = ""  # the prefix of the form's ids: "share" → #share-submit, #share-cancel
    done = False  # submitted: nothing more is sent from this form
    # Each form defines these three (declared here, so the handlers below type-check).
    _revalidate: Callable[[], None]
    action_submit: Callable[[], None]
    action_cancel: Callable[[], None]

    def show_field(self, field: str, messages: list[str], ok: str = "✓") -> None:
        """The field's messages under it (`ok` when there are none), its input marked."""
        error = self.query_one(f"#{field}-error", Static)
        error.update(Text("✗ " + "; ".join(messages)) if messages else Text(ok))
        error.set_class(bool(messages), "-bad")
        self.query_one(f"#{field}", Input).set_class(bool(messages), "-invalid")

    def show_state(self, problems: int, ready: str) -> None:
        """Submit only without problems; the state line says how many, or what is next."""
        self.query_one(f"#{self.FORM}-submit", Button).disabled = bool(problems) or self.done
        self.query_one("#form-state", Static).update(
            f"{plural(problems, 'problem')} to fix" if problems else ready)

    @on(Input.Changed)
    def _changed(self) -> None:
        self._revalidate()

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == f"{self.FORM}-submit":
            self.action_submit()
        elif event.button.id == f"{self.FORM}-cancel":
            self.action_cancel()
