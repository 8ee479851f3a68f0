"""CBR bulk cost: API calls per backup in a mixed VBS + CBR bulk run through the headless CLI.

    python bench/cbr_bulk.py [--disks 1000] [--cbr-share 0.5] [--vaults 10]
                             [--job-seconds 10] [--concurrency 8]

Against `vbstui sim` (both services) over a real socket.  The set-up makes `--vaults`
disk vaults holding `--cbr-share` of the disks (through the simulated API, not
counted); the other disks are in no vault and go to VBS.  One `backup create --wait`
of all of them; the simulator counts every request.  Printed: calls per backup, per
route, the CBR routes per CBR backup, and the checkpoints sent (one per vault).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from benchkit import DEMO_AUTH, Cli, idle_volumes, request_diff, served_sim, state

CHECKPOINTS = "POST /cbr/v3/{project_id}/checkpoints"


def _client(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=60)
    response = client.post("/v3/auth/tokens", json=DEMO_AUTH)
    client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
    return client, response.json()["token"]["project"]["id"]


def make_vaults(url: str, disks: list[str], vaults: int) -> None:
    """Put `disks` into `vaults` new roomy vaults, in equal shares."""
    client, pid = _client(url)
    try:
        share = -(-len(disks) // vaults)
        for index in range(vaults):
            members = disks[index * share:(index + 1) * share]
            if not members:
                continue
            body = {"vault": {"name": f"bench-{index}", "resources": [
                {"id": d, "type": "OS::Cinder::Volume"} for d in members], "billing": {
                "consistent_level": "crash_consistent", "object_type": "disk",
                "protect_type": "backup", "size": 10_000_000, "charging_mode": "post_paid"}}}
            done = client.post(f"/cbr/v3/{pid}/vaults", json=body)
            if done.status_code != 200:
                raise SystemExit(f"vault set-up failed: {done.text[:500]}")
    finally:
        client.close()


def unvaulted(url: str, count: int) -> list[str]:
    """Idle disks in no vault and bound to no VBS policy (so either service may take them)."""
    client, pid = _client(url)
    try:
        vaults = client.get(f"/cbr/v3/{pid}/vaults", params={"limit": 1000}).json()["vaults"]
        held = {r["id"] for v in vaults for r in v["resources"]}
        bound, offset = set(), 0
        while True:
            page = client.get(f"/v2/{pid}/cloudvolumes/detail",
                              params={"limit": 1000, "offset": offset}).json()["volumes"]
            if not page:
                break
            bound |= {v["id"] for v in page if (v.get("metadata") or {}).get("policy")}
            offset += len(page)
    finally:
        client.close()
    chosen = [v for v in idle_volumes(url, count + 600) if v not in held and v not in bound]
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} idle disks in no vault")
    return chosen[:count]


def measure(args: argparse.Namespace) -> tuple[float, dict[str, int], dict[str, Any], int]:
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        with served_sim("--job-seconds", str(args.job_seconds), "--volumes",
                        str(args.disks * 2 + 500), log=root / "sim.log") as url:
            volumes = unvaulted(url, args.disks)
            cbr_count = round(args.disks * args.cbr_share)
            make_vaults(url, volumes[:cbr_count], args.vaults)
            before = state(url)
            command = ["backup", "create", "--name", "bulk", "--wait", "--json",
                       "--concurrency", str(args.concurrency)]
            for volume in volumes:
                command += ["--volume", volume]
            seconds, done = Cli(root / "cli", url).run(*command, check=False)
            after = state(url)
    if done.returncode != 0:
        raise SystemExit(f"the bulk run failed ({done.returncode}): "
                         f"{done.stderr.decode()[-2000:]}")
    return seconds, request_diff(before, after), json.loads(done.stdout), cbr_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disks", type=int, default=1000)
    parser.add_argument("--cbr-share", type=float, default=0.5)
    parser.add_argument("--vaults", type=int, default=10)
    parser.add_argument("--job-seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    seconds, routes, outcome, cbr_count = measure(args)
    calls = sum(routes.values())
    cbr_calls = sum(n for r, n in routes.items() if "/cbr/" in r)
    services: dict[str, int] = {}
    for job in outcome["jobs"]:
        services[job["service"]] = services.get(job["service"], 0) + 1
    print(f"mixed bulk backup of {args.disks} disks ({cbr_count} in {args.vaults} CBR vaults, "
          f"the rest VBS), jobs of {args.job_seconds:g} s, concurrency {args.concurrency}")
    print(f"  wall time:        {seconds:.1f} s")
    print(f"  outcome:          {outcome['summary']['by_phase']}; jobs by service {services}")
    print(f"  API calls:        {calls} ({calls / args.disks:.3f} per backup)")
    print(f"  CBR calls:        {cbr_calls} ({cbr_calls / max(cbr_count, 1):.3f} per CBR "
          f"backup); checkpoints sent {routes.get(CHECKPOINTS, 0)}")
    for route, n in routes.items():
        print(f"    {n:5d}  {n / args.disks:6.3f}/backup  {route}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
