"""The policy client (`vbstui.cloud.policies`) against scripted answers: the paths and
bodies it sends, messy answers it tolerates, and what it refuses before sending."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cloudfake import VBS, FakeCloud, session

from vbstui.cloud.errors import ApiError, InvalidIdentifier, ResponseFormatError
from vbstui.cloud.policies import PolicyClient
from vbstui.cloud.policy_validation import PolicyDraft
from vbstui.cloud.validation import ValidationFailed

POLICY_ID = "af8a20b0-117d-4fc3-ae53-aa3968a4f870"
DISK = "0f187b65-8d0e-4fc0-9096-3b55d330531e"


class Script:
    """Answers by (method, path below the project) and records what was sent."""

    def __init__(self, answers: dict[tuple[str, str], httpx.Response]) -> None:
        self.answers = answers
        self.sent: list[tuple[str, str, Any, dict[str, str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = str(request.url.copy_with(query=None)).removeprefix(VBS)
        body = json.loads(request.content) if request.content else None
        self.sent.append((request.method, path, body, dict(request.url.params)))
        return self.answers.get((request.method, path), httpx.Response(404, json={
            "error": {"code": "AutoBackup.0205", "message": "The policy does not exist."}}))


def client_for(script: Script) -> tuple[PolicyClient, Any]:
    cloud = session(FakeCloud(script))
    return PolicyClient(cloud), cloud


async def test_list_tolerates_the_documented_and_odd_shapes() -> None:
    listing = {"backup_policies": [
        {"backup_policy_id": "XX", "backup_policy_name": "plan01", "scheduled_policy": {
            "remain_first_backup_of_curMonth": "Y", "rentention_num": 10, "frequency": 1,
            "start_time": "12:00", "status": "ON"}, "policy_resource_count": 0},
        # the page's own example: a key with a trailing space, numbers as strings
        {"backup_policy_id": "YY", "backup_policy_name ": "plan02", "scheduled_policy": {
            "rentention_day": "30", "week_frequency": ["sun", "WED"],
            "start_time": "22:00,00:00", "status": "off"}, "policy_resource_count": "10",
         "time_zone": "UTC+02:00"},
        {"backup_policy_id": "ZZ", "scheduled_policy": None},
        "not a policy"]}
    client, cloud = client_for(Script({("GET", "/backuppolicy"): httpx.Response(200,
                                                                                json=listing)}))
    async with cloud:
        first, second, third, fourth = await client.list_policies()
    assert (first.name, first.keep, first.frequency, first.keep_first_of_month) == (
        "plan01", 10, 1, True)
    assert (second.name, second.keep_days, second.week_days, second.start_hours) == (
        "plan02", 30, ("SUN", "WED"), (22, 0))
    assert second.status == "OFF" and not second.enabled and second.resource_count == 10
    assert (third.id, third.name, third.start_hours, third.keep) == ("ZZ", "", (), None)
    assert fourth.id == ""


async def test_create_sends_the_documented_body_once() -> None:
    script = Script({("POST", "/backuppolicy"): httpx.Response(
        200, json={"backup_policy_id": POLICY_ID})})
    client, cloud = client_for(script)
    draft = PolicyDraft(name="policy_01", start_times="12:00", week_days="SUN,WED",
                        keep_days="30", keep_first_of_month=True, time_zone="UTC+08:00",
                        tags=(("key", "value"),))
    async with cloud:
        assert await client.create_policy(draft) == POLICY_ID
    (method, path, body, _params), = script.sent
    assert (method, path) == ("POST", "/backuppolicy")
    assert body == {"backup_policy_name": "policy_01", "time_zone": "UTC+08:00",
                    "tags": [{"key": "key", "value": "value"}],
                    "scheduled_policy": {"remain_first_backup_of_curMonth": "Y",
                                         "rentention_day": 30, "week_frequency": ["SUN", "WED"],
                                         "start_time": "12:00", "status": "ON"}}


async def test_a_broken_rule_sends_nothing() -> None:
    script = Script({})
    client, cloud = client_for(script)
    async with cloud:
        with pytest.raises(ValidationFailed) as caught:
            await client.create_policy(PolicyDraft(name="x", start_times="02:30",
                                                   frequency="1", keep="7"))
    assert "start_times" in caught.value.problems
    assert script.sent == []


async def test_an_error_envelope_in_a_200_is_an_error() -> None:
    script = Script({("POST", f"/backuppolicy/{POLICY_ID}/action"): httpx.Response(
        200, json={"error": {"code": "AutoBackup.0225", "message": "The policy is being "
                             "executed."}})})
    client, cloud = client_for(script)
    async with cloud:
        with pytest.raises(ApiError) as caught:
            await client.execute_policy(POLICY_ID)
    assert caught.value.code == "AutoBackup.0225"
    assert len(script.sent) == 1  # a change is never resent


async def test_create_without_an_id_in_the_answer_is_ambiguous() -> None:
    client, cloud = client_for(Script({("POST", "/backuppolicy"): httpx.Response(200, json={})}))
    async with cloud:
        with pytest.raises(ResponseFormatError):
            await client.create_policy(PolicyDraft(name="p", start_times="01:00",
                                                   frequency="1", keep="2"))


async def test_link_reports_each_failed_disk_with_its_code() -> None:
    answer = {"success_resources": [{"resource_id": DISK, "availability_zone": "eu-de-01"}],
              "fail_resources": [{"resource_id": "bad-disk", "code": "AutoBackup.0206",
                                  "message": "status invalid"}, {"resource_id": "other"}]}
    script = Script({("POST", "/backuppolicyresources"): httpx.Response(200, json=answer)})
    client, cloud = client_for(script)
    async with cloud:
        result = await client.link(POLICY_ID, [DISK, "bad-disk", "other"])
    assert [r.resource_id for r in result.succeeded] == [DISK]
    assert [(r.resource_id, r.error_code) for r in result.failed] == [
        ("bad-disk", "AutoBackup.0206"), ("other", "")]
    assert script.sent[0][2] == {"backup_policy_id": POLICY_ID, "resources": [
        {"resource_id": i, "resource_type": "volume"} for i in (DISK, "bad-disk", "other")]}


async def test_unlink_set_status_delete_and_tag_paths() -> None:
    ok = httpx.Response(200, json={"backup_policy_id": POLICY_ID})
    script = Script({
        ("POST", f"/backuppolicyresources/{POLICY_ID}/deleted_resources"): httpx.Response(
            200, json={"success_resources": [{"resource_id": DISK}], "fail_resources": []}),
        ("PUT", f"/backuppolicy/{POLICY_ID}"): ok,
        ("DELETE", f"/backuppolicy/{POLICY_ID}"): httpx.Response(204),
        ("POST", f"/backuppolicy/{POLICY_ID}/tags"): httpx.Response(204),
        ("DELETE", f"/backuppolicy/{POLICY_ID}/tags/a%2Fb"): httpx.Response(204),
        ("POST", f"/backuppolicy/{POLICY_ID}/tags/action"): httpx.Response(204),
    })
    client, cloud = client_for(script)
    async with cloud:
        result = await client.unlink(POLICY_ID, [DISK])
        await client.set_enabled(POLICY_ID, False)
        await client.delete_policy(POLICY_ID)
        await client.add_tag(POLICY_ID, "env", "prod")
        await client.remove_tag(POLICY_ID, "a/b")
        await client.batch_tags(POLICY_ID, "delete", [("env", "")])
        with pytest.raises(ValidationFailed):
            await client.add_tag(POLICY_ID, "bad key", "v")
        with pytest.raises(InvalidIdentifier):
            await client.delete_policy("..")
    assert [r.resource_id for r in result.succeeded] == [DISK]
    sent = [(m, p, b) for m, p, b, _q in script.sent]
    assert sent[1] == ("PUT", f"/backuppolicy/{POLICY_ID}",
                       {"scheduled_policy": {"status": "OFF"}})
    assert sent[3] == ("POST", f"/backuppolicy/{POLICY_ID}/tags",
                       {"tag": {"key": "env", "value": "prod"}})
    assert sent[4][:2] == ("DELETE", f"/backuppolicy/{POLICY_ID}/tags/a%2Fb")
    assert sent[5][2] == {"action": "delete", "tags": [{"key": "env", "value": ""}]}
    assert len(sent) == 6  # the refused tag and id never left


async def test_tasks_and_tags_are_read_leniently() -> None:
    tasks = {"tasks": [
        {"status": "running", "job_id": "t1", "created_at": "2016-12-03T06:24:34.467",
         "backup_name": "autobk_a61d", "resource_id": DISK, "resource_type": "volume"},
        {"status": "EXECUTE_FAIL", "job_id": "t2", "created_at": None, "code":
         "VolumeBackup.0040", "message": "20 backups"}], "count": "7"}
    script = Script({
        ("GET", f"/backuppolicy/{POLICY_ID}/backuptasks"): httpx.Response(200, json=tasks),
        ("GET", f"/backuppolicy/{POLICY_ID}/tags"): httpx.Response(200, json={"tags": [
            {"key": "RUNNING", "value": "x"}, {"key": "WAITING", "values": "y"}, {}]}),
        ("GET", "/backuppolicy/tags"): httpx.Response(200, json={"tags": [
            {"key": "env", "values": ["prod", "dev"]}, {"key": "team", "values": "files"}]}),
    })
    client, cloud = client_for(script)
    async with cloud:
        found, count = await client.tasks(POLICY_ID, job_id="t1", limit=5)
        tags = await client.tags(POLICY_ID)
        every = await client.all_tags()
    assert count == 7
    assert [(t.job_id, t.status, t.finished) for t in found] == [
        ("t1", "RUNNING", False), ("t2", "EXECUTE_FAIL", True)]
    assert found[0].created_at is not None and found[0].created_at.tzinfo is not None
    assert found[1].error_code == "VolumeBackup.0040"
    assert script.sent[0][3] == {"limit": "5", "offset": "0", "sort_dir": "desc",
                                 "sort_key": "created_at", "job_id": "t1"}
    assert tags == [("RUNNING", "x"), ("WAITING", "y")]
    assert [(t.key, t.values) for t in every] == [("env", ("prod", "dev")),
                                                  ("team", ("files",))]


async def test_policies_by_tag_is_a_read_sent_as_post() -> None:
    answer = {"total_count": 1, "resources": [
        {"resource_id": POLICY_ID, "resource_name": "weekly", "resource_detail": None,
         "tags": [{"key": "env", "value": "prod"}]}]}
    script = Script({("POST", "/backuppolicy/resource_instances/action"): httpx.Response(
        200, json=answer)})
    client, cloud = client_for(script)
    async with cloud:
        (found,) = await client.by_tags({"env": ["prod", "dev"]})
    assert (found.id, found.name, found.tags) == (POLICY_ID, "weekly", (("env", "prod"),))
    assert script.sent[0][2] == {"action": "filter", "limit": "1000", "offset": "0",
                                 "tags": [{"key": "env", "values": ["prod", "dev"]}]}
