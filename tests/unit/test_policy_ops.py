"""The policy operations: schedules in words and the next run, which policy is meant,
what an update sends, link/unlink/delete plans, refusals explained, and a policy run
followed through its tasks, journaled and resumed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from vbstui.cli.output import print_outcome
from vbstui.cloud.errors import ApiError, CloudError, NotFound, Reached, TransportError
from vbstui.cloud.models import Backup, Job, Volume
from vbstui.cloud.policy_answers import PolicyTask, ResourceResult
from vbstui.cloud.policy_models import Policy
from vbstui.cloud.policy_validation import PolicyDraft
from vbstui.cloud.validation import ValidationFailed
from vbstui.errors import UsageError
from vbstui.jobs import TrackedJob
from vbstui.jobs.model import Kind, Phase
from vbstui.jobs.timing import PollSchedule
from vbstui.jobs.tracker import JobTracker
from vbstui.local.journal import Journal
from vbstui.ops.policies import (
    Created,
    PolicyChanges,
    PolicyRefusal,
    create_once,
    explain_failure,
    policy_record,
    refuse_default_change,
    resolve_policy,
    updated_draft,
)
from vbstui.ops.policy_links import (
    delete_confirmation,
    disk_outcomes,
    plan_link,
    plan_unlink,
)
from vbstui.ops.policy_runs import PolicyTaskPort, TaskBoard, job_from_task, run_now
from vbstui.ops.policy_schedule import next_run, retention_text, schedule_text, when_text

UTC = timezone.utc
TUESDAY = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 2026-12-01 is a Tuesday


def policy(name: str = "nightly", **sched: Any) -> Policy:
    raw = {"backup_policy_id": f"id-{name}", "backup_policy_name": name,
           "policy_resource_count": sched.pop("disks", 2),
           "time_zone": sched.pop("time_zone", None),
           "scheduled_policy": {"start_time": "02:00", "status": "ON", "rentention_num": 7,
                                **sched}}
    if "frequency" not in sched and "week_frequency" not in sched:
        raw["scheduled_policy"]["frequency"] = 1
    return Policy.from_api(raw)


def disk(volume_id: str, name: str, policy_id: str = "") -> Volume:
    raw: dict[str, Any] = {"id": volume_id, "name": name, "status": "available"}
    if policy_id:
        raw["metadata"] = {"policy": policy_id}
    return Volume.from_api(raw)


# -- schedule, retention, next run ------------------------------------------------------


def test_schedule_and_retention_in_words() -> None:
    assert schedule_text(policy(frequency=2)) == "02:00 UTC every 2 days"
    assert schedule_text(policy(frequency=1, start_time="06:00,18:00")) == (
        "06:00, 18:00 UTC every day")
    assert schedule_text(policy(week_frequency=["THU", "MON"])) == "Mon, Thu at 02:00 UTC"
    assert retention_text(policy()) == "keep 7"
    assert retention_text(policy(rentention_num=None, rentention_day=30,
                                 remain_first_backup_of_curMonth="Y")) == (
        "keep 30 days + first of month")


def test_next_run_every_day_and_every_few_days() -> None:
    assert next_run(policy(), TUESDAY) == TUESDAY.replace(hour=2)
    # every 3 days: days 1, 4, 7, … of the month (console guide)
    assert next_run(policy(frequency=3), TUESDAY.replace(day=2)) == datetime(
        2026, 12, 4, 2, tzinfo=UTC)
    assert next_run(policy(frequency=3), datetime(2026, 12, 31, 3, tzinfo=UTC)) == datetime(
        2027, 1, 1, 2, tzinfo=UTC)
    assert next_run(policy(status="OFF"), TUESDAY) is None


def test_next_run_on_week_days_counts_them_in_the_policys_zone() -> None:
    assert next_run(policy(week_frequency=["MON", "THU"]), TUESDAY) == datetime(
        2026, 12, 3, 2, tzinfo=UTC)
    # 23:00 UTC is already Monday in UTC+02:00: the Sunday evening run is the Monday one
    zoned = policy(week_frequency=["MON"], start_time="23:00", time_zone="UTC+02:00")
    assert next_run(zoned, TUESDAY) == datetime(2026, 12, 6, 23, tzinfo=UTC)


def test_next_run_in_utc_and_local_time() -> None:
    cet = timezone(timedelta(hours=1), "CET")
    assert when_text(datetime(2026, 12, 2, 2, tzinfo=UTC), local=cet) == (
        "2026-12-02 02:00 UTC", "2026-12-02 03:00 CET")
    record = policy_record(policy(), TUESDAY, local=cet)
    assert (record["next_run_text"], record["next_run_local"]) == (
        "2026-12-01 02:00 UTC", "2026-12-01 03:00 CET")
    assert record["schedule"] == "02:00 UTC every day" and record["retention"] == "keep 7"


# -- which policy, what an update sends -------------------------------------------------


def test_a_policy_is_meant_by_id_or_unique_name() -> None:
    one, two, twin = policy("one"), policy("two"), Policy.from_api(
        {"backup_policy_id": "id-other", "backup_policy_name": "two"})
    assert resolve_policy([one, two], "id-two") is two
    assert resolve_policy([one, two], "one") is one
    with pytest.raises(UsageError, match="2 policies have this name") as ambiguous:
        resolve_policy([one, two, twin], "two")
    assert "id-two" in str(ambiguous.value) and "id-other" in str(ambiguous.value)
    with pytest.raises(UsageError, match="no policy has this id or name"):
        resolve_policy([one], "three")


def test_an_update_replaces_the_other_half_of_each_pair() -> None:
    current = policy(week_frequency=["MON"], rentention_num=None, rentention_day=30)
    draft = updated_draft(current, PolicyChanges(frequency="2", keep="5"))
    assert (draft.frequency, draft.week_days, draft.keep, draft.keep_days) == ("2", "", "5", "")
    body = draft.to_body(with_name=False)["scheduled_policy"]
    assert body["frequency"] == 2 and "week_frequency" not in body
    assert body["rentention_num"] == 5 and "rentention_day" not in body
    assert PolicyChanges().empty and not PolicyChanges(keep="3").empty


def test_the_default_policy_is_not_renamed_or_deleted() -> None:
    default = policy("default")
    with pytest.raises(PolicyRefusal, match="cannot be deleted"):
        refuse_default_change(default, deleting=True)
    with pytest.raises(PolicyRefusal, match="cannot be renamed"):
        refuse_default_change(default, renaming=True)
    refuse_default_change(default)  # its schedule may change
    refuse_default_change(policy("mine"), deleting=True)


def api_error(code: str) -> ApiError:
    return ApiError(status=400, code=code, message="refused", method="POST", path="/x")


def test_refusals_are_explained_in_the_policys_terms() -> None:
    many = [policy("default"), *(policy(f"p{i}") for i in range(10))]
    limit = explain_failure(api_error("AutoBackup.0203"), None, many)
    assert "(10 besides the default policy)" in limit and "Delete a policy" in limit
    running = explain_failure(api_error("AutoBackup.0225"), policy("nightly"))
    assert "policy 'nightly' is running right now" in running
    empty = explain_failure(api_error("AutoBackup.1700"), policy("nightly", disks=0))
    assert "has no disks linked" in empty
    assert "default policy" in explain_failure(api_error("AutoBackup.0100"), policy("default"))


# -- link, unlink, delete -------------------------------------------------------------


def test_linking_a_disk_of_another_policy_says_it_moves_from_there() -> None:
    target, other = policy("weekly"), policy("nightly")
    volumes = [disk("d1", "db-1"), disk("d2", "db-2", other.id), disk("d3", "db-3", target.id)]
    plan = plan_link(target, volumes, [target, other])
    assert plan.to_send == ["d1", "d2"]
    text = "\n".join(plan.confirmation())
    assert "db-2 (d2) moves from policy nightly" in text
    assert "already in this policy, left as they are: db-3" in text


def test_unlink_and_delete_name_the_linked_disks() -> None:
    target = policy("weekly")
    plan = plan_unlink(target, [disk("d1", "db-1", target.id), disk("d2", "db-2")])
    assert plan.to_send == ["d1"]
    assert "db-1 (d1)" in "\n".join(plan.confirmation())
    lines = delete_confirmation(target, [disk("d1", "db-1", target.id)])
    assert "1 linked disk will no longer be backed up" in lines[0] and "db-1 (d1)" in lines[1]
    assert lines[0].endswith("(its backups are kept):")


def test_per_disk_failures_carry_code_and_meaning() -> None:
    result = ResourceResult.from_api({
        "success_resources": [{"resource_id": "d1"}],
        "fail_resources": [{"resource_id": "d2", "code": "AutoBackup.0206", "message": "busy"}]})
    ok, failed, missing = disk_outcomes(result, ["d1", "d2", "d3"], {"d2": "db-2"})
    assert ok.ok and not failed.ok and not missing.ok
    assert failed.text().startswith("db-2 (d2): FAILED with AutoBackup.0206: The disk to "
                                    "associate")
    assert "(server: busy)" in failed.text()
    assert missing.message == "the answer does not mention this disk"


# -- a policy run followed through its tasks ------------------------------------------


def task(job_id: str, status: str, disk_id: str = "d1", **extra: Any) -> PolicyTask:
    return PolicyTask.from_api({"job_id": job_id, "status": status, "resource_id": disk_id,
                                "backup_name": f"autobk_{job_id}", **extra})


def test_task_statuses_become_job_statuses() -> None:
    assert job_from_task(task("a", "WAITING")).status == "INIT"
    assert job_from_task(task("a", "EXECUTE_SUCCESS")).status == "SUCCESS"
    skipped = job_from_task(task("a", "SKIP", code="VolumeBackup.0013"))
    assert skipped.status == "FAIL" and skipped.error_code == "VolumeBackup.0013"
    assert "skipped this disk" in skipped.fail_reason
    assert "did not finish in time" in job_from_task(task("a", "EXECUTE_TIMEOUT")).fail_reason


class FakePolicies:
    """The policy client's task calls over a list the test changes."""

    def __init__(self) -> None:
        self.board: list[PolicyTask] = [task("old", "EXECUTE_SUCCESS")]
        self.calls: list[str] = []
        self.on_run: list[PolicyTask] = []

    async def tasks(self, policy_id: str, *, job_id: str | None = None, limit: int = 100,
                    offset: int = 0, **_: Any) -> tuple[list[PolicyTask], int]:
        self.calls.append(f"tasks {job_id or ''}".strip())
        found = [t for t in self.board if job_id in (None, t.job_id)]
        return found[offset:offset + limit], len(found)

    async def execute_policy(self, policy_id: str) -> None:
        self.calls.append("run")
        self.board = [*self.on_run, *self.board]


class FakeVbs:
    """The VBS service as the tracker sees it, routing policy-run jobs to their port."""

    def __init__(self, policies: FakePolicies) -> None:
        self.policies = policies

    async def project_id(self) -> str:
        return "project-1"

    def for_job(self, job: TrackedJob) -> Any:
        assert job.kind is Kind.POLICY_RUN
        return PolicyTaskPort(self, self.policies, job)  # type: ignore[arg-type]

    async def get_job(self, job_id: str) -> Job:
        raise NotFound(status=404, code=None, message=f"no job {job_id}", method="GET",
                       path="jobs")

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        return []

    async def get_backup(self, backup_id: str) -> Backup | None:
        return None

    async def get_volume(self, volume_id: str) -> Volume | None:
        return None


def tracker_for(service: FakeVbs, journal: Journal) -> JobTracker:
    async def instant(_seconds: float) -> None:
        return None

    return JobTracker(service, profile="p", journal=journal,  # type: ignore[arg-type]
                      poll=PollSchedule(first=0.01, maximum=0.01), sleep=instant)


async def test_a_run_is_followed_to_its_end_and_survives_a_restart(tmp_path: Path) -> None:
    fake = FakePolicies()
    fake.on_run = [task("t1", "WAITING", "d1"), task("t2", "EXECUTE_FAIL", "d2",
                                                     code="VolumeBackup.0040")]
    service = FakeVbs(fake)
    journal = Journal(tmp_path / "jobs.sqlite3")
    tracker = tracker_for(service, journal)
    start = await run_now(fake, tracker, policy(disks=2), run_id="run-1")  # type: ignore[arg-type]
    assert [(j.job_id, j.phase) for j in start.jobs] == [("t1", Phase.RUNNING),
                                                         ("t2", Phase.FAILED)]
    assert start.jobs[1].error_code == "VolumeBackup.0040"
    journal.close()

    # a new process: the unfinished task is in the journal and followed to its end
    journal = Journal(tmp_path / "jobs.sqlite3")
    again = tracker_for(service, journal)
    (pending,) = again.unfinished("project-1")
    assert (pending.kind, pending.job_id, pending.request["policy_id"]) == (
        Kind.POLICY_RUN, "t1", "id-nightly")
    fake.board = [task("t1", "RUNNING", "d1"), *fake.board[1:]]
    polls = 0

    async def finishing(_seconds: float) -> None:
        nonlocal polls
        polls += 1
        if polls == 3:
            fake.board = [task("t1", "EXECUTE_SUCCESS", "d1"), *fake.board[1:]]

    again.rt.sleep = finishing
    done = await again.resume(pending)
    assert done.phase is Phase.SUCCESS and done.status == "SUCCESS"
    assert journal.unfinished(profile="p") == []
    journal.close()


async def test_tasks_polled_together_share_one_listing() -> None:
    fake = FakePolicies()
    fake.board = [task(f"t{i}", "RUNNING", f"d{i}") for i in range(5)]
    now = [0.0]
    board = TaskBoard(fake, "id-nightly", clock=lambda: now[0])  # type: ignore[arg-type]
    for i in range(5):
        assert (await board.task(f"t{i}")).status == "RUNNING"
    assert fake.calls == ["tasks"]
    await board.task("t0")  # asked again: the next poll round lists again
    assert fake.calls == ["tasks", "tasks"]
    now[0] = 5.0
    await board.task("t1")  # a listing older than a second is not used
    assert fake.calls == ["tasks", "tasks", "tasks"]
    fake.board = fake.board[1:]  # t0 fell off the newest page: asked for alone, then gone
    now[0] = 10.0
    with pytest.raises(CloudError):
        await board.task("t0")
    assert fake.calls[-2:] == ["tasks", "tasks t0"]


async def test_a_run_whose_answer_was_lost_is_found_by_its_tasks(tmp_path: Path) -> None:
    fake = FakePolicies()
    fake.on_run = [task("t1", "WAITING")]

    async def lost(policy_id: str) -> None:
        fake.board = [*fake.on_run, *fake.board]
        raise TransportError("connection dropped", kind="drop", reached=Reached.MAYBE)

    fake.execute_policy = lost  # type: ignore[method-assign]
    journal = Journal(tmp_path / "jobs.sqlite3")
    start = await run_now(fake, tracker_for(FakeVbs(fake), journal),  # type: ignore[arg-type]
                          policy(disks=1), run_id="r")
    assert start.accepted and [j.job_id for j in start.jobs] == ["t1"]
    assert "answer to the run request was lost" in start.message
    journal.close()


async def test_a_run_of_many_disks_finds_every_task_and_polls_them_together(
        tmp_path: Path) -> None:
    fake = FakePolicies()
    fake.board = [task(f"old{i}", "EXECUTE_SUCCESS") for i in range(150)]
    fake.on_run = [task(f"t{i}", "WAITING", f"d{i}") for i in range(250)]
    service = FakeVbs(fake)
    journal = Journal(tmp_path / "jobs.sqlite3")
    tracker = tracker_for(service, journal)
    start = await run_now(fake, tracker, policy(disks=250), run_id="r")  # type: ignore[arg-type]
    assert len(start.jobs) == 250 and not start.message
    fake.board = [task(f"t{i}", "EXECUTE_SUCCESS", f"d{i}") for i in range(250)] + fake.board[250:]
    fake.calls.clear()
    for job in start.jobs:
        await tracker.follow(job)
    assert {j.phase for j in start.jobs} == {Phase.SUCCESS}
    # the newest page, then one wide listing, answered all 250 polls
    assert fake.calls == ["tasks", "tasks"]
    journal.close()


class Creating:
    """A policy listing and a create call whose answer the test decides."""

    def __init__(self, answer: Exception | None, made: int = 1) -> None:
        self.listed = [policy("nightly")]  # a namesake from before
        self.answer, self.made, self.creates = answer, made, 0

    async def list_policies(self) -> list[Policy]:
        return list(self.listed)

    async def create_policy(self, draft: PolicyDraft) -> str:
        self.creates += 1
        self.listed += [Policy.from_api({"backup_policy_id": f"new{i}", "backup_policy_name":
                                         draft.name}) for i in range(self.made)]
        if self.answer is not None:
            raise self.answer
        return "new0"


DRAFT = PolicyDraft(name="nightly", start_times="02:00", frequency="1", keep="7")
DROPPED = TransportError("connection dropped", kind="drop", reached=Reached.MAYBE)


async def test_a_create_whose_answer_was_lost_is_found_not_sent_again() -> None:
    assert await create_once(Creating(None), DRAFT) == Created("new0")  # type: ignore[arg-type]
    found = Creating(DROPPED)
    assert await create_once(found, DRAFT) == Created("new0", recovered=True)  # type: ignore[arg-type]
    twice = Creating(DROPPED, made=2)
    outcome = await create_once(twice, DRAFT)  # type: ignore[arg-type]
    assert outcome.policy_id is None and "2 new policies are named 'nightly'" in outcome.unknown
    nothing = Creating(DROPPED, made=0)
    outcome = await create_once(nothing, DRAFT)  # type: ignore[arg-type]
    assert outcome.policy_id is None and "no new policy named 'nightly'" in outcome.unknown
    assert (found.creates, twice.creates, nothing.creates) == (1, 1, 1)
    refused = Creating(api_error("AutoBackup.0203"))
    with pytest.raises(ApiError):
        await create_once(refused, DRAFT)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        await create_once(Creating(None), PolicyDraft(name="x"))  # type: ignore[arg-type]


async def test_a_task_the_service_forgot_is_followed_by_its_backup(tmp_path: Path) -> None:
    fake = FakePolicies()
    fake.on_run = [task("t1", "RUNNING", "d1")]
    backup = Backup.from_api({"id": "b1", "name": "autobk_t1", "volume_id": "d1",
                              "status": "available"})

    class Remembering(FakeVbs):
        async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
            return [backup] if (volume_id, name) == ("d1", "autobk_t1") else []

        async def get_backup(self, backup_id: str) -> Backup | None:
            return backup if backup_id == "b1" else None

    journal = Journal(tmp_path / "jobs.sqlite3")
    tracker = tracker_for(Remembering(fake), journal)
    (job,) = (await run_now(fake, tracker, policy(disks=1), run_id="r")).jobs  # type: ignore[arg-type]
    fake.board = []  # tasks older than 30 days are dropped; a restarted service forgets
    done = await tracker.follow(job)
    assert (done.phase, done.backup_id, done.follow_backup) == (Phase.SUCCESS, "b1", True)
    journal.close()


async def test_a_finished_task_names_the_backup_it_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakePolicies()
    fake.on_run = [task("t1", "RUNNING", "d1", vbs_job_id="vj1"),
                   task("t2", "RUNNING", "d2", vbs_job_id="gone")]
    by_name = Backup.from_api({"id": "b2", "name": "autobk_t2", "volume_id": "d2",
                               "status": "available"})

    class Answering(FakeVbs):
        async def get_job(self, job_id: str) -> Job:
            if job_id != "vj1":  # an expired VBS job: the backup is found by its name
                return await super().get_job(job_id)
            return Job.from_api({"job_id": "vj1", "status": "SUCCESS",
                                 "entities": {"backup_id": "b1"}})

        async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
            return [by_name] if (volume_id, name) == ("d2", "autobk_t2") else []

    journal = Journal(tmp_path / "jobs.sqlite3")
    tracker = tracker_for(Answering(fake), journal)
    jobs = (await run_now(fake, tracker, policy(disks=2), run_id="r")).jobs  # type: ignore[arg-type]
    fake.board = [task("t1", "EXECUTE_SUCCESS", "d1", vbs_job_id="vj1"),
                  task("t2", "EXECUTE_SUCCESS", "d2", vbs_job_id="gone")]
    done = [await tracker.follow(job) for job in jobs]
    assert [(j.phase, j.backup_id) for j in done] == [(Phase.SUCCESS, "b1"),
                                                       (Phase.SUCCESS, "b2")]
    journaled = {r.get("job_id"): r.get("backup_id") for r in journal.history()}
    assert (journaled["t1"], journaled["t2"]) == ("b1", "b2")  # `vbstui jobs` shows them
    journal.close()
    capsys.readouterr()
    for job in done:  # `vbstui policy run --wait` prints what it made, as `backup create`
        print_outcome(job)
    assert capsys.readouterr().out.split() == ["b1", "b2"]
