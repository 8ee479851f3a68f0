"""The backup form: every field validated as you type, submit only when all is valid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import Failure, ValidationResult, Validator
from textual.widgets import Button, Checkbox, Input, Label, Static

from vbstui.cloud.models import Volume
from vbstui.cloud.validation import TAGS_MAX, validate_tag_key, validate_tag_value
from vbstui.ops.plans import (
    BackupInput,
    BackupPlan,
    name_limit,
    plan_backups,
    plan_problems,
    suggested_name,
)
from vbstui.textsafe import visible
from vbstui.ui.widgets.ordered_input import OrderedInput

INCREMENTAL_HELP = "off: incremental (blocks changed since the last backup); on: full copy"


class RuleValidator(Validator):
    """Wraps a rule of vbstui.cloud.validation so Textual shows its exact messages."""

    def __init__(self, rule) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.rule = rule

    def validate(self, value: str) -> ValidationResult:
        problems = self.rule(value)
        if not problems:
            return self.success()
        return ValidationResult.failure([Failure(self, value, p) for p in problems])


class TagRow(Horizontal):
    DEFAULT_CSS = """
    TagRow { height: 1; margin-left: 14; }
    TagRow Input { width: 1fr; margin-right: 1; }
    TagRow Button { min-width: 3; width: 3; }
    """

    def __init__(self, key: str = "", value: str = "") -> None:
        super().__init__(classes="tag-row")
        self._key = key
        self._value = value

    def compose(self) -> ComposeResult:
        yield OrderedInput(self._key, placeholder="key (1-36)", classes="tag-key", compact=True,
                           validators=[RuleValidator(validate_tag_key)])
        yield OrderedInput(self._value, placeholder="value (0-43)", classes="tag-value",
                           compact=True, validators=[RuleValidator(validate_tag_value)])
        yield Button("✕", classes="tag-remove", tooltip="remove this tag", compact=True)

    @property
    def pair(self) -> tuple[str, str]:
        return (self.query_one(".tag-key", Input).value, self.query_one(".tag-value", Input).value)


class BackupForm(ModalScreen[BackupPlan | None]):
    """One form for one disk, or for several marked disks (names get a -NNNN suffix).

    The rules are the operations layer's: `plan_problems` says what is wrong with
    each field as you type, `plan_backups` turns what was typed into the requests."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+t", "add_tag", "Add tag", priority=True),
    ]

    def __init__(self, volumes: list[Volume], *, quota_warning: str | None = None,
                 now: datetime | None = None) -> None:
        super().__init__()
        self.volumes = volumes
        self.volume_ids = [v.id for v in volumes]
        self.bulk = len(volumes) > 1
        self.name_max = name_limit(len(volumes))
        self.quota_warning = quota_warning
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
        self.suggested = suggested_name(volumes, stamp)
        self.submitted = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self._title(), id="form-title")
            with Horizontal(classes="form-row"):
                yield Label("Name", classes="form-label")
                yield OrderedInput(self.suggested, id="name", compact=True,
                            validators=[RuleValidator(self._rule("name"))])
            yield Static(f"1-{self.name_max} of A-Z a-z 0-9 _ -, not starting with 'auto'",
                         id="name-error", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Description", classes="form-label")
                yield OrderedInput("", id="description", compact=True, placeholder="optional",
                            validators=[RuleValidator(self._rule("description"))])
            yield Static("", id="description-error", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Full backup", classes="form-label")
                yield Checkbox("", id="full", compact=True)
                yield Static(INCREMENTAL_HELP, id="full-help", classes="hint")
            if not self.bulk:
                with Horizontal(classes="form-row"):
                    yield Label("Snapshot ID", classes="form-label")
                    yield OrderedInput("", id="snapshot", compact=True,
                                placeholder="optional: back up this snapshot of the disk",
                                validators=[RuleValidator(self._rule("snapshot_id"))])
                yield Static("", id="snapshot-error", classes="field-error")
            with Horizontal(classes="form-row"):
                yield Label("Tags", classes="form-label")
                yield Label(f"0 of {TAGS_MAX} · ctrl+t adds one", id="tags-label")
            yield VerticalScroll(id="tags")
            yield Static("", id="tags-error", classes="field-error")
            if self.quota_warning:
                yield Static(Text("⚠ " + self.quota_warning), id="quota-warning")
            with Horizontal(id="form-buttons"):
                yield Button("Back up (ctrl+s)", id="submit", variant="primary", disabled=True,
                             compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
                yield Static("", id="form-state")

    def _title(self) -> Text:
        if self.bulk:
            title = Text(f"Back up {len(self.volumes)} disks", style="bold")
            title.append("  each backup gets its own job; names end in -0001, -0002, …",
                         style="dim")
            return title
        volume = self.volumes[0]
        title = Text("Back up disk ", style="bold")
        title.append(visible(volume.name or "(no name)"), style="bold")
        title.append(f"  {volume.id}  {volume.size_gb or '?'} GB  {volume.status}", style="dim")
        return title

    def _rule(self, key: str) -> Callable[[str], list[str]]:
        """The problems of one field alone, for its input's own valid/invalid look."""
        def rule(value: str) -> list[str]:
            typed = BackupInput(self.volume_ids, **({"name": ""} | {key: value}))
            return plan_problems(typed).get(key, [])
        return rule

    AUTO_FOCUS = "#name"  # focused as the screen opens, before any typed key is handled

    def on_mount(self) -> None:
        self._revalidate()

    # -- validation ------------------------------------------------------------------

    def _tag_rows(self) -> list[TagRow]:
        return list(self.query(TagRow))

    def _typed(self) -> BackupInput:
        return BackupInput(
            self.volume_ids,
            name=self.query_one("#name", Input).value,
            description=self.query_one("#description", Input).value,
            snapshot_id="" if self.bulk else self.query_one("#snapshot", Input).value.strip(),
            tags=tuple(row.pair for row in self._tag_rows()),
            full_backup=self.query_one("#full", Checkbox).value,
        )

    def _problems(self) -> dict[str, list[str]]:
        return plan_problems(self._typed())

    def _revalidate(self) -> None:
        problems = self._problems()
        for field in ("name", "description", "snapshot"):
            if field == "snapshot" and self.bulk:
                continue
            messages = problems.get("snapshot_id" if field == "snapshot" else field, [])
            error = self.query_one(f"#{field}-error", Static)
            if messages:
                error.update(Text("✗ " + "; ".join(messages)))
            elif field == "name":
                error.update(Text(f"✓ 1-{self.name_max} of A-Z a-z 0-9 _ -, not starting "
                                  "with 'auto'"))
            else:
                error.update("")
            error.set_class(bool(messages), "-bad")
            self.query_one(f"#{field}", Input).set_class(bool(messages), "-invalid")
        tag_messages = problems.get("tags", [])
        self.query_one("#tags-error", Static).update(
            Text("✗ " + "; ".join(tag_messages)) if tag_messages else "")
        self.query_one("#tags-error", Static).set_class(bool(tag_messages), "-bad")
        self.query_one("#tags-label", Label).update(
            f"{len(self._tag_rows())} of {TAGS_MAX} · ctrl+t adds one")
        valid = not problems
        self.query_one("#submit", Button).disabled = not valid or self.submitted
        count = sum(len(m) for m in problems.values())
        self.query_one("#form-state", Static).update(
            "ready" if valid else f"{count} problem{'s' if count != 1 else ''} to fix")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._revalidate()

    @on(Checkbox.Changed)
    def _toggled(self, event: Checkbox.Changed) -> None:
        self._revalidate()

    # -- actions ---------------------------------------------------------------------

    def action_add_tag(self) -> None:
        rows = self._tag_rows()
        if len(rows) >= TAGS_MAX:
            self.notify(f"at most {TAGS_MAX} tags", severity="warning")
            return
        row = TagRow()
        self.query_one("#tags", VerticalScroll).mount(row)
        self.call_after_refresh(lambda: row.query_one(".tag-key", Input).focus())
        self.call_after_refresh(self._revalidate)

    @on(Button.Pressed, ".tag-remove")
    def _remove_tag(self, event: Button.Pressed) -> None:
        row = event.button.parent
        if isinstance(row, TagRow):
            row.remove()
            self.call_after_refresh(self._revalidate)

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
        problems = self._problems()
        if problems:
            self._revalidate()
            self.notify("fix the marked fields first", severity="warning")
            return
        self.submitted = True
        self.query_one("#submit", Button).disabled = True
        self.dismiss(plan_backups(self._typed()))

    def action_cancel(self) -> None:
        if not self.submitted:
            self.submitted = True
            self.dismiss(None)
