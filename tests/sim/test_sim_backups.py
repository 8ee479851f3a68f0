"""Backup listing, details, delete and quota, over a real socket."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import JOB_SECONDS
from simkit import Api, Served

BACKUP_FIELDS = {
    "status", "description", "links", "availability_zone", "volume_id", "fail_reason", "id",
    "size", "object_count", "container", "name", "created_at",
    "os-bak-tenant-attr:tenant_id", "service_metadata", "updated_at", "data_timestamp",
    "has_dependent_backups", "snapshot_id", "is_incremental",
}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _next_href(body: dict[str, Any]) -> str | None:
    links = body.get("backups_links") or []
    return next((link["href"] for link in links if link["rel"] == "next"), None)


def test_seeded_backups_cover_all_statuses(api: Api, served: Served) -> None:
    backups = api.backups()
    assert len(backups) == served.state()["backups"]
    statuses = {b["status"] for b in backups}
    assert {"available", "error", "creating", "restoring", "deleting",
            "error_restoring"} <= statuses
    for backup in backups:
        assert set(backup) >= BACKUP_FIELDS
        assert backup["os-bak-tenant-attr:tenant_id"] == api.pid
        assert isinstance(backup["service_metadata"], str)
        json.loads(backup["service_metadata"])
        if backup["description"] is not None:
            assert set(json.loads(backup["description"])) == {"DESC", "INC"}
        if backup["status"] == "error":
            assert backup["fail_reason"]
    assert any(b["name"].startswith("autobk_") for b in backups)
    created = [b["created_at"] for b in backups]
    assert created == sorted(created, reverse=True)


def test_filters(api: Api) -> None:
    everything = api.backups()
    sample = next(b for b in everything if b["status"] == "available")
    by_volume = api.backups(volume_id=sample["volume_id"])
    assert by_volume == [b for b in everything if b["volume_id"] == sample["volume_id"]]
    by_name = api.backups(name=sample["name"])
    assert sample["id"] in {b["id"] for b in by_name}
    assert {b["name"] for b in by_name} == {sample["name"]}
    errors = api.backups(status="error")
    assert errors and {b["status"] for b in errors} == {"error"}
    assert api.backups(name="no-such-backup") == []


def test_paging_with_links(api: Api, served: Served) -> None:
    everything = [b["id"] for b in api.backups()]
    page = api.get("/v2/{pid}/backups/detail", params={"limit": 5, "offset": 2}).json()
    assert [b["id"] for b in page["backups"]] == everything[2:7]
    seen: list[str] = []
    href: str | None = "/v2/{pid}/backups/detail?limit=17"
    while href:
        body = api.get(href).json()
        seen += [b["id"] for b in body["backups"]]
        href = _next_href(body)
        if href:
            assert href.startswith(f"{served.base_url}/v2/{api.pid}/backups/detail?")
            assert "limit=17" in href and "marker=" in href
    assert seen == everything


def test_paging_keeps_filters(api: Api) -> None:
    available = [b["id"] for b in api.backups(status="available")]
    seen: list[str] = []
    href: str | None = "/v2/{pid}/backups/detail?status=available&limit=9"
    while href:
        body = api.get(href).json()
        seen += [b["id"] for b in body["backups"]]
        href = _next_href(body)
        assert href is None or "status=available" in href
    assert seen == available


def test_limit_is_clamped_and_bad_values_refused(api: Api) -> None:
    assert len(api.backups(limit=5000)) == len(api.backups())
    for params in ({"limit": "x"}, {"limit": 0}, {"offset": -2},
                   {"marker": UNKNOWN_ID}):
        response = api.get("/v2/{pid}/backups/detail", params=params)
        assert response.status_code == 400
        assert response.json()["badRequest"]["code"] == 400


def test_show_and_not_found(api: Api, served: Served) -> None:
    backup = api.backups(limit=1)[0]
    detail = api.get(f"/v2/{{pid}}/backups/{backup['id']}")
    assert detail.status_code == 200
    assert detail.json()["backup"]["id"] == backup["id"]
    assert detail.json()["backup"]["links"][0]["href"].startswith(served.base_url)
    missing = api.get(f"/v2/{{pid}}/backups/{UNKNOWN_ID}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert missing.json() == {"itemNotFound": {
        "code": 404, "message": f"Backup {UNKNOWN_ID} could not be found."}}


@pytest.mark.parametrize("status", ["available", "error"])
def test_delete(api: Api, served: Served, status: str) -> None:
    assert served.clock is not None
    served.clock.advance(served.sim.config.delete_seconds)  # the seeded deletion ends
    backup = api.backups(status=status)[0]
    before = api.quota()["backups"]["used"]
    response = api.delete(f"/v2/{{pid}}/backups/{backup['id']}")
    assert response.status_code == 202
    assert response.content == b""
    detail = api.get(f"/v2/{{pid}}/backups/{backup['id']}").json()["backup"]
    assert detail["status"] == "deleting"
    again = api.delete(f"/v2/{{pid}}/backups/{backup['id']}")
    assert again.status_code == 400
    served.clock.advance(served.sim.config.delete_seconds)
    assert api.get(f"/v2/{{pid}}/backups/{backup['id']}").status_code == 404
    assert api.quota()["backups"]["used"] == before - 1
    gone = api.delete(f"/v2/{{pid}}/backups/{backup['id']}")
    assert gone.status_code == 404
    assert "itemNotFound" in gone.json()


@pytest.mark.parametrize("status", ["creating", "restoring", "error_restoring"])
def test_delete_refused_while_busy(api: Api, status: str) -> None:
    backup = api.backups(status=status)[0]
    response = api.delete(f"/v2/{{pid}}/backups/{backup['id']}")
    assert response.status_code == 400
    assert response.json() == {"badRequest": {
        "code": 400, "message": "Invalid backup: Backup status must be available or error"}}
    assert api.backups(name=backup["name"], volume_id=backup["volume_id"])


def test_delete_unknown_is_404(api: Api) -> None:
    response = api.delete(f"/v2/{{pid}}/backups/{UNKNOWN_ID}")
    assert response.status_code == 404
    assert response.json()["itemNotFound"]["message"] == (
        f"Backup {UNKNOWN_ID} could not be found.")


def test_seeded_deleting_backup_disappears(api: Api, served: Served) -> None:
    assert served.clock is not None
    (deleting,) = api.backups(status="deleting")
    served.clock.advance(served.sim.config.delete_seconds)
    assert api.get(f"/v2/{{pid}}/backups/{deleting['id']}").status_code == 404


def test_quota_follows_live_state(api: Api, served: Served) -> None:
    assert served.clock is not None
    served.clock.advance(served.sim.config.delete_seconds)  # the seeded deletion ends
    response = api.get("/v2/{pid}/cloudbackups/quota")
    assert response.status_code == 200
    resources = response.json()["quotas"]["resources"]
    assert [r["type"] for r in resources] == ["backups", "backup_gigabytes"]
    for resource in resources:
        assert set(resource) == {"type", "used", "reserved", "quota"}
    quota = api.quota()
    state = served.state()
    assert quota["backups"]["used"] == state["backups"]
    assert quota["backups"]["quota"] == 2000
    assert quota["backup_gigabytes"]["quota"] == -1
    assert quota["backup_gigabytes"]["used"] == sum(b["size"] for b in api.backups())

    volume = api.pick_volume()
    assert api.create(volume["id"], "quota_probe").status_code == 200
    during = api.quota()
    assert during["backups"]["reserved"] == 1
    assert during["backup_gigabytes"]["reserved"] == volume["size"]
    served.clock.advance(JOB_SECONDS + 1)
    after = api.quota()
    assert after["backups"]["used"] == quota["backups"]["used"] + 1
    assert after["backups"]["reserved"] == 0
    assert after["backup_gigabytes"]["used"] == (
        quota["backup_gigabytes"]["used"] + volume["size"])
