"""Pruning modals: how many of the newest backups of each disk to keep (checked as you
type by `vbstui.ops.prune`'s rule), and the preview that names every backup that would
go and every one that cannot, asked before anything is deleted."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from vbstui.cloud.models import Volume
from vbstui.ops.prune import PrunePlan, keep_problem
from vbstui.textsafe import plural, visible
from vbstui.ui.keys import changes_cloud
from vbstui.ui.screens.live_form import LiveForm
from vbstui.ui.widgets.ordered_input import OrderedInput

SHOWN_DISKS = 3  # the form names this many of the disks, then counts the rest


def keep_value(text: str) -> tuple[int | None, str | None]:
    """The number typed and what is wrong with it (the rule is `keep_problem`'s)."""
    value = text.strip()
    if not value:
        return None, "how many of the newest backups of each disk stay"
    if not value.isdecimal():
        return None, f"{visible(value)[:20]!r}: a whole number of backups (e.g. 3)"
    number = int(value)
    return number, keep_problem(number)


class KeepForm(LiveForm[int | None]):
    """"Keep the newest N backups of these disks": dismissed with N, or None."""

    FORM = "prune"

    BINDINGS = [
        Binding("ctrl+s", "submit", "Preview", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    AUTO_FOCUS = "#prune-keep"

    def __init__(self, volumes: list[Volume]) -> None:
        super().__init__()
        self.volumes = volumes
        self.done = False

    def compose(self) -> ComposeResult:
        names = ", ".join(visible(v.name or v.id) for v in self.volumes[:SHOWN_DISKS])
        if len(self.volumes) > SHOWN_DISKS:
            names += f" and {len(self.volumes) - SHOWN_DISKS} more"
        title = Text(f"Prune backups of {plural(len(self.volumes), 'disk')}", style="bold")
        title.append(f"  {names}", style="dim")
        with Vertical(id="form-box"):
            yield Static(title, id="form-title")
            with Horizontal(classes="form-row"):
                yield Label("Keep newest", classes="form-label")
                yield OrderedInput("", id="prune-keep", compact=True,
                                   placeholder="backups of each disk to keep, 1 or more")
            yield Static("", id="prune-keep-error", classes="field-error")
            with Horizontal(id="form-buttons"):
                yield Button("Preview (ctrl+s)", id="prune-submit", variant="primary",
                             disabled=True, compact=True)
                yield Button("Cancel (esc)", id="prune-cancel", compact=True)
                yield Static("", id="form-state")

    def on_mount(self) -> None:
        self._revalidate()

    def _value(self) -> tuple[int | None, str | None]:
        return keep_value(self.query_one("#prune-keep", Input).value)

    def _revalidate(self) -> None:
        number, problem = self._value()
        self.show_field("prune-keep", [problem] if problem else [],
                        ok=f"✓ the newest {number} of each disk stay; the rest are listed "
                        "before anything is deleted")
        self.show_state(1 if problem else 0, "ready: the preview asks before deleting")

    def action_submit(self) -> None:
        number, problem = self._value()
        if self.done:
            return
        if problem is not None or number is None:
            self._revalidate()
            self.notify("fix the number first", severity="warning")
            return
        self.done = True
        self.dismiss(number)

    def action_cancel(self) -> None:
        if not self.done:
            self.done = True
            self.dismiss(None)


def preview_text(plan: PrunePlan) -> Text:
    """The plan's own preview lines, the deletes and refusals set apart."""
    text = Text(no_wrap=True)
    lines = plan.text()
    for number, line in enumerate(lines):
        if line.startswith("  delete"):
            style = "bold red"
        elif line.startswith("  cannot"):
            style = "bold yellow"
        elif line.startswith("  keep"):
            style = "dim"
        else:
            style = "bold"
        text.append(line, style=style)
        if number < len(lines) - 1:
            text.append("\n")
    return text


class PrunePreviewScreen(ModalScreen[bool]):
    """The preview, scrollable; as every confirmation, No is focused and only `y` or the
    delete button confirms.  With nothing to delete it only closes."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "confirm", "Delete"),
    ]
    # As wide as the terminal and one line per backup (ids are long; the view scrolls
    # sideways), so every backup that would go is a line of its own.
    DEFAULT_CSS = """
    PrunePreviewScreen #prune-box { width: 100%; height: auto; max-height: 100%;
                                    border: thick $error; background: $surface;
                                    padding: 0 1; }
    PrunePreviewScreen #prune-preview { height: auto; max-height: 70vh; overflow-x: auto; }
    PrunePreviewScreen #prune-preview-body { width: auto; }
    PrunePreviewScreen .buttons { height: 1; }
    """

    def __init__(self, plan: PrunePlan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        going = len(self.plan.delete)
        title = (f"Delete {plural(going, 'backup')} (about {self.plan.gigabytes} GB)? "
                 "This cannot be undone." if going else "Nothing to delete")
        with Vertical(id="prune-box"):
            yield Static(Text(title, style="bold"), classes="modal-title")
            with ScrollableContainer(id="prune-preview"):
                yield Static(preview_text(self.plan), id="prune-preview-body")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (esc)" if going else "Close (esc)", id="no", compact=True)
                if going:
                    yield Button(f"Delete {plural(going, 'backup')} (y)", id="yes",
                                 variant="error", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    @changes_cloud("delete backups")
    def action_confirm(self) -> None:
        self.dismiss(bool(self.plan.delete))

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
