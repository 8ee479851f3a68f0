"""Creating backups: every documented refusal, the job lifecycle and its side effects."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import JOB_SECONDS
from simkit import Api, Served, login

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
NAME_OK = "nightly_backup-01"


def _refused(response: Any, code: str, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    return dict(error)


def _body(volume_id: str, **fields: Any) -> dict[str, Any]:
    return {"backup": {"volume_id": volume_id, "name": NAME_OK, **fields}}


@pytest.mark.parametrize(("payload", "code"), [
    (b"not json", "VolumeBackup.0002"),
    (b"[]", "VolumeBackup.0002"),
    (b"{}", "VolumeBackup.0002"),
    (b'{"backup": "x"}', "VolumeBackup.0002"),
])
def test_malformed_bodies(api: Api, payload: bytes, code: str) -> None:
    _refused(api.post("/v2/{pid}/cloudbackups", content=payload), code)


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"name": 123}, "VolumeBackup.0002"),
    ({"description": 5}, "VolumeBackup.0002"),
    ({"extend_param": "full"}, "VolumeBackup.0002"),
    ({"extend_param": {"FullBackup": True}}, "VolumeBackup.0002"),
    ({"extend_param": {"FullBackup": "yes"}}, "VolumeBackup.0002"),
    ({"snapshot_id": 7}, "VolumeBackup.0002"),
    ({"name": "a" * 65}, "VolumeBackup.0003"),
    ({"name": "with space"}, "VolumeBackup.0004"),
    ({"name": "dotted.name"}, "VolumeBackup.0004"),
    ({"name": "ümlaut"}, "VolumeBackup.0004"),
    ({"name": "autobackup"}, "VolumeBackup.0005"),
    ({"name": "auto"}, "VolumeBackup.0005"),
    ({"description": "d" * 65}, "VolumeBackup.0006"),
    ({"description": "<b>bold"}, "VolumeBackup.0006"),
    ({"description": "a > b"}, "VolumeBackup.0006"),
    ({"name": ""}, "VolumeBackup.0007"),
    ({"name": None}, "VolumeBackup.0007"),
    ({"volume_id": ""}, "VolumeBackup.0010"),
    ({"volume_id": None}, "VolumeBackup.0010"),
    ({"volume_id": "not-a-uuid"}, "VolumeBackup.0011"),
    ({"volume_id": 42}, "VolumeBackup.0011"),
    ({"tags": "k=v"}, "VolumeBackup.0049"),
    ({"tags": ["k"]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "", "value": "v"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k" * 37, "value": "v"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k", "value": "v" * 44}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k", "value": 5}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "a=b", "value": "v"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k", "value": "x/y"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "line\nbreak", "value": "v"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k", "value": "a|b"}]}, "VolumeBackup.0049"),
    ({"tags": [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]},
     "VolumeBackup.0049"),
    ({"tags": [{"key": f"k{i}", "value": "v"} for i in range(11)]}, "VolumeBackup.0050"),
]


@pytest.mark.parametrize(("fields", "code"), BAD_FIELDS,
                         ids=[f"{code[-4:]}-{i}" for i, (_, code) in enumerate(BAD_FIELDS)])
def test_field_rules(api: Api, fields: dict[str, Any], code: str) -> None:
    volume = api.pick_volume()
    body = _body(volume["id"])
    body["backup"].update(fields)
    _refused(api.post("/v2/{pid}/cloudbackups", json=body), code)
    assert api.volume(volume["id"])["status"] == "available"


def test_missing_name_and_volume_id(api: Api) -> None:
    _refused(api.post("/v2/{pid}/cloudbackups", json={"backup": {"volume_id": UNKNOWN_ID}}),
             "VolumeBackup.0007")
    _refused(api.post("/v2/{pid}/cloudbackups", json={"backup": {"name": NAME_OK}}),
             "VolumeBackup.0010")


def test_limits_are_inclusive(api: Api) -> None:
    volume = api.pick_volume()
    tags = [{"key": "k" * 36, "value": "v" * 43}] + [
        {"key": f"k{i}", "value": ""} for i in range(9)]
    response = api.create(volume["id"], "n" * 64, description="d" * 64, tags=tags,
                          extend_param={"FullBackup": "false"}, snapshot_id=None)
    assert response.status_code == 200, response.text


def test_unknown_disk_is_0021(api: Api) -> None:
    _refused(api.create(UNKNOWN_ID, NAME_OK), "VolumeBackup.0021", 404)


@pytest.mark.parametrize("status", ["error", "creating"])
def test_disk_in_wrong_status_is_0012(api: Api, status: str) -> None:
    volume = api.volumes(status=status)[0]
    _refused(api.create(volume["id"], NAME_OK), "VolumeBackup.0012")


def test_seeded_backing_up_disk_is_0013(api: Api) -> None:
    volume = api.volumes(status="backing-up")[0]
    _refused(api.create(volume["id"], NAME_OK), "VolumeBackup.0013")


def test_create_lifecycle(api: Api, served: Served) -> None:
    assert served.clock is not None
    volume = api.pick_volume("in-use", fresh=True)
    response = api.create(volume["id"], "lifecycle", description="first",
                          tags=[{"key": "team", "value": "ops"}])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    (job_id,) = response.json().values()
    assert re.fullmatch(r"[0-9a-f]{32}", job_id)
    assert api.volume(volume["id"])["status"] == "backing-up"

    job = api.job(job_id)
    assert job["status"] == "INIT"
    assert job["job_type"] == "bksCreateBackup"
    assert job["end_time"] is None and job["error_code"] is None and job["fail_reason"] is None
    assert job["entities"]["volume_id"] == volume["id"]
    assert "backup_id" not in job["entities"]
    assert api.backups(volume_id=volume["id"]) == []
    # A second request while the first job runs: 0013, not 0012, although backing-up.
    _refused(api.create(volume["id"], "again"), "VolumeBackup.0013")

    served.clock.advance(JOB_SECONDS * 0.2)
    job = api.job(job_id)
    assert job["status"] == "RUNNING"
    (backup,) = api.backups(volume_id=volume["id"])
    assert job["entities"]["backup_id"] == backup["id"]
    assert job["entities"]["snapshot_id"] == backup["snapshot_id"]
    assert job["entities"]["bks_create_volume_name"] == "lifecycle"
    assert backup["status"] == "creating"
    assert backup["name"] == "lifecycle"
    assert backup["size"] == volume["size"]
    assert json.loads(backup["description"]) == {"DESC": "first", "INC": 0}
    assert isinstance(backup["service_metadata"], str)
    assert json.loads(backup["service_metadata"])["progress"] in {str(n) for n in range(100)}

    served.clock.advance(JOB_SECONDS)
    job = api.job(job_id)
    assert job["status"] == "SUCCESS"
    assert job["end_time"] and job["end_time"].endswith("Z")
    assert job["begin_time"] < job["end_time"]
    detail = api.get(f"/v2/{{pid}}/backups/{backup['id']}").json()["backup"]
    assert detail["status"] == "available"
    assert api.volume(volume["id"])["status"] == "in-use"


def test_incremental_flag(api: Api, served: Served) -> None:
    assert served.clock is not None
    volume = api.pick_volume(fresh=True)

    def backup_and_finish(name: str, **extra: Any) -> dict[str, Any]:
        job_id = api.create(volume["id"], name, **extra).json()["job_id"]
        served.clock.advance(JOB_SECONDS + 1)
        backup_id = api.job(job_id)["entities"]["backup_id"]
        return dict(api.get(f"/v2/{{pid}}/backups/{backup_id}").json()["backup"])

    first = backup_and_finish("first")
    second = backup_and_finish("second")
    full = backup_and_finish("third", extend_param={"FullBackup": "true"})
    assert [json.loads(b["description"])["INC"] for b in (first, second, full)] == [0, 1, 0]
    assert [b["is_incremental"] for b in (first, second, full)] == [False, True, False]
    assert api.volume(volume["id"])["status"] == "available"


def test_twenty_backups_per_disk_is_0040(api: Api, served: Served) -> None:
    assert served.clock is not None
    near = {entry["backups"]: entry for entry in served.state()["near_limit"]}
    assert set(near) == {20, 19, 18}
    _refused(api.create(near[20]["volume_id"], NAME_OK), "VolumeBackup.0040")
    assert len(api.backups(volume_id=near[20]["volume_id"])) == 20
    almost = near[19]["volume_id"]
    assert api.create(almost, "the_twentieth").status_code == 200
    served.clock.advance(JOB_SECONDS + 1)
    _refused(api.create(almost, "one_too_many"), "VolumeBackup.0040")


def test_backup_count_quota_is_0080(serve_sim: Callable[..., Served]) -> None:
    probe = serve_sim()
    used = probe.state()["backups"]
    served = serve_sim(backup_quota=used + 1)
    with served.client() as client:
        api = login(client)
        assert api.quota()["backups"]["quota"] == used + 1
        first = api.pick_volume()
        assert api.create(first["id"], NAME_OK).status_code == 200
        # The running job's future backup is reserved against the quota.
        assert api.quota()["backups"]["reserved"] == 1
        other = api.pick_volume(skip={first["id"]})
        _refused(api.create(other["id"], NAME_OK), "VolumeBackup.0080")


def test_capacity_quota_is_0081(serve_sim: Callable[..., Served]) -> None:
    probe = serve_sim()
    used_gb = probe.state()["backup_gigabytes"]
    served = serve_sim(capacity_quota_gb=used_gb + 15)
    with served.client() as client:
        api = login(client)
        big = api.pick_volume(min_size=16)
        _refused(api.create(big["id"], NAME_OK), "VolumeBackup.0081")
        small = api.pick_volume(max_size=15)
        assert api.create(small["id"], NAME_OK).status_code == 200
        quota = api.quota()["backup_gigabytes"]
        assert quota["quota"] == used_gb + 15
        assert quota["reserved"] == small["size"]


def test_backup_name_rules_do_not_touch_the_disk(api: Api) -> None:
    volume = api.pick_volume()
    before = api.state()["create_backup_posts"]
    _refused(api.create(volume["id"], "auto_nope"), "VolumeBackup.0005")
    state = api.state()
    assert state["create_backup_posts"] == before + 1
    assert all(entry["name"] != "auto_nope" for entry in state["created_backups"])
    assert api.volume(volume["id"])["status"] == "available"
