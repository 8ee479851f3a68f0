"""Bulk backup cost: wall time and API calls per backup for N disks through the headless CLI.

    python bench/bulk.py [--disks 1000] [--job-seconds 10] [--concurrency 8]
                         [--reference PATH]

Against `vbstui sim --services vbs` over a real socket (the VBS path; the mixed VBS + CBR
run is bench/cbr_bulk.py); the simulator counts every request and the most creates it
ever had in flight at once.  With `--reference` (another checkout,
e.g. `git worktree add /tmp/ref HEAD`) the same run is made with that checkout's CLI
against a fresh simulator of the same seed, and the ratio of calls per backup printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from benchkit import Cli, idle_volumes, request_diff, served_sim, state

TARGET_CALLS_PER_BACKUP = 4.0  # issue 14: from 5.0, with at-most-once intact


@dataclass(frozen=True)
class Run:
    seconds: float
    routes: dict[str, int]
    outcome: dict[str, Any]
    after: dict[str, Any]

    @property
    def calls(self) -> int:
        return sum(self.routes.values())


def measure(args: argparse.Namespace, checkout: Path | None) -> Run:
    """One bulk run; `checkout` None is this one, else the CLI of that checkout."""
    env = None
    if checkout is not None:  # its package first, and not this directory's
        env = {"PYTHONPATH": str(checkout.resolve()), "PYTHONSAFEPATH": "1"}
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        with served_sim("--services", "vbs", "--job-seconds", str(args.job_seconds),
                        "--volumes", str(args.disks * 2 + 100), log=root / "sim.log") as url:
            volumes = idle_volumes(url, args.disks)
            before = state(url)
            command = ["backup", "create", "--name", "bulk", "--wait", "--json",
                       "--concurrency", str(args.concurrency)]
            for volume in volumes:
                command += ["--volume", volume]
            cli = Cli(root / "cli", url)
            seconds, done = cli.run(*command, env=env)
            after = state(url)
    return Run(seconds, request_diff(before, after), json.loads(done.stdout), after)


def report(label: str, run: Run, args: argparse.Namespace) -> None:
    summary = run.outcome["summary"]
    print(f"{label}: bulk backup of {args.disks} disks, jobs of {args.job_seconds:g} s, "
          f"concurrency {args.concurrency}")
    print(f"  wall time:        {run.seconds:.1f} s")
    print(f"  outcome:          {summary['by_phase']}")
    print(f"  API calls:        {run.calls} ({run.calls / args.disks:.3f} per backup; "
          f"target ≤ {TARGET_CALLS_PER_BACKUP:g})")
    for route, n in run.routes.items():
        print(f"    {n:5d}  {n / args.disks:6.3f}/backup  {route}")
    print(f"  creates in flight at most: {run.after['max_in_flight_create_backup']} "
          f"(limit {args.concurrency}); requests in flight at most: "
          f"{run.after['max_in_flight']}")
    print(f"  duplicates:       {run.after['duplicates']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disks", type=int, default=1000)
    parser.add_argument("--job-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reference", type=Path, default=None,
                        help="another checkout to measure the same way, for the ratio")
    args = parser.parse_args()
    this = measure(args, None)
    report("this checkout", this, args)
    if args.reference is not None:
        reference = measure(args, args.reference)
        report(f"reference {args.reference}", reference, args)
        print(f"calls per backup, this ÷ reference: {this.calls / reference.calls:.3f} "
              f"({this.calls / args.disks:.3f} vs {reference.calls / args.disks:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
