"""`vbstui volumes --json` at scale: wall time and peak RSS, this checkout ÷ a reference.

    python bench/volumes_json.py [REFERENCE_CHECKOUT] [--volumes 50000] [--runs 3]
                                 [--compile-each-run]

Serves one simulator with VOLUMES disks (`vbstui sim`, this checkout), then runs
`vbstui volumes --json` (stdout to a file, as a script would) from this checkout and,
when given, from REFERENCE_CHECKOUT (say, `git worktree add /tmp/ref HEAD`), pair by
pair so machine noise hits both alike. Each run's peak RSS is
`getrusage(RUSAGE_CHILDREN).ru_maxrss` taken in a small Python parent that only starts
vbstui: Linux counts the memory of the process that forks into the child's maximum, so
measuring from this script (which parses 100 MB of JSON) would inflate it. Every
output is parsed and its disks counted. `--jsonl` is measured for this checkout when it
has the option.  vbstui runs with its bytecode cached, as installed code does
(bench/bytecode.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bytecode
import httpx
from benchkit import DEMO_AUTH, Cli, served_sim

HERE = Path(__file__).resolve().parents[1]
NEXT_LINK = re.compile(rb'"volumes_links":\s*\[\s*\{\s*"href":\s*"([^"]+)"')
# The small parent: runs argv[2:], writes its children's peak RSS (KiB) to argv[1].
PARENT = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
          "open(sys.argv[1], 'w').write(str(resource.getrusage("
          "resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(code)")


def run(cli: Cli, checkout: Path, args: list[str], out: Path) -> tuple[float, float]:
    """One run: (wall seconds, peak RSS MiB); fails unless it exits 0."""
    env = {**cli.env, "PYTHONPATH": str(checkout)}
    peak = out.with_suffix(".rss")
    with out.open("wb") as sink:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PARENT, str(peak), *cli.base, *args],
                              cwd=checkout, env=env, stdout=sink, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, check=False, timeout=900)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: vbstui {' '.join(args)} exit {done.returncode}: "
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return wall, int(peak.read_text()) / 1024  # Linux reports KiB


def simulator_floor(url: str) -> float:
    """Seconds the simulator alone takes to serve every page (bodies read, not parsed):
    no client listing the disks one page after the other can be faster."""
    with httpx.Client(base_url=url, timeout=120) as client:
        login = client.post("/v3/auth/tokens", json=DEMO_AUTH)
        client.headers["X-Auth-Token"] = login.headers["X-Subject-Token"]
        project = login.json()["token"]["project"]["id"]
        href: str | None = f"/v2/{project}/cloudvolumes/detail?limit=1000"
        started = time.perf_counter()
        while href:
            body = client.get(href).content
            found = NEXT_LINK.search(body, max(0, body.rfind(b'"volumes_links"')))
            href = found[1].decode() if found else None
        return time.perf_counter() - started


def count_disks(out: Path, jsonl: bool) -> int:
    if jsonl:
        with out.open(encoding="utf-8") as lines:
            return sum(1 for line in lines if json.loads(line))
    return len(json.loads(out.read_text(encoding="utf-8"))["volumes"])


def has_option(checkout: Path, option: str) -> bool:
    help_text = subprocess.run([sys.executable, "-m", "vbstui", "volumes", "--help"],
                               cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
                               capture_output=True, text=True, check=False).stdout
    return option in help_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", type=Path, nargs="?")
    parser.add_argument("--volumes", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(bytecode.OPTION, action="store_true", help=bytecode.HELP)
    args = parser.parse_args()
    cases: list[tuple[str, Path, list[str]]] = [("this checkout --json", HERE,
                                                 ["volumes", "--json"])]
    if args.reference is not None:
        cases.append(("reference --json", args.reference.resolve(), ["volumes", "--json"]))
    if has_option(HERE, "--jsonl"):
        cases.append(("this checkout --jsonl", HERE, ["volumes", "--jsonl"]))
    results: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in cases}
    floors: list[float] = []
    with tempfile.TemporaryDirectory(prefix="vbstui-bench-") as tmp:
        root = Path(tmp)
        with served_sim("--volumes", str(args.volumes), log=root / "sim.log") as url:
            cli = Cli(root / "cli", url)
            cli.env = bytecode.child_env(cli.env, root / "pycache",
                                         compile_each_run=args.compile_each_run)
            out = root / "out.json"
            for _label, checkout, argv in cases:  # token into the cache, bytecode, warm sim
                run(cli, checkout, argv, out)
            for _ in range(args.runs):
                floors.append(simulator_floor(url))
                for label, checkout, argv in cases:
                    results[label].append(run(cli, checkout, argv, out))
                    found = count_disks(out, "--jsonl" in argv)
                    if found != args.volumes:
                        raise SystemExit(f"{label}: {found} disks listed, not {args.volumes}")
    medians = {label: (statistics.median(w for w, _ in runs),
                       statistics.median(r for _, r in runs)) for label, runs in results.items()}
    print(f"vbstui volumes, {args.volumes:,} disks from a served simulator "
          f"(medians of {args.runs}, stdout to a file; "
          f"{bytecode.describe(args.compile_each_run)}):")
    print(f"  {'simulator alone (floor)':24} wall {statistics.median(floors):6.2f} s")
    for label, (wall, rss) in medians.items():
        print(f"  {label:24} wall {wall:6.2f} s   peak RSS {rss:6.0f} MiB")
    if args.reference is not None:
        wall, rss = medians["this checkout --json"]
        ref_wall, ref_rss = medians["reference --json"]
        print(f"  this ÷ reference: wall {wall / ref_wall:.2f}, peak RSS {rss / ref_rss:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
