"""Contract tests: VBS backup policies over a real socket — CRUD, the server-side rules
and their AutoBackup codes, the default policy, the policy limit, linking disks (EVS
`metadata.policy` follows), tags and the query by tag."""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simkit import Api, Served, login, serve_in_thread

from vbstui.sim import ManualClock, SimConfig
from vbstui.sim.envelopes import VbsError
from vbstui.sim.policy_rules import parse_policy

SIM_SOURCES = Path(__file__).parents[2] / "vbstui" / "sim"
# The AutoBackup codes of vbs-api/error_codes.rst (checked against the page when it is there).
DOCUMENTED = {f"AutoBackup.{n}" for n in [
    "0000", "0001", "0002", "0003", "0005", "0006", "0008", "0009", "0100", "0101", "0102",
    "0103", "0104", "0105", "0106", "0107", "0203", "0204", "0205", "0206", "0207", "0208",
    "0209", "0210", "0211", "0213", "0214", "0215", "0216", "0217", "0218", "0220", "0221",
    "0222", "0225", "0226", "1100", "1300", "1400", "1700", "9002"]}
ERROR_CODES = Path(__file__).parents[3] / "shared" / "reference" / "vbs-api" / "error_codes.rst"


def good_policy(name: str = "pol-a", **schedule: Any) -> dict[str, Any]:
    return {"backup_policy_name": name,
            "scheduled_policy": {"start_time": "02:00", "frequency": 1, "rentention_num": 7,
                                 "remain_first_backup_of_curMonth": "N", "status": "ON",
                                 **schedule}}


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    stopping: list[threading.Thread] = []
    config = SimConfig(clock=ManualClock(), job_seconds=10.0, volumes=120, vbs_policy_limit=6)
    with serve_in_thread(config, stopping) as served:
        yield served
    for thread in stopping:
        thread.join(10)


@pytest.fixture(scope="module")
def api(served: Served) -> Iterator[Api]:
    with served.client() as client:
        yield login(client)


def policies(api: Api) -> dict[str, dict[str, Any]]:
    response = api.get("/v2/{pid}/backuppolicy")
    assert response.status_code == 200, response.text
    return {p["backup_policy_name"]: p for p in response.json()["backup_policies"]}


def free_disk(api: Api, served: Served, status: str) -> dict[str, Any]:
    """A disk in `status` in no CBR vault and no VBS policy."""
    held = set(served.sim.cbr.vault_of)
    bound = {v["id"] for v in api.volumes(limit=1000) if "policy" in v["metadata"]}
    return api.pick_volume(status, skip=held | bound)


def code_of(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def create(api: Api, body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        return api.post("/v2/{pid}/backuppolicy", content=body)
    return api.post("/v2/{pid}/backuppolicy", json=body)


def test_the_demo_project_lists_the_default_policy_first_and_three_others(api: Api) -> None:
    listed = api.get("/v2/{pid}/backuppolicy").json()["backup_policies"]
    assert listed[0]["backup_policy_name"] == "default"
    assert listed[0]["scheduled_policy"]["status"] == "OFF"
    by_name = {p["backup_policy_name"]: p for p in listed}
    assert {"nightly-db", "weekly-files", "reports-twice-daily"} <= set(by_name)
    nightly = by_name["nightly-db"]
    assert nightly["scheduled_policy"] == {
        "start_time": "02:00", "frequency": 1, "rentention_num": 7,
        "remain_first_backup_of_curMonth": "Y", "status": "ON"}
    assert nightly["policy_resource_count"] >= 2
    weekly = by_name["weekly-files"]
    assert weekly["scheduled_policy"]["week_frequency"] == ["SUN", "WED"]
    assert weekly["scheduled_policy"]["rentention_day"] == 30
    assert weekly["time_zone"] == "UTC+01:00"
    bound = {v["metadata"].get("policy") for v in api.volumes(limit=1000)}
    assert nightly["backup_policy_id"] in bound and weekly["backup_policy_id"] in bound


@pytest.mark.parametrize(("body", "code"), [
    (b"", "AutoBackup.0000"),
    (b"{not json", "AutoBackup.0008"),
    ({"backup_policy_name": "x"}, "AutoBackup.0001"),
    (good_policy(""), "AutoBackup.0101"),
    (good_policy("n" * 65), "AutoBackup.0101"),
    (good_policy("bad name"), "AutoBackup.0102"),
    (good_policy("Default-copy"), "AutoBackup.0102"),
    (good_policy("x<y"), "AutoBackup.0221"),
    (good_policy(start_time="02:30"), "AutoBackup.0103"),
    (good_policy(start_time="02:00,02:00"), "AutoBackup.0103"),
    (good_policy(start_time="24:00"), "AutoBackup.0103"),
    (good_policy(frequency=15), "AutoBackup.0106"),
    (good_policy(frequency=None, week_frequency=["SUN", "XYZ"]), "AutoBackup.0106"),
    (good_policy(frequency=None), "AutoBackup.0106"),
    (good_policy(rentention_num=1), "AutoBackup.0107"),
    (good_policy(rentention_num=100), "AutoBackup.0107"),
    (good_policy(rentention_num=None, rentention_day=100000), "AutoBackup.0107"),
    (good_policy(remain_first_backup_of_curMonth="yes"), "AutoBackup.0105"),
    (good_policy(status="on"), "AutoBackup.0104"),
    ({**good_policy(), "time_zone": "CET"}, "AutoBackup.0226"),
    ({**good_policy(), "tags": [{"key": "k", "value": "a b"}]}, "AutoBackup.0214"),
    ({**good_policy(), "tags": [{"key": f"k{i}", "value": ""} for i in range(11)]},
     "AutoBackup.0215"),
])
def test_a_broken_rule_is_refused_with_its_code_and_nothing_is_created(
        api: Api, body: Any, code: str) -> None:
    before = policies(api)
    response = create(api, body)
    assert response.status_code == 400, response.text
    assert code_of(response) == code
    assert response.json()["error"]["message"]
    assert policies(api) == before


def test_create_modify_enable_and_delete_a_policy(api: Api) -> None:
    body = {**good_policy("crud-1", frequency=None, week_frequency=["MON", "THU"],
                          rentention_num=None, rentention_day=45.9),
            "time_zone": "UTC+02:00", "tags": [{"key": "env", "value": "test"}]}
    created = create(api, body)
    assert created.status_code == 200, created.text
    policy_id = created.json()["backup_policy_id"]
    listed = policies(api)["crud-1"]
    assert listed["backup_policy_id"] == policy_id
    assert listed["scheduled_policy"]["rentention_day"] == 45  # documented: rounded down
    assert listed["scheduled_policy"]["week_frequency"] == ["MON", "THU"]
    assert "frequency" not in listed["scheduled_policy"]
    assert listed["time_zone"] == "UTC+02:00" and listed["policy_resource_count"] == 0

    # Modify is a partial merge; the keep rule's range on modify is 2..14.
    too_many = api.client.put(api._url(f"/v2/{{pid}}/backuppolicy/{policy_id}"),
                              json={"scheduled_policy": {"rentention_num": 20}})
    assert code_of(too_many) == "AutoBackup.0107"
    renamed = api.client.put(api._url(f"/v2/{{pid}}/backuppolicy/{policy_id}"),
                             json={"backup_policy_name": "crud-2",
                                   "scheduled_policy": {"rentention_num": 14, "frequency": 3,
                                                        "status": "OFF"}})
    assert renamed.status_code == 200, renamed.text
    listed = policies(api)["crud-2"]
    assert listed["scheduled_policy"] == {
        "start_time": "02:00", "frequency": 3, "rentention_num": 14,
        "remain_first_backup_of_curMonth": "N", "status": "OFF"}
    enabled = api.client.put(api._url(f"/v2/{{pid}}/backuppolicy/{policy_id}"),
                             json={"scheduled_policy": {"status": "ON"}})
    assert enabled.status_code == 200
    assert policies(api)["crud-2"]["scheduled_policy"]["status"] == "ON"

    deleted = api.delete(f"/v2/{{pid}}/backuppolicy/{policy_id}")
    assert deleted.status_code == 204 and not deleted.content
    assert "crud-2" not in policies(api)
    again = api.delete(f"/v2/{{pid}}/backuppolicy/{policy_id}")
    assert again.status_code == 404 and code_of(again) == "AutoBackup.0205"


def test_the_default_policy_cannot_be_renamed_or_deleted_but_can_be_enabled(api: Api) -> None:
    default = policies(api)["default"]["backup_policy_id"]
    path = f"/v2/{{pid}}/backuppolicy/{default}"
    assert code_of(api.client.put(api._url(path), json={"backup_policy_name": "mine"})) == \
        "AutoBackup.0100"
    assert code_of(api.delete(path)) == "AutoBackup.0100"
    same_name = api.client.put(api._url(path), json={"backup_policy_name": "default",
                                                     "scheduled_policy": {"rentention_num": 5}})
    assert same_name.status_code == 200, same_name.text
    other = create(api, good_policy("not-default")).json()["backup_policy_id"]
    taken = api.client.put(api._url(f"/v2/{{pid}}/backuppolicy/{other}"),
                           json={"backup_policy_name": "default"})
    assert code_of(taken) == "AutoBackup.0102"
    api.delete(f"/v2/{{pid}}/backuppolicy/{other}")
    for status in ("ON", "OFF"):
        response = api.client.put(api._url(path), json={"scheduled_policy": {"status": status}})
        assert response.status_code == 200, response.text
        assert policies(api)["default"]["scheduled_policy"]["status"] == status


def test_the_policy_limit_is_enforced_and_explained(api: Api) -> None:
    existing = sum(name != "default" for name in policies(api))
    made = []
    for index in range(6 - existing):
        response = create(api, good_policy(f"limit-{index}"))
        assert response.status_code == 200, response.text
        made.append(response.json()["backup_policy_id"])
    refused = create(api, good_policy("one-too-many"))
    assert code_of(refused) == "AutoBackup.0203"
    assert "6" in refused.json()["error"]["message"]
    for policy_id in made:
        assert api.delete(f"/v2/{{pid}}/backuppolicy/{policy_id}").status_code == 204


def test_linking_moves_a_disk_between_policies_and_reports_each_failure(api: Api,
                                                                         served: Served) -> None:
    first = create(api, good_policy("link-a")).json()["backup_policy_id"]
    second = create(api, good_policy("link-b")).json()["backup_policy_id"]
    disk = free_disk(api, served, "available")
    broken = next(v for v in api.volumes(status="error"))
    in_vault = next(v for v in api.volumes(limit=1000)
                    if v["id"] in {r for vault in served.sim.cbr.vaults.values()
                                   for r in vault.resources})
    body = {"backup_policy_id": first, "resources": [
        {"resource_id": disk["id"], "resource_type": "volume"},
        {"resource_id": broken["id"], "resource_type": "volume"},
        {"resource_id": in_vault["id"], "resource_type": "volume"},
        {"resource_id": "0f187b65-8d0e-4fc0-9096-3b55d330531e", "resource_type": "volume"},
        {"resource_id": disk["id"], "resource_type": "server"},
    ]}
    linked = api.post("/v2/{pid}/backuppolicyresources", json=body)
    assert linked.status_code == 200, linked.text
    result = linked.json()
    assert [r["resource_id"] for r in result["success_resources"]] == [disk["id"]]
    assert result["success_resources"][0]["availability_zone"] == disk["availability_zone"]
    codes = [(r["resource_id"], r["code"]) for r in result["fail_resources"]]
    assert codes == [(broken["id"], "AutoBackup.0206"), (in_vault["id"], "AutoBackup.1400"),
                     ("0f187b65-8d0e-4fc0-9096-3b55d330531e", "AutoBackup.1400"),
                     (disk["id"], "AutoBackup.0211")]
    assert api.volume(disk["id"])["metadata"]["policy"] == first

    moved = api.post("/v2/{pid}/backuppolicyresources", json={
        "backup_policy_id": second, "resources": [{"resource_id": disk["id"],
                                                   "resource_type": "volume"}]})
    assert moved.json()["fail_resources"] == []
    counts = {n: p["policy_resource_count"] for n, p in policies(api).items()}
    assert counts["link-a"] == 0 and counts["link-b"] == 1
    assert api.volume(disk["id"])["metadata"]["policy"] == second

    wrong = api.post(f"/v2/{{pid}}/backuppolicyresources/{first}/deleted_resources",
                     json={"resources": [{"resource_id": disk["id"]}]})
    assert [r["code"] for r in wrong.json()["fail_resources"]] == ["AutoBackup.1400"]
    unlinked = api.post(f"/v2/{{pid}}/backuppolicyresources/{second}/deleted_resources",
                        json={"resources": [{"resource_id": disk["id"]}]})
    assert unlinked.json() == {"success_resources": [{"resource_id": disk["id"]}],
                               "fail_resources": []}
    assert "policy" not in api.volume(disk["id"])["metadata"]
    empty = api.post("/v2/{pid}/backuppolicyresources",
                     json={"backup_policy_id": first, "resources": []})
    assert code_of(empty) == "AutoBackup.0207"
    no_id = api.post("/v2/{pid}/backuppolicyresources", json={"resources": []})
    assert code_of(no_id) == "AutoBackup.0006"
    for policy_id in (first, second):
        api.delete(f"/v2/{{pid}}/backuppolicy/{policy_id}")


def test_deleting_a_policy_unlinks_its_disks(api: Api, served: Served) -> None:
    policy_id = create(api, good_policy("short-lived")).json()["backup_policy_id"]
    disk = free_disk(api, served, "in-use")
    api.post("/v2/{pid}/backuppolicyresources", json={
        "backup_policy_id": policy_id,
        "resources": [{"resource_id": disk["id"], "resource_type": "volume"}]})
    assert api.volume(disk["id"])["metadata"]["policy"] == policy_id
    assert api.delete(f"/v2/{{pid}}/backuppolicy/{policy_id}").status_code == 204
    assert "policy" not in api.volume(disk["id"])["metadata"]


def test_tags_of_a_policy_all_tags_and_the_query_by_tag(api: Api) -> None:
    policy_id = create(api, {**good_policy("tagged"), "tags": [
        {"key": "env", "value": "stage"}]}).json()["backup_policy_id"]
    tags = f"/v2/{{pid}}/backuppolicy/{policy_id}/tags"
    assert api.post(tags, json={"tag": {"key": "owner", "value": "ops"}}).status_code == 204
    assert api.post(tags, json={"tag": {"key": "env", "value": "prod"}}).status_code == 204
    assert api.get(tags).json() == {"tags": [{"key": "env", "value": "prod"},
                                             {"key": "owner", "value": "ops"}]}
    bad = api.post(tags, json={"tag": {"key": "", "value": "x"}})
    assert code_of(bad) == "AutoBackup.0214"
    assert api.delete(f"{tags}/owner").status_code == 204
    assert code_of(api.delete(f"{tags}/owner")) == "AutoBackup.0216"

    batch = f"{tags}/action"
    assert api.post(batch, json={"action": "create", "tags": [
        {"key": f"k{i}", "value": "v"} for i in range(9)]}).status_code == 204
    full = api.post(batch, json={"action": "update", "tags": [{"key": "k10", "value": "v"}]})
    assert code_of(full) == "AutoBackup.0215"
    assert code_of(api.post(batch, json={"action": "merge", "tags": []})) == "AutoBackup.0222"
    assert api.post(batch, json={"action": "delete", "tags": [
        {"key": f"k{i}"} for i in range(9)] + [{"key": "env", "value": "other"}]}
        ).status_code == 204
    assert api.get(tags).json()["tags"] == [{"key": "env", "value": "prod"}]

    everything = {t["key"]: t["values"] for t in
                  api.get("/v2/{pid}/backuppolicy/tags").json()["tags"]}
    assert set(everything["env"]) == {"prod"} and everything["team"] == ["files"]
    query = "/v2/{pid}/backuppolicy/resource_instances/action"
    found = api.post(query, json={"action": "filter", "tags": [
        {"key": "env", "values": ["prod"]}]}).json()
    assert {r["resource_name"] for r in found["resources"]} == {"tagged", "weekly-files"}
    assert found["total_count"] == 2
    narrowed = api.post(query, json={"action": "filter", "limit": "1", "offset": "0",
                                     "tags": [{"key": "env", "values": []}],
                                     "not_tags": [{"key": "team", "values": ["files"]}]})
    assert [r["resource_name"] for r in narrowed.json()["resources"]] == ["tagged"]
    named = api.post(query, json={"action": "count",
                                  "matches": [{"key": "resource_name", "value": "weekly"}]})
    assert named.json() == {"total_count": 1}
    assert code_of(api.post(query, json={"action": "list"})) == "AutoBackup.0222"
    api.delete(f"/v2/{{pid}}/backuppolicy/{policy_id}")


def test_every_autobackup_code_the_simulator_returns_is_documented() -> None:
    if ERROR_CODES.exists():
        assert set(re.findall(r"AutoBackup\.\d{4}", ERROR_CODES.read_text())) == DOCUMENTED
    documented = DOCUMENTED
    used = {code for source in SIM_SOURCES.glob("*.py")
            for code in re.findall(r"AutoBackup\.\d{4}", source.read_text())}
    assert used, "the simulator returns AutoBackup codes"
    assert used <= documented, sorted(used - documented)


NAME_CHARS = string.ascii_letters + string.digits + "_-"


def name_is_valid(name: str) -> bool:
    """The create page's name rule, with the modify page's "cannot start with default"."""
    return (1 <= len(name) <= 64 and all(c in NAME_CHARS for c in name)
            and not name.lower().startswith("default"))


def start_times_are_valid(text: str) -> bool:
    parts = text.split(",")
    return len(set(parts)) == len(parts) and all(
        len(p) == 5 and p[2:] == ":00" and p[:2].isdigit() and p[:2].isascii()
        and int(p[:2]) <= 23 for p in parts)


def refusal(body: dict[str, Any]) -> str | None:
    try:
        parse_policy(body, create=True)
    except VbsError as exc:
        return exc.code
    return None


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.text(alphabet=NAME_CHARS + " .äD\n", max_size=70),
                      st.sampled_from(["default", "DEFAULT_x", "defaul", "x" * 64, "x" * 65,
                                       "trailing\n"])))
def test_the_name_rule_matches_the_documented_one(name: str) -> None:
    code = refusal(good_policy(name))
    assert (code is None) == name_is_valid(name), (name, code)
    if code is not None:
        assert code == ("AutoBackup.0101" if not 1 <= len(name) <= 64 else "AutoBackup.0102")


@settings(max_examples=300, deadline=None)
@given(times=st.one_of(
    st.lists(st.sampled_from(["00:00", "02:00", "09:00", "23:00", "24:00", "2:00", "02:30",
                              "12:00 ", "١٢:00", "0١:00", "03:00\n"]),
             min_size=1, max_size=4).map(",".join),
    st.text(alphabet="0123456789:,", max_size=12)))
def test_the_start_time_rule_matches_the_documented_one(times: str) -> None:
    code = refusal(good_policy(start_time=times))
    assert (code is None) == start_times_are_valid(times), (times, code)
    assert code in (None, "AutoBackup.0103")


@settings(max_examples=100, deadline=None)
@given(frequency=st.one_of(st.integers(-3, 40), st.floats(0, 20), st.booleans(), st.text()))
def test_the_interval_rule_takes_whole_days_from_1_to_14(frequency: object) -> None:
    valid = isinstance(frequency, int) and not isinstance(frequency, bool) and \
        1 <= frequency <= 14
    code = refusal(good_policy(frequency=frequency))
    assert (code is None) == valid and code in (None, "AutoBackup.0106")
