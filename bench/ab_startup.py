"""Start-up of this checkout against another one (say, a `git worktree` of main), pair by pair.

    python bench/ab_startup.py REFERENCE_CHECKOUT [--runs 21] [--only tui|headless]
                               [--compile-each-run]

Each pair starts both checkouts alternately, so machine noise hits them alike:
1. the TUI in demo mode, spawn → every one of 1,000 disks in the table (the child of
   bench/tui_startup.py, taken from each checkout's own copy);
2. `vbstui --demo volumes --json` (1,000 disks), headless: wall time and CPU time.
Prints the medians and the ratio this checkout ÷ reference.  Both run with their
bytecode cached, as installed code does (bench/bytecode.py); the demo's world is kept in
a temporary state directory, made by the warm-up run (so the runs measured are warm).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bytecode

HERE = Path(__file__).resolve().parents[1]


def tui_child(checkout: Path) -> str:
    source = (checkout / "bench" / "tui_startup.py").read_text(encoding="utf-8")
    return source.split('CHILD = r"""', 1)[1].split('"""', 1)[0]


def timed(argv: list[str], checkout: Path, env: dict[str, str], *, until: str | None
          ) -> tuple[float, float | None]:
    """Seconds to `until` (a line the child prints) or to its exit; for a run to its
    exit also the child's CPU seconds (user + system), which other processes on a shared
    machine disturb far less than the wall time."""
    env = {**env, "PYTHONPATH": str(checkout)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=checkout, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    if until is not None:
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        if line.strip() != until:
            raise SystemExit(f"{checkout}: expected {until!r}, got {line!r}")
        proc.wait(30)
        return elapsed, None
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        watchdog.cancel()
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: exit {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--only", choices=("tui", "headless"), help="just one of the two")
    parser.add_argument(bytecode.OPTION, action="store_true", help=bytecode.HELP)
    args = parser.parse_args()
    reference = args.reference.resolve()
    with tempfile.TemporaryDirectory(prefix="vbstui-ab-") as tmp:
        print(bytecode.describe(args.compile_each_run))
        env = bytecode.child_env(
            {**os.environ, "VBSTUI_DEMO_VOLUMES": "1000", "VBSTUI_STATE_DIR": tmp,
             "VBSTUI_LOG_DIR": tmp, "VBSTUI_CACHE_DIR": tmp, "VBSTUI_NO_KEYRING": "1"},
            Path(tmp) / "pycache", compile_each_run=args.compile_each_run)
        cases = {
            "TUI start to 1,000 disks shown": lambda c: timed(
                [sys.executable, "-c", tui_child(c)], c, env, until="LOADED"),
            "vbstui --demo volumes --json": lambda c: timed(
                [sys.executable, "-m", "vbstui", "--demo", "volumes", "--json"], c, env,
                until=None),
        }
        if args.only is not None:
            cases = {name: run for name, run in cases.items()
                     if (name.startswith("TUI")) == (args.only == "tui")}
        for name, run in cases.items():
            run(HERE), run(reference)  # warm the file cache
            mine, theirs = [], []
            for _ in range(args.runs):
                theirs.append(run(reference))
                mine.append(run(HERE))
            for measure, index in (("", 0), (" (CPU)", 1)):
                if mine[0][index] is None:
                    continue
                a = statistics.median(m[index] for m in mine)
                b = statistics.median(t[index] for t in theirs)
                print(f"{name}{measure}: this {a * 1000:.0f} ms, reference {b * 1000:.0f} ms, "
                      f"ratio {a / b:.3f} (medians of {args.runs} pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
