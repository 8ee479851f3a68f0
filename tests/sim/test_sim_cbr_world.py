"""CBR under faults, with one service or the other, and through a saved demo world."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cbrkit import login_cbr
from conftest import JOB_SECONDS
from simkit import auth_body

from vbstui.sim import FaultSpec, ManualClock, SimConfig, SimState, dump_world, load_world
from vbstui.sim.cbr_filters import BackupQuery, TaskQuery
from vbstui.sim.cbr_rules import parse_checkpoint
from vbstui.sim.cli import build_parser


def _checkpoint_body(vault_id: str, disk: str, name: str) -> dict[str, Any]:
    return {"checkpoint": {"vault_id": vault_id,
                           "parameters": {"resources": [disk], "name": name}}}


def test_a_dropped_checkpoint_answer_leaves_exactly_one_checkpoint(serve_sim: Any) -> None:
    served = serve_sim()
    with served.client() as client:
        cbr = login_cbr(client)
        vault = cbr.vault("default")
        disk = vault["resources"][0]["id"]
        before = served.state()["cbr"]["checkpoints"]
        served.sim.set_faults(FaultSpec.parse("drop=1,paths=checkpoints"))
        with pytest.raises(httpx.RemoteProtocolError):
            cbr.post("/checkpoints", json=_checkpoint_body(vault["id"], disk, "dropped"))
        served.sim.set_faults(FaultSpec())
        state = served.state()
        assert state["cbr"]["checkpoints"] == before + 1
        assert state["cbr"]["duplicates"] == []
        assert [b["name"] for b in cbr.backups(resource_id=disk, name="dropped")] == ["dropped"]


@pytest.mark.parametrize(("spec", "status", "processed"), [
    ("502=1", 502, True), ("504=1", 504, True), ("500=1", 500, False), ("503=1", 503, False),
    ("429=1", 429, False),
])
def test_gateway_faults_on_checkpoints(serve_sim: Any, spec: str, status: int,
                                       processed: bool) -> None:
    served = serve_sim()
    with served.client() as client:
        cbr = login_cbr(client)
        vault = cbr.vault("default")
        disk = vault["resources"][0]["id"]
        served.sim.set_faults(FaultSpec.parse(f"{spec},paths=checkpoints"))
        response = cbr.post("/checkpoints", json=_checkpoint_body(vault["id"], disk, "maybe"))
        assert response.status_code == status
        if status in {500, 503, 429}:
            assert response.json()["error_code"]
        served.sim.set_faults(FaultSpec())
        assert len(cbr.backups(name="maybe")) == (1 if processed else 0)


@pytest.mark.parametrize("kind", ["bad_id", "deep"])
def test_garbled_checkpoint_answers_after_the_checkpoint_was_made(serve_sim: Any,
                                                                   kind: str) -> None:
    served = serve_sim()
    with served.client() as client:
        cbr = login_cbr(client)
        vault = cbr.vault("default")
        disk = vault["resources"][0]["id"]
        served.sim.set_faults(FaultSpec.parse(f"{kind}=1,paths=checkpoints"))
        response = cbr.post("/checkpoints", json=_checkpoint_body(vault["id"], disk, "odd"))
        assert response.status_code == 200
        if kind == "bad_id":
            assert "\r\n" in response.json()["checkpoint"]["id"]
        served.sim.set_faults(FaultSpec())
        assert len(cbr.backups(name="odd")) == 1


def test_slow_answers_and_job_failures_reach_cbr(serve_sim: Any, clock: ManualClock) -> None:
    served = serve_sim()
    with served.client() as client:
        cbr = login_cbr(client)
        vault = cbr.vault("default")
        disk = vault["resources"][0]["id"]
        served.sim.set_faults(FaultSpec.parse("job_fail=1"))
        assert cbr.post("/checkpoints",
                        json=_checkpoint_body(vault["id"], disk, "doomed")).status_code == 200
        clock.advance(JOB_SECONDS + 1)
        task = cbr.tasks(resource_id=disk, status="failed")[0]
        assert task["error_info"]["code"].startswith("BackupService.")
        assert task["error_info"]["message"]
        assert cbr.backups(name="doomed")[0]["status"] == "error"


def _token(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/v3/auth/tokens", json=auth_body())
    client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
    return dict(response.json()["token"])


def test_a_cbr_only_project_has_no_vbs(serve_sim: Any) -> None:
    served = serve_sim(services="cbr")
    with served.client() as client:
        token = _token(client)
        types = {s["type"] for s in token["catalog"]}
        assert "cbr" in types and not types & {"vbsv2", "volume-backup"}
        pid = token["project"]["id"]
        for path in (f"/v2/{pid}/cloudbackups/quota", f"/v1/{pid}/jobs/x"):
            response = client.get(path)
            assert response.status_code == 404
            assert response.json()["error_code"] == "APIGW.0101"
        assert client.get(f"/v2/{pid}/backups/detail").json()["backups"] == []
        volumes = client.get(f"/v2/{pid}/cloudvolumes/detail").json()["volumes"]
        assert all("policy" not in v["metadata"] for v in volumes)
        assert all(v["status"] != "backing-up" for v in volumes[:60])
        assert login_cbr(client).vaults()
    assert served.state()["services"] == "cbr"


def test_a_vbs_only_project_has_no_cbr(serve_sim: Any) -> None:
    served = serve_sim(services="vbs")
    with served.client() as client:
        token = _token(client)
        assert "cbr" not in {s["type"] for s in token["catalog"]}
        response = client.get(f"/cbr/v3/{token['project']['id']}/vaults")
        assert response.status_code == 404 and response.json()["error_code"] == "APIGW.0101"
        assert client.get(f"/v2/{token['project']['id']}/cloudbackups/quota").status_code == 200
    assert served.state()["cbr"]["vaults"] == []


def test_the_command_line_takes_services() -> None:
    parser = build_parser()
    assert parser.parse_args([]).services == "both"
    assert parser.parse_args(["--services", "cbr"]).services == "cbr"
    with pytest.raises(SystemExit):
        parser.parse_args(["--services", "csbs"])
    with pytest.raises(ValueError, match="services"):
        SimConfig(services="csbs")


def _cbr_lists(sim: SimState) -> tuple[Any, ...]:
    return (sim.cbr.vault_page(filters={}, limit=1000, offset=0),
            sim.cbr.backup_page(BackupQuery()), sim.cbr.task_page(TaskQuery()))


def test_the_cbr_side_of_a_saved_world_round_trips_and_carries_on() -> None:
    clock = ManualClock()
    original = SimState(SimConfig(volumes=120, job_seconds=10, clock=clock))
    vault = next(v for v in original.cbr.vaults.values() if v.name == "default")
    disk = next(d for d in vault.resources if original.cbr._skip_reason(vault, d) is None)
    body = json.dumps(_checkpoint_body(vault.id, disk, "kept")).encode()
    checkpoint = original.cbr.create_checkpoint(parse_checkpoint(body))
    saved = dump_world(original)
    copy = SimState(SimConfig(volumes=120, job_seconds=10, clock=clock), generate=False)
    load_world(copy, saved)
    assert _cbr_lists(copy) == _cbr_lists(original)
    clock.advance(11)
    assert copy.cbr.checkpoint_view(checkpoint)["status"] == "available"
    assert copy.volume_view("http://sim.test", disk)["status"] in {"available", "in-use"}


@pytest.mark.parametrize(("table", "column", "value"), [
    ("vaults", 5, ["no-such-disk"]),
    ("backups", 3, "no-such-vault"),
    ("tasks", 4, "no-such-disk"),
    ("events", 3, "no-such-task"),
    ("vaults", 2, "big"),
])
def test_a_damaged_cbr_part_is_refused(table: str, column: int, value: object) -> None:
    clock = ManualClock()
    document = json.loads(dump_world(SimState(SimConfig(volumes=60, clock=clock))))
    document["cbr"][table][0][column] = value
    with pytest.raises(ValueError, match="cbr"):
        load_world(SimState(SimConfig(volumes=60, clock=clock), generate=False),
                   json.dumps(document).encode())


def test_generation_and_state_report_the_migration(serve_sim: Any) -> None:
    state = serve_sim().state()
    cbr = state["cbr"]
    assert {v["name"] for v in cbr["vaults"]} >= {"default", "daily-prod", "vault-nearly-full"}
    assert cbr["backups"] > 0 and state["backups"] > 0
    assert cbr["vbs_bound"] > 0
    assert cbr["tasks"].get("backup:running", 0) >= 1


def test_a_large_generated_project_keeps_every_vault_within_cbrs_limit() -> None:
    """At 3,000 disks a tenth of them would be 290 in `default`: past the 256 CBR allows.
    The vaults stop at the limit; the nearly full vault is still nearly full."""
    sim = SimState(SimConfig(volumes=3000, seed=7, clock=ManualClock()))
    vaults = {v["name"]: v for v in sim.snapshot()["cbr"]["vaults"]}
    assert {n: v["resources"] <= 256 for n, v in vaults.items()} == dict.fromkeys(vaults, True)
    assert vaults["default"]["resources"] == 256
    full = vaults["vault-nearly-full"]
    assert full["used_mb"] >= 0.9 * full["size_gb"] * 1024
