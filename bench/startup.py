"""Headless start-up and listing speed (issue 2).

    python bench/startup.py [--runs 15] [--no-served] [--compile-each-run]

1. `vbstui --demo volumes --json` with 1,000 disks (in-process simulator), side by
   side with a bare `python -c "import httpx"` and with the peer's `openstack --help`
   (python-openstackclient + otcextensions from bench/.peer-venv, made by
   `python bench/peer_env.py`; left out while that is not there), interleaved run by
   run so machine noise hits all alike; prints each median and the ratios of the
   medians; plus a check that no `textual` module is loaded.
2. `vbstui volumes --json` listing 10,000 disks from a served simulator.
Every child runs with its bytecode cached, as installed code does (bench/bytecode.py).
The demo keeps its world in the state directory between runs (a temporary one here):
the warm-up run makes it, the measured runs load it; `first run` is measured apart.
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
from benchkit import Cli, served_sim, summary
from peer_env import existing_peer_openstack


def timed(command: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds from start to exit, to the exit itself: a blocking wait, not
    `subprocess.run(timeout=...)`, whose wait polls in steps of up to 50 ms and so
    rounds every start-up of more than ~64 ms up by as much (a watchdog kills a
    child that hangs).  Also the child's CPU seconds (user + system): on a machine
    shared with other work they vary far less than the wall time."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        watchdog.cancel()
    elapsed = time.perf_counter() - started
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)}: exit {code}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each (at least 5)")
    parser.add_argument("--no-served", action="store_true",
                        help="only the start-up ratios, not the 10,000-disk listing")
    parser.add_argument(bytecode.OPTION, action="store_true", help=bytecode.HELP)
    args = parser.parse_args()
    runs = max(args.runs, 5)
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        print(bytecode.describe(args.compile_each_run))
        cache = root / "pycache"

        def env_of(env: dict[str, str] | None) -> dict[str, str]:
            return bytecode.child_env(env, cache, compile_each_run=args.compile_each_run)

        cli = Cli(root / "demo", None)
        demo_env = env_of({**cli.env, "VBSTUI_DEMO_VOLUMES": "1000"})
        openstack = existing_peer_openstack()
        demo_argv = [*cli.base, "--demo", "volumes", "--json"]
        commands = {
            "vbstui --demo volumes --json (1,000 disks)": (demo_argv, demo_env),
            'python -c "import httpx"': ([sys.executable, "-c", "import httpx"], env_of(None)),
        }
        if openstack is not None:
            commands["openstack --help (peer venv)"] = ([str(openstack), "--help"],
                                                        env_of(None))
        samples: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for argv, env in commands.values():
            timed(argv, env=env)  # warm the file caches, make the demo world
        # First runs: each in a new state directory, so the world is made, not loaded.
        first_runs = [timed(demo_argv, env={**demo_env, "VBSTUI_STATE_DIR": str(
            root / f"first-{run}")})[0] for run in range(max(3, runs // 3))]
        for _ in range(runs):
            for name, (argv, env) in commands.items():
                wall, seconds = timed(argv, env=env)
                samples[name].append(wall)
                cpu[name].append(seconds)
        print(f"{'vbstui --demo (first run: world made):':45} {summary(first_runs)}")
        for name, times in samples.items():
            print(f"{name + ':':45} {summary(times)}; CPU {summary(cpu[name])}")
        for measure, table in (("", samples), (" (CPU time)", cpu)):
            mine, *references = (statistics.median(times) for times in table.values())
            for name, reference in zip(list(table)[1:], references, strict=True):
                print(f"ratio vbstui ÷ {name}{measure}: {mine / reference:.2f} (medians of "
                      f"{runs} alternating runs)")
        if openstack is None:
            print("ratio vbstui ÷ openstack --help: skipped (make the peer virtualenv with "
                  "`python bench/peer_env.py`)")
        probe = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "vbstui", "--demo", "volumes", "--json"],
            env=demo_env, capture_output=True, text=True, check=True)
        textual = [line for line in probe.stderr.splitlines() if "| textual" in line]
        print(f"textual modules loaded by the headless command: {len(textual)}")
        if args.no_served:
            return 0

        with served_sim("--volumes", "10000", log=root / "sim.log") as url:
            served = Cli(root / "served", url)
            served.env = env_of(served.env)
            served.run("volumes", "--json")  # token into the cache, like a second run
            listing = [served.run("volumes", "--json")[0] for _ in range(5)]
        print("vbstui volumes --json, 10,000 disks served: ", summary(listing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
