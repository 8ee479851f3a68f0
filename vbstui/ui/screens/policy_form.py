"""The policy form (n / e in the policies view): every field checked as you type with
the message of `vbstui.cloud.policy_validation` (cross-field rules included: an interval
or week days, a number or days to keep, the time zone when the times fall on different
UTC days); submit stays disabled while anything is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from vbstui.cloud.policy_models import Policy
from vbstui.cloud.policy_validation import (
    FREQUENCY_MAX,
    FREQUENCY_MIN,
    KEEP_DAYS_MAX,
    KEEP_DAYS_MIN,
    KEEP_MAX,
    KEEP_MIN,
    POLICY_NAME_MAX,
    POLICY_TAGS_MAX,
    PolicyDraft,
)
from vbstui.cloud.validation import parse_tag
from vbstui.ops.policies import PolicyRefusal, draft_of, refuse_default_change
from vbstui.textsafe import visible
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.statebox import StateCheckbox

# field id -> (label, what is asked, shown while the field is valid)
TEXT_FIELDS = {
    "name": ("Name", f"1-{POLICY_NAME_MAX} of A-Z a-z 0-9 _ -, not starting with 'default'"),
    "start_times": ("Start (UTC)", "full hours in UTC, comma separated, e.g. 02:00,14:00"),
    "frequency": ("Every N days", f"an interval of {FREQUENCY_MIN}-{FREQUENCY_MAX} days, "
                                  "or week days below (one of the two)"),
    "week_days": ("Week days", "SUN MON TUE WED THU FRI SAT, comma separated"),
    "keep": ("Keep backups", f"the newest {KEEP_MIN}-{KEEP_MAX} backups, or days below "
                             "(one of the two)"),
    "keep_days": ("Keep days", f"backups younger than {KEEP_DAYS_MIN}-{KEEP_DAYS_MAX} days"),
    "time_zone": ("Time zone", "e.g. UTC+01:00; needed when the times fall on different "
                               "UTC days"),
    "tags": ("Tags", f"KEY=VALUE, comma separated, at most {POLICY_TAGS_MAX}"),
}


@dataclass(frozen=True)
class PolicyFormResult:
    """The policy the form describes, and whether it renames one."""

    draft: PolicyDraft
    renaming: bool  # an edit that changes the name (else the name is not sent)


def split_tags(text: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """`env=prod, team=db` as typed → the pairs, and what does not read as KEY=VALUE."""
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    for part in text.split(","):
        item = part.strip(" ")
        if not item:
            continue
        try:
            pairs.append(parse_tag(item))
        except ValueError as exc:
            problems.append(str(exc))
    return tuple(pairs), problems


class PolicyForm(ModalScreen[PolicyFormResult | None]):
    """A new policy (`policy` None) or an edit of `policy` (its tags are changed with
    the tag calls, not here)."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    AUTO_FOCUS = "#name"

    def __init__(self, policy: Policy | None = None) -> None:
        super().__init__()
        self.policy = policy
        self.start = draft_of(policy) if policy is not None else PolicyDraft(
            start_times="02:00", frequency="1", keep="7")
        self.submitted = False

    @property
    def fields(self) -> list[str]:
        return [f for f in TEXT_FIELDS if f != "tags" or self.policy is None]

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self._title(), id="form-title")
            for field in self.fields:
                label, _hint = TEXT_FIELDS[field]
                value = "" if field == "tags" else str(getattr(self.start, field))
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(value, id=field, compact=True)
                yield Static("", id=f"{field}-error", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("First of month", classes="form-label")
                yield StateCheckbox(self.start.keep_first_of_month, id="first-of-month",
                                    on="kept", off="no", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Status", classes="form-label")
                yield StateCheckbox(self.start.enabled, id="enabled", on="ON", off="OFF",
                                    compact=True)
            with Horizontal(id="form-buttons"):
                yield Button("Create (ctrl+s)" if self.policy is None else "Save (ctrl+s)",
                             id="submit", variant="primary", disabled=True, compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Static("", id="form-state")

    def _title(self) -> Text:
        if self.policy is None:
            return Text("New backup policy", style="bold")
        title = Text(f"Edit policy {visible(self.policy.name)}", style="bold")
        title.append(f"  {self.policy.id}", style="dim")
        return title

    def on_mount(self) -> None:
        self._revalidate()

    # -- validation ------------------------------------------------------------------

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def _renaming(self) -> bool:
        return self.policy is not None and self._value("name") != self.policy.name

    def _typed(self) -> tuple[PolicyDraft, list[str]]:
        """The draft as typed, and the problems of the tags field's own shape."""
        tags, tag_problems = split_tags(self._value("tags")) if self.policy is None else ((), [])
        draft = PolicyDraft(
            name=self._value("name"), start_times=self._value("start_times"),
            frequency=self._value("frequency"), week_days=self._value("week_days"),
            keep=self._value("keep"), keep_days=self._value("keep_days"),
            keep_first_of_month=self.query_one("#first-of-month", Checkbox).value,
            enabled=self.query_one("#enabled", Checkbox).value,
            time_zone=self._value("time_zone"), tags=tags)
        return draft, tag_problems

    def _problems(self) -> dict[str, list[str]]:
        draft, tag_problems = self._typed()
        with_name = self.policy is None or self._renaming()
        problems = draft.problems(with_name=with_name)
        if tag_problems:
            problems["tags"] = tag_problems + problems.get("tags", [])
        if self.policy is not None and self._renaming():
            try:
                refuse_default_change(self.policy, renaming=True)
            except PolicyRefusal as exc:  # the default policy keeps its name
                problems["name"] = [str(exc)]
        return problems

    def _revalidate(self) -> None:
        problems = self._problems()
        for field in self.fields:
            messages = problems.get(field, [])
            error = self.query_one(f"#{field}-error", Static)
            text = Text("✗ " + "; ".join(messages)) if messages else Text(
                "✓ " + TEXT_FIELDS[field][1] if self._value(field) else TEXT_FIELDS[field][1])
            error.update(text)
            error.set_class(bool(messages), "-bad")
            self.query_one(f"#{field}", Input).set_class(bool(messages), "-invalid")
        count = sum(len(m) for m in problems.values())
        self.query_one("#submit", Button).disabled = bool(problems) or self.submitted
        self.query_one("#form-state", Static).update(
            f"{count} problem{'s' if count != 1 else ''} to fix" if problems else "ready")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._revalidate()

    @on(Checkbox.Changed)
    def _toggled(self, event: Checkbox.Changed) -> None:
        self._revalidate()

    # -- actions ---------------------------------------------------------------------

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _enter_pressed(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.submitted:
            return  # a second ctrl+s must never send a second request
        if self._problems():
            self._revalidate()
            self.notify("fix the marked fields first", severity="warning")
            return
        self.submitted = True
        self.query_one("#submit", Button).disabled = True
        self.dismiss(PolicyFormResult(self._typed()[0], self._renaming()))

    def action_cancel(self) -> None:
        if not self.submitted:
            self.submitted = True
            self.dismiss(None)
