"""The Cinder-compatible paths real OTC EVS/VBS serve, as OpenStack clients use them:
version discovery, a catalog they can read, volume and backup listings with Cinder's
limit/marker paging and `*_links`, and Cinder's error envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from simkit import Api, Served, auth_body

PREFIXES = ["/v2/{pid}", "/v3/{pid}"]


def follow(api: Api, path: str, key: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every item by following `<key>_links` as a client does; and how many pages."""
    found: list[dict[str, Any]] = []
    response = api.get(path, params=params)
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        found += body[key]
        links = [link["href"] for link in body.get(f"{key}_links", []) if link["rel"] == "next"]
        if not links:
            return found, pages
        response = api.client.get(links[0])


def test_discovery_answers_identity_on_the_auth_url_and_block_storage_on_the_root(
        served: Served) -> None:
    with served.client() as client:
        identity = client.get("/v3")
        assert identity.status_code == 200
        assert identity.json()["version"]["id"].startswith("v3")
        root = client.get("/")
        assert root.status_code == 300
        versions = {v["id"]: v for v in root.json()["versions"]}
        assert set(versions) == {"v2.0", "v3.0"}
        assert versions["v3.0"]["links"][0]["href"] == f"{served.base_url}/v3/"
        for major in ("v2", "v3"):
            [version] = client.get(f"/{major}/").json()["versions"]
            assert version["id"] == f"{major}.0"


def test_the_catalog_offers_block_storage_where_openstack_clients_look(served: Served) -> None:
    with served.client() as client:
        token = client.post("/v3/auth/tokens", json=auth_body()).json()["token"]
    pid = token["project"]["id"]
    by_type = {entry["type"]: entry["endpoints"] for entry in token["catalog"]}
    for kind in ("block-storage", "volumev3"):
        assert by_type[kind][0]["url"] == f"{served.base_url}/v3/{pid}"
    assert by_type["volumev2"][0]["url"] == f"{served.base_url}/v2/{pid}"
    # Clients that filter every service by region still find identity.
    assert {e["region"] for e in by_type["identity"]} == {"*", "eu-de"}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_volume_listing_pages_by_marker_to_every_disk_once(api: Api, prefix: str) -> None:
    everything = api.volumes()
    paged, pages = follow(api, f"{prefix}/volumes/detail", "volumes", limit=7)
    assert [v["id"] for v in paged] == [v["id"] for v in everything]
    assert pages == -(-len(everything) // 7)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_volume_listing_is_cinder_shaped(api: Api, prefix: str) -> None:
    body = api.get(f"{prefix}/volumes/detail", params={"limit": 5}).json()
    assert "count" not in body  # Cinder counts only when asked
    assert len(body["volumes"]) == 5
    [link] = body["volumes_links"]
    assert link["rel"] == "next" and f"marker={body['volumes'][-1]['id']}" in link["href"]
    counted = api.get(f"{prefix}/volumes/detail", params={"limit": 5, "with_count": "true"})
    assert counted.json()["count"] == len(api.volumes())


def test_filters_travel_with_the_next_link(api: Api) -> None:
    in_use = api.volumes(status="in-use")
    paged, _ = follow(api, "/v3/{pid}/volumes/detail", "volumes", status="in-use", limit=10)
    assert [v["id"] for v in paged] == [v["id"] for v in in_use]


@pytest.mark.parametrize(("params", "words"), [
    ({"limit": "many"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"marker": "00000000-0000-4000-8000-000000000000"}, "marker"),
    ({"sort_key": "size"}, "sort"),
    ({"sort_dir": "asc"}, "sort"),
])
def test_bad_paging_is_refused_in_cinders_envelope(api: Api, params: dict[str, str],
                                                    words: str) -> None:
    response = api.get("/v3/{pid}/volumes/detail", params=params)
    assert response.status_code == 400
    assert words in response.json()["badRequest"]["message"]


def test_a_limit_above_the_maximum_is_clamped_like_cinder(api: Api) -> None:
    body = api.get("/v3/{pid}/volumes/detail", params={"limit": 5000}).json()
    assert len(body["volumes"]) == len(api.volumes())


def test_native_v3_backups_list_pages_and_counts(api: Api) -> None:
    everything = api.backups()
    paged, pages = follow(api, "/v3/{pid}/backups/detail", "backups", limit=9)
    assert [b["id"] for b in paged] == [b["id"] for b in everything]
    assert pages > 1
    counted = api.get("/v3/{pid}/backups/detail", params={"limit": 1, "with_count": "1"})
    assert counted.json()["count"] == len(everything)
    one = everything[0]
    shown = api.get(f"/v3/{{pid}}/backups/{one['id']}").json()["backup"]
    assert shown["id"] == one["id"] and shown["volume_id"] == one["volume_id"]


def test_a_backup_created_through_vbs_is_listed_through_cinder(api: Api,
                                                               served: Served) -> None:
    disk = api.pick_volume()
    assert api.create(disk["id"], "seen-by-cinder").status_code == 200
    assert served.clock is not None
    served.clock.advance(60)
    listed = api.get("/v3/{pid}/backups/detail", params={"name": "seen-by-cinder"}).json()
    [backup] = listed["backups"]
    assert backup["volume_id"] == disk["id"] and backup["status"] == "available"


@pytest.mark.parametrize("path", ["/v3/{pid}/volumes/detail", "/v3/{pid}/backups/detail"])
def test_cinder_paths_need_a_token_of_the_project(serve_sim: Callable[..., Served],
                                                  path: str) -> None:
    served = serve_sim()
    with served.client() as client:
        pid = served.sim.config.project_id
        assert client.get(path.replace("{pid}", pid)).status_code == 401
