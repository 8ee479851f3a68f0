"""The keys of the TUI come from one place: the bindings themselves.

The help screen lists every binding's keys and description, the footer shows the
shown ones in order of importance, and both leave out what read-only mode would
refuse.  An action that sends a change to the cloud says so with `@changes_cloud`;
`vbstui.ops.guard` decides whether it is refused.  A new binding with a description
appears in help and footer without anything else to update.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from textual.actions import parse
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key

from vbstui.ops.guard import Guard

F = TypeVar("F", bound=Callable[..., Any])
_CHANGE = "_vbstui_changes_cloud"  # the guard's name of the action, or a function giving it

# The footer keeps these whatever the width: without them a newcomer is stuck.
PINNED_ACTIONS = ("help", "quit")


def changes_cloud(what: str | Callable[..., str | None]) -> Callable[[F], F]:
    """Mark an `action_*` method that sends a change to the cloud.  `what` is how the
    read-only guard names it ("back up", "delete"), or a function of the action's
    parameters returning that name (None: this use of the action changes nothing)."""
    def mark(method: F) -> F:
        setattr(method, _CHANGE, what)
        return method
    return mark


def _target(node: DOMNode, namespace: str) -> DOMNode:
    if namespace == "app":
        return node.app
    if namespace == "screen":
        return node.screen
    return node


def refusal(node: DOMNode, action: str, guard: Guard | None) -> str | None:
    """Why `guard` refuses the binding action `action` ("backup", "decide('resubmit')")
    of `node`; None when it is offered."""
    if guard is None:
        return None
    namespace, name, parameters = parse(action)
    return method_refusal(getattr(_target(node, namespace), f"action_{name}", None), guard,
                          *parameters)


def method_refusal(method: object, guard: Guard | None, *parameters: Any) -> str | None:
    """Why `guard` refuses calling this action method (None: it changes nothing, or
    it may go ahead)."""
    what = getattr(method, _CHANGE, None)
    if callable(what):
        what = what(*parameters)
    return guard.refusal(what) if what and guard is not None else None


def guard_of(node: DOMNode) -> Guard | None:
    """The app's read-only guard, where the app has one."""
    guard = getattr(node.app, "guard", None)
    return guard if isinstance(guard, Guard) else None


def is_function_key(key: str) -> bool:
    return re.fullmatch(r"f\d{1,2}", key) is not None


def key_label(key: str) -> str:
    """How a key is written in the help: `?`, `ctrl+d`, `F5`, `enter`."""
    if key == "enter":
        return "enter"
    if is_function_key(key):
        return key.upper()
    return format_key(key)


@cache
def own_bindings(cls: type) -> tuple[Binding, ...]:
    """The bindings a class declares itself (not those it inherits), one per key."""
    declared = cls.__dict__.get("BINDINGS", [])
    return tuple(b for b in Binding.make_bindings(declared) if not b.system)


def live_bindings(node: DOMNode, cls: type) -> list[Binding]:
    """The bindings `cls` declares, as `node` has them now (with the keys a keymap may
    have put in place of the declared ones: matched by id, action and description)."""
    declared = {(b.id, b.action, b.description) for b in own_bindings(cls)}
    return [binding for bindings in node._bindings.key_to_bindings.values()
            for binding in bindings
            if (binding.id, binding.action, binding.description) in declared]


@dataclass(frozen=True)
class KeyLine:
    """One line of the help: the keys of one action and what it does."""

    keys: tuple[str, ...]
    description: str
    tooltip: str = ""

    @property
    def keys_text(self) -> str:
        return " / ".join(self.keys)


def key_lines(bindings: Iterable[Binding], *, offered: Callable[[Binding], bool]
              ) -> list[KeyLine]:
    """The bindings grouped by action (keys in declared order), the longest description
    of each group kept; bindings `offered` refuses are left out."""
    groups: dict[str, list[Binding]] = {}
    for binding in bindings:
        if offered(binding):
            groups.setdefault(binding.action, []).append(binding)
    lines = []
    for group in groups.values():
        keys = tuple(dict.fromkeys(b.key_display or key_label(b.key) for b in group))
        description = max((b.description for b in group), key=len) or group[0].action
        tooltip = next((b.tooltip for b in group if b.tooltip), "")
        lines.append(KeyLine(keys, description, tooltip))
    return lines


def merge_lines(lines: Sequence[KeyLine]) -> list[KeyLine]:
    """One line per description (a panel and a view may bind the same action)."""
    merged: dict[str, KeyLine] = {}
    for line in lines:
        known = merged.get(line.description)
        if known is None:
            merged[line.description] = line
        else:
            keys = tuple(dict.fromkeys(known.keys + line.keys))
            merged[line.description] = KeyLine(keys, known.description,
                                               known.tooltip or line.tooltip)
    return list(merged.values())


def defining_rank(node: DOMNode, binding: Binding) -> int:
    """0 when the node's own class declares the binding, 1 for its parent class, …:
    a view's own actions come before those every table has."""
    for rank, cls in enumerate(type(node).__mro__):
        if binding in own_bindings(cls):
            return rank
    return len(type(node).__mro__)


def pinned_name(binding: Binding) -> str | None:
    """"help" or "quit" for a binding the footer always keeps, else None."""
    name = parse(binding.action)[1]
    return name if name in PINNED_ACTIONS else None
