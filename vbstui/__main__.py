"""`python -m vbstui` runs the same entry point as the `vbstui` script."""

from vbstui.main import run

run()
