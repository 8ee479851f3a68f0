"""Restore jobs, failing jobs and the job endpoint, over a real socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import JOB_SECONDS
from simkit import Api, Served, login

from vbstui.sim import FaultSpec
from vbstui.sim.injector import CREATE_FAILURES

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
JOB_KEYS = {"status", "entities", "job_id", "job_type", "begin_time", "end_time",
            "error_code", "fail_reason"}


def _refused(response: Any, code: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code, response.text


def _restore(api: Api, backup_id: str, volume_id: str) -> Any:
    return api.post(f"/v2/{{pid}}/cloudbackups/{backup_id}/restore",
                    json={"restore": {"volume_id": volume_id}})


def _available_backup(api: Api, max_size: int) -> dict[str, Any]:
    return next(b for b in api.backups(status="available") if b["size"] <= max_size)


def test_restore_lifecycle(api: Api, served: Served) -> None:
    assert served.clock is not None
    target = api.pick_volume(min_size=100)
    backup = _available_backup(api, target["size"])
    response = _restore(api, backup["id"], target["id"])
    assert response.status_code == 200, response.text
    job_id = response.json()["job_id"]
    assert api.volume(target["id"])["status"] == "restoring-backup"
    assert api.get(f"/v2/{{pid}}/backups/{backup['id']}").json()["backup"]["status"] == (
        "restoring")
    job = api.job(job_id)
    assert set(job) == JOB_KEYS
    assert job["status"] == "INIT"
    assert job["job_type"] == "bksRestoreBackup"
    assert job["entities"] == {"volume_id": target["id"], "backup_id": backup["id"]}
    # Busy backup and busy disk refuse further work.
    _refused(_restore(api, backup["id"], target["id"]), "VolumeBackup.0089")
    _refused(api.create(target["id"], "while_restoring"), "VolumeBackup.0012")
    delete = api.delete(f"/v2/{{pid}}/backups/{backup['id']}")
    assert delete.status_code == 400 and "badRequest" in delete.json()

    served.clock.advance(JOB_SECONDS * 0.5)
    assert api.job(job_id)["status"] == "RUNNING"
    served.clock.advance(JOB_SECONDS)
    job = api.job(job_id)
    assert job["status"] == "SUCCESS" and job["end_time"]
    assert api.volume(target["id"])["status"] == "available"
    assert api.get(f"/v2/{{pid}}/backups/{backup['id']}").json()["backup"]["status"] == (
        "available")


def test_restore_refusals(api: Api, served: Served) -> None:
    assert served.clock is not None
    small = api.pick_volume(max_size=40)
    big_backup = next(b for b in api.backups(status="available") if b["size"] > small["size"])
    _refused(_restore(api, big_backup["id"], small["id"]), "VolumeBackup.0209")

    # The state refusals below come before the size check, so any size will do.
    backup = min(api.backups(status="available"), key=lambda b: b["size"])
    _refused(_restore(api, UNKNOWN_ID, small["id"]), "VolumeBackup.0111", 404)
    _refused(_restore(api, backup["id"], UNKNOWN_ID), "VolumeBackup.0111", 404)
    _refused(_restore(api, backup["id"], api.volumes(status="error")[0]["id"]),
             "VolumeBackup.0202")
    _refused(_restore(api, backup["id"], api.pick_volume("in-use")["id"]),
             "VolumeBackup.0205")
    _refused(_restore(api, backup["id"], api.volumes(status="creating")[0]["id"]),
             "VolumeBackup.0205")
    _refused(_restore(api, backup["id"], api.volumes(status="backing-up")[0]["id"]),
             "VolumeBackup.0206")
    error_backup = api.backups(status="error")[0]
    _refused(_restore(api, error_backup["id"], small["id"]), "VolumeBackup.0089")

    # A disk whose own create job runs: 0206 even before the backup record exists.
    busy = api.pick_volume(skip={small["id"]})
    assert api.create(busy["id"], "busy").status_code == 200
    _refused(_restore(api, backup["id"], busy["id"]), "VolumeBackup.0206")


@pytest.mark.parametrize(("backup_id", "payload", "code"), [
    ("%20", {"restore": {"volume_id": UNKNOWN_ID}}, "VolumeBackup.0203"),
    ("not-a-uuid", {"restore": {"volume_id": UNKNOWN_ID}}, "VolumeBackup.0204"),
    (UNKNOWN_ID, {"restore": {}}, "VolumeBackup.0208"),
    (UNKNOWN_ID, {"restore": {"volume_id": "nope"}}, "VolumeBackup.0208"),
    (UNKNOWN_ID, {"restore": "x"}, "VolumeBackup.0210"),
    (UNKNOWN_ID, {}, "VolumeBackup.0210"),
    (UNKNOWN_ID, None, "VolumeBackup.0210"),
])
def test_malformed_restore(api: Api, backup_id: str, payload: Any, code: str) -> None:
    url = f"/v2/{{pid}}/cloudbackups/{backup_id}/restore"
    response = (api.post(url, content=b"garbage") if payload is None
                else api.post(url, json=payload))
    _refused(response, code)


def test_unknown_job_is_404(api: Api) -> None:
    response = api.get("/v1/{pid}/jobs/" + "0" * 32)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "common.0011"


def test_failing_create_job(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(faults=FaultSpec.parse("job_fail=1"))
    assert served.clock is not None
    with served.client() as client:
        api = login(client)
        volume = api.pick_volume("in-use")
        job_id = api.create(volume["id"], "doomed").json()["job_id"]
        served.clock.advance(JOB_SECONDS * 0.5)
        assert api.job(job_id)["status"] == "RUNNING"
        served.clock.advance(JOB_SECONDS)
        job = api.job(job_id)
        assert set(job) == JOB_KEYS
        assert job["status"] == "FAIL"
        assert (job["error_code"], job["fail_reason"]) in CREATE_FAILURES
        assert job["end_time"]
        (backup,) = api.backups(volume_id=volume["id"], name="doomed")
        assert backup["id"] == job["entities"]["backup_id"]
        assert backup["status"] == "error"
        assert backup["fail_reason"] == job["fail_reason"]
        # The disk is usable again, and the failed backup can be deleted.
        assert api.volume(volume["id"])["status"] == "in-use"
        assert api.delete(f"/v2/{{pid}}/backups/{backup['id']}").status_code == 202


def test_failing_restore_job(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim()
    assert served.clock is not None
    with served.client() as client:
        api = login(client)
        target = api.pick_volume(min_size=100)
        backup = _available_backup(api, target["size"])
        served.sim.set_faults(FaultSpec(job_fail=1.0))
        job_id = _restore(api, backup["id"], target["id"]).json()["job_id"]
        served.clock.advance(JOB_SECONDS + 1)
        job = api.job(job_id)
        assert (job["status"], job["error_code"]) == ("FAIL", "VolumeBackup.0200")
        assert api.volume(target["id"])["status"] == "error_restoring"
        assert api.get(f"/v2/{{pid}}/backups/{backup['id']}").json()["backup"]["status"] == (
            "available")


def test_job_failure_rate_is_seeded(serve_sim: Callable[..., Served]) -> None:
    outcomes = []
    for _ in range(2):
        served = serve_sim(faults=FaultSpec.parse("job_fail=0.5,seed=3"), volumes=300)
        assert served.clock is not None
        with served.client() as client:
            api = login(client)
            near = {e["volume_id"] for e in api.state()["near_limit"]}
            volumes = [v for v in api.volumes(status="available") if v["id"] not in near][:12]
            jobs = [api.create(v["id"], "coin").json()["job_id"] for v in volumes]
            served.clock.advance(JOB_SECONDS + 1)
            outcomes.append([api.job(j)["status"] for j in jobs])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {"SUCCESS", "FAIL"}


def test_seeded_jobs_finish(api: Api, served: Served) -> None:
    assert served.clock is not None
    seeded = served.state()["seeded_jobs"]
    assert {api.job(j)["status"] for j in seeded} == {"RUNNING"}
    served.clock.advance(JOB_SECONDS * 2)
    assert {api.job(j)["status"] for j in seeded} == {"SUCCESS"}
    state = served.state()
    assert "backing-up" not in state["volumes_by_status"]
    assert "restoring-backup" not in state["volumes_by_status"]
    assert "creating" not in state["backups_by_status"]
