"""The footer: the keys that matter here, most important first; help and quit always.

Built from the live bindings like Textual's own footer, with three differences:
`? Help` and `q Quit` are pinned to the right edge so no width cuts them off (as
`F1 Help` and `F10 Quit` while a field takes `?` and `q` as text); a
view's own actions come before the keys every table has; and what read-only mode
would refuse is not offered (`vbstui.ui.keys.refusal`, decided by the guard).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from vbstui.ui.keys import (
    PINNED_ACTIONS,
    defining_rank,
    guard_of,
    is_function_key,
    key_label,
    pinned_name,
    refusal,
)

Shown = tuple[ActiveBinding, str]  # a binding and the classes of its key widget


class KeysFooter(Footer):
    DEFAULT_CSS = """
    KeysFooter > .pinned { dock: right; width: auto; height: 1; }
    KeysFooter > .pinned FooterKey.-command-palette { dock: none; }
    """

    _composed: object = None  # what the key widgets now show (`_signature`)

    def compose(self) -> ComposeResult:
        plan = self._plan()
        self._composed = _signature(plan)
        if plan is None:
            return
        keys, pinned = plan
        for item, classes in keys:
            yield self._key(item, classes)
        with HorizontalGroup(classes="pinned"):
            for item, classes in pinned:
                yield self._key(item, classes)

    async def recompose(self) -> None:
        """Only when the keys to show changed: the bindings change at every focus move
        and screen update (four times before the first rows, the keys the same), and
        each new set of key widgets costs a style and render pass."""
        if self.is_attached and _signature(self._plan()) == self._composed:
            return
        await super().recompose()

    def _plan(self) -> tuple[list[Shown], list[Shown]] | None:
        """The keys in their order, and the pinned ones (help, quit, the palette)."""
        if not self._bindings_ready:
            return None
        guard = guard_of(self)
        active = self.screen.active_bindings
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        nodes: dict[int, int] = {}  # the focus chain, focused widget first
        shown: list[tuple[int, int, ActiveBinding]] = []
        pinned: dict[str, list[ActiveBinding]] = {name: [] for name in PINNED_ACTIONS}
        for item in active.values():
            if refusal(item.node, item.binding.action, guard):
                continue
            name = pinned_name(item.binding)
            if name is not None:
                pinned[name].append(item)
            elif item.binding.show:
                place = nodes.setdefault(id(item.node), len(nodes))
                shown.append((place, defining_rank(item.node, item.binding), item))
        by_action: dict[str, ActiveBinding] = {}
        # Nearest the focus first; within one widget its own class's keys before the
        # inherited ones (a view's actions before the keys every table has).
        for _, _, item in sorted(shown, key=lambda entry: entry[:2]):
            by_action.setdefault(item.binding.action, item)
        right: list[Shown] = []
        for items in pinned.values():
            # The shown key (? / q); F1 / F10 while a field takes ? and q as text.
            items.sort(key=lambda i: (not i.binding.show, not is_function_key(i.binding.key)))
            if items:
                right.append((items[0], ""))
        if palette is not None and self.show_command_palette:
            right.append((palette, "-command-palette"))
        return [(item, "") for item in by_action.values()], right

    def _key(self, item: ActiveBinding, classes: str = "") -> FooterKey:
        binding = item.binding
        shown = (key_label(binding.key) if is_function_key(binding.key)
                 else self.app.get_key_display(binding))
        key = FooterKey(binding.key, shown, binding.description, binding.action,
                        disabled=not item.enabled, tooltip=item.tooltip or binding.tooltip,
                        classes=classes)
        # The footer's value from the start: a key's own default (compact) would be
        # styled in, then out again, before the first frame (two style passes per key).
        key.set_reactive(FooterKey.compact, self.compact)
        return key.data_bind(compact=Footer.compact)


def _signature(plan: tuple[list[Shown], list[Shown]] | None) -> object:
    """What the key widgets of `plan` show, comparable with an earlier plan's."""
    if plan is None:
        return None
    return tuple(tuple((item.binding.key, item.binding.key_display, item.binding.description,
                        item.binding.action, item.enabled, item.tooltip or item.binding.tooltip,
                        classes) for item, classes in part) for part in plan)
