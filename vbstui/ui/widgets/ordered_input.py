"""An Input whose keys happen in the order they were typed, in the field they were typed in.

Textual handles printable characters in the focused widget but resolves bound keys
(backspace, arrows, ctrl+u, tab, …) only after they bubble up to the app.  When keys
arrive in a burst — typeahead over a laggy SSH link, a paste of keystrokes — the app
has already queued the whole burst for the field focused when it arrived:

- a backspace could land after characters typed later (Textualize/textual#6605);
- the characters after a Tab would land in the field the Tab left.

So the field runs the bindings a key resolves to (its own first, then those of the
screen and app) inline, as the key arrives, and hands on the keys it was queued but
that were typed after a Tab moved the focus away.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OrderedInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        focused = self.app.focused
        if focused is not None and focused is not self:
            # Queued here before an earlier key of the burst moved the focus: the key
            # belongs to the widget focused now, after the keys already handed to it.
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # priority bindings already ran, in order, in the app
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)
        if event.is_printable:
            return  # typed into the field
        active = self.screen.active_bindings.get(event.key)
        if (active is None or active.node is self or active.binding.priority
                or not active.enabled):
            return  # unbound, or already tried: let it bubble as usual
        if await self.app.run_action(active.binding.action, active.node):
            event.stop()
            event.prevent_default()
