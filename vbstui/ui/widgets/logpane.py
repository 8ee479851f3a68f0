"""The log pane: timestamped lines for everything that happens, coloured by severity.

Every line also carries a word for its severity, so it reads the same at 16
colours and with NO_COLOR.  Text from servers is appended as plain `Text` with
control characters made visible: never parsed as markup, never sent raw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.widgets import RichLog

from vbstui.jobs import Severity
from vbstui.textsafe import visible

TAGS = {
    Severity.INFO: ("   ", ""),
    Severity.SUCCESS: (" ✓ ", "bold green"),
    Severity.WARNING: (" ! ", "bold yellow"),
    Severity.ERROR: (" ✗ ", "bold red"),
}
WORDS = {Severity.INFO: "", Severity.SUCCESS: "OK ", Severity.WARNING: "WARN ",
         Severity.ERROR: "ERROR "}
MAX_LINE = 2000  # a hostile server string must not fill the pane


class LogPane(RichLog):
    DEFAULT_CSS = """
    LogPane {
        height: 7;
        border-top: solid $primary-darken-2;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    LogPane:focus { border-top: solid $accent; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=5000, wrap=True, markup=False, highlight=False,
                         auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.history: list[tuple[Severity, str]] = []  # plain copies, for tests and export
        self.clock: Callable[[], datetime] = datetime.now

    def add(self, message: str, severity: Severity = Severity.INFO) -> None:
        text = visible(message, limit=MAX_LINE)
        self.history.append((severity, text))
        if len(self.history) > 5000:
            del self.history[:1000]
        mark, style = TAGS[severity]
        line = Text(self.clock().strftime("%H:%M:%S"), style="dim")
        line.append(mark, style=style)
        if WORDS[severity]:
            line.append(WORDS[severity], style=style)
        line.append(text, style="red" if severity is Severity.ERROR else "")
        self.write(line, expand=True)  # wrap at the pane width, not the console default

    def plain_lines(self) -> list[str]:
        return [text for _severity, text in self.history]
