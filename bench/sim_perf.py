"""Measure `vbstui sim` start-up time, RSS and page latency (run by hand, not by pytest).

    python bench/sim_perf.py [VOLUMES]

Spawns the simulator as users do, times until the URL line appears, reads VmRSS from
/proc (Linux), then follows every `rel: next` link of the 1000-disk pages.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(volumes: int) -> None:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "vbstui.sim", "--port", "0", "--volumes", str(volumes)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        print(f"start-up to URL line: {time.perf_counter() - started:.2f} s ({url})")
        print(f"RSS after start: {_rss_mb(process.pid):.0f} MB")
        with httpx.Client(base_url=url, timeout=30) as client:
            login = client.post("/v3/auth/tokens", json={"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "demo", "password": "vbstui-demo",
                    "domain": {"name": "OTC-EU-DE-DEMO"}}}},
                "scope": {"project": {"name": "eu-de_demo"}}}})
            client.headers["X-Auth-Token"] = login.headers["X-Subject-Token"]
            pid = login.json()["token"]["project"]["id"]
            href: str | None = f"/v2/{pid}/cloudvolumes/detail?limit=1000"
            timings: list[float] = []
            size = 0
            while href:
                begin = time.perf_counter()
                response = client.get(href)
                timings.append(time.perf_counter() - begin)
                size = len(response.content)
                links = response.json().get("volumes_links") or []
                href = links[0]["href"] if links else None
            median = statistics.median(timings) * 1000
            print(f"{len(timings)} pages of 1000 disks: median {median:.1f} ms, "
                  f"max {max(timings) * 1000:.1f} ms, {size / 1e6:.1f} MB per page")
            begin = time.perf_counter()
            client.get(f"/v2/{pid}/cloudvolumes/detail", params={"status": "available"})
            print(f"status-filtered first page: {(time.perf_counter() - begin) * 1000:.1f} ms")
        print(f"RSS after paging: {_rss_mb(process.pid):.0f} MB")
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
