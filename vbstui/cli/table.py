"""Plain-text tables for headless output (no Rich: headless start-up must stay fast)."""

from __future__ import annotations

from collections.abc import Sequence

from vbstui.textsafe import visible


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], *, max_width: int = 48) -> str:
    cells = [[visible(c, limit=max_width) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    return "\n".join(lines)
