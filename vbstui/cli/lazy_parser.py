"""Subcommand parsers that get their options only when their subcommand is used.

vbstui has some forty subcommands, and each also takes the nine global options: adding
every option of every one costs ~8 ms of each start, while a run uses one subcommand.
A `LazyParser` is given its `parents` and a `fill` function that adds its own options
(and its own subcommands, lazy in turn); both are applied the first time it parses,
or shows its usage or help, in the order argparse itself applies them.  The list of
subcommands in the help of the parser above needs only their `help` texts, which
`add_parser` keeps at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

Fill = Callable[[argparse.ArgumentParser], None]


class LazyParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose parents and own options are added on first use."""

    def __init__(self, *args: Any, fill: Fill | None = None,
                 parents: Sequence[argparse.ArgumentParser] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # adds -h, as argparse does before any parent
        self._pending: tuple[Sequence[argparse.ArgumentParser], Fill | None] | None = (
            parents, fill)

    def _complete(self) -> None:
        if self._pending is None:
            return
        parents, fill = self._pending
        self._pending = None
        for parent in parents:  # what ArgumentParser.__init__ does with `parents`
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)
        if fill is not None:
            fill(self)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._complete()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._complete()
        return super().format_usage()

    def format_help(self) -> str:
        self._complete()
        return super().format_help()
