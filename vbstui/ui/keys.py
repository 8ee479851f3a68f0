"""Every key of the TUI in one place: the help screen shows this, a test checks it
against the real bindings so the two never drift apart."""

from __future__ import annotations

KEYMAP: dict[str, list[tuple[str, str]]] = {
    "Everywhere": [
        ("? / F1", "this help"),
        ("ctrl+p", "command palette: every action by name"),
        (": / F9", "switch view: volumes, backups, jobs"),
        ("F3 / F4 / F6", "volumes / backups / jobs view"),
        ("F2", "switch profile"),
        ("F5 / ctrl+r", "refresh the current view"),
        ("tab / shift+tab", "move between the table, the jobs panel and the log"),
        ("ctrl+l", "focus the log pane"),
        ("q / F10 / ctrl+q", "quit (running jobs go on in the cloud; resumed at next start)"),
    ],
    "Tables": [
        ("j / k / ↑ / ↓", "move"),
        ("g / G / home / end", "first / last row"),
        ("ctrl+f / ctrl+b", "page down / up"),
        ("h / l / ← / →", "scroll the columns left / right"),
        ("/", "filter as you type (name, id, status); esc clears"),
        ("1 … 7", "sort by column 1 … 7 (again: reverse)"),
        ("y", "raw JSON of the selected row"),
        ("r", "refresh"),
    ],
    "Volumes": [
        ("b / enter", "back up the disk (or the marked disks)"),
        ("space", "mark / unmark the disk and move down"),
        ("v", "mark the range from the last marked disk to here"),
        ("*", "mark / unmark all visible disks"),
        ("u", "unmark all"),
        ("B", "backups of this disk"),
    ],
    "Backups": [
        ("R", "restore the backup onto a disk"),
        ("ctrl+d", "delete the backup (or the marked backups)"),
        ("space / * / u", "mark / mark all visible / unmark all"),
        ("a", "all backups ↔ backups of one disk"),
    ],
    "Jobs": [
        ("enter / y", "details and raw JSON of the job"),
        ("c", "outcome unknown (⚠): check again — in the jobs panel too"),
        ("S", "submit again: asks first (may duplicate); esc: decide later"),
        ("x", "give up: asks first (final: cancelled); esc: decide later"),
    ],
    "Backup form": [
        ("ctrl+s / enter", "submit (only when every field is valid)"),
        ("ctrl+t", "add a tag"),
        ("tab / shift+tab", "next / previous field"),
        ("esc", "cancel"),
    ],
}
