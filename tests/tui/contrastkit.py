"""WCAG contrast of what the TUI really draws, in each colour mode a terminal may have.

Textual composes every frame in truecolor; the terminal's console then lowers each
colour to the nearest of 256 or 16 (Rich's `Color.downgrade`, what Textual's driver
does with TEXTUAL_COLOR_SYSTEM or without COLORTERM).  So the frame's segments are
taken as composed, each colour lowered as the driver would, and the contrast of
every visible character measured against its own background.  16-colour entries
are measured with the palette the downgrade matches against (Rich's standard
palette); dim text is blended halfway into its background, as terminals draw it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.color import EIGHT_BIT_PALETTE, STANDARD_PALETTE, Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style
from textual.geometry import Region

MODES = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "16": ColorSystem.STANDARD,  # as Rich's palette (VGA-like) draws the 16 colours
    "16-xterm": ColorSystem.STANDARD,  # as xterm's defaults draw them
}
# xterm's default 16 colours: its yellow (3) is yellow where VGA's is brown, its dark
# grey (8) is lighter — the two places where palettes differ most.
XTERM_PALETTE = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238),
                 (205, 0, 205), (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0),
                 (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
                 (255, 255, 255)]
# What a terminal shows for "default" colours (a dark terminal).
DEFAULT_FOREGROUND = ColorTriplet(229, 229, 229)
DEFAULT_BACKGROUND = ColorTriplet(0, 0, 0)
MINIMUM = 4.5


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(rgb: ColorTriplet) -> float:
    red, green, blue = rgb
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast(first: ColorTriplet, second: ColorTriplet) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def shown(color: Color | None, mode: str, default: ColorTriplet) -> ColorTriplet:
    """The RGB a terminal in `mode` shows for `color`."""
    if color is None or color.type is ColorType.DEFAULT:
        return default
    lowered = color.downgrade(MODES[mode])
    number = lowered.number
    if lowered.type is ColorType.EIGHT_BIT and number is not None and number >= 16:
        return ColorTriplet(*EIGHT_BIT_PALETTE[number])
    if lowered.type in (ColorType.STANDARD, ColorType.EIGHT_BIT) and number is not None:
        if mode == "16-xterm":
            return ColorTriplet(*XTERM_PALETTE[number])
        return ColorTriplet(*STANDARD_PALETTE[number])
    return lowered.get_truecolor()


def blend(top: ColorTriplet, bottom: ColorTriplet, amount: float) -> ColorTriplet:
    return ColorTriplet(*(round(t * amount + b * (1 - amount)) for t, b in zip(top, bottom,
                                                                                 strict=True)))


@dataclass(frozen=True)
class Cell:
    """A run of visible text with the colours it is drawn in."""

    row: int
    text: str
    style: Style


def is_text(char: str) -> bool:
    """Letters, digits, punctuation, symbols — not spaces, box lines or block shades
    (graphics, for which WCAG asks 3:1, not 4.5:1)."""
    if char.isspace():
        return False
    return not 0x2500 <= ord(char) <= 0x259F


def frame(app: Any) -> Iterator[Cell]:
    """Every visible run of the frame as the compositor composed it (after Textual's
    filters: ANSI colours to truecolor, NO_COLOR's monochrome).

    Under a modal dialog only the dialog is measured: the screen behind it is faded
    on purpose, inactive (WCAG exempts inactive parts)."""
    screen = app.screen
    region = None
    if screen.is_modal:
        regions = [child.region for child in screen.children if child.display]
        region = Region.from_union(regions) if regions else None
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for row, strips in enumerate(update.strips):
        x = 0
        for strip in strips:
            for segment in strip:
                start, x = x, x + segment.cell_length
                if segment.control or segment.style is None:
                    continue
                if region is not None and not (region.y <= row < region.bottom
                                               and region.x <= start < region.right):
                    continue
                text = "".join(ch for ch in segment.text if is_text(ch))
                if text:
                    yield Cell(row, text, segment.style)


@dataclass(frozen=True)
class Finding:
    mode: str
    ratio: float
    text: str
    row: int
    foreground: ColorTriplet
    background: ColorTriplet

    def __str__(self) -> str:
        return (f"{self.mode}: {self.ratio:.2f}:1 on row {self.row}: {self.text[:40]!r} "
                f"fg {self.foreground.hex} bg {self.background.hex}")


def measure(cell: Cell, mode: str) -> Finding:
    style = cell.style
    foreground = shown(style.color, mode, DEFAULT_FOREGROUND)
    background = shown(style.bgcolor, mode, DEFAULT_BACKGROUND)
    if style.reverse:
        foreground, background = background, foreground
    if style.dim:
        foreground = blend(foreground, background, 0.5)
    return Finding(mode, contrast(foreground, background), cell.text, cell.row, foreground,
                   background)


def too_faint(app: Any, modes: tuple[str, ...] = tuple(MODES)) -> list[Finding]:
    """Every run of text below 4.5:1 in any of `modes`, worst first (one per text and
    mode, so a repeated row is reported once)."""
    found: dict[tuple[str, str, ColorTriplet, ColorTriplet], Finding] = {}
    for cell in frame(app):
        for mode in modes:
            finding = measure(cell, mode)
            if finding.ratio < MINIMUM:
                found.setdefault((mode, cell.text, finding.foreground, finding.background),
                                 finding)
    return sorted(found.values(), key=lambda f: f.ratio)
