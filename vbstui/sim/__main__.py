"""`python -m vbstui.sim` runs `vbstui sim`."""

import sys

from vbstui.sim.cli import main

raise SystemExit(main(sys.argv[1:]))
