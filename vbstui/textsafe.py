"""Server text made safe for a terminal: control characters shown, never obeyed.

A backup description can carry ESC or OSC sequences (`\\x1b]0;title\\x07`) that a
terminal would execute.  Everything from a server passes through `visible()`
before it is printed; the TUI additionally wraps it in `rich.text.Text` so that
markup such as `[/bold]` is shown literally.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e", "\x07": "\\a", "\x00": "\\0"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, *, limit: int | None = None) -> str:
    """`text` with every non-printable character replaced by a visible escape."""
    value = text if isinstance(text, str) else ("" if text is None else str(text))
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in value)


def visible_lines(text: str) -> str:
    """`visible()` line by line: the line breaks a message means are kept, every other
    control character is shown (for terminals, and log files read in one)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 disk", "2 disks", "0 disks" ("1 entry", "2 entries" with `many`)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
