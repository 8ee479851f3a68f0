"""The names of vbstui's commands, without the parser: `vbstui.main` looks at them
before the parser is even imported, to start the TUI's read-ahead as early as it can
(a run that names none of them is a TUI run, or ends in the parser: --help, an error).
tests/unit/test_command_names.py keeps them equal to the parser's."""

from __future__ import annotations

from collections.abc import Sequence

COMMANDS = frozenset({"backup", "backups", "doctor", "job", "jobs", "login", "logout",
                      "policy", "quota", "shares", "sim", "vault", "vaults", "volumes"})


def names_a_command(argv: Sequence[str]) -> bool:
    """Whether any word of `argv` is a command's name (an option's value that happens
    to be one counts too: then the TUI just starts without its read-ahead)."""
    return any(word in COMMANDS for word in argv)
