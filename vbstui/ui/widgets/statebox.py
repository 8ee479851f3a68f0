"""A checkbox that says its state: `[✓] on` / `[ ] off`.

Textual's checkbox draws the same `▐X▌` on and off and only changes the X's shade,
which is invisible at 16 colours and under NO_COLOR.  Here the mark is there only
when checked, and the label says "on" or "off" in words.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class StateCheckbox(Checkbox):
    DEFAULT_CSS = """
    StateCheckbox > .toggle--button { color: $text; background: $panel; }
    StateCheckbox.-on > .toggle--button { color: $text-success; text-style: bold; }
    """

    def __init__(self, value: bool = False, *, on: str = "on", off: str = "off",
                 **kwargs: object) -> None:
        self._words = (off, on)
        super().__init__(self._words[value], value, **kwargs)  # type: ignore[arg-type]

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual's name
        return "✓" if self.value else " "

    def watch_value(self) -> None:
        super().watch_value()
        words = getattr(self, "_words", None)
        if words is not None:
            self.label = words[self.value]
