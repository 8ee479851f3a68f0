"""The CBR client over a scripted cloud: bodies as the reference shows them, the messy
variants real services send, paging, retries and the at-most-once create."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cloudfake import EVS, PROJECT, VBS, FakeCloud, session

from vbstui.cloud.cbr import RETRY_SAFE
from vbstui.cloud.cbr_requests import CheckpointRequest, VaultRequest
from vbstui.cloud.errors import (
    ApiError,
    InvalidIdentifier,
    Reached,
    ResponseFormatError,
    TransportError,
)
from vbstui.cloud.validation import ValidationFailed

CBR = f"https://cbr.example.test/v3/{PROJECT}"
BASE = f"/v3/{PROJECT}"
VAULT_ID = "3b5816b5-f29c-4172-9d9a-76c719a659ce"
DISK = "94eba8b2-acc9-4d82-badc-127144cc5526"
CATALOG = [
    {"type": "cbr", "endpoints": [{"url": CBR, "region": "eu-de", "interface": "public"}]},
    {"type": "vbsv2", "endpoints": [{"url": VBS, "region": "eu-de", "interface": "public"}]},
    {"type": "evs", "endpoints": [{"url": EVS, "region": "eu-de", "interface": "public"}]},
]

# From restore_points/creating_a_restore_point.rst, for a disk, with one skipped disk.
CHECKPOINT = {"checkpoint": {
    "status": "protecting", "created_at": "2019-05-10T07:59:12.733+00:00",
    "vault": {"skipped_resources": [{"id": "d2", "type": "OS::Cinder::Volume", "name": "data",
                                     "code": "BackupService.6125",
                                     "reason": "the resource is being backed up"}],
              "id": VAULT_ID, "name": "vault-be94",
              "resources": [{"name": "disk-1", "resource_size": 40, "protect_status": "available",
                             "type": "OS::Cinder::Volume", "id": DISK}]},
    "project_id": PROJECT, "id": "8b0851a8-adf3-4f4c-a914-dead08bf9664",
    "extra_info": {"retention_duration": -1, "name": "nightly", "description": "d"}}}


def backup(index: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"b-{index:05d}", "name": f"bk{index}", "status": "available",
            "vault_id": VAULT_ID, "resource_id": DISK, "resource_type": "OS::Cinder::Volume",
            "resource_size": "40", "created_at": "2020-02-21T07:00:34.882+00:00",
            "checkpoint_id": "c1", "extend_info": {"incremental": True}, **extra}


def cloud(api: Callable[[httpx.Request], httpx.Response]) -> FakeCloud:
    return FakeCloud(api, catalog=CATALOG)


def cbr_requests(fake: FakeCloud) -> list[httpx.Request]:
    return [r for r in fake.requests if r.url.host == "cbr.example.test"]


def error(status: int, code: str, message: str = "refused") -> httpx.Response:
    return httpx.Response(status, json={"error_code": code, "error_msg": message})


async def test_vaults_are_paged_by_offset_until_the_count() -> None:
    vaults = [{"id": f"v{i}", "name": f"vault-{i}", "billing": {"object_type": "disk",
               "size": 100, "used": "2048"}, "enterprise_project_id": 0} for i in range(5)]

    def api(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        return httpx.Response(200, json={"vaults": vaults[offset:offset + limit], "count": 5})

    fake = cloud(api)
    async with session(fake) as s:
        found = await s.cbr.list_vaults(page_size=2)
    assert [v.id for v in found] == [f"v{i}" for i in range(5)]
    sent = cbr_requests(fake)
    assert [r.url.params["offset"] for r in sent] == ["0", "2", "4"]
    assert all(r.url.params["object_type"] == "disk" for r in sent)
    assert found[0].free_gb == 98.0 and found[0].enterprise_project_id == "0"


async def test_backup_pages_send_filters_and_stop_on_a_short_page_without_count() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        return httpx.Response(200, json={"backups": [backup(i) for i in range(offset,
                                                                             min(offset + 3, 7))]})

    fake = cloud(api)
    async with session(fake) as s:
        pages = [p async for p in s.cbr.backup_pages(vault_id=VAULT_ID, resource_id=DISK,
                                                     status="available", sort="created_at:desc",
                                                     page_size=3)]
    assert [len(items) for items, _total in pages] == [3, 3, 1]
    params = cbr_requests(fake)[0].url.params
    assert params["vault_id"] == VAULT_ID and params["resource_id"] == DISK
    assert params["status"] == "available" and params["sort"] == "created_at:desc"
    assert pages[0][0][0].resource_size_gb == 40 and pages[0][0][0].incremental is True


async def test_paging_drops_repeated_items_and_stops_on_a_repeated_page() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"backups": [backup(1), backup(2)], "count": 100})

    fake = cloud(api)
    async with session(fake) as s:
        found = await s.cbr.list_backups(page_size=2)
    assert [b.id for b in found] == ["b-00001", "b-00002"]
    assert len(cbr_requests(fake)) == 2


async def test_page_size_is_capped_at_the_api_maximum() -> None:
    fake = cloud(lambda r: httpx.Response(200, json={"backups": [], "count": 0}))
    async with session(fake) as s:
        assert await s.cbr.list_backups(page_size=5000) == []
    assert cbr_requests(fake)[0].url.params["limit"] == "1000"


async def test_create_checkpoint_sends_the_documented_body_and_reports_skipped_disks() -> None:
    fake = cloud(lambda r: httpx.Response(200, json=CHECKPOINT))
    request = CheckpointRequest(vault_id=VAULT_ID, disk_ids=(DISK, "d2"), name="nightly",
                                description="d", incremental=False)
    async with session(fake) as s:
        checkpoint = await s.cbr.create_checkpoint(request)
    sent = cbr_requests(fake)[0]
    assert sent.method == "POST" and sent.url.path == f"{BASE}/checkpoints"
    assert json.loads(sent.content) == {"checkpoint": {"vault_id": VAULT_ID, "parameters": {
        "resources": [DISK, "d2"], "name": "nightly", "description": "d",
        "incremental": False}}}
    assert checkpoint.status == "protecting" and checkpoint.vault_id == VAULT_ID
    assert checkpoint.skipped_ids() == {"d2"}
    assert checkpoint.skipped[0].code == "BackupService.6125"
    assert checkpoint.created_at is not None and checkpoint.created_at.utcoffset() is not None


@pytest.mark.parametrize("answer", [
    lambda r: httpx.Response(500, json={"error_code": "BackupService.9910", "error_msg": "x"}),
    lambda r: httpx.Response(502, text="<html><title>Bad Gateway</title></html>"),
    lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)),
    lambda r: (_ for _ in ()).throw(httpx.RemoteProtocolError("dropped", request=r)),
])
async def test_checkpoint_create_that_may_have_reached_cbr_is_sent_once(
        answer: Callable[[httpx.Request], httpx.Response]) -> None:
    fake = cloud(answer)
    async with session(fake) as s:
        with pytest.raises((ApiError, TransportError)) as info:
            await s.cbr.create_checkpoint(CheckpointRequest(VAULT_ID, (DISK,), "nightly"))
    assert info.value.reached_server is Reached.MAYBE
    assert len(cbr_requests(fake)) == 1
    assert RETRY_SAFE["create_checkpoint"] is False and RETRY_SAFE["create_vault"] is False


async def test_checkpoint_answer_with_a_hostile_id_is_refused_as_maybe_created() -> None:
    body = json.loads(json.dumps(CHECKPOINT))
    body["checkpoint"]["id"] = "8b08\x1b]0;pwned\x07/../x"
    fake = cloud(lambda r: httpx.Response(200, json=body))
    async with session(fake) as s:
        with pytest.raises(ResponseFormatError) as info:
            await s.cbr.create_checkpoint(CheckpointRequest(VAULT_ID, (DISK,), "nightly"))
    assert info.value.reached_server is Reached.MAYBE


async def test_invalid_checkpoint_request_is_refused_before_sending() -> None:
    fake = cloud(lambda r: httpx.Response(200, json=CHECKPOINT))
    async with session(fake) as s:
        with pytest.raises(ValidationFailed) as info:
            await s.cbr.create_checkpoint(CheckpointRequest(VAULT_ID, (), "bad name!",
                                                            description="x" * 256))
    assert set(info.value.problems) == {"disk_ids", "name", "description"}
    assert cbr_requests(fake) == []


async def test_flat_error_envelope_arrives_with_status_code_and_explanation() -> None:
    fake = cloud(lambda r: error(400, "BackupService.6100", "max resources"))
    async with session(fake) as s:
        with pytest.raises(ApiError) as info:
            await s.cbr.add_resources(VAULT_ID, [DISK])
    exc = info.value
    assert (exc.status, exc.code, exc.server_message) == (400, "BackupService.6100",
                                                          "max resources")
    assert exc.info is not None and "256" in exc.info.meaning
    assert len(cbr_requests(fake)) == 1


async def test_get_returns_none_on_404_and_reads_are_retried_on_503() -> None:
    answers = [error(503, "APIGW.0308", "busy"), error(404, "BackupService.6200", "gone")]
    fake = cloud(lambda r: answers.pop(0))
    async with session(fake) as s:
        assert await s.cbr.get_backup("b-1") is None
    assert len(cbr_requests(fake)) == 2


async def test_get_vault_and_backup_parse_the_reference_examples() -> None:
    vault = {"vault": {"id": VAULT_ID, "name": "v", "billing": {
        "allocated": 0, "object_type": "disk", "used": 512, "status": "available",
        "size": 40}, "resources": [{"id": DISK, "type": "OS::Cinder::Volume", "size": 20,
                                    "protect_status": "available"}],
        "enterprise_project_id": 0, "created_at": "2020-07-24T09:12:49.492+00:00",
        "tags": [{"key": "fds"}]}}
    got = {f"{BASE}/vaults/{VAULT_ID}": vault,
           f"{BASE}/backups/b-1": {"backup": backup(1, children=[backup(2)])}}
    fake = cloud(lambda r: httpx.Response(200, json=got[r.url.path]))
    async with session(fake) as s:
        v = await s.cbr.get_vault(VAULT_ID)
        b = await s.cbr.get_backup("b-1")
    assert v is not None and v.is_disk_vault and v.disk_ids == (DISK,) and v.holds(DISK)
    assert v.free_mb == 40 * 1024 - 512 and v.resource_room == 255 and v.tags == (("fds", ""),)
    assert b is not None and b.children[0].id == "b-00002"


async def test_get_with_the_object_missing_is_a_format_error() -> None:
    fake = cloud(lambda r: httpx.Response(200, json={"backup": "not an object"}))
    async with session(fake) as s:
        with pytest.raises(ResponseFormatError):
            await s.cbr.get_backup("b-1")


async def test_deep_json_is_a_format_error_not_a_crash() -> None:
    deep = '{"backups": ' + "[" * 200 + "]" * 200 + "}"
    fake = cloud(lambda r: httpx.Response(200, content=deep.encode()))
    async with session(fake, policy=None) as s:
        with pytest.raises(ResponseFormatError):
            await s.cbr.list_backups()


async def test_find_backups_matches_vault_disk_and_exact_name_and_ignores_known() -> None:
    listed = [backup(1, name="nightly"), backup(2, name="nightly-2"),
              backup(3, name="nightly", resource_id="other"), backup(4, name="nightly")]
    fake = cloud(lambda r: httpx.Response(200, json={"backups": listed, "count": 4}))
    async with session(fake) as s:
        found = await s.cbr.find_backups(VAULT_ID, DISK, "nightly", ignore={"b-00001"})
    assert [b.id for b in found] == ["b-00004"]
    params = cbr_requests(fake)[0].url.params
    assert (params["vault_id"], params["resource_id"], params["name"]) == (VAULT_ID, DISK,
                                                                          "nightly")


async def test_restore_is_202_without_a_body_and_never_resent() -> None:
    fake = cloud(lambda r: httpx.Response(202))
    async with session(fake) as s:
        await s.cbr.restore_backup("b-1", DISK)
    sent = cbr_requests(fake)
    assert sent[0].url.path == f"{BASE}/backups/b-1/restore"
    assert json.loads(sent[0].content) == {"restore": {"volume_id": DISK}}
    fake = cloud(lambda r: error(500, "BackupService.9910"))
    async with session(fake) as s:
        with pytest.raises(ApiError):
            await s.cbr.restore_backup("b-1", DISK)
    assert len(cbr_requests(fake)) == 1


async def test_delete_is_retried_and_a_404_after_a_lost_answer_means_done() -> None:
    answers = [httpx.Response(504, text="gateway timeout"), error(404, "BackupService.6200")]
    fake = cloud(lambda r: answers.pop(0))
    async with session(fake) as s:
        await s.cbr.delete_backup("b-1")
    assert [r.method for r in cbr_requests(fake)] == ["DELETE", "DELETE"]
    fake = cloud(lambda r: error(404, "BackupService.6200"))
    async with session(fake) as s:
        with pytest.raises(ApiError):
            await s.cbr.delete_backup("b-1")  # never there: the caller must hear it


async def test_vault_mutations_send_the_documented_bodies() -> None:
    answers: dict[tuple[str, str], httpx.Response] = {
        ("POST", f"{BASE}/vaults"): httpx.Response(200, json={"vault": {"id": "new"}}),
        ("PUT", f"{BASE}/vaults/{VAULT_ID}"): httpx.Response(200, json={"vault": {"id": "x"}}),
        ("POST", f"{BASE}/vaults/{VAULT_ID}/addresources"):
            httpx.Response(200, json={"add_resource_ids": [DISK]}),
        ("POST", f"{BASE}/vaults/{VAULT_ID}/removeresources"):
            httpx.Response(200, json={"remove_resource_ids": [DISK]}),
        ("POST", f"{BASE}/vaults/{VAULT_ID}/associatepolicy"):
            httpx.Response(200, json={"associate_policy": {}}),
        ("POST", f"{BASE}/vaults/{VAULT_ID}/dissociatepolicy"):
            httpx.Response(200, json={"dissociate_policy": {}}),
        ("DELETE", f"{BASE}/vaults/{VAULT_ID}"): httpx.Response(204),
    }
    fake = cloud(lambda r: answers[(r.method, r.url.path)])
    async with session(fake) as s:
        created = await s.cbr.create_vault(VaultRequest("vault-1", 100, disk_ids=(DISK,)))
        await s.cbr.update_vault(VAULT_ID, size_gb=200)
        assert await s.cbr.add_resources(VAULT_ID, [DISK]) == [DISK]
        assert await s.cbr.remove_resources(VAULT_ID, [DISK]) == [DISK]
        await s.cbr.associate_policy(VAULT_ID, "p1")
        await s.cbr.dissociate_policy(VAULT_ID, "p1")
        await s.cbr.delete_vault(VAULT_ID)
    assert created.id == "new"
    bodies = [json.loads(r.content) if r.content else None for r in cbr_requests(fake)]
    assert bodies[0]["vault"]["billing"]["object_type"] == "disk"
    assert bodies[0]["vault"]["billing"]["size"] == 100
    assert bodies[0]["vault"]["resources"] == [{"id": DISK, "type": "OS::Cinder::Volume"}]
    assert bodies[1] == {"vault": {"billing": {"size": 200}}}
    assert bodies[2] == {"resources": [{"id": DISK, "type": "OS::Cinder::Volume"}]}
    assert bodies[3] == {"resource_ids": [DISK]}
    assert bodies[4] == bodies[5] == {"policy_id": "p1"}


async def test_vault_request_rules_are_checked_before_sending() -> None:
    fake = cloud(lambda r: httpx.Response(200, json={"vault": {}}))
    async with session(fake) as s:
        with pytest.raises(ValidationFailed) as info:
            await s.cbr.create_vault(VaultRequest("", 5))
        with pytest.raises(InvalidIdentifier):
            await s.cbr.get_vault("v1\n")
    assert set(info.value.problems) == {"name", "size_gb"}
    assert cbr_requests(fake) == []


async def test_created_answer_with_an_error_envelope_is_that_error() -> None:
    fake = cloud(lambda r: httpx.Response(200, json={"error_code": "BackupService.6133",
                                                     "error_msg": "max vaults"}))
    async with session(fake) as s:
        with pytest.raises(ApiError) as info:
            await s.cbr.create_vault(VaultRequest("vault-1", 100))
    assert info.value.code == "BackupService.6133"


async def test_operation_logs_filters_and_the_empty_error_info_of_a_success() -> None:
    log = {"status": "success", "checkpoint_id": "c1", "id": "t1", "operation_type": "backup",
           "error_info": {"message": "", "code": ""}, "vault_id": VAULT_ID,
           "extra_info": {"resource": {"type": "OS::Cinder::Volume", "id": DISK},
                          "backup": {"backup_name": "n", "backup_id": "b1",
                                     "incremental": "true"},
                          "common": {"progress": "100", "request_id": "req-1"}},
           "started_at": "2019-05-23T14:31:36.007+00:00"}
    other = {**log, "id": "t2", "checkpoint_id": "c2"}
    fake = cloud(lambda r: httpx.Response(200, json={"operation_logs": [log, other],
                                                     "count": 2}))
    async with session(fake) as s:
        tasks = await s.cbr.tasks_of(checkpoint_id="c1", operation_type="backup",
                                     resource_id=DISK, vault_id=VAULT_ID, status="success")
    assert [t.id for t in tasks] == ["t1"]
    task = tasks[0]
    assert task.succeeded and task.finished and not task.failed
    assert (task.error_code, task.progress, task.incremental) == ("", 100, True)
    params = cbr_requests(fake)[0].url.params
    assert params["operation_type"] == "backup" and params["status"] == "success"
    assert cbr_requests(fake)[0].url.path == f"{BASE}/operation-logs"
