"""The top line: profile, region, project, credential source, and mode banners."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from vbstui.textsafe import visible


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $status-background;
        color: #ffffff;
        padding: 0 1;
    }
    StatusLine.-demo { background: $status-demo-background; color: $status-demo-foreground; }
    StatusLine.-insecure { background: $status-insecure-background; color: #ffffff; }
    """

    def show(self, *, profile: str, region: str | None, project: str, credentials: str,
             view: str, demo: bool, insecure: bool, readonly: bool, busy: str = "") -> None:
        line = Text()
        line.append("vbstui", style="bold")
        # Banners first: they must survive a narrow terminal.
        if demo:
            line.append(" │ DEMO: built-in simulator, nothing real is touched", style="bold")
        if insecure:
            line.append(" │ TLS VERIFICATION OFF", style="bold reverse")
        if readonly:
            line.append(" │ READ-ONLY", style="bold")
        line.append(f" │ {view}", style="bold")
        line.append(f" │ profile {visible(profile)} │ {visible(region or 'no region')}"
                    f" │ project {visible(project)} │ credentials: {visible(credentials)}")
        if busy:
            line.append(f" │ {visible(busy)}", style="italic")
        self.set_class(demo, "-demo")
        self.set_class(insecure, "-insecure")
        self.update(line)
