"""The operations layer's rules, as both front ends get them: planning a run (property
tests against the oracle), restore and delete checks, the quota warning, the decision
after an unknown outcome, run summaries and the read-only guard."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from validation_oracle import name_ok

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup, Quota, Volume
from vbstui.cloud.validation import ValidationFailed
from vbstui.errors import ReadOnlyRefusal, UsageError
from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.delete import check_deletes
from vbstui.ops.guard import Guard
from vbstui.ops.outcome import Decision, decide, submit_again_problem, what_may_exist
from vbstui.ops.plans import BackupInput, backupable, plan_backups, plan_problems
from vbstui.ops.quota import check_quota
from vbstui.ops.restore import check_restore
from vbstui.ops.summary import RunSummary

DISKS = [str(uuid.UUID(int=n + 1, version=4)) for n in range(5)]
NAME_CHARS = st.sampled_from("abcXYZ019_-")


def volume(volume_id: str, *, status: str = "available", size: int = 10) -> Volume:
    return Volume.from_api({"id": volume_id, "name": f"disk-{volume_id[:4]}", "status": status,
                            "size": size})


def backup(backup_id: str, *, status: str = "available", size: int = 10,
           volume_id: str = DISKS[0]) -> Backup:
    return Backup.from_api({"id": backup_id, "name": f"b-{backup_id}", "status": status,
                            "size": size, "volume_id": volume_id})


class Service:
    """A backup service answering from dicts; counts what it was asked."""

    def __init__(self, *, volumes: list[Volume] | None = None,
                 backups: list[Backup] | None = None, quota: list[dict[str, Any]] | None = None,
                 fail: bool = False) -> None:
        self.volumes = {v.id: v for v in volumes or []}
        self.backups = {b.id: b for b in backups or []}
        self.quota = quota
        self.fail = fail
        self.calls: list[str] = []

    async def get_backup(self, backup_id: str) -> Backup | None:
        self.calls.append(f"backup {backup_id}")
        return self.backups.get(backup_id)

    async def get_volume(self, volume_id: str) -> Volume | None:
        self.calls.append(f"volume {volume_id}")
        return self.volumes.get(volume_id)

    async def list_volumes(self, **_: Any) -> list[Volume]:
        self.calls.append("volumes")
        return list(self.volumes.values())

    async def get_quota(self) -> Quota:
        self.calls.append("quota")
        if self.fail:
            raise CloudError("connection refused")
        return Quota.from_api({"quotas": {"resources": self.quota or []}})


# -- planning ------------------------------------------------------------------------------


@settings(max_examples=300)
@given(base=st.text(NAME_CHARS, min_size=1, max_size=70), disks=st.integers(1, 4))
def test_the_bulk_limit_applies_to_the_typed_name_and_the_suffix_is_ours(base: str,
                                                                         disks: int) -> None:
    wanted = BackupInput(volume_ids=DISKS[:disks], name=base)
    limit = 59 if disks > 1 else 64
    if name_ok(base, max_length=limit):
        plan = plan_backups(wanted)
        names = [r.name for r in plan.requests]
        assert names == ([f"{base}-{i:04d}" for i in range(1, disks + 1)] if disks > 1
                         else [base])
        assert all(r.problems() == {} for r in plan.requests)  # what is sent is valid
    else:
        with pytest.raises(ValidationFailed) as failed:
            plan_backups(wanted)
        assert "name" in failed.value.problems


def test_a_disk_named_twice_is_backed_up_once_and_a_snapshot_belongs_to_one_disk() -> None:
    plan = plan_backups(BackupInput(volume_ids=[DISKS[0], DISKS[1], DISKS[0]], name="x"))
    assert [r.volume_id for r in plan.requests] == [DISKS[0], DISKS[1]]
    assert [r.name for r in plan.requests] == ["x-0001", "x-0002"]
    problems = plan_problems(BackupInput(volume_ids=DISKS[:2], name="x", snapshot_id=DISKS[4]))
    assert problems == {"snapshot_id": [
        "a snapshot belongs to one disk; it cannot be used when backing up several"]}
    bad_second = plan_problems(BackupInput(volume_ids=[DISKS[0], "nope"], name="x"))
    assert list(bad_second) == ["volume_id"]


def test_preflight_keeps_only_backupable_disks_and_says_why() -> None:
    ready = backupable([volume(DISKS[0]), volume(DISKS[1], status="backing-up"),
                        volume(DISKS[2], status="in-use")])
    assert [v.id for v in ready.volumes] == [DISKS[0], DISKS[2]]
    assert len(ready.refusals) == 1 and "already running" in ready.refusals[0]


# -- restore and delete ------------------------------------------------------------------------


async def test_restore_is_checked_against_the_server_not_the_caller() -> None:
    service = Service(volumes=[volume(DISKS[0], status="in-use"), volume(DISKS[1], size=5)],
                      backups=[backup("b1", size=10)])
    onto_own = await check_restore(service, "b1", None)
    assert onto_own.volume is not None and onto_own.volume.id == DISKS[0]
    assert onto_own.problems == ["the disk is 'in-use', it must be 'available' — stop the "
                                 "server and detach the disk first (VBS restores only "
                                 "detached disks)"]
    too_small = await check_restore(service, "b1", DISKS[1])
    assert not too_small.ok and "smaller than the backup" in too_small.problems[0]
    missing = await check_restore(service, "nope", DISKS[1])
    assert missing.problems == ["the backup does not exist"]


async def test_deletes_are_checked_fresh_once_each_and_in_bounded_parallel() -> None:
    service = Service(backups=[backup("b1"), backup("b2", status="creating"),
                               backup("b3", status="error")])
    check = await check_deletes(service, ["b1", "b2", "b1", "b3", "gone"], concurrency=2)
    assert [b.id for b in check.targets] == ["b1", "b3"]
    assert check.refused == [
        "b2 (b-b2): status 'creating' — only 'available' or 'error' backups can be deleted",
        "gone: no such backup"]
    assert sorted(service.calls) == ["backup b1", "backup b2", "backup b3", "backup gone"]


# -- quota ---------------------------------------------------------------------------------------


async def test_quota_warning_counts_fresh_sizes_only_under_a_capacity_quota() -> None:
    count_only = Service(volumes=[volume(DISKS[0])], quota=[
        {"type": "backups", "used": 9, "quota": 10}])
    check = await check_quota(count_only, DISKS[:2])
    assert check.warnings == ["backup quota: 9 of 10 used, 1 left, 2 requested"]
    assert count_only.calls == ["quota"]  # sizes do not matter here: no disk reads
    capacity = Service(volumes=[volume(DISKS[0], size=40), volume(DISKS[1], size=30)], quota=[
        {"type": "backup_gigabytes", "used": 50, "quota": 100}])
    check = await check_quota(capacity, [DISKS[0], DISKS[1]])
    assert check.warnings == ["capacity quota: 50 of 100 GB used, 50 GB left, about 70 GB "
                              "requested"]
    assert check.text().startswith("this would exceed the quota: capacity quota")


async def test_no_quota_answer_is_no_warning_not_an_error() -> None:
    assert (await check_quota(Service(fail=True), DISKS[:1])).warnings == []

    class Slow(Service):
        async def get_quota(self) -> Quota:
            await asyncio.sleep(5)
            raise AssertionError("not reached")

    assert (await check_quota(Slow(), DISKS[:1], timeout=0.05)).quota is None


# -- decisions, summaries, the guard ------------------------------------------------------------


class Recording:
    """A tracker stand-in that records which decision it carried out."""

    def __init__(self) -> None:
        self.done: list[str] = []

    async def reconcile(self, job: TrackedJob) -> TrackedJob:
        self.done.append("reconcile")
        return job

    async def resubmit(self, job: TrackedJob) -> TrackedJob:
        self.done.append("resubmit")
        return job

    def cancel(self, job: TrackedJob) -> None:
        self.done.append("cancel")
        job.phase = Phase.CANCELLED


def unknown_job() -> TrackedJob:
    return TrackedJob(kind=Kind.CREATE, profile="p", volume_id=DISKS[0], backup_name="nightly",
                      volume_name="db", phase=Phase.UNKNOWN)


@pytest.mark.parametrize(("decision", "done"), [(Decision.CHECK, ["reconcile"]),
                                                (Decision.SUBMIT_AGAIN, ["resubmit"]),
                                                (Decision.GIVE_UP, ["cancel"])])
async def test_each_decision_is_carried_out(decision: Decision, done: list[str]) -> None:
    tracker = Recording()
    await decide(tracker, unknown_job(), decision, Guard())  # type: ignore[arg-type]
    assert tracker.done == done


async def test_read_only_mode_never_submits_again_and_settled_jobs_are_left_alone() -> None:
    tracker = Recording()
    with pytest.raises(ReadOnlyRefusal, match="read-only mode"):
        await decide(tracker, unknown_job(), Decision.SUBMIT_AGAIN,  # type: ignore[arg-type]
                     Guard(readonly=True))
    settled = unknown_job()
    settled.phase = Phase.SUCCESS
    await decide(tracker, settled, Decision.GIVE_UP, Guard())  # type: ignore[arg-type]
    assert tracker.done == [] and settled.phase is Phase.SUCCESS
    assert "'nightly' of disk db may already exist" in what_may_exist(unknown_job())
    # The stand-in mirrors the real tracker's three methods.
    assert all(hasattr(JobTracker, m) for m in ("reconcile", "resubmit", "cancel"))


async def test_a_policy_run_is_never_submitted_again_only_checked_or_given_up() -> None:
    """A policy task is the service's own run: vbstui has no request to send again."""
    tracker = Recording()
    job = unknown_job()
    job.kind = Kind.POLICY_RUN
    with pytest.raises(UsageError, match="run the policy again"):
        await decide(tracker, job, Decision.SUBMIT_AGAIN, Guard())  # type: ignore[arg-type]
    assert tracker.done == [] and job.phase is Phase.UNKNOWN
    await decide(tracker, job, Decision.CHECK, Guard())  # type: ignore[arg-type]
    assert tracker.done == ["reconcile"]
    assert submit_again_problem(unknown_job()) is None


def test_one_summary_wording_for_every_run() -> None:
    jobs = [unknown_job() for _ in range(5)]
    for job, phase, code in zip(jobs, [Phase.SUCCESS, Phase.SUCCESS, Phase.FAILED,
                                       Phase.REFUSED, Phase.UNKNOWN],
                                ["", "", "VolumeBackup.0064", "VolumeBackup.0080", ""],
                                strict=True):
        job.phase, job.error_code = phase, code
    summary = RunSummary.of(jobs)
    assert summary.text() == ("bulk backup done: 2 of 5 succeeded, 2 failed "
                              "(VolumeBackup.0064 ×1, VolumeBackup.0080 ×1), "
                              "1 with unknown outcome")
    assert summary.as_dict() == {"total": 5, "by_phase": {"failed": 1, "refused": 1,
                                                          "success": 2, "unknown": 1},
                                 "error_codes": {"VolumeBackup.0064": 1,
                                                 "VolumeBackup.0080": 1}}
    assert not summary.all_succeeded
