"""Widgets of the vbstui terminal UI."""
