"""The backup form: every field validated as you type, submit only when all is valid;
what the pre-flight checks found (a disk at its 20 backups, a backup running, the disk's
status, the quota) is said before anything is sent, and refused disks are not sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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
from vbstui.ops.preflight import DiskRefusal, Preflight
from vbstui.ops.vaults import Destinations
from vbstui.textsafe import plural, visible
from vbstui.ui.messages import BackupsOfDiskRequested
from vbstui.ui.screens.backup_destination import destination_text
from vbstui.ui.widgets.ordered_input import OrderedInput
from vbstui.ui.widgets.statebox import StateCheckbox

INCREMENTAL_HELP = "off: incremental (blocks changed since the last backup); on: full copy"
NAMED_IN_LIST = 8  # disks named in the bulk form's "backs up" line; the rest are counted
SKIPS_SHOWN = 4  # skipped disks with their reason; the rest are counted


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

    DEFAULT_CSS = """
    #preflight { height: auto; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+t", "add_tag", "Add tag", priority=True),
        # Only when nothing can be sent (see check_action), and the button, not a field,
        # has the focus then: otherwise B is a letter to type.
        Binding("B", "backups_of_disk", "Backups of disk", priority=True),
    ]

    def __init__(self, volumes: list[Volume], *, checked: Preflight | None = None,
                 destinations: Destinations | None = None,
                 vault_name: Callable[[str], str] | None = None,
                 quota_warning: str | None = None, now: datetime | None = None) -> None:
        """`checked`: the pre-flight checks of `volumes` (None: they could not be made;
        the service still checks); `destinations`: where one disk's backup goes, or
        could go (the project has CBR)."""
        super().__init__()
        self.asked = volumes
        self.checked = checked
        self.destinations = destinations
        self.vault_name = vault_name or (lambda vault_id: vault_id[:8])
        self.volumes = checked.ready if checked is not None else volumes
        self.refusals: list[DiskRefusal] = checked.refusals if checked is not None else []
        self.volume_ids = [v.id for v in self.volumes]
        self.bulk = len(self.volumes) > 1
        self.name_max = name_limit(len(self.volumes))
        if checked is not None and checked.quota.warnings:
            quota_warning = checked.quota.text()
        self.quota_warning = quota_warning
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
        self.suggested = suggested_name(self.volumes or volumes, stamp)
        self.submitted = False
        if self._limit_refusal() is not None:  # a focused field would take the B
            self.AUTO_FOCUS = "#see-backups"

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self._title(), id="form-title")
            destination = destination_text(self.volumes, self.checked, self.destinations,
                                           self.vault_name)
            if destination:
                yield Static(destination, id="destination")
            if self.refusals or len(self.asked) > 1:
                yield Static(self._preflight_text(), id="preflight")
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
                yield StateCheckbox(id="full", compact=True)
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
                if self._limit_refusal() is not None:
                    yield Button("Backups of this disk (B)", id="see-backups", compact=True)
                yield Static("", id="form-state")

    def _preflight_text(self) -> Text:
        """Before anything is sent: the disks this form backs up, and the ones it skips
        with the reason the service would give."""
        text = Text()
        if len(self.asked) > 1:
            names = [visible(v.name or v.id) for v in self.volumes[:NAMED_IN_LIST]]
            more = len(self.volumes) - len(names)
            text.append(f"Backs up {len(self.volumes)} of {len(self.asked)} disks", style="bold")
            if names:
                text.append(": " + ", ".join(names) + (f" and {more} more" if more else ""))
        for refusal in self.refusals[:SKIPS_SHOWN]:
            if text:
                text.append("\n")
            if len(self.asked) > 1:  # one line each; the log has what to do
                text.append(f"✗ skips {visible(refusal.short())}", style="bold")
                text.append(f" — {refusal.meaning}")
            else:
                text.append(f"✗ cannot back up {visible(refusal.text())}", style="bold")
        if len(self.refusals) > SKIPS_SHOWN:
            text.append(f"\n✗ skips {len(self.refusals) - SKIPS_SHOWN} more disks the "
                        "service would refuse (see the log)", style="bold")
        if self._limit_refusal() is not None:
            text.append("\nB: see the backups of this disk (delete old ones to make room)")
        elif any(r.at_limit for r in self.refusals):
            text.append("\nB in the disks view shows a disk's backups")
        return text

    def _limit_refusal(self) -> DiskRefusal | None:
        """The disk at its backup limit whose backups B shows: only when nothing can be
        sent, so B never takes a letter away from a field."""
        if self.volumes:
            return None
        return next((r for r in self.refusals if r.at_limit), None)

    def _title(self) -> Text:
        if not self.volumes:
            return Text("Nothing to back up: the service would refuse "
                        + ("this disk" if len(self.asked) == 1 else "every disk"),
                        style="bold")
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
            return plan_problems(typed, self.checked).get(key, [])
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
        return plan_problems(self._typed(), self.checked)

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
        tags = len(self._tag_rows())
        self.query_one("#tags-label", Label).update(
            f"{tags} of {TAGS_MAX} · "
            + ("ctrl+t adds one" if tags < TAGS_MAX else "the most a backup can have"))
        valid = not problems and bool(self.volume_ids)
        self.query_one("#submit", Button).disabled = not valid or self.submitted
        count = sum(len(m) for m in problems.values())
        if not self.volume_ids:
            state = "nothing can be sent"
        elif problems:
            state = f"{count} problem{'s' if count != 1 else ''} to fix"
        else:
            state = "ready" + (f", {plural(len(self.refusals), 'disk')} skipped" if self.refusals
                               else "")
        self.query_one("#form-state", Static).update(state)

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

    @on(Button.Pressed, "#see-backups")
    def _see_backups_pressed(self) -> None:
        self.action_backups_of_disk()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _enter_pressed(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.submitted:
            return  # a second ctrl+s must never send a second request
        if not self.volume_ids:
            self.notify("the service would refuse this; nothing is sent", severity="warning")
            return
        problems = self._problems()
        if problems:
            self._revalidate()
            self.notify("fix the marked fields first", severity="warning")
            return
        self.submitted = True
        self.query_one("#submit", Button).disabled = True
        plan = plan_backups(self._typed(), self.checked)
        if self.checked is not None:  # the run's listing: the at-most-once snapshot
            plan = replace(plan, existing=self.checked.existing)
        self.dismiss(plan)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "backups_of_disk":
            return self._limit_refusal() is not None
        return True

    def action_backups_of_disk(self) -> None:
        refusal = self._limit_refusal()
        if refusal is None or self.submitted:
            return
        self.submitted = True
        self.dismiss(None)
        self.app.post_message(BackupsOfDiskRequested(refusal.volume_id))

    def action_cancel(self) -> None:
        if not self.submitted:
            self.submitted = True
            self.dismiss(None)
