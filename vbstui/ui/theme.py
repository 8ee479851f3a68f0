"""vbstui's colours: every text at least 4.5:1 against its background in truecolor, and
still after the terminal lowers the colours to 256 or 16 (over SSH COLORTERM is not
forwarded, so that is the common case on jump hosts).

Textual draws in truecolor and its console lowers each colour to the nearest one the
terminal has.  So every colour here is chosen for where it lands as well: surfaces
land on black, the status line and the cursor on blue, text on white, light grey or
a bright colour — never on the dark grey (8) or the yellow-or-brown (3) that 16-colour
terminals draw so differently.  tests/tui/test_tui_contrast.py measures the result.
"""

from __future__ import annotations

from textual.theme import Theme

BLUE = "#0b3d91"  # lands on blue (4) at 16 colours; white on it reads in every palette

THEME = Theme(
    name="vbstui",
    dark=True,
    primary="#2f6fd0",
    secondary="#3a6ea5",
    accent="#ffd75f",
    warning="#ffc861",
    error="#ff6b6b",
    success="#5fd75f",
    foreground="#e0e0e0",
    background="#121212",
    surface="#1a1a1a",
    panel="#262626",
    boost="#202020",
    variables={
        # Textual derives these by fading the text colour, which falls below 4.5:1.
        "text": "#e0e0e0",
        "text-muted": "#b0b0b0",
        "text-disabled": "#a0a0a0",
        "text-primary": "#7fb0ff",
        "text-accent": "#ffd75f",
        "text-warning": "#ffc861",
        "text-error": "#ff7b7b",
        "text-success": "#5fd75f",
        "foreground-muted": "#b0b0b0",
        "block-cursor-background": BLUE,
        "block-cursor-foreground": "#ffffff",
        "block-cursor-blurred-background": "#0d1f66",
        "block-cursor-blurred-foreground": "#e0e0e0",
        "footer-background": "#262626",
        "footer-foreground": "#e0e0e0",
        "footer-key-foreground": "#ffd75f",
        "footer-description-foreground": "#e0e0e0",
        "input-selection-background": BLUE,
        "input-cursor-background": "#e0e0e0",
        "input-cursor-foreground": "#121212",
        "invalid-background": "#4a0d0d",  # an invalid field (app.tcss); lands on black
        # The status line and its banners (StatusLine's CSS).
        "status-background": BLUE,
        "status-demo-background": "#4a2e00",
        "status-demo-foreground": "#ffd75f",
        "status-insecure-background": "#8a1f1f",
    },
)
