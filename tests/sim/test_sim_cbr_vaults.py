"""CBR vaults as a client sees them: catalog entry, listing, create/update/delete, the
disks of a vault and its policy, each refusal with its BackupService code and status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cbrkit import MISSING, Cbr, error_of, login_cbr
from simkit import Served

DISK = "OS::Cinder::Volume"


@pytest.fixture
def cbr(served: Served) -> Iterator[Cbr]:
    with served.client() as client:
        yield login_cbr(client)


def new_vault(cbr: Cbr, name: str = "team-a", size: int = 100,
              resources: list[str] | None = None) -> dict[str, Any]:
    body = {"vault": {"name": name, "resources": [{"id": r, "type": DISK}
                                                  for r in resources or []],
                      "billing": {"consistent_level": "crash_consistent",
                                  "object_type": "disk", "protect_type": "backup",
                                  "size": size}}}
    response = cbr.post("/vaults", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["vault"])


def free_disk(cbr: Cbr) -> dict[str, Any]:
    """An available disk in no vault and not bound to a VBS policy."""
    held = {r["id"] for v in cbr.vaults() for r in v["resources"]}
    for disk in cbr.api.volumes(status="available"):
        if disk["id"] not in held and "policy" not in disk["metadata"]:
            return disk
    raise AssertionError("no free disk")


def test_the_catalog_offers_cbr_in_the_projects_region(served: Served) -> None:
    with served.client() as client:
        cbr = login_cbr(client)
        token = client.post("/v3/auth/tokens", json={"auth": {"identity": {
            "methods": ["password"], "password": {"user": {
                "name": "demo", "domain": {"name": "OTC-EU-DE-DEMO"},
                "password": "vbstui-demo"}}},
            "scope": {"project": {"name": "eu-de_demo"}}}}).json()["token"]
    entry = next(s for s in token["catalog"] if s["type"] == "cbr")
    assert entry["endpoints"][0]["region"] == "eu-de"
    assert cbr.base.endswith(f"/v3/{token['project']['id']}")


def test_the_vault_list_has_the_documented_fields_and_the_migration_vaults(cbr: Cbr) -> None:
    response = cbr.get("/vaults")
    body = response.json()
    assert body["count"] == len(body["vaults"]) >= 3
    names = {v["name"] for v in body["vaults"]}
    assert {"default", "daily-prod", "vault-nearly-full"} <= names
    for vault in body["vaults"]:
        billing = vault["billing"]
        assert billing["object_type"] == "disk" and billing["protect_type"] == "backup"
        assert isinstance(billing["size"], int) and isinstance(billing["used"], int)
        assert billing["used"] <= billing["size"] * 1024
        assert vault["created_at"].endswith("+00:00")
        assert vault["enterprise_project_id"] == 0
        assert len(vault["resources"]) <= 256
        for resource in vault["resources"]:
            assert resource["type"] == DISK and isinstance(resource["size"], str)
    full = cbr.vault("vault-nearly-full")["billing"]
    assert full["used"] >= 0.9 * full["size"] * 1024


def test_vaults_page_with_limit_and_offset_and_filter_by_name(cbr: Cbr) -> None:
    everything = cbr.vaults()
    first = cbr.get("/vaults", params={"limit": 1}).json()
    second = cbr.get("/vaults", params={"limit": 1, "offset": 1}).json()
    assert first["count"] == second["count"] == len(everything)
    assert [first["vaults"][0]["id"], second["vaults"][0]["id"]] == \
        [v["id"] for v in everything[:2]]
    assert [v["name"] for v in cbr.vaults(name="default")] == ["default"]
    assert cbr.vaults(object_type="server") == []
    holder = everything[0]
    disk = holder["resources"][0]["id"]
    assert [v["id"] for v in cbr.vaults(resource_ids=disk)] == [holder["id"]]
    assert error_of(cbr.get("/vaults", params={"limit": 1001})) == "BackupService.9900"


def test_a_vault_is_created_shown_renamed_expanded_and_deleted(cbr: Cbr) -> None:
    disk = free_disk(cbr)
    vault = new_vault(cbr, resources=[disk["id"]])
    assert vault["billing"]["size"] == 100 and vault["billing"]["used"] == 0
    assert [r["id"] for r in vault["resources"]] == [disk["id"]]
    shown = cbr.get(f"/vaults/{vault['id']}").json()["vault"]
    assert shown["name"] == "team-a"
    updated = cbr.put(f"/vaults/{vault['id']}",
                      json={"vault": {"name": "team-b", "billing": {"size": 200}}})
    assert updated.status_code == 200
    assert updated.json()["vault"]["billing"]["size"] == 200
    shrink = cbr.put(f"/vaults/{vault['id']}", json={"vault": {"billing": {"size": 50}}})
    assert shrink.status_code == 400 and error_of(shrink) == "BackupService.6101"
    assert cbr.delete(f"/vaults/{vault['id']}").status_code == 204
    gone = cbr.get(f"/vaults/{vault['id']}")
    assert gone.status_code == 404 and error_of(gone) == "BackupService.6105"
    # The disk is free again.
    assert new_vault(cbr, "again", resources=[disk["id"]])["resources"]


@pytest.mark.parametrize(("change", "code"), [
    ({"name": "bad name"}, "BackupService.9900"),
    ({"name": "x" * 65}, "BackupService.9900"),
    ({"name": ""}, "BackupService.9900"),
    ({"description": "d" * 65}, "BackupService.9900"),
    ({"billing": {"consistent_level": "crash_consistent", "object_type": "disk",
                  "protect_type": "backup", "size": 5}}, "BackupService.6101"),
    ({"billing": {"consistent_level": "crash_consistent", "object_type": "server",
                  "protect_type": "backup", "size": 50}}, "BackupService.6116"),
    ({"resources": [{"id": MISSING, "type": "OS::Nova::Server"}]}, "BackupService.6102"),
    ({"resources": [{"id": MISSING, "type": DISK}] * 2}, "BackupService.6104"),
    ({"resources": [{"id": MISSING, "type": DISK}]}, "BackupService.7000"),
])
def test_a_bad_vault_is_refused_with_its_code(cbr: Cbr, change: dict[str, Any],
                                              code: str) -> None:
    vault = {"name": "ok", "resources": [],
             "billing": {"consistent_level": "crash_consistent", "object_type": "disk",
                         "protect_type": "backup", "size": 50}, **change}
    before = len(cbr.vaults())
    response = cbr.post("/vaults", json={"vault": vault})
    assert error_of(response) == code
    assert response.status_code == (404 if code == "BackupService.7000" else 400)
    assert len(cbr.vaults()) == before


def test_adding_disks_checks_each_one(cbr: Cbr) -> None:
    vault = new_vault(cbr)
    disk = free_disk(cbr)

    def add(*ids: str) -> Any:
        return cbr.post(f"/vaults/{vault['id']}/addresources",
                        json={"resources": [{"id": i, "type": DISK} for i in ids]})

    added = add(disk["id"])
    assert added.status_code == 200 and added.json() == {"add_resource_ids": [disk["id"]]}
    assert error_of(add(disk["id"])) == "BackupService.7006"
    elsewhere = cbr.vault("default")["resources"][0]["id"]
    assert error_of(add(elsewhere)) == "BackupService.6103"
    bound = next(d for d in cbr.api.volumes() if "policy" in d["metadata"])
    assert error_of(add(bound["id"])) == "BackupService.6108"
    missing = add(MISSING)
    assert missing.status_code == 404 and error_of(missing) == "BackupService.7000"
    assert [r["id"] for r in cbr.get(f"/vaults/{vault['id']}").json()["vault"]["resources"]] \
        == [disk["id"]]


def test_a_vault_holds_at_most_256_disks(serve_sim: Any) -> None:
    served = serve_sim(volumes=600)
    with served.client() as client:
        cbr = login_cbr(client)
        held = {r["id"] for v in cbr.vaults() for r in v["resources"]}
        disks = [d["id"] for d in cbr.api.volumes(limit=1000)
                 if d["id"] not in held and "policy" not in d["metadata"]]
        vault = new_vault(cbr, resources=disks[:256])
        assert len(vault["resources"]) == 256
        response = cbr.post(f"/vaults/{vault['id']}/addresources",
                            json={"resources": [{"id": disks[256], "type": DISK}]})
        assert error_of(response) == "BackupService.6100"


def test_removing_disks_and_the_policy_of_a_vault(cbr: Cbr) -> None:
    vault = cbr.vault("daily-prod")
    disk = next(r["id"] for r in vault["resources"] if r["protect_status"] == "available")
    removed = cbr.post(f"/vaults/{vault['id']}/removeresources", json={"resource_ids": [disk]})
    assert removed.json() == {"remove_resource_ids": [disk]}
    again = cbr.post(f"/vaults/{vault['id']}/removeresources", json={"resource_ids": [disk]})
    assert error_of(again) == "BackupService.6135"
    policies = cbr.get("/policies", params={"vault_id": vault["id"]}).json()["policies"]
    assert [p["name"] for p in policies] == ["daily-prod"]
    policy = policies[0]["id"]
    path = f"/vaults/{vault['id']}"
    off = cbr.post(f"{path}/dissociatepolicy", json={"policy_id": policy})
    assert off.json() == {"dissociate_policy": {"vault_id": vault["id"], "policy_id": policy}}
    assert error_of(cbr.post(f"{path}/dissociatepolicy", json={"policy_id": policy})) == \
        "BackupService.6002"
    assert error_of(cbr.post(f"{path}/associatepolicy", json={"policy_id": MISSING})) == \
        "BackupService.6000"
    on = cbr.post(f"{path}/associatepolicy", json={"policy_id": policy})
    assert on.json()["associate_policy"]["policy_id"] == policy
    assert [v["id"] for v in cbr.vaults(policy_id=policy)] == [vault["id"]]
