"""EVS disk listing: fields, filters and paging, over a real socket."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from simkit import Api, Served, login

REFERENCE_FIELDS = {
    "attachments", "availability_zone", "bootable", "created_at", "description", "id",
    "links", "metadata", "name", "os-vol-host-attr:host", "volume_image_metadata",
    "os-vol-mig-status-attr:migstat", "os-vol-mig-status-attr:name_id",
    "os-vol-tenant-attr:tenant_id", "os-volume-replication:extended_status",
    "replication_status", "multiattach", "size", "snapshot_id", "status", "updated_at",
    "user_id", "volume_type", "service_type", "dedicated_storage_id",
    "dedicated_storage_name", "wwn", "encrypted", "shareable", "source_volid",
    "consistencygroup_id", "tags", "enterprise_project_id",
}
ATTACHMENT_FIELDS = {"server_id", "attachment_id", "attached_at", "host_name", "volume_id",
                     "device", "id"}
NO_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")


def _next_href(body: dict[str, Any], key: str = "volumes_links") -> str | None:
    links = body.get(key) or []
    return next((link["href"] for link in links if link["rel"] == "next"), None)


def test_volume_fields_match_the_reference(api: Api, served: Served) -> None:
    response = api.get("/v2/{pid}/cloudvolumes/detail")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["count"] == 120 == len(body["volumes"])
    assert "volumes_links" not in body
    for volume in body["volumes"]:
        assert set(volume) >= REFERENCE_FIELDS
        assert volume["bootable"] in {"true", "false"}
        assert 10 <= volume["size"] <= 4096
        assert volume["volume_type"] in {"SATA", "SAS", "SSD", "GPSSD"}
        assert volume["availability_zone"] in {"eu-de-01", "eu-de-02", "eu-de-03"}
        assert NO_ZONE.match(volume["created_at"]) and NO_ZONE.match(volume["updated_at"])
        assert volume["os-vol-tenant-attr:tenant_id"] == api.pid
        assert volume["service_type"] == "EVS"
        assert [link["rel"] for link in volume["links"]] == ["self", "bookmark"]
        assert volume["links"][0]["href"].startswith(served.base_url)
        for attachment in volume["attachments"]:
            assert set(attachment) == ATTACHMENT_FIELDS
            assert attachment["volume_id"] == volume["id"]
    statuses = {v["status"] for v in body["volumes"]}
    assert {"available", "in-use", "backing-up"} <= statuses
    assert all(v["attachments"] for v in body["volumes"] if v["status"] == "in-use")
    named = [v["name"] for v in body["volumes"] if re.match(r"^[a-z0-9-]+-\d\d-[a-z]+$", v["name"])]
    assert len(named) > 100


def test_volumes_are_sorted_newest_first(api: Api) -> None:
    created = [v["created_at"] for v in api.volumes()]
    assert created == sorted(created, reverse=True)


def test_alias_and_single_volume(api: Api) -> None:
    first = api.volumes(limit=1)[0]
    alias = api.get("/v2/{pid}/volumes/detail", params={"limit": 1}).json()
    assert alias["volumes"][0]["id"] == first["id"]
    assert api.volume(first["id"])["id"] == first["id"]
    assert api.get(f"/v2/{{pid}}/volumes/{first['id']}").json()["volume"]["name"] == first["name"]
    missing = api.get("/v2/{pid}/cloudvolumes/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["code"] == 404


def test_limit_offset_marker_and_count(api: Api) -> None:
    everything = [v["id"] for v in api.volumes()]
    page = api.get("/v2/{pid}/cloudvolumes/detail", params={"limit": 7, "offset": 3}).json()
    assert page["count"] == 120
    assert [v["id"] for v in page["volumes"]] == everything[3:10]
    marker = everything[10]
    page = api.get("/v2/{pid}/cloudvolumes/detail", params={"limit": 5, "marker": marker}).json()
    assert [v["id"] for v in page["volumes"]] == everything[11:16]
    page = api.get("/v2/{pid}/cloudvolumes/detail", params={"offset": 500}).json()
    assert page["volumes"] == [] and page["count"] == 120
    assert "volumes_links" not in page


def test_next_links_are_full_urls_and_cover_everything(api: Api, served: Served) -> None:
    everything = [v["id"] for v in api.volumes()]
    seen: list[str] = []
    href: str | None = "/v2/{pid}/cloudvolumes/detail?limit=11"
    pages = 0
    while href:
        body = api.get(href).json()
        seen += [v["id"] for v in body["volumes"]]
        assert body["count"] == 120
        href = _next_href(body)
        if href:
            assert href.startswith(f"{served.base_url}/v2/{api.pid}/cloudvolumes/detail?")
            assert "limit=11" in href
        pages += 1
    assert seen == everything
    assert pages == 11


def test_filters_name_status_and_paging_together(api: Api) -> None:
    available = api.volumes(status="available")
    assert available and all(v["status"] == "available" for v in available)
    body = api.get("/v2/{pid}/cloudvolumes/detail",
                   params={"status": "available", "limit": 4}).json()
    assert body["count"] == len(available)
    seen = [v["id"] for v in body["volumes"]]
    href = _next_href(body)
    while href:
        assert "status=available" in href
        body = api.get(href).json()
        seen += [v["id"] for v in body["volumes"]]
        href = _next_href(body)
    assert seen == [v["id"] for v in available]
    name = available[0]["name"]
    by_name = api.get("/v2/{pid}/cloudvolumes/detail", params={"name": name}).json()
    assert by_name["count"] >= 1
    assert {v["name"] for v in by_name["volumes"]} == {name}
    assert api.get("/v2/{pid}/cloudvolumes/detail",
                   params={"name": name[:-1]}).json()["count"] == 0


@pytest.mark.parametrize("params", [
    {"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"offset": -1}, {"offset": "x"},
    {"marker": "00000000-0000-4000-8000-000000000000"},
])
def test_bad_paging_parameters_are_400(api: Api, params: dict[str, Any]) -> None:
    response = api.get("/v2/{pid}/cloudvolumes/detail", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and error["message"]


def test_large_world_paging_without_gaps_or_duplicates(
        serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(volumes=2500)
    with served.client() as client:
        api = login(client)
        seen: list[str] = []
        body = api.get("/v2/{pid}/cloudvolumes/detail").json()
        assert len(body["volumes"]) == 1000 and body["count"] == 2500
        seen += [v["id"] for v in body["volumes"]]
        href = _next_href(body)
        while href:
            body = api.get(href).json()
            seen += [v["id"] for v in body["volumes"]]
            href = _next_href(body)
    assert len(seen) == len(set(seen)) == 2500


def test_odd_names_are_present(api: Api, served: Served) -> None:
    names = {v["id"]: v["name"] for v in api.volumes()}
    odd = [names[vid] for vid in served.state()["odd_name_volumes"]]
    assert "" in odd
    assert any(not name.isascii() for name in odd)
    assert any("[" in name for name in odd)
    assert odd.count("shared-data") == 2  # two disks a name alone cannot tell apart
