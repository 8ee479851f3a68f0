"""Bulk backup cost: wall time and API calls for N disks through the headless CLI.

    python bench/bulk.py [--disks 200] [--job-seconds 10] [--concurrency 8]

Against `vbstui sim` over a real socket; the simulator counts every request and
the most creates it ever had in flight at once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from benchkit import Cli, idle_volumes, request_diff, served_sim, state


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disks", type=int, default=200)
    parser.add_argument("--job-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        with served_sim("--job-seconds", str(args.job_seconds), "--volumes",
                        str(args.disks * 2 + 100), log=root / "sim.log") as url:
            volumes = idle_volumes(url, args.disks)
            before = state(url)
            command = ["backup", "create", "--name", "bulk", "--wait", "--json",
                       "--concurrency", str(args.concurrency)]
            for volume in volumes:
                command += ["--volume", volume]
            seconds, outcome = Cli(root / "cli", url).run_json(*command)
            after = state(url)
    routes = request_diff(before, after)
    total = sum(routes.values())
    summary = outcome["summary"]
    print(f"bulk backup of {args.disks} disks, jobs of {args.job_seconds:g} s, "
          f"concurrency {args.concurrency}")
    print(f"  wall time:        {seconds:.1f} s")
    print(f"  outcome:          {summary['by_phase']}")
    print(f"  API calls:        {total} ({total / args.disks:.1f} per backup)")
    for route, n in routes.items():
        print(f"    {n:5d}  {route}")
    print(f"  creates in flight at most: {after['max_in_flight_create_backup']} "
          f"(limit {args.concurrency}); requests in flight at most: {after['max_in_flight']}")
    print(f"  duplicates:       {after['duplicates']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
