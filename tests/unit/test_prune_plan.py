"""Pruning: which backups of a disk go, which stay and which cannot go (property tests
against an independent oracle), and a plan that never deletes what it did not list."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.models import Backup, Quota, Volume
from vbstui.errors import UsageError
from vbstui.jobs import Phase
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.prune import PruneSummary, keep_problem, plan_disk, plan_prune, start_prune
from vbstui.ops.resolve import DiskChoice

DISK = str(uuid.UUID(int=1, version=4))
OTHER_DISK = str(uuid.UUID(int=2, version=4))
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
STATUSES = ["available", "available", "error", "creating", "deleting", "restoring"]


def backup(n: int, *, status: str = "available", hours: int | None = None, size: int = 10,
           dependents: bool = False, volume_id: str = DISK) -> Backup:
    raw = {"id": f"b{n:03d}", "name": f"nightly-{n}", "status": status, "size": size,
           "volume_id": volume_id, "has_dependent_backups": dependents}
    if hours is not None:
        raw["created_at"] = (T0 + timedelta(hours=hours)).isoformat()
    return Backup.from_api(raw)


backups_of_a_disk = st.lists(
    st.tuples(st.sampled_from(STATUSES), st.one_of(st.none(), st.integers(0, 50)),
              st.booleans(), st.booleans()),
    max_size=25,
).map(lambda rows: [(backup(n, status=s, hours=h, dependents=d), shared)
                    for n, (s, h, d, shared) in enumerate(rows)])


@given(backups_of_a_disk, st.integers(1, 30))
def test_the_newest_stay_and_only_deletable_older_ones_go(rows, keep: int) -> None:
    backups = [b for b, _ in rows]
    shared = {b.id: ["722513ed0a324dadaabe5b2d0fe848c9"] for b, s in rows if s}
    plan = plan_disk(DISK, backups, keep, shared=shared)
    # Oracle: undated first (their age is unknown), then newest first; ties by id.
    def age(b: Backup) -> tuple[int, float, str]:
        return (1 if b.created_at is None else 0,
                b.created_at.timestamp() if b.created_at else 0.0, b.id)
    ordered = sorted(backups, key=age, reverse=True)
    assert plan.kept == ordered[:keep]
    older = ordered[keep:]
    allowed = [b for b in older if b.status in ("available", "error")
               and not b.raw["has_dependent_backups"] and b.id not in shared]
    assert plan.delete == allowed
    assert [r.backup for r in plan.refused] == [b for b in older if b not in allowed]
    # Nothing kept is ever deleted, and every backup is in exactly one list.
    assert len(plan.kept) + len(plan.delete) + len(plan.refused) == len(backups)
    assert not {b.id for b in plan.kept} & {b.id for b in plan.delete}
    newest_kept = [b.created_at for b in plan.kept if b.created_at]
    if newest_kept and plan.delete:
        assert min(newest_kept) >= max(b.created_at for b in plan.delete if b.created_at)


def test_each_refusal_says_why() -> None:
    plan = plan_disk(DISK, [backup(1, hours=10), backup(2, hours=1, status="creating"),
                            backup(3, hours=2, dependents=True), backup(4, hours=3),
                            backup(5, hours=4)], 1,
                     shared={"b004": ["722513ed0a324dadaabe5b2d0fe848c9"]})
    assert [b.id for b in plan.kept] == ["b001"]
    assert [b.id for b in plan.delete] == ["b005"]
    reasons = {r.backup.id: r.reason for r in plan.refused}
    assert reasons["b002"].startswith("status 'creating' — only 'available' or 'error'")
    assert reasons["b003"].startswith("other backups depend on it")
    assert reasons["b004"].startswith("shared with 1 project (722513ed")


def test_keep_must_be_one_or_more() -> None:
    assert keep_problem(1) is None
    assert "1 or more" in (keep_problem(0) or "")


class Service:
    """Backups of two disks, deletes recorded; `changed` backups differ on a fresh read."""

    label = "VBS"

    def __init__(self, backups: list[Backup]) -> None:
        self.backups = {b.id: b for b in backups}
        self.changed: dict[str, Backup] = {}
        self.deleted: list[str] = []

    async def project_id(self) -> str:
        return "0123456789abcdef0123456789abcdef"

    async def list_backups(self, *, volume_id=None, name=None, status=None) -> list[Backup]:
        return [b for b in self.backups.values() if b.volume_id == volume_id]

    async def get_volume(self, volume_id: str) -> Volume | None:
        return Volume.from_api({"id": volume_id, "name": f"disk-{volume_id[-1]}"})

    async def get_backup(self, backup_id: str) -> Backup | None:
        if backup_id in self.deleted:
            return None
        return self.changed.get(backup_id) or self.backups.get(backup_id)

    async def delete_backup(self, backup_id: str) -> None:
        self.deleted.append(backup_id)

    async def get_quota(self) -> Quota:
        return Quota.from_api({})


async def test_a_run_sends_only_planned_backups_still_deletable_and_sums_the_space() -> None:
    service = Service([backup(n, hours=n, size=n, volume_id=DISK) for n in range(1, 6)]
                      + [backup(n, hours=n, size=100, volume_id=OTHER_DISK)
                         for n in range(10, 12)])
    plan = await plan_prune(service, [DiskChoice(DISK), DiskChoice(OTHER_DISK),
                                      DiskChoice(DISK)], 2, concurrency=2)
    assert [d.volume_name for d in plan.disks] == ["disk-1", "disk-2"]  # each disk once
    assert [b.id for b in plan.delete] == ["b003", "b002", "b001"]
    assert plan.gigabytes == 6
    service.backups["b099"] = backup(99, hours=0, volume_id=DISK)  # appeared after the plan
    service.changed["b002"] = backup(2, hours=2, status="restoring")
    async def no_wait(_seconds: float) -> None:
        return None

    tracker = JobTracker(service, profile="test", sleep=no_wait)
    run = await start_prune(service, tracker, plan, concurrency=2)
    assert sorted(service.deleted) == ["b001", "b003"]
    assert run.skipped == ["b002 (nightly-2): status 'restoring' — only 'available' or "
                           "'error' backups can be deleted"]
    for job in run.jobs:
        await tracker.follow(job)
    assert {j.phase for j in run.jobs} == {Phase.SUCCESS}
    summary = PruneSummary.of(run)
    assert (summary.deleted, summary.gigabytes, summary.skipped, summary.pending) == (2, 4, 1, 0)
    assert summary.text() == ("pruned: 2 backups deleted, 4 GB freed; 1 skipped (changed "
                              "since the preview)")


async def test_a_plan_refuses_keep_zero() -> None:
    with pytest.raises(UsageError):
        await plan_prune(Service([]), [DiskChoice(DISK)], 0, concurrency=1)
