"""An Input whose editing keys happen in the order they were typed.

Textual handles printable characters in the focused widget but resolves bound keys
(backspace, arrows, ctrl+u, …) only after they bubble up to the app.  When keys
arrive in a burst — typeahead over a laggy SSH link, a paste of keystrokes — a
backspace can land after characters typed later (Textualize/textual#6605).  Running
the widget's own bindings inline, as they arrive, keeps the order.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OrderedInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue  # priority bindings already ran, in order, in the app
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)
