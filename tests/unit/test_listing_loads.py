"""A read-only listing loads only what it runs: the start-up of `vbstui --demo volumes`
stays short because job tracking, policy changes and the simulator's routes for
changes are loaded by the commands and requests that use them."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from listing_probe import demo_listing
from starlette.routing import Route

from vbstui.sim import SimConfig, create_app
from vbstui.sim.lazy_routes import LazyEndpoint

ROOT = Path(__file__).resolve().parents[2]

# Loaded by commands that start or follow jobs, change policies or vaults, share.
NOT_FOR_A_LISTING = (
    "sqlite3", "vbstui.jobs.tracker", "vbstui.local.journal", "vbstui.ops.runs",
    "vbstui.cloud.policies", "vbstui.cloud.policy_answers", "vbstui.cloud.policy_validation",
    "vbstui.ops.policy_links", "vbstui.sim.cbr_rules", "vbstui.sim.cbr_filters",
    "vbstui.sim.share_query", "vbstui.sim.policy_filters", "vbstui.sim.routes_cbr_vaults",
    "vbstui.sim.routes_cbr_backups", "vbstui.sim.routes_shares",
    "vbstui.sim.routes_policy_actions",
    "tenacity", "vbstui.cloud.retry_loop",  # only after a retryable failure
)


def test_a_demo_listing_loads_no_job_tracker_or_change_routes(tmp_path: Path) -> None:
    stdout, loaded = demo_listing(tmp_path)
    assert sorted(loaded & set(NOT_FOR_A_LISTING)) == []
    policies = [v["vbstui"]["policy"] for v in json.loads(stdout)["volumes"]]
    assert any(p and p["name"] for p in policies)  # the policy listing named them


def test_every_lazily_loaded_route_has_its_handler() -> None:
    """A misspelt handler name would only show on the first request for it."""
    app = create_app(SimConfig(volumes=1))
    lazy = [r for r in app.routes if isinstance(r, Route) and isinstance(r.app, LazyEndpoint)]
    assert len(lazy) > 20  # vault changes, CBR backups and tasks, policy actions, shares
    for route in lazy:
        assert isinstance(route.app, LazyEndpoint)
        module = route.app.handlers.module()
        assert callable(getattr(module, route.app.name, None)), (route.path, route.app.name)


def _dataclasses_without_docstring() -> list[str]:
    found = []
    for path in sorted((ROOT / "vbstui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ClassDef) and ast.get_docstring(node) is None
                    and any("dataclass" in ast.unparse(d) for d in node.decorator_list)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    return found


def test_every_dataclass_says_what_it_is() -> None:
    """Without a docstring `dataclass` builds one from `inspect.signature` at import."""
    assert _dataclasses_without_docstring() == []
