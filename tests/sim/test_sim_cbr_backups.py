"""Backing up into a vault over the simulated clock: checkpoints, skipped disks, backups
and their listing, capacity, restore and delete tasks in the operation log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cbrkit import MISSING, Cbr, error_of, login_cbr
from conftest import JOB_SECONDS
from simkit import Served

from vbstui.sim import ManualClock


@pytest.fixture
def cbr(served: Served) -> Iterator[Cbr]:
    with served.client() as client:
        yield login_cbr(client)


def idle_disk(cbr: Cbr, vault: dict[str, Any], status: str = "in-use") -> str:
    for resource in vault["resources"]:
        if resource["protect_status"] == "available" and \
                cbr.api.volume(resource["id"])["status"] == status:
            return str(resource["id"])
    raise AssertionError(f"no idle {status} disk in {vault['name']}")


def test_a_checkpoint_backs_up_the_disk_and_skips_what_it_cannot(cbr: Cbr,
                                                                 served: Served) -> None:
    vault = cbr.vault("default")
    disk = idle_disk(cbr, vault)
    outsider = cbr.vault("daily-prod")["resources"][0]["id"]
    response = cbr.checkpoint(vault["id"], [disk, outsider], name="nightly_1",
                              description="before upgrade", incremental=False)
    assert response.status_code == 200, response.text
    checkpoint = response.json()["checkpoint"]
    assert checkpoint["status"] == "protecting"
    assert checkpoint["created_at"].endswith("+00:00")
    assert [r["id"] for r in checkpoint["vault"]["resources"]] == [disk]
    skipped = checkpoint["vault"]["skipped_resources"]
    assert [(s["id"], s["code"]) for s in skipped] == [(outsider, "BackupService.6135")]
    assert skipped[0]["reason"]
    backups = cbr.backups(checkpoint_id=checkpoint["id"])
    assert [(b["resource_id"], b["status"], b["name"]) for b in backups] == \
        [(disk, "protecting", "nightly_1")]
    assert cbr.api.volume(disk)["status"] == "backing-up"
    again = cbr.checkpoint(vault["id"], [disk], name="nightly_2")
    assert error_of(again) == "BackupService.0001"  # its only disk is busy
    assert "BackupService.6125" in again.json()["error_msg"]
    assert served.clock is not None
    served.clock.advance(JOB_SECONDS + 1)
    done = cbr.get(f"/backups/{backups[0]['id']}").json()["backup"]
    assert done["status"] == "available"
    assert done["extend_info"]["incremental"] is False
    assert cbr.get(f"/checkpoints/{checkpoint['id']}").json()["checkpoint"]["status"] == \
        "available"
    assert cbr.api.volume(disk)["status"] == "in-use"
    task = cbr.tasks(operation_type="backup", resource_id=disk)[0]
    assert task["status"] == "success" and task["extra_info"]["common"]["progress"] == 100
    assert task["error_info"] == {"code": "", "message": ""}
    assert task["extra_info"]["backup"]["backup_id"] == done["id"]


def test_progress_of_a_running_backup_task_moves_with_the_clock(cbr: Cbr,
                                                               served: Served) -> None:
    vault = cbr.vault("default")
    disk = idle_disk(cbr, vault)
    assert cbr.checkpoint(vault["id"], [disk], name="slow").status_code == 200
    assert served.clock is not None
    served.clock.advance(JOB_SECONDS / 2)
    task = cbr.tasks(resource_id=disk, status="running")[0]
    assert 0 < task["extra_info"]["common"]["progress"] < 100
    assert task["ended_at"] is None


def test_capacity_is_taken_by_a_backup_and_a_full_vault_refuses(cbr: Cbr,
                                                                served: Served) -> None:
    vault = cbr.vault("vault-nearly-full")
    free_mb = vault["billing"]["size"] * 1024 - vault["billing"]["used"]
    disk = max(vault["resources"], key=lambda r: int(r["size"]))
    assert int(disk["size"]) * 1024 > free_mb
    response = cbr.checkpoint(vault["id"], [disk["id"]], name="too_big", incremental=False)
    assert response.status_code == 200
    assert served.clock is not None
    served.clock.advance(JOB_SECONDS + 1)
    backup = cbr.backups(vault_id=vault["id"], name="too_big")[0]
    assert backup["status"] == "error"
    task = cbr.tasks(vault_id=vault["id"], status="failed")[0]
    assert task["error_info"]["code"] == "BackupService.6114"
    assert cbr.vault("vault-nearly-full")["billing"]["used"] == vault["billing"]["used"]


def test_a_vault_with_no_room_left_refuses_a_checkpoint(cbr: Cbr, served: Served) -> None:
    vault = cbr.vault("vault-nearly-full")
    used_gb = -(-vault["billing"]["used"] // 1024)
    sim = served.sim
    with sim.lock:
        sim.cbr.vaults[vault["id"]].size_gb = used_gb - 1
    response = cbr.checkpoint(vault["id"], name="none")
    assert response.status_code == 400 and error_of(response) == "BackupService.6114"


@pytest.mark.parametrize(("parameters", "code"), [
    ({"name": "has space"}, "BackupService.9900"),
    ({"name": "n" * 65}, "BackupService.9900"),
    ({"description": "d" * 256}, "BackupService.9900"),
    ({"incremental": "true"}, "BackupService.9900"),
    ({"resources": ["not-a-uuid"]}, "BackupService.9900"),
])
def test_bad_checkpoint_parameters_are_refused(cbr: Cbr, parameters: dict[str, Any],
                                               code: str) -> None:
    vault = cbr.vault("default")
    before = len(cbr.backups())
    assert error_of(cbr.checkpoint(vault["id"], **parameters)) == code
    assert len(cbr.backups()) == before


def test_a_checkpoint_into_an_unknown_vault_is_404(cbr: Cbr) -> None:
    response = cbr.checkpoint(MISSING, name="x")
    assert response.status_code == 404 and error_of(response) == "BackupService.6105"


def test_backups_filter_sort_page_and_count(cbr: Cbr) -> None:
    vault = cbr.vault("default")
    everything = cbr.get("/backups", params={"vault_id": vault["id"]}).json()
    assert everything["count"] == len(everything["backups"]) > 2
    created = [b["created_at"] for b in everything["backups"]]
    assert created == sorted(created, reverse=True)
    oldest = cbr.backups(vault_id=vault["id"], sort="created_at:asc")
    assert [b["id"] for b in oldest] == [b["id"] for b in reversed(everything["backups"])]
    page = cbr.get("/backups", params={"vault_id": vault["id"], "limit": 2, "offset": 1}).json()
    assert page["count"] == everything["count"]
    assert [b["id"] for b in page["backups"]] == [b["id"] for b in everything["backups"][1:3]]
    disk = everything["backups"][0]["resource_id"]
    assert {b["resource_id"] for b in cbr.backups(resource_id=disk)} == {disk}
    assert {b["status"] for b in cbr.backups(status=["available", "error"])} <= \
        {"available", "error"}
    for params in ({"limit": 1001}, {"limit": 0}, {"offset": -1}, {"sort": "size:desc"},
                   {"status": "creating"}, {"start_time": everything["backups"][0]["created_at"]}):
        assert error_of(cbr.get("/backups", params=params)) == "BackupService.9900", params
    assert cbr.backups(start_time="2100-01-01T00:00:00Z") == []
    missing = cbr.get(f"/backups/{MISSING}")
    assert missing.status_code == 404 and error_of(missing) == "BackupService.6200"


def detach(served: Served, volume_id: str) -> None:
    sim = served.sim
    with sim.lock:
        volume = sim._volumes_by_id[volume_id]
        volume.server = None
        sim._set_status(volume, "available", sim.clock())


def test_a_restore_runs_to_its_end_and_is_logged(cbr: Cbr, served: Served) -> None:
    backup = cbr.backups(vault_id=cbr.vault("default")["id"], status="available")[0]
    disk = backup["resource_id"]
    if cbr.api.volume(disk)["status"] != "available":
        in_use = cbr.post(f"/backups/{backup['id']}/restore",
                          json={"restore": {"volume_id": disk}})
        assert error_of(in_use) == "BackupService.2011"
        detach(served, disk)
    response = cbr.post(f"/backups/{backup['id']}/restore", json={"restore": {"volume_id": disk}})
    assert response.status_code == 202 and response.content == b""
    assert cbr.api.volume(disk)["status"] == "restoring-backup"
    assert cbr.get(f"/backups/{backup['id']}").json()["backup"]["status"] == "restoring"
    assert error_of(cbr.post(f"/backups/{backup['id']}/restore",
                             json={"restore": {"volume_id": disk}})) == "BackupService.2005"
    assert served.clock is not None
    served.clock.advance(JOB_SECONDS + 1)
    assert cbr.api.volume(disk)["status"] == "available"
    task = cbr.tasks(operation_type="restore", resource_id=disk)[0]
    assert task["status"] == "success"
    assert task["extra_info"]["restore"]["target_resource_id"] == disk


def test_a_restore_checks_its_target(cbr: Cbr) -> None:
    backup = cbr.backups(vault_id=cbr.vault("default")["id"], status="available")[0]
    other = next(d["id"] for d in cbr.api.volumes() if d["id"] != backup["resource_id"])
    cases = [
        (backup["id"], {"restore": {"volume_id": other}}, "BackupService.2003"),
        (backup["id"], {"restore": {"volume_id": MISSING}}, "BackupService.7000"),
        (backup["id"], {"restore": {}}, "BackupService.9900"),
        (MISSING, {"restore": {"volume_id": other}}, "BackupService.6200"),
    ]
    for backup_id, body, code in cases:
        response = cbr.post(f"/backups/{backup_id}/restore", json=body)
        assert error_of(response) == code, body


def test_a_delete_is_a_task_that_frees_capacity(cbr: Cbr, served: Served) -> None:
    vault = cbr.vault("default")
    backup = cbr.backups(vault_id=vault["id"], status="available")[0]
    response = cbr.delete(f"/backups/{backup['id']}")
    assert response.status_code == 204
    assert cbr.get(f"/backups/{backup['id']}").json()["backup"]["status"] == "deleting"
    assert error_of(cbr.delete(f"/backups/{backup['id']}")) == "BackupService.6216"
    assert served.clock is not None
    served.clock.advance(served.sim.config.delete_seconds + 1)
    assert cbr.get(f"/backups/{backup['id']}").status_code == 404
    assert cbr.vault("default")["billing"]["used"] < vault["billing"]["used"]
    task = cbr.tasks(operation_type="delete", vault_id=vault["id"])[0]
    assert task["status"] == "success"
    assert task["extra_info"]["delete"]["backup_id"] == backup["id"]


def test_operation_logs_page_and_refuse_bad_filters(cbr: Cbr) -> None:
    everything = cbr.get("/operation-logs").json()
    assert everything["count"] == len(everything["operation_logs"]) > 3
    page = cbr.get("/operation-logs", params={"limit": 2, "offset": 1}).json()
    assert [t["id"] for t in page["operation_logs"]] == \
        [t["id"] for t in everything["operation_logs"][1:3]]
    one = everything["operation_logs"][0]
    assert cbr.get(f"/operation-logs/{one['id']}").json()["operation_log"]["id"] == one["id"]
    assert error_of(cbr.get(f"/operation-logs/{MISSING}")) == "BackupService.6500"
    for params in ({"operation_type": "explode"}, {"status": "done"}, {"limit": 5000}):
        assert error_of(cbr.get("/operation-logs", params=params)) == "BackupService.9900"


def test_the_first_disks_in_vaults_back_up_cleanly_with_cbr(serve_sim: Any,
                                                            clock: ManualClock) -> None:
    served = serve_sim(services="cbr")
    with served.client() as client:
        cbr = login_cbr(client)
        first = [d["id"] for d in cbr.api.volumes(limit=40)]
        for vault in cbr.vaults():
            mine = [r["id"] for r in vault["resources"] if r["id"] in first]
            if mine:
                response = cbr.checkpoint(vault["id"], mine, name="first_try")
                assert response.json()["checkpoint"]["vault"]["skipped_resources"] == []
        clock.advance(JOB_SECONDS + 1)
        mine = cbr.backups(name="first_try")
        assert mine and {b["status"] for b in mine} == {"available"}
