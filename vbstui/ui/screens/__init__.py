"""Screens and modals of the vbstui terminal UI."""
