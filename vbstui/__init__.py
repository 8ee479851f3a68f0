"""vbstui: a keyboard-driven terminal UI and CLI for Open Telekom Cloud VBS."""

__version__ = "0.1.0"
