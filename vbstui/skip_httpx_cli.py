"""Keeps httpx's own command-line client out of vbstui's processes.

`import httpx` also imports `httpx._main`, the `httpx` command's code, which pulls in
click, rich and pygments whenever they are installed (they are: Textual brings rich and
pygments, uvicorn brings click) — 20-40 ms of every headless start for code vbstui
never runs.  httpx imports that module inside `try: ... except ImportError`, falling
back to a stub `httpx.main`, so this process marks the module as unavailable the way
Python documents for that (a None entry in sys.modules makes its import raise
ImportError).  Everything else in httpx is untouched, only this process is affected (the
`httpx` command and other programs keep theirs), and an httpx that no longer imports
the module is not affected at all.  tests/unit/test_lean_start.py checks all three.

vbstui.main imports this module first, before anything imports httpx.
"""

from __future__ import annotations

import sys

# setdefault: a process that already loaded the real client keeps it.
sys.modules.setdefault("httpx._main", None)
