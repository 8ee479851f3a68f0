"""Backup sharing: the project id rule (against an independent oracle), the rules of a
share, the wire calls, and the delete refusal of a shared backup."""

from __future__ import annotations

import json
import string
import uuid

import httpx
import pytest
from cloudfake import PROJECT, VBS, FakeCloud, session
from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.shares import Share, SharesClient, normal_project_id, project_id_problem
from vbstui.cloud.validation import ValidationFailed
from vbstui.errors import UsageError
from vbstui.ops.delete import check_deletes
from vbstui.ops.service import VbsBackupService
from vbstui.ops.shares import (
    check_share,
    check_unshare,
    share_backup,
    share_target_problems,
    unshare_backup,
)

HEX = "0123456789abcdef"
OTHER = "722513ed0a324dadaabe5b2d0fe848c9"
THIRD = "722513ed0a324dadaabe5b2d0fe84919"
BACKUP = str(uuid.UUID(int=7, version=4))


def oracle_is_project_id(text: str) -> bool:
    """Independent of the code: 32 characters, each a hex digit, case ignored, outer
    blanks ignored."""
    value = text.strip()
    return len(value) == 32 and all(c in HEX for c in value.lower())


project_ids = st.text(alphabet=HEX, min_size=32, max_size=32)
near_ids = st.one_of(
    project_ids,
    project_ids.map(str.upper),
    project_ids.map(lambda p: f"  {p}\t"),
    st.text(alphabet=HEX + "g-xyzG ", min_size=0, max_size=40),
    st.text(alphabet=string.printable, max_size=40),
    project_ids.map(lambda p: p[:31]),
    project_ids.map(lambda p: p + "0"),
    project_ids.map(lambda p: p[:10] + "-" + p[11:]),
)


@given(near_ids)
def test_project_id_rule_matches_the_oracle(text: str) -> None:
    problem = project_id_problem(text)
    assert (problem is None) == oracle_is_project_id(text), (text, problem)
    if problem is None:
        assert normal_project_id(text) == text.strip().lower()


@given(st.lists(st.sampled_from([OTHER, THIRD, PROJECT, OTHER.upper(), "nope", "1" * 32]),
                max_size=8),
       st.sets(st.sampled_from([OTHER, THIRD, "1" * 32])))
def test_share_targets_are_valid_others_once_and_not_shared_yet(
        wanted: list[str], already: set[str]) -> None:
    chosen, problems = share_target_problems(wanted, own_project_id=PROJECT,
                                             already_shared=already)
    # The oracle: the distinct valid ids, in order, that are neither mine nor shared already.
    expected: list[str] = []
    for text in wanted:
        value = text.strip().lower()
        if oracle_is_project_id(text) and value != PROJECT and value not in already \
                and value not in expected:
            expected.append(value)
    assert chosen == expected
    seen: set[str] = set()
    clean = bool(wanted)
    for text in wanted:
        value = text.strip().lower()
        if not oracle_is_project_id(text) or value == PROJECT or value in seen \
                or value in already:
            clean = False
        seen.add(value)
    assert (not problems) == clean
    if not wanted:
        assert problems == ["give at least one project id to share with"]


def test_share_target_messages_say_what_is_wrong() -> None:
    chosen, problems = share_target_problems(
        [OTHER, PROJECT, OTHER.upper(), "abc", THIRD], own_project_id=PROJECT,
        already_shared=[THIRD])
    assert chosen == [OTHER]
    assert problems == [
        f"{PROJECT} is this project: a backup is shared with other projects",
        f"{OTHER} is given twice",
        "'abc': a project id has 32 characters, this has 3",
        f"the backup is shared with {THIRD} already",
    ]
    assert project_id_problem("z" * 32) == (f"{'z' * 32!r}: a project id has only the digits "
                                            "0-9 and the letters a-f")


def test_a_share_is_read_leniently() -> None:
    share = Share.from_api({"id": 5, "backup_id": None, "created_at": "2017-08-10T12:25:40",
                            "backup": "not a dict"})
    assert (share.id, share.backup_id, share.backup, share.backup_name) == ("5", "", None, "")
    assert share.created_at is not None and share.created_at.tzinfo is not None
    assert Share.from_api(["odd"]).id == ""


# -- over the wire (a scripted VBS) -----------------------------------------------------


class SharingApi:
    """Backups and shares of one project, answering the documented paths."""

    def __init__(self, *, status: str = "available", shared_with: tuple[str, ...] = ()
                 ) -> None:
        self.backup = {"id": BACKUP, "name": "nightly", "status": status, "size": 10,
                       "volume_id": str(uuid.UUID(int=1, version=4))}
        self.shares = [self._share(p) for p in shared_with]
        self.sent: list[tuple[str, str, dict]] = []

    def _share(self, project: str) -> dict:
        return {"id": str(uuid.uuid4()), "backup_id": BACKUP, "from_project_id": PROJECT,
                "to_project_id": project, "created_at": None, "backup": self.backup}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(httpx.URL(VBS).path)
        params = dict(request.url.params)
        body = json.loads(request.content) if request.content else {}
        if request.method != "GET":
            self.sent.append((request.method, path, params | body))
        if path == f"/backups/{BACKUP}":
            return httpx.Response(200, json={"backup": self.backup})
        if path == "/backups/detail":
            return httpx.Response(200, json={"backups": [self.backup]})
        if path == "/os-vendor-backup-sharing/detail":
            mine = [s for s in self.shares if params.get("backup_id") in (None, s["backup_id"])]
            offset, limit = int(params["offset"]), int(params["limit"])
            return httpx.Response(200, json={"shared": mine[offset:offset + limit]})
        if path == "/os-vendor-backup-sharing" and request.method == "POST":
            made = [self._share(p) for p in body["shared"]["to_project_ids"]]
            self.shares.extend(made)
            return httpx.Response(200, json={"shared": made})
        if path.startswith("/os-vendor-backup-sharing/") and request.method == "DELETE":
            item = path.rsplit("/", 1)[1]
            key = "backup_id" if params.get("is_backup_id") == "true" else "id"
            self.shares = [s for s in self.shares if s[key] != item]
            return httpx.Response(200)
        return httpx.Response(404, json={"itemNotFound": {"code": 404, "message": path}})


async def test_share_is_checked_then_sent_in_one_request_for_all_projects() -> None:
    api = SharingApi(shared_with=(THIRD,))
    async with session(FakeCloud(api)) as s:
        service = VbsBackupService(s)
        check = await check_share(service, "nightly", [OTHER.upper(), THIRD])
        assert check.problems == [f"the backup is shared with {THIRD} already"]
        assert api.sent == []  # a broken rule sends nothing
        with pytest.raises(UsageError):
            await share_backup(service, check)
        check = await check_share(service, BACKUP, [OTHER.upper()])
        made = await share_backup(service, check)
    assert [m.to_project_id for m in made] == [OTHER]
    assert api.sent == [("POST", "/os-vendor-backup-sharing",
                         {"shared": {"backup_id": BACKUP, "to_project_ids": [OTHER]}})]


async def test_a_backup_that_is_not_available_is_not_shared() -> None:
    api = SharingApi(status="creating")
    async with session(FakeCloud(api)) as s:
        check = await check_share(VbsBackupService(s), BACKUP, [OTHER])
    assert check.problems == [f"{BACKUP} (nightly) is 'creating': only an 'available' "
                              "backup can be shared"]


async def test_the_client_refuses_a_bad_project_id_before_sending() -> None:
    api = SharingApi()
    async with session(FakeCloud(api)) as s:
        with pytest.raises(ValidationFailed):
            await SharesClient(s).share(BACKUP, ["short"])
    assert api.sent == []


async def test_unshare_all_is_one_call_and_one_project_revokes_only_its_share() -> None:
    api = SharingApi(shared_with=(OTHER, THIRD))
    async with session(FakeCloud(api)) as s:
        service = VbsBackupService(s)
        check = await check_unshare(service, BACKUP, [THIRD, "f" * 32])
        assert check.problems == [f"the backup is not shared with {'f' * 32}"]
        check = await check_unshare(service, BACKUP, [THIRD])
        third_share = check.shares[0].id
        assert "Stop sharing backup 'nightly'" in check.confirmation() and THIRD in \
            check.confirmation() and OTHER not in check.confirmation()
        assert await unshare_backup(service, check) == [THIRD]
        assert [s["to_project_id"] for s in api.shares] == [OTHER]
        everything = await check_unshare(service, BACKUP)
        assert everything.everything and everything.project_ids == [OTHER]
        await unshare_backup(service, everything)
        nothing = await check_unshare(service, BACKUP)
    revokes = [(m, p, d) for m, p, d in api.sent if m == "DELETE"]
    assert revokes[0] == ("DELETE", f"/os-vendor-backup-sharing/{third_share}",
                          {"is_backup_id": "false"})
    assert revokes[1] == ("DELETE", f"/os-vendor-backup-sharing/{BACKUP}",
                          {"is_backup_id": "true"})
    assert api.shares == [] and not nothing.ok
    assert nothing.problems == [f"{BACKUP} (nightly) is not shared with any project"]


async def test_a_shared_backup_is_refused_before_a_delete_is_sent() -> None:
    api = SharingApi(shared_with=(OTHER,))
    async with session(FakeCloud(api)) as s:
        check = await check_deletes(VbsBackupService(s), [BACKUP], concurrency=2)
    assert check.targets == []
    assert check.refused == [f"{BACKUP} (nightly): shared with 1 project ({OTHER}) — stop "
                             "sharing it first (backup unshare)"]
    assert api.sent == []


async def test_a_backup_others_depend_on_is_refused_before_a_delete_is_sent() -> None:
    api = SharingApi()
    api.backup["has_dependent_backups"] = True
    async with session(FakeCloud(api)) as s:
        check = await check_deletes(VbsBackupService(s), [BACKUP], concurrency=2)
    assert check.targets == [] and "other backups depend on it" in check.refused[0]


async def test_shares_are_read_page_by_page_until_a_short_page() -> None:
    api = SharingApi(shared_with=tuple(f"{n:032x}" for n in range(1, 1202)))
    fake = FakeCloud(api)
    async with session(fake) as s:
        shares = await SharesClient(s).list_shares(to_me=True)
    assert [x.to_project_id for x in shares] == [f"{n:032x}" for n in range(1, 1202)]
    listings = [r.url.params for r in fake.requests if r.url.path.endswith("/detail")]
    assert [(p["offset"], p["limit"], p["share_to_me"]) for p in listings] == [
        ("0", "1000", "true"), ("1000", "1000", "true")]
