"""vbstui side by side with the peer (python-openstackclient + otcextensions) on one project.

    python bench/peer.py [--runs 5] [--sizes 1000,10000]

For each size a `vbstui sim --services vbs` is served with that many disks and one
backup per disk (created through the API before measuring). On that same project,
whole-process wall times of

- `vbstui volumes --json`          vs  `openstack volume list -f json`
- `vbstui backups --json`          vs  `openstack volume backup list -f json`

are taken in alternating runs (so machine noise hits both alike); the script prints each
median and the ratio vbstui ÷ openstack.  Both tools must list the same number of items,
or the run stops: a ratio of two different answers means nothing.

The peer comes from its own virtualenv (bench/.peer-venv, see bench/peer_env.py), made on
first use; it is never installed by CI or the README commands.  vbstui keeps its token
cache between runs (as it does for a user); openstack authenticates on every run (its
default).  Both count in the figures as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from benchkit import DEMO_AUTH, Cli, served_sim, state, summary
from peer_env import peer_openstack

BACKUPABLE = ("available", "in-use")


def peer_env(url: str) -> dict[str, str]:
    """The peer's usual OS_* settings for the simulated account (nothing else inherited)."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")}
    return {**keep, "OS_AUTH_URL": f"{url}/v3", "OS_USERNAME": "demo",
            "OS_PASSWORD": "vbstui-demo", "OS_USER_DOMAIN_NAME": "OTC-EU-DE-DEMO",
            "OS_PROJECT_NAME": "eu-de_demo", "OS_REGION_NAME": "eu-de",
            "OS_IDENTITY_API_VERSION": "3", "OS_VOLUME_API_VERSION": "3",
            "OS_INTERFACE": "public"}


def one_backup_per_disk(url: str) -> int:
    """Back up every disk that can be (not at the limit, not busy); returns how many."""
    near = {e["volume_id"] for e in state(url)["near_limit"]}
    created = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        response = client.post("/v3/auth/tokens", json=DEMO_AUTH)
        client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        pid = response.json()["token"]["project"]["id"]
        offset = 0
        while True:
            page = client.get(f"/v2/{pid}/cloudvolumes/detail",
                              params={"limit": 1000, "offset": offset}).json()["volumes"]
            if not page:
                break
            offset += len(page)
            for volume in page:
                if volume["status"] not in BACKUPABLE or volume["id"] in near:
                    continue
                body = {"backup": {"volume_id": volume["id"], "name": f"peer-{created}"}}
                if client.post(f"/v2/{pid}/cloudbackups", json=body).status_code == 200:
                    created += 1
    return created


def wait_until_settled(url: str, timeout: float = 120) -> None:
    """Until no create job of ours runs (the listings then do not change between runs)."""
    deadline = time.monotonic() + timeout
    while state(url)["backups_by_status"].get("creating", 0):
        if time.monotonic() > deadline:
            raise SystemExit("backups still creating; the simulator is too slow")
        time.sleep(0.5)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=900, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return seconds, done.stdout


def items(stdout: bytes, key: str | None) -> int:
    document = json.loads(stdout)
    return len(document[key] if key else document)


def compare(label: str, mine: tuple[list[str], dict[str, str], str],
            peer: tuple[list[str], dict[str, str]], runs: int, goal: str = "") -> None:
    (my_argv, my_env, key), (peer_argv, env) = mine, peer
    # Warm-up (file cache, token cache) and the check that both see the same project.
    _, my_out = run(my_argv, my_env)
    _, peer_out = run(peer_argv, env)
    counts = items(my_out, key), items(peer_out, None)
    if counts[0] != counts[1]:
        raise SystemExit(f"{label}: vbstui lists {counts[0]}, openstack {counts[1]}")
    my_times: list[float] = []
    peer_times: list[float] = []
    for _ in range(runs):
        my_times.append(run(my_argv, my_env)[0])
        peer_times.append(run(peer_argv, env)[0])
    ratio = statistics.median(my_times) / statistics.median(peer_times)
    print(f"  {label} ({counts[0]} items)")
    print(f"    vbstui:    {summary(my_times)}")
    print(f"    openstack: {summary(peer_times)}")
    print(f"    ratio vbstui ÷ openstack: {ratio:.2f} (medians of {runs} alternating runs"
          f"{'; goal ' + goal if goal else ''})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (at least 5)")
    parser.add_argument("--sizes", default="1000,10000", help="disk counts, comma-separated")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    sizes = [int(size) for size in args.sizes.split(",")]
    openstack = str(peer_openstack())
    with tempfile.TemporaryDirectory(prefix="vbstui-peer-") as tmp:
        root = Path(tmp)
        for size in sizes:
            # VBS only: `openstack volume backup list` knows no CBR vault, so on a project
            # with both services the two tools would list different backups.
            options = ("--services", "vbs", "--volumes", str(size), "--job-seconds", "2",
                       "--backup-quota", "-1")
            with served_sim(*options, log=root / f"sim-{size}.log") as url:
                made = one_backup_per_disk(url)
                wait_until_settled(url)
                cli = Cli(root / f"vbstui-{size}", url)
                env = peer_env(url)
                print(f"{size:,} disks, {state(url)['backups']:,} backups ({made:,} made for "
                      "this run), served simulator:")
                compare("volumes", ([*cli.base, "volumes", "--json"], cli.env, "volumes"),
                        ([openstack, "volume", "list", "-f", "json"], env), runs, "≤ 0.30")
                compare("backups", ([*cli.base, "backups", "--json"], cli.env, "backups"),
                        ([openstack, "volume", "backup", "list", "-f", "json"], env), runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
