"""Headless start-up and listing speed (issue 2).

    python bench/startup.py [--runs 15]

1. `vbstui --demo volumes --json` with 1,000 disks (in-process simulator), side by
   side with a bare `python -c "import httpx"`, interleaved in one run so machine
   noise hits both alike; plus a check that no `textual` module is loaded.
2. `vbstui volumes --json` listing 10,000 disks from a served simulator.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from benchkit import Cli, served_sim, summary, timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        cli = Cli(root / "demo", None)
        demo_env = {**cli.env, "VBSTUI_DEMO_VOLUMES": "1000"}
        command = [*cli.base, "--demo", "volumes", "--json"]
        timed(command, env=demo_env)  # warm the file cache
        vbstui_runs, httpx_runs = [], []
        for _ in range(args.runs):
            vbstui_runs.append(timed(command, env=demo_env))
            httpx_runs.append(timed([sys.executable, "-c", "import httpx"]))
        probe = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "vbstui", "--demo", "volumes", "--json"],
            env=demo_env, capture_output=True, text=True, check=True)
        textual = [line for line in probe.stderr.splitlines() if "| textual" in line]
        print("vbstui --demo volumes --json (1,000 disks):", summary(vbstui_runs))
        print('python -c "import httpx":                  ', summary(httpx_runs))
        print(f"textual modules loaded by the headless command: {len(textual)}")

        with served_sim("--volumes", "10000", log=root / "sim.log") as url:
            served = Cli(root / "served", url)
            served.run("volumes", "--json")  # token into the cache, like a second run
            listing = [served.run("volumes", "--json")[0] for _ in range(5)]
        print("vbstui volumes --json, 10,000 disks served: ", summary(listing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
