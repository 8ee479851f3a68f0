"""Contract tests: sharing backups between the two simulated projects, the refusal to
delete a shared backup, and `has_dependent_backups` on the native backup listing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from simkit import Api, Served, auth_body, login, serve_in_thread

from vbstui.sim import ManualClock, SimConfig

JOB = 10.0
PEER = "eu-de_partner"
STRANGER = "722513ed0a324dadaabe5b2d0fe848c9"


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def served(clock: ManualClock) -> Iterator[Served]:
    stopping: list[threading.Thread] = []
    config = SimConfig(clock=clock, job_seconds=JOB, delete_seconds=1.0, volumes=120)
    with serve_in_thread(config, stopping) as served:
        yield served
    for thread in stopping:
        thread.join(10)


@pytest.fixture(scope="module")
def api(served: Served) -> Iterator[Api]:
    with served.client() as client:
        yield login(client)


@pytest.fixture(scope="module")
def peer(served: Served) -> Iterator[Api]:
    with served.client() as client:
        response = client.post("/v3/auth/tokens",
                               json=auth_body(scope={"project": {"name": PEER}}))
        assert response.status_code == 201, response.text
        client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        project = response.json()["token"]["project"]
        assert project["name"] == PEER
        yield Api(client, project["id"])


def shares(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/v2/{pid}/os-vendor-backup-sharing/detail", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["shared"])


def share(api: Api, backup_id: str, *to: str) -> httpx.Response:
    return api.post("/v2/{pid}/os-vendor-backup-sharing",
                    json={"shared": {"backup_id": backup_id, "to_project_ids": list(to)}})


def own_backup(api: Api, served: Served, name: str) -> dict[str, Any]:
    """A new available backup of a quiet disk of `api`'s project."""
    held = set(served.sim.cbr.vault_of)
    disk = api.pick_volume("available", fresh=True, skip=held)
    job = api.create(disk["id"], name).json()["job_id"]
    served.clock.advance(JOB + 1)  # type: ignore[union-attr]
    return api.backups(volume_id=disk["id"], name=name)[0] | {"job": api.job(job)}


def test_the_second_project_is_a_project_of_its_own(api: Api, peer: Api,
                                                    served: Served) -> None:
    assert peer.pid != api.pid
    assert served.state()["peer_project_id"] == peer.pid
    mine = {v["id"] for v in api.volumes(limit=1000)}
    theirs = {v["id"] for v in peer.volumes()}
    assert theirs and not mine & theirs
    foreign = peer.client.get(f"/v2/{api.pid}/cloudvolumes/detail")
    assert foreign.status_code == 403


def test_the_demo_backup_shared_with_the_second_project_is_seen_from_both_sides(
        api: Api, peer: Api) -> None:
    (given,) = shares(api)
    assert given["from_project_id"] == api.pid and given["to_project_id"] == peer.pid
    (received,) = shares(peer, share_to_me="true")
    assert received["id"] == given["id"]
    backup = received["backup"]
    assert backup["status"] == "available" and backup["has_dependent_backups"] is False
    assert {"volume_id", "size", "name", "created_at", "service_metadata"} <= set(backup)
    assert shares(peer) == []  # the partner shares nothing itself
    detail = peer.get(f"/v2/{{pid}}/os-vendor-backup-sharing/{given['id']}").json()["shared"]
    assert detail["backup_id"] == given["backup_id"] and detail["backup"]["id"] == \
        given["backup_id"]
    count = peer.get("/v2/{pid}/os-vendor-backup-sharing/count",
                     params={"share_to_me": "true"}).json()
    assert count == {"count": 1}


def test_share_rules_are_enforced_and_nothing_half_done(api: Api, peer: Api,
                                                        served: Served) -> None:
    backup = own_backup(api, served, "share-rules")
    before = shares(api)
    for targets, status in (((api.pid,), 400), (("not-a-project",), 400), ((), 400),
                            ((peer.pid, peer.pid), 400)):
        response = share(api, backup["id"], *targets)
        assert response.status_code == status, (targets, response.text)
        assert response.json()["badRequest"]["message"]
    missing = share(api, "0f187b65-8d0e-4fc0-9096-3b55d330531e", peer.pid)
    assert missing.status_code == 404 and "itemNotFound" in missing.json()
    foreign = share(peer, backup["id"], STRANGER)  # not the partner's backup
    assert foreign.status_code == 404
    assert shares(api) == before

    made = share(api, backup["id"], peer.pid, STRANGER)
    assert made.status_code == 200, made.text
    entries = made.json()["shared"]
    assert [e["to_project_id"] for e in entries] == [peer.pid, STRANGER]
    assert all(e["backup_id"] == backup["id"] and e["from_project_id"] == api.pid
               and e["deleted"] is False for e in entries)
    twice = share(api, backup["id"], peer.pid)
    assert twice.status_code == 400 and "already shared" in twice.json()["badRequest"]["message"]
    assert {s["backup"]["name"] for s in shares(api, name="are-rul")} == {"share-rules"}
    assert [s["to_project_id"] for s in shares(api, backup_id=backup["id"],
                                               to_project_id=STRANGER)] == [STRANGER]
    ordered = shares(api, sort_key="created_at", sort_dir="asc")
    assert [s["created_at"] for s in ordered] == sorted(s["created_at"] for s in ordered)
    assert api.get("/v2/{pid}/os-vendor-backup-sharing/detail",
                   params={"sort_key": "colour"}).status_code == 400


def test_a_shared_backup_cannot_be_deleted_until_every_share_is_cancelled(
        api: Api, peer: Api, served: Served) -> None:
    backup = own_backup(api, served, "share-then-delete")
    one, _ = share(api, backup["id"], peer.pid, STRANGER).json()["shared"]
    refused = api.delete(f"/v2/{{pid}}/backups/{backup['id']}")
    assert refused.status_code == 400
    assert "shared" in refused.json()["badRequest"]["message"]

    path = f"/v2/{{pid}}/os-vendor-backup-sharing/{one['id']}"
    assert peer.delete(f"/v2/{{pid}}/os-vendor-backup-sharing/{one['id']}").status_code == 404
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404
    assert shares(peer, share_to_me="true", backup_id=backup["id"]) == []
    assert api.delete(f"/v2/{{pid}}/backups/{backup['id']}").status_code == 400  # still shared

    everything = api.delete(f"/v2/{{pid}}/os-vendor-backup-sharing/{backup['id']}",
                            params={"is_backup_id": "true"})
    assert everything.status_code == 200 and not everything.content
    assert shares(api, backup_id=backup["id"]) == []
    assert api.delete(f"/v2/{{pid}}/backups/{backup['id']}").status_code == 202


def test_the_base_of_an_incremental_backup_being_made_has_a_dependent(
        api: Api, served: Served) -> None:
    base = own_backup(api, served, "chain-base")
    assert base["has_dependent_backups"] is False
    disk = base["volume_id"]
    job = api.create(disk, "chain-next").json()["job_id"]
    served.clock.advance(JOB / 2)  # type: ignore[union-attr]
    listed = {b["name"]: b for b in api.backups(volume_id=disk)}
    assert listed["chain-next"]["status"] == "creating"
    assert listed["chain-next"]["is_incremental"] is True
    assert listed["chain-base"]["has_dependent_backups"] is True
    shown = api.get(f"/v2/{{pid}}/backups/{base['id']}").json()["backup"]
    assert shown["has_dependent_backups"] is True
    refused = api.delete(f"/v2/{{pid}}/backups/{base['id']}")
    assert refused.status_code == 400
    assert "Incremental backups exist" in refused.json()["badRequest"]["message"]
    served.clock.advance(JOB)  # type: ignore[union-attr]
    assert api.job(job)["status"] == "SUCCESS"
    after = {b["name"]: b for b in api.backups(volume_id=disk)}
    assert after["chain-base"]["has_dependent_backups"] is False
    assert api.delete(f"/v2/{{pid}}/backups/{base['id']}").status_code == 202
