"""The help screen lists every key the app binds (KEYMAP is written by hand)."""

from __future__ import annotations

from textual.binding import Binding

from vbstui.ui.app import VbsApp
from vbstui.ui.keys import KEYMAP
from vbstui.ui.screens.backup_form import BackupForm
from vbstui.ui.screens.main import MainScreen
from vbstui.ui.views import BackupsView, JobsView, TableView, VolumesView
from vbstui.ui.widgets.vtable import VirtualTable

SYMBOLS = {"slash": "/", "asterisk": "*", "question_mark": "?", "colon": ":", "space": "space",
           "up": "↑", "down": "↓", "left": "←", "right": "→", "enter": "enter",
           "escape": "esc", "pageup": "ctrl+b", "pagedown": "ctrl+f"}


def _keys(cls: type) -> list[str]:
    keys: list[str] = []
    for binding in getattr(cls, "BINDINGS", []):
        assert isinstance(binding, Binding)
        keys += [k.strip() for k in binding.key.split(",")]
    return keys


def test_every_bound_key_is_in_the_help() -> None:
    documented = " ".join(keys for entries in KEYMAP.values() for keys, _ in entries)
    tokens = {t.lower() for t in documented.replace("/", " / ").split()} | {"/"}
    if {"1", "…", "7"} <= tokens:  # "1 … 7"
        tokens |= {str(n) for n in range(1, 8)}
    missing = []
    for cls in (VbsApp, MainScreen, TableView, VolumesView, BackupsView, JobsView, BackupForm,
                VirtualTable):
        for key in _keys(cls):
            shown = SYMBOLS.get(key, key).lower()
            if shown not in tokens and shown != "escape":
                missing.append(f"{cls.__name__}: {key}")
    assert not missing, f"keys bound but not in the help: {missing}"
