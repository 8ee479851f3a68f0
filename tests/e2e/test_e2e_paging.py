"""`vbstui volumes --json` of many disks from a served simulator: after the first page the
pages are asked for by offset, several at once (issue 14), and still every disk is
written once, in the server's order, whether the output is one document or JSON lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from e2ekit import assert_no_traceback, cli_for

VOLUME_PAGES = "GET /v2/{project_id}/cloudvolumes/detail"


def test_a_listing_of_many_pages_has_every_disk_once_in_order(tmp_path: Path,
                                                                sims: Any) -> None:
    sim = sims("--volumes", "4500", name="paging")
    served = [v["id"] for v in sim.volumes()]
    cli = cli_for(tmp_path / "cli", sim)
    before = sim.requests().get(VOLUME_PAGES, 0)
    result = cli.run("volumes", "--json")
    assert result.rc == 0, result
    assert_no_traceback(result)
    data = result.json()
    assert [v["id"] for v in data["volumes"]] == served
    assert data["count"] == 4500
    # Five pages of 1,000 with one disk of overlap each: 1,000 + 4 × 999 ≥ 4,500.
    assert sim.requests().get(VOLUME_PAGES, 0) - before == 5

    lines = cli.run("volumes", "--jsonl")
    assert lines.rc == 0, lines
    assert [json.loads(line)["id"] for line in lines.out.splitlines()] == served
