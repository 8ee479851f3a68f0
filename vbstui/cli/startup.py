"""Start-up without the cyclic garbage collector's passes over what start-up makes.

Parsing the command line, importing a command's modules (or Textual's, for the TUI) and
(with --demo) loading the simulated project make some 100,000 objects that live until
the process ends, and next to no cyclic garbage: the collector's passes over them are
wasted work (measured: ~5 ms of a headless listing's start, ~35 ms of the TUI's import).
Within `start_up()` it is off, and what exists at the end is kept out of its later
passes (`gc.freeze`); what the command or the app then makes is collected as usual.
`vbstui.main` unfreezes when it returns, for a caller in the same process.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def start_up() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """For a listing written page by page: each page's records die once written, freed
    by their reference counts (parsed JSON makes no cycles), so the collector's passes
    over the pages alive meanwhile find nothing: 675 of them (5 full) while 50,000 disks
    were listed, ~95 ms.  The little cyclic garbage the requests leave waits until the
    collector is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
