"""Benchmark children run with their bytecode cached, as an installed vbstui runs.

pip compiles a package's modules when it installs them, and an editable checkout
writes `__pycache__` on its first run; a shell with PYTHONDONTWRITEBYTECODE=1 (some
sandboxes and CI images set it) makes every start compile vbstui's sources again,
~100 ms that no installed copy pays, while the references (httpx, the peer, installed
by pip) keep their bytecode.  So the children get a private bytecode cache
(PYTHONPYCACHEPREFIX under the benchmark's temporary directory, filled by the warm-up
run, never the checkout's own tree) unless `--compile-each-run` asks for the
environment as it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

OPTION = "--compile-each-run"
HELP = ("keep PYTHONDONTWRITEBYTECODE as the shell has it (every start compiles what "
        "has no bytecode) instead of a private bytecode cache")


def child_env(env: Mapping[str, str] | None, cache: Path, *, compile_each_run: bool
              ) -> dict[str, str]:
    """`env` (None: this process's) for a benchmark child."""
    result = dict(os.environ if env is None else env)
    if not compile_each_run:
        result.pop("PYTHONDONTWRITEBYTECODE", None)
        result["PYTHONPYCACHEPREFIX"] = str(cache)
    return result


def describe(compile_each_run: bool) -> str:
    if compile_each_run:
        return ("bytecode: as the environment has it (PYTHONDONTWRITEBYTECODE="
                f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})")
    return "bytecode: cached (a private PYTHONPYCACHEPREFIX, filled by the warm-up run)"
