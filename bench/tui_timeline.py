"""Where the TUI's time to its first rows goes: the steps from process start, per checkout.

    python bench/tui_timeline.py [--volumes 1000] [--runs 9] [--checkout PATH ...]
                                 [--compile-each-run]

A child process runs the real app headless (`App.run_test`, 120x40) against one served
simulator (`vbstui sim`, logged in through a profile), its imports made with the
collector paused as `vbstui` makes them (`cli.startup.start_up`), and notes, in ms from
its first line: Textual imported, httpx imported, vbstui's TUI imported, the main screen composed
(`main_ready`), the login started and done, the first frame, the session connected, the
disks' listing started, their first page in the table, and the first frame showing rows.
The requests sent until then are listed with their start and end (which answer came first
matters with a simulator that answers one at a time).  With several --checkout (say,
`git worktree add /tmp/ref HEAD~3`) the checkouts are run in turn, run by run, so machine
noise hits them alike.
The medians explain bench/tui_startup.py's ratio against a bare DataTable app, which
imports only Textual and draws its rows without logging in anywhere, with two limits:
the app runs headless (no terminal output: a real terminal's first frame comes later
after the screen is composed, and what the loop does meanwhile delays it), and without
the second process that reads the first page ahead (`vbstui.ui.first_page`, started by
`vbstui.main`).  For those, bench/tui_startup.py's "read-ahead off" line.  The children run
with their bytecode cached, as an installed vbstui does (bench/bytecode.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import bytecode
from benchkit import served_sim, sim_profile

HERE = Path(__file__).resolve().parents[1]

CHILD = r"""
import time; T0 = time.perf_counter()
import asyncio, json, os, sys
marks, requests = {}, []

def mark(name):
    marks.setdefault(name, round((time.perf_counter() - T0) * 1000))

from vbstui.cli.startup import start_up  # the collector paused, as `vbstui` imports

with start_up():
    import textual.app; mark("Textual imported")
    import httpx; mark("httpx imported")
    from vbstui.cloud.client import CloudSession
    from vbstui.ops.target import Choices, choose_target
    from vbstui.ui.app import VbsApp
    from vbstui.ui.loading import Loader
    from vbstui.ui.widgets.vtable import VirtualTable
mark("vbstui's TUI imported")

def wrap(cls, name, before=None, after=None):
    original = getattr(cls, name)
    if asyncio.iscoroutinefunction(original):
        async def wrapper(self, *args, **kwargs):
            before and before(self, *args, **kwargs)
            result = await original(self, *args, **kwargs)
            after and after(self, *args, **kwargs)
            return result
    else:
        def wrapper(self, *args, **kwargs):
            before and before(self, *args, **kwargs)
            return original(self, *args, **kwargs)
    setattr(cls, name, wrapper)

wrap(VbsApp, "main_ready", before=lambda *a: mark("main screen composed"))
wrap(CloudSession, "authenticate", before=lambda *a: mark("login started"),
     after=lambda *a: mark("login done"))
wrap(VbsApp, "connected", before=lambda *a: mark("connected"))
wrap(Loader, "_load_volumes", before=lambda *a: mark("disks' listing started"))
wrap(VirtualTable, "set_rows", before=lambda table, rows: (
    mark("first page in the table") if rows and table.id == "volumes-table" else None))
original_read = CloudSession.read

async def read(self, url, *args, **kwargs):
    started = round((time.perf_counter() - T0) * 1000)
    try:
        return await original_read(self, url, *args, **kwargs)
    finally:
        if "first frame with rows" not in marks:
            path = url.split("?")[0].rstrip("/").rsplit("/", 2)
            requests.append(["/".join(path[-2:]), started,
                             round((time.perf_counter() - T0) * 1000)])

CloudSession.read = read

async def main():
    app = VbsApp(choose_target(Choices(config_path=os.environ["BENCH_CONFIG"], profile="sim")))
    original_display = app._display

    def display(screen, renderable):
        original_display(screen, renderable)
        mark("first frame")
        if app.is_screen_installed("main") and app.volumes_view.table.all_rows:
            mark("first frame with rows")

    app._display = display
    async with app.run_test(size=(120, 40)):
        while "first frame with rows" not in marks:
            await asyncio.sleep(0.002)
        app.workers.cancel_all()
    print(json.dumps({"marks": marks, "requests": requests}), flush=True)

asyncio.run(main())
"""


def run_child(checkout: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=checkout,
                          env={**env, "PYTHONPATH": str(checkout)}, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(f"the benchmark child failed in {checkout}: {done.stderr[-3000:]}")
    return dict(json.loads(lines[-1]))


def show(checkout: Path, results: list[dict[str, Any]]) -> None:
    print(f"{checkout} (medians of {len(results)} runs, ms from the child's first line):")
    for name in results[0]["marks"]:
        values = [r["marks"][name] for r in results if name in r["marks"]]
        print(f"  {name + ':':28} {statistics.median(values):5.0f}"
              f"   (min {min(values)}, max {max(values)})")
    print("  requests until the first frame with rows (the last run): " + ", ".join(
        f"{path} {start}→{end}" for path, start, end in results[-1]["requests"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volumes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--checkout", type=Path, action="append",
                        help="a checkout to measure (repeatable; default: this one)")
    parser.add_argument(bytecode.OPTION, action="store_true", help=bytecode.HELP)
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkout or [HERE]]
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        with served_sim("--volumes", str(args.volumes), log=root / "sim.log") as url:
            config = sim_profile(url, root / "config.toml")
            base = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VBSTUI_"))}
            base.update(VBSTUI_PASSWORD="vbstui-demo", VBSTUI_NO_KEYRING="1",
                        BENCH_CONFIG=str(config))
            envs = {}
            for index, checkout in enumerate(checkouts):
                own = root / f"checkout-{index}"  # its own token cache, journal and bytecode
                envs[checkout] = bytecode.child_env(
                    {**base, "VBSTUI_STATE_DIR": str(own / "state"),
                     "VBSTUI_CACHE_DIR": str(own / "cache"),
                     "VBSTUI_LOG_DIR": str(own / "log")},
                    own / "pycache", compile_each_run=args.compile_each_run)
                run_child(checkout, envs[checkout])  # bytecode and token cache filled
            results: dict[Path, list[dict[str, Any]]] = {c: [] for c in checkouts}
            for _ in range(max(args.runs, 3)):
                for checkout in checkouts:
                    results[checkout].append(run_child(checkout, envs[checkout]))
    print(f"{args.volumes:,} disks from a served simulator; "
          f"{bytecode.describe(args.compile_each_run)}; load average at the end "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for checkout, runs in results.items():
        show(checkout, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
