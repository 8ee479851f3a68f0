"""Whether a command line names a command, told without the parser: `vbstui.main`
asks before the parser is even imported, to start the TUI's read-ahead as early as it
can.  The command is the first word that is neither one of the global options nor an
option's value; a run without one is the TUI's (or ends in the parser: --help, an
error).  tests/unit/test_command_word.py keeps `VALUE_OPTIONS` equal to the parser's."""

from __future__ import annotations

from collections.abc import Sequence

# The global options that take a value (as the next word, or after "=").
VALUE_OPTIONS = ("--config", "--profile", "--os-cloud", "--log-level")


def has_command_word(argv: Sequence[str]) -> bool:
    """Whether `argv` has a word in a command's place.  An option that argparse would
    take as an abbreviation of one of `VALUE_OPTIONS` skips the next word too."""
    value_next = False
    for word in argv:
        if value_next:
            value_next = False
        elif word.startswith("-") and word != "--":
            value_next = ("=" not in word and len(word) > 2
                          and any(option.startswith(word) for option in VALUE_OPTIONS))
        else:
            return True  # a command (or a word the parser refuses: not the TUI either)
    return False
