"""CBR at scale: `vbstui backups --json` over 10,000 CBR backups ÷ the same over as many
VBS backups, and the calls one CBR backup costs headless.

    python bench/cbr_list.py [--backups 10000] [--runs 3]

Serves two simulators of this checkout, a CBR-only project (`--services cbr`) and a
VBS-only one (`--services vbs`), and fills each through its public API, as a
client would: in the CBR one, a vault of 256 disks backed up by checkpoints of all
of them (one request makes 256 backups) until BACKUPS backups exist; in the VBS one,
one backup per request, round after round over 600 disks (VBS keeps at most 20 per
disk).  Then `vbstui backups --json` (stdout to a file, as a script would) runs
against each, pair by pair so machine noise hits both alike; every output is parsed
and its backups counted.  Last, `vbstui backup create --volume D --name N --wait`
runs once against a fresh simulator of each service whose jobs take
--call-job-seconds, and its calls are read from `/_sim/state`.
vbstui runs with its bytecode cached, as installed code does (bench/bytecode.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import bytecode
import httpx
from benchkit import DEMO_AUTH, Cli, request_diff, served_sim, state

CBR_DISKS = 256  # a vault's resource limit: one checkpoint backs them all up
VBS_DISKS = 600  # 20 backups each at most: 12,000
VBS_PER_DISK = 20
SIM_VOLUMES = 1200  # room for both, besides the generated vaults and odd disks


class Api:
    """The simulator's public API with the demo account's token."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=120)
        login = self.client.post("/v3/auth/tokens", json=DEMO_AUTH)
        self.client.headers["X-Auth-Token"] = login.headers["X-Subject-Token"]
        self.pid = login.json()["token"]["project"]["id"]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path.replace("{pid}", self.pid), **kwargs)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: HTTP {response.status_code} {response.text}")
        return response.json() if response.content else None

    def volumes(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page = self.call("GET", "/v2/{pid}/cloudvolumes/detail",
                             params={"limit": 1000, "offset": len(found)})["volumes"]
            found += page
            if len(page) < 1000:
                return found


def wait_until(done: Callable[[], bool], what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not done within {timeout:g} s")
        time.sleep(0.05)


def fill_cbr(url: str, wanted: int) -> int:
    """A vault of 256 disks, checkpoints until `wanted` backups exist: their count."""
    api = Api(url)
    held = {r["id"] for v in api.call("GET", "/cbr/v3/{pid}/vaults",
                                      params={"limit": 1000})["vaults"]
            for r in v["resources"]}
    disks = [v["id"] for v in api.volumes()
             if v["id"] not in held and v["status"] in ("available", "in-use")][:CBR_DISKS]
    if len(disks) < CBR_DISKS:
        raise SystemExit(f"only {len(disks)} disks outside every vault")
    vault = api.call("POST", "/cbr/v3/{pid}/vaults", json={"vault": {
        "name": "bench", "resources": [{"id": d, "type": "OS::Cinder::Volume"} for d in disks],
        "billing": {"consistent_level": "crash_consistent", "object_type": "disk",
                    "protect_type": "backup", "size": 10_485_760,
                    "charging_mode": "post_paid"}}})["vault"]

    def count(**filters: str) -> int:
        return int(api.call("GET", "/cbr/v3/{pid}/backups",
                            params={"limit": 1, **filters})["count"])

    round_ = 0
    while count() < wanted:
        round_ += 1
        api.call("POST", "/cbr/v3/{pid}/checkpoints", json={"checkpoint": {
            "vault_id": vault["id"], "parameters": {
                "resources": disks, "name": f"bench-{round_:03d}", "incremental": True}}})
        wait_until(lambda: count(vault_id=vault["id"], status="protecting") == 0,
                   "CBR checkpoint")
    return count()


def fill_vbs(url: str, wanted: int) -> int:
    """One backup per request, a round over 600 disks at a time: their count."""
    api = Api(url)
    near = {e["volume_id"] for e in state(url)["near_limit"]}
    seeded = {b["volume_id"] for b in api.call("GET", "/v2/{pid}/backups/detail",
                                               params={"limit": 1000})["backups"]}
    disks = [v["id"] for v in api.volumes() if v["status"] in ("available", "in-use")
             and v["id"] not in near and v["id"] not in seeded][:VBS_DISKS]
    if len(disks) * VBS_PER_DISK < wanted:
        raise SystemExit(f"only {len(disks)} disks without backups")

    def total() -> int:
        return int(state(url)["backups"])

    def create(disk: str, round_: int) -> None:
        api.call("POST", "/v2/{pid}/cloudbackups",
                 json={"backup": {"volume_id": disk, "name": f"bench-{round_:03d}"}})

    round_ = 0
    with ThreadPoolExecutor(8) as pool:
        while total() < wanted:
            round_ += 1
            left = wanted - total()
            list(pool.map(lambda d, r=round_: create(d, r), disks[:left]))
            wait_until(lambda: state(url)["backups_by_status"].get("creating", 0) == 0,
                       "VBS backups")
    return total()


def run(cli: Cli, args: list[str], out: Path) -> float:
    with out.open("wb") as sink:
        started = time.perf_counter()
        done = subprocess.run([*cli.base, *args], env=cli.env, stdout=sink,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, check=False,
                              timeout=900)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"vbstui {' '.join(args)} exit {done.returncode}: "
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return wall


def listed(out: Path) -> dict[str, int]:
    """Backups per service in a `backups --json` document."""
    counts: dict[str, int] = {}
    for backup in json.loads(out.read_text(encoding="utf-8"))["backups"]:
        service = backup["vbstui"]["service"]
        counts[service] = counts.get(service, 0) + 1
    return counts


def measure_calls(root: Path, service: str, job_seconds: float) -> dict[str, int]:
    """The requests of one `backup create --wait` whose job takes `job_seconds` (the
    polls while it runs count), on a fresh simulator of only that service; login
    included (a first run, no cached token)."""
    with served_sim("--services", service, "--job-seconds", str(job_seconds),
                    log=root / f"calls-{service}.log") as url:
        api = Api(url)
        held = ({r["id"] for v in api.call("GET", "/cbr/v3/{pid}/vaults")["vaults"]
                 for r in v["resources"]} if service == "cbr" else set())
        busy = {v["id"] for v in api.volumes() if v["status"] != "available"}
        pick = (held - busy) if service == "cbr" else {
            v["id"] for v in api.volumes() if v["status"] == "available"} - {
            b["volume_id"] for b in api.call("GET", "/v2/{pid}/backups/detail")["backups"]}
        cli = Cli(root / f"calls-{service}", url)
        before = state(url)
        run(cli, ["backup", "create", "--volume", sorted(pick)[0], "--name", "calls",
                  "--wait"], root / "calls.out")
        return request_diff(before, state(url))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backups", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--call-job-seconds", type=float, default=10.0,
                        help="how long the backup whose calls are counted runs (default 10)")
    parser.add_argument(bytecode.OPTION, action="store_true", help=bytecode.HELP)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"cbr": [], "vbs": []}
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        common = ["--volumes", str(SIM_VOLUMES), "--job-seconds", "0.2"]
        with served_sim("--services", "cbr", *common, log=root / "cbr.log") as cbr_url, \
                served_sim("--services", "vbs", "--backup-quota", "-1", *common,
                           log=root / "vbs.log") as vbs_url:
            started = time.perf_counter()
            cbr_count = fill_cbr(cbr_url, args.backups)
            vbs_count = fill_vbs(vbs_url, cbr_count)
            filled = time.perf_counter() - started
            clis = {"cbr": Cli(root / "cli-cbr", cbr_url), "vbs": Cli(root / "cli-vbs", vbs_url)}
            for name, cli in clis.items():
                cli.env = bytecode.child_env(cli.env, root / "pycache",
                                             compile_each_run=args.compile_each_run)
                run(cli, ["backups", "--json"], root / f"{name}.json")  # token, bytecode
            expected = {"cbr": cbr_count, "vbs": vbs_count}
            for _ in range(args.runs):
                for name, cli in clis.items():
                    out = root / f"{name}.json"
                    times[name].append(run(cli, ["backups", "--json"], out))
                    if listed(out) != {name: expected[name]}:
                        raise SystemExit(f"{name}: listed {listed(out)}, not "
                                         f"{expected[name]} {name} backups")
        calls = {name: measure_calls(root, name, args.call_job_seconds)
                 for name in ("cbr", "vbs")}
    cbr_wall, vbs_wall = statistics.median(times["cbr"]), statistics.median(times["vbs"])
    print(f"vbstui backups --json from a served simulator (medians of {args.runs}, stdout to "
          f"a file; {bytecode.describe(args.compile_each_run)}; filling took {filled:.0f} s):")
    print(f"  {cbr_count:>6,} CBR backups   wall {cbr_wall:6.2f} s")
    print(f"  {vbs_count:>6,} VBS backups   wall {vbs_wall:6.2f} s")
    print(f"  CBR ÷ VBS: wall {cbr_wall / vbs_wall:.2f}")
    for name, diff in calls.items():
        detail = ", ".join(f"{route} {n}" for route, n in sorted(diff.items()) if n)
        print(f"calls for one {name.upper()} `backup create --wait` (a {args.call_job_seconds:g} s "
              "job, login included): "
              f"{sum(diff.values())} ({detail})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
