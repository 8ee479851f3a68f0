"""The log pane: timestamped lines for everything that happens, coloured by severity.

Every line also carries a word for its severity, so it reads the same at 16
colours and with NO_COLOR.  The lines are kept as `Text` and wrapped again when the
pane's width changes, so a line cut at 80 columns reads whole at 200 and nothing
reaches past the right edge.  Text from servers is appended as plain `Text` with
control characters made visible: never parsed as markup, never sent raw.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime

from rich.color import Color, ColorParseError
from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import RichLog

from vbstui.jobs import Severity
from vbstui.textsafe import visible

TAGS = {  # the mark and the theme colour of each severity
    Severity.INFO: ("   ", ""),
    Severity.SUCCESS: (" ✓ ", "text-success"),
    Severity.WARNING: (" ! ", "text-warning"),
    Severity.ERROR: (" ✗ ", "text-error"),
}
WORDS = {Severity.INFO: "", Severity.SUCCESS: "OK ", Severity.WARNING: "WARN ",
         Severity.ERROR: "ERROR "}
MAX_LINE = 2000  # a hostile server string must not fill the pane
# Lines the pane keeps (and wraps again on a resize: ~0.2 s for 1000 on a busy core;
# 5000 took over a second).  The log file keeps everything.
KEPT_LINES = 1000
REWRAP_DELAY = 0.1  # a terminal dragged wider sends many sizes: wrap once, at the last


class LogPane(RichLog):
    DEFAULT_CSS = """
    LogPane {
        height: 7;
        border-top: solid $primary;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    LogPane:focus { border-top: solid $accent; }
    """

    def __init__(self, **kwargs: object) -> None:
        # min_width 1: wrap at the pane's width however narrow, never at Rich's 78.
        super().__init__(max_lines=KEPT_LINES * 4, min_width=1, wrap=True, markup=False,
                         highlight=False, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.history: list[tuple[Severity, str]] = []  # plain copies, for tests and export
        self.clock: Callable[[], datetime] = datetime.now
        self._texts: deque[Text] = deque(maxlen=KEPT_LINES)  # what is wrapped again
        self._wrapped_at = 0
        self._rewrap_timer: Timer | None = None

    def add(self, message: str, severity: Severity = Severity.INFO) -> None:
        text = visible(message, limit=MAX_LINE)
        self.history.append((severity, text))
        if len(self.history) > 5000:
            del self.history[:1000]
        mark, colour = TAGS[severity]
        style = self._theme_style(colour, bold=True) if colour else Style()
        # The time in the muted colour, not "dim": dim text falls below 4.5:1.
        line = Text(self.clock().strftime("%H:%M:%S"), style=self._theme_style("text-muted"))
        line.append(mark, style=style)
        if WORDS[severity]:
            line.append(WORDS[severity], style=style)
        line.append(text, style="bold" if severity is Severity.ERROR else "")
        self._texts.append(line)
        self.write(line, expand=True)  # wrap at the pane width, not the console default

    def _theme_style(self, name: str, *, bold: bool = False) -> Style:
        """A colour of the current theme as a Rich style (themes may hold values such as
        `auto 60%` that only Textual understands: those fall back to the plain text)."""
        value = self.app.theme_variables.get(name, "")
        try:
            color = Color.parse(value)
        except ColorParseError:
            return Style(bold=bold)
        return Style(color=color, bold=bold)

    def on_resize(self, event: Resize) -> None:
        """Wrap every kept line again at the new width (RichLog keeps the old wrapping)."""
        width = self.scrollable_content_region.width
        if not self._size_known or width <= 0:
            self._wrapped_at = width  # the first size: RichLog writes what waited for it
            return
        if self._rewrap_timer is not None:
            self._rewrap_timer.stop()
        self._rewrap_timer = self.set_timer(REWRAP_DELAY, self._rewrap)

    def _rewrap(self) -> None:
        self._rewrap_timer = None
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrapped_at:
            return
        self._wrapped_at = width
        at_end = self.is_vertical_scroll_end
        self.clear()
        # One write of all the lines joined: Rich wraps them in one pass, about twice as
        # fast as a write per line.
        self.write(Text("\n").join(self._texts), expand=True, scroll_end=False)
        if at_end:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def plain_lines(self) -> list[str]:
        return [text for _severity, text in self.history]
