"""TUI speed: first rows in a real terminal (a served simulator and --demo), loading, filtering.

    python bench/tui_startup.py [--runs 11] [--pairs 7] [--checkout PATH] [--terminal-only]
                                [--compile-each-run]

1. In a real terminal (a pty, see bench/tui_terminal.py), spawn → first rows visible,
   pairs run alternately, each ratio the median of the pairs' ratios:
   - vbstui with 1,000 disks ÷ a minimal Textual app showing a 1,000-row DataTable the
     same way (target <= 1.1);
   - vbstui with 10,000 disks ÷ with 1,000 disks (target <= 1.2);
   - and, to show what the read-ahead of the first page is worth, 1,000 disks with it
     turned off (VBSTUI_NO_READ_AHEAD).
   Both against a served simulator (`vbstui sim`, logged in through a profile: the
   primary figures, what a user of a real project waits for) and with `--demo` (whose
   simulator builds its world inside the TUI's process first).
2. Process start to a populated volumes table, 1,000 disks: a child process runs the
   real app headless and prints LOADED when the table holds every disk; the parent
   times spawn → LOADED.
3. 10,000 disks: time to the first page on screen, the longest event-loop stall while
   the rest loads (a 5 ms ticker measures how late it wakes), time to fully loaded.
4. Typing one filter character at 10,000 disks: key press to the narrowed table.

--checkout measures another checkout's vbstui (say, a `git worktree` of main) in 1.
The children run with their bytecode cached, as an installed vbstui does (see
bench/bytecode.py; --compile-each-run keeps PYTHONDONTWRITEBYTECODE as the shell has it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import bytecode
from benchkit import served_sim, sim_profile
from tui_terminal import datatable_argv, first_rows, vbstui_argv

HERE = Path(__file__).resolve().parents[1]  # this checkout

CHILD = r"""
import asyncio, os, sys, time
from vbstui.ops.target import Choices, choose_target
from vbstui.ui.app import VbsApp

wanted = int(os.environ["VBSTUI_DEMO_VOLUMES"])

class Bench(VbsApp):
    def main_ready(self):
        super().main_ready()
        self.set_interval(0.002, self._check)

    def _check(self):
        view = self.volumes_view
        if len(view.table.all_rows) >= wanted and not view.loading_text:
            print("LOADED", flush=True)
            self.exit()

Bench(choose_target(Choices(demo=True))).run(headless=True)
"""


def startup_once(env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.wait(30)
    if line.strip() != "LOADED":
        raise SystemExit("the app did not report a loaded table")
    return elapsed


async def large_world(volumes: int) -> dict[str, float]:
    from textual import events

    from vbstui.local.config import Config
    from vbstui.ops.target import Target, demo_profile
    from vbstui.sim import SimConfig, create_app
    from vbstui.ui.app import VbsApp
    from vbstui.ui.widgets.vtable import VirtualTable

    target = Target(profile=demo_profile(), config=Config(path=None, profiles={}), demo=True,
                    sim_app=create_app(SimConfig(volumes=volumes)))
    app = VbsApp(target)
    worst = 0.0
    stop = False
    marks: dict[str, float] = {}

    async def ticker() -> None:
        """Wakes every 5 ms; how late it wakes is how long the loop was blocked."""
        nonlocal worst
        while not stop:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            late = time.perf_counter() - before - 0.005
            if "first" in marks:
                worst = max(worst, late)

    # Note the moment pages reach the volumes table, from inside the app.
    original_set, original_append = VirtualTable.set_rows, VirtualTable.append_rows

    def set_rows(table: Any, rows: Any) -> None:
        original_set(table, rows)
        if rows and table.id == "volumes-table":
            marks.setdefault("first", time.perf_counter())

    def append_rows(table: Any, rows: Any) -> None:
        original_append(table, rows)
        if table.id == "volumes-table" and len(table.all_rows) >= volumes:
            marks.setdefault("all", time.perf_counter())

    VirtualTable.set_rows, VirtualTable.append_rows = set_rows, append_rows  # type: ignore
    results: dict[str, float] = {}
    started = time.perf_counter()
    watcher = asyncio.create_task(ticker())
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.volumes_view.table
        while "all" not in marks or app.volumes_view.loading_text:
            await asyncio.sleep(0.005)
        await pilot.pause()
        stop = True
        await watcher
        results["first page in the table"] = marks["first"] - started
        results["all loaded"] = marks["all"] - started
        results["longest stall after the first page"] = worst
        await pilot.press("slash")
        await pilot.pause()
        # From the key reaching the app to the table drawing its first line afterwards.
        original_render = VirtualTable.render_line
        drawn: list[float] = []

        def render_line(self: Any, y: int) -> Any:
            if self.id == "volumes-table" and not drawn:
                drawn.append(time.perf_counter())
            return original_render(self, y)

        VirtualTable.render_line = render_line  # type: ignore[method-assign]
        samples = []
        for char in "prod":
            before = len(table.rows)
            drawn.clear()
            started_key = time.perf_counter()
            app.post_message(events.Key(char, char))
            while not (drawn and table.filter_text.endswith(char)):
                await asyncio.sleep(0.001)
            assert len(table.rows) <= before
            samples.append(drawn[0] - started_key)
            await pilot.pause()
        results["filter key to redrawn table (median)"] = statistics.median(samples)
        results["filter key to redrawn table (worst)"] = max(samples)
        started_raw = time.perf_counter()
        table.set_filter("k8s")
        results["set_filter alone"] = time.perf_counter() - started_raw
    return results


def in_terminal(env: dict[str, str], pairs: int, tmp: Path, checkout: Path) -> None:
    """First rows visible in a pty: the ratios of issue 14, from alternating pairs.
    vbstui runs in `checkout` (`python -m` imports from the working directory first).

    Two ways: against a served simulator (`vbstui sim`, another process: what a user of a
    real project waits for, the primary figures) and `--demo` (the simulator inside the
    TUI's process: its world is built there before the first page, a simulator cost)."""
    def sized(volumes: int, **extra: str) -> dict[str, str]:
        # Each run its own state directory: the demo world may be kept there between runs.
        name = f"{volumes}-{'served' if extra else 'demo'}"
        return {**env, "VBSTUI_DEMO_VOLUMES": str(volumes),
                "VBSTUI_STATE_DIR": f"{env['VBSTUI_STATE_DIR']}-{name}",
                "VBSTUI_CACHE_DIR": f"{env['VBSTUI_CACHE_DIR']}-{name}", **extra}

    with served_sim("--volumes", "1000", log=tmp / "sim-1000.log") as small_url, \
            served_sim("--volumes", "10000", log=tmp / "sim-10000.log") as large_url:
        served = vbstui_argv("--profile", "sim")
        cases = {  # label → (argv, env)
            "served simulator, 1,000 disks": (served, sized(1000, VBSTUI_PASSWORD="vbstui-demo",
                VBSTUI_CONFIG=str(sim_profile(small_url, tmp / "small.toml")))),
            "served simulator, 10,000 disks": (served, sized(10_000,
                VBSTUI_PASSWORD="vbstui-demo",
                VBSTUI_CONFIG=str(sim_profile(large_url, tmp / "large.toml")))),
            # The same start without the second process reading the first page
            # (vbstui/ui/first_page.py): what that process is worth.
            "served simulator, 1,000 disks, read-ahead off": (served, sized(1000,
                VBSTUI_PASSWORD="vbstui-demo", VBSTUI_NO_READ_AHEAD="1",
                VBSTUI_CONFIG=str(sim_profile(small_url, tmp / "small.toml")))),
            "--demo, 1,000 disks": (vbstui_argv(), sized(1000)),
            "--demo, 10,000 disks": (vbstui_argv(), sized(10_000)),
        }
        reference_env = sized(1000)
        first_rows(datatable_argv(), reference_env)  # warm the file cache (and token caches)
        for argv, case_env in cases.values():
            first_rows(argv, case_env, cwd=checkout)
        reference: list[float] = []
        samples: dict[str, list[float]] = {label: [] for label in cases}
        for _ in range(pairs):
            reference.append(first_rows(datatable_argv(), reference_env))
            for label, (argv, case_env) in cases.items():
                samples[label].append(first_rows(argv, case_env, cwd=checkout))
    print("real terminal, spawn to first rows visible (median of "
          f"{pairs} runs, each case run in turn):")
    print(f"  minimal DataTable app, 1,000 rows: {statistics.median(reference) * 1000:.0f} ms")
    for label, values in samples.items():
        print(f"  vbstui, {label}: {statistics.median(values) * 1000:.0f} ms")

    def ratio(top: list[float], bottom: list[float]) -> float:
        return statistics.median(t / b for t, b in zip(top, bottom, strict=True))

    for way in ("served simulator", "--demo"):
        small, large = samples[f"{way}, 1,000 disks"], samples[f"{way}, 10,000 disks"]
        primary = way == "served simulator"
        print(f"{way}{' (primary: what a user of a real project waits for)' if primary else ''}"
              " — ratios, median of the pairs' ratios:")
        print(f"  vbstui 1,000 disks ÷ DataTable 1,000 rows: {ratio(small, reference):.2f}"
              "; target <= 1.1")
        print(f"  vbstui 10,000 ÷ 1,000 disks: {ratio(large, small):.2f}; target <= 1.2")
    off = samples["served simulator, 1,000 disks, read-ahead off"]
    print(f"served simulator, read-ahead off: {ratio(off, reference):.2f} of the DataTable app "
          f"({ratio(samples['served simulator, 1,000 disks'], off):.2f} with it ÷ without)")
    print("--demo builds its simulated world in the TUI's own process before the first page"
          " (more at 10,000 disks): a simulator cost a real project does not have.")
    print("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--checkout", type=Path, help="measure this checkout's vbstui in 1.")
    parser.add_argument("--terminal-only", action="store_true", help="only part 1")
    parser.add_argument(bytecode.OPTION, action="store_true", help=bytecode.HELP)
    args = parser.parse_args()
    if args.pairs < 5:
        parser.error("--pairs must be at least 5")
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
        env.update(VBSTUI_STATE_DIR=f"{tmp}/s", VBSTUI_CACHE_DIR=f"{tmp}/c",
                   VBSTUI_LOG_DIR=f"{tmp}/l", VBSTUI_NO_KEYRING="1")
        if args.checkout is not None:
            env["PYTHONPATH"] = str(args.checkout.resolve())
        print(bytecode.describe(args.compile_each_run))
        env = bytecode.child_env(env, Path(tmp) / "pycache",
                                 compile_each_run=args.compile_each_run)
        in_terminal(env, args.pairs, Path(tmp), (args.checkout or HERE).resolve())
        if args.terminal_only:
            return 0
        env["VBSTUI_DEMO_VOLUMES"] = "1000"
        startup_once(env)  # warm the file cache
        runs = sorted(startup_once(env) for _ in range(args.runs))
        print(f"start to populated table, 1,000 disks: median {statistics.median(runs):.3f} s"
              f" (min {runs[0]:.3f}, max {runs[-1]:.3f}, n={len(runs)}); target <= 0.6 s")
        os.environ.update(VBSTUI_STATE_DIR=f"{tmp}/s2", VBSTUI_CACHE_DIR=f"{tmp}/c2",
                          VBSTUI_LOG_DIR=f"{tmp}/l2")
        results: dict[str, Any] = asyncio.run(large_world(10_000))
    for name, seconds in results.items():
        print(f"10,000 disks — {name}: {seconds * 1000:.0f} ms")
    print("targets: first page <= 500 ms; no stall > 250 ms; a filter key <= 100 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
