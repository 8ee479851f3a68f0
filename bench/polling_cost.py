"""Polling cost: API calls per completed backup for a job that runs 60 s.

Starts `vbstui sim --job-seconds 60`, runs one `vbstui backup create --wait --json`
through the headless CLI, and counts the requests the simulator saw (by route, from
`GET /_sim/state` before and after).  Prints that next to what a 1-second poller
(gophercloud's WaitFor style) needs: one create plus one poll per second of the job.
Target: at most 10 calls.

    python bench/polling_cost.py [--job-seconds 60] [--bulk N]

`--bulk N` additionally measures one bulk run over N disks (calls per backup).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from benchkit import Cli, idle_volumes, request_diff, served_sim, state

TARGET = 10


def measure(url: str, root: Path, volumes: list[str], name: str, job_seconds: float) -> None:
    before = state(url)
    args = ["backup", "create", "--name", name, "--wait", "--json"]
    for volume in volumes:
        args += ["--volume", volume]
    seconds, _ = Cli(root, url).run_json(*args)
    routes = request_diff(before, state(url))
    total = sum(routes.values())
    auth = sum(n for r, n in routes.items() if r.startswith("POST /v3/auth"))
    polls = sum(n for r, n in routes.items() if "/jobs/" in r or r.endswith("{backup_id}"))
    count = len(volumes)
    per_backup = total / count
    without_auth = (total - auth) / count
    naive = 1 + int(job_seconds)  # create + one poll per second
    print(f"\n{count} backup(s) of a {job_seconds:g} s job, CLI wall time {seconds:.1f} s "
          f"(the end is noticed up to one poll interval late)")
    for route, n in routes.items():
        print(f"  {n:4d}  {route}")
    print(f"  vbstui:            {total} calls = {per_backup:.1f} per backup, "
          f"{without_auth:.1f} without the token request ({polls / count:.1f} status polls "
          "per backup)")
    print(f"  1-second poller:   {naive} calls per backup (1 create + {int(job_seconds)} "
          "polls), plus its token request")
    print(f"  target:            at most {TARGET} per backup -> "
          f"{'met' if without_auth <= TARGET else 'MISSED'} without the token request "
          "(reused from the token cache on later runs), "
          f"{'met' if per_backup <= TARGET else 'MISSED'} counting it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-seconds", type=float, default=60.0)
    parser.add_argument("--bulk", type=int, default=0,
                        help="also measure one bulk run over this many disks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        with served_sim("--job-seconds", str(args.job_seconds), "--volumes", "200",
                        log=root / "sim.log") as url:
            volumes = idle_volumes(url, 1 + args.bulk)
            measure(url, root / "single", volumes[:1], "bench-single", args.job_seconds)
            if args.bulk:
                measure(url, root / "bulk", volumes[1:], "bench-bulk", args.job_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
