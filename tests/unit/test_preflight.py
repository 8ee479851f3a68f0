"""The operations layer's pre-flight checks (what the service would refuse, from one
listing per run), the retry rule, the summary of a resumed run, and the at-most-once
rule fed by the run's listing instead of a listing per disk."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vbstui.cloud.errors import CloudError, Reached
from vbstui.cloud.models import Backup, Job, Quota, Volume
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.jobs.timing import ReconcilePolicy
from vbstui.jobs.tracker import JobTracker
from vbstui.local.journal import Journal
from vbstui.ops.preflight import BACKUPS_PER_DISK, disk_refusal, preflight
from vbstui.ops.retry import retry_plan
from vbstui.ops.summary import resumed_runs, summary_when_ended

DISKS = [str(uuid.UUID(int=n + 1, version=4)) for n in range(8)]
PAGE = 3  # the fake's page size, so paging is exercised with a handful of records


def volume(volume_id: str, status: str = "available", size: int = 10) -> Volume:
    return Volume.from_api({"id": volume_id, "name": f"disk-{volume_id[-2:]}",
                            "status": status, "size": size})


def backup(volume_id: str, n: int, *, name: str = "", status: str = "available") -> Backup:
    return Backup.from_api({"id": f"{volume_id[-4:]}-b{n}", "name": name or f"old-{n}",
                            "volume_id": volume_id, "status": status, "size": 10})


class Project:
    """A backup service answering from lists, paged like the real one; counts calls."""

    def __init__(self, volumes: list[Volume], backups: list[Backup], *,
                 quota: list[dict[str, Any]] | None = None) -> None:
        self.volumes = volumes
        self.backups = backups
        self.quota = quota or []
        self.calls: list[str] = []

    async def _pages(self, items: list[Any], what: str) -> AsyncIterator[tuple[list[Any], int]]:
        for start in range(0, max(len(items), 1), PAGE):
            self.calls.append(f"{what} page")
            yield items[start:start + PAGE], len(items)

    def volume_pages(self, **_: Any) -> AsyncIterator[tuple[list[Volume], int | None]]:
        return self._pages(self.volumes, "volumes")

    def backup_pages(self, **_: Any) -> AsyncIterator[tuple[list[Backup], int | None]]:
        return self._pages(self.backups, "backups")

    async def list_backups(self, *, volume_id: str | None = None, **_: Any) -> list[Backup]:
        self.calls.append(f"backups of {volume_id}")
        return [b for b in self.backups if b.volume_id == volume_id]

    async def get_volume(self, volume_id: str) -> Volume | None:
        self.calls.append(f"volume {volume_id}")
        return next((v for v in self.volumes if v.id == volume_id), None)

    async def list_volumes(self, **_: Any) -> list[Volume]:
        self.calls.append("volumes")
        return list(self.volumes)

    async def get_quota(self) -> Quota:
        self.calls.append("quota")
        return Quota.from_api({"quotas": {"resources": self.quota}})


# -- what the service would refuse -----------------------------------------------------------


def test_each_refusal_is_checked_in_the_services_order() -> None:
    disk = DISKS[0]
    assert disk_refusal(disk, None, []).code == "VolumeBackup.0021"  # type: ignore[union-attr]
    running = disk_refusal(disk, volume(disk), [backup(disk, 1, status="creating")])
    assert running is not None and running.code == "VolumeBackup.0013"
    busy = disk_refusal(disk, volume(disk, "backing-up"), [])
    assert busy is not None and busy.code == "VolumeBackup.0013"
    broken = disk_refusal(disk, volume(disk, "error"), [])
    assert broken is not None and broken.code == "VolumeBackup.0012"
    assert "'error'" in broken.text() and "available or in-use" in broken.text()


@given(count=st.integers(0, 30), errors=st.integers(0, 30))
def test_the_limit_counts_every_backup_of_the_disk_whatever_its_status(count: int,
                                                                      errors: int) -> None:
    disk = DISKS[0]
    backups = [backup(disk, n) for n in range(count)]
    backups += [backup(disk, 100 + n, status="error") for n in range(errors)]
    refusal = disk_refusal(disk, volume(disk), backups)
    if count + errors >= BACKUPS_PER_DISK:
        assert refusal is not None and refusal.at_limit
        assert f"{count + errors} backups" in refusal.text()
        assert "Delete old backups" in refusal.text()  # what to do, from the catalogue
    else:
        assert refusal is None


async def test_a_bulk_run_lists_disks_and_backups_once_not_once_per_disk() -> None:
    full, busy, fine = DISKS[0], DISKS[1], DISKS[2:6]
    project = Project(
        [volume(d) for d in [full, *fine]] + [volume(busy, "backing-up")],
        [backup(full, n) for n in range(20)] + [backup(fine[0], 1, name="nightly-0003")])
    checked = await preflight(project, [full, *fine, busy, full])
    assert [v.id for v in checked.ready] == fine
    assert [(r.volume_id, r.code) for r in checked.refusals] == [
        (full, "VolumeBackup.0040"), (busy, "VolumeBackup.0013")]
    assert not checked.clear
    pages = -(-len(project.backups) // PAGE)
    assert project.calls.count("backups page") == pages  # the project's backups, once
    assert not [c for c in project.calls if c.startswith(("backups of", "volume "))]
    # The same listing is the at-most-once snapshot: namesakes of each disk, nothing else.
    assert checked.existing.known_ids(fine[0], "nightly-0003") == [f"{fine[0][-4:]}-b1"]
    assert checked.existing.known_ids(fine[1], "nightly-0003") == []
    assert checked.existing.known_ids(DISKS[7], "nightly-0003") is None  # not in the run


async def test_a_small_run_in_a_big_project_asks_for_each_disk_instead() -> None:
    many = [backup(DISKS[7], n) for n in range(PAGE * 10)]
    project = Project([volume(d) for d in DISKS], [*many, backup(DISKS[0], 1)])
    checked = await preflight(project, DISKS[:2])
    assert checked.clear and [v.id for v in checked.ready] == DISKS[:2]
    assert project.calls.count("backups page") == 1  # the first page told the total
    assert {c for c in project.calls if c.startswith("backups of")} == {
        f"backups of {DISKS[0]}", f"backups of {DISKS[1]}"}
    assert checked.existing.known_ids(DISKS[0], "old-1") == [f"{DISKS[0][-4:]}-b1"]


async def test_one_disk_is_fetched_alone_and_a_missing_one_is_refused() -> None:
    project = Project([volume(DISKS[0])], [])
    checked = await preflight(project, [DISKS[1]])
    assert [r.code for r in checked.refusals] == ["VolumeBackup.0021"]
    assert project.calls == [f"volume {DISKS[1]}", f"backups of {DISKS[1]}"]


async def test_the_quota_of_the_run_counts_only_the_disks_it_would_send() -> None:
    full = DISKS[0]
    project = Project([volume(d, size=100) for d in DISKS[:4]],
                      [backup(full, n) for n in range(20)],
                      quota=[{"type": "backups", "used": 0, "quota": 2},
                             {"type": "backup_gigabytes", "used": 0, "quota": 250}])
    checked = await preflight(project, DISKS[:4])
    assert [v.id for v in checked.ready] == DISKS[1:4]
    assert len(checked.quota.warnings) == 2  # 3 backups of 100 GB: neither count nor size fit
    assert checked.problems()[-1].startswith("this would exceed the quota")
    assert "volumes" not in project.calls  # the sizes came from the run's listing


# -- the retry rule ------------------------------------------------------------------------


def job(disk: str, phase: Phase, *, run: str = "r1", at: float = 1.0, name: str = "") -> TrackedJob:
    return TrackedJob(kind=Kind.CREATE, profile="p", volume_id=disk, phase=phase, run_id=run,
                      backup_name=name or f"nightly-{disk[-2:]}", submitted_at=at,
                      request={"volume_id": disk, "name": name or f"nightly-{disk[-2:]}"})


def test_retry_takes_the_failed_and_refused_backups_of_the_latest_run() -> None:
    older = job(DISKS[5], Phase.FAILED, run="r0", at=0.5)
    jobs = [older, job(DISKS[0], Phase.FAILED), job(DISKS[1], Phase.REFUSED),
            job(DISKS[2], Phase.SUCCESS), job(DISKS[3], Phase.CANCELLED),
            job(DISKS[4], Phase.UNKNOWN)]
    plan = retry_plan(jobs)
    assert plan.run_id == "r1"
    assert [j.volume_id for j in plan.retry] == DISKS[:2]
    assert [j.volume_id for j in plan.undecided] == [DISKS[4]]  # never sent until decided
    assert [r.name for r in plan.backup_plan.requests] == [j.backup_name for j in plan.retry]
    assert [j.volume_id for j in retry_plan(jobs, "r0").retry] == [DISKS[5]]


def test_a_failure_superseded_by_a_later_backup_of_the_disk_is_not_retried() -> None:
    jobs = [job(DISKS[0], Phase.FAILED), job(DISKS[1], Phase.FAILED),
            job(DISKS[2], Phase.FAILED), job(DISKS[3], Phase.FAILED),
            job(DISKS[0], Phase.SUCCESS, run="r2", at=2.0),  # the retry worked
            job(DISKS[1], Phase.RUNNING, run="r3", at=3.0),  # still under way
            job(DISKS[2], Phase.FAILED, run="r4", at=4.0),  # failed again: no superseding
            job(DISKS[3], Phase.SUCCESS, run="r0", at=0.1)]  # an older success does not count
    assert [j.volume_id for j in retry_plan(jobs, "r1").retry] == [DISKS[2], DISKS[3]]


def test_nothing_to_retry_without_backups() -> None:
    plan = retry_plan([])
    assert plan.retry == [] and plan.undecided == []


# -- a resumed run's summary ----------------------------------------------------------------


def test_a_resumed_run_is_summed_up_once_every_job_of_it_has_ended() -> None:
    done = job(DISKS[0], Phase.SUCCESS)
    resumed = [job(DISKS[1], Phase.RUNNING), job(DISKS[2], Phase.RUNNING)]
    alone = job(DISKS[3], Phase.RUNNING, run="")
    history = [done, *(TrackedJob.from_record(j.to_record()) for j in resumed),
               job(DISKS[4], Phase.FAILED, run="other")]
    runs = resumed_runs([*resumed, alone], history)
    assert set(runs) == {"r1"}  # a job alone is no run to sum up
    members = runs["r1"]
    assert {j.volume_id for j in members} == {DISKS[0], DISKS[1], DISKS[2]}
    assert all(any(m is r for m in members) for r in resumed)  # the live objects
    assert summary_when_ended(members) is None
    resumed[0].phase = Phase.FAILED
    resumed[1].phase = Phase.UNKNOWN  # waits for the user, as at the end of any run
    summary = summary_when_ended(members)
    assert summary is not None and summary.total == 3 and summary.failed == 1


# -- at most once, with the run's listing ----------------------------------------------------


class LosesTheAnswer:
    """The create arrives and makes a backup, but the answer is lost (reached MAYBE)."""

    def __init__(self, namesake: Backup) -> None:
        self.backups = [namesake]
        self.finds = 0
        self.creates = 0

    async def project_id(self) -> str:
        return "p1"

    async def find_backups(self, volume_id: str, name: str) -> list[Backup]:
        self.finds += 1
        return [b for b in self.backups if b.volume_id == volume_id and b.name == name]

    async def get_backup(self, backup_id: str) -> Backup | None:
        return next((b for b in self.backups if b.id == backup_id), None)

    async def get_volume(self, volume_id: str) -> Volume | None:
        return volume(volume_id, "backing-up")

    async def get_job(self, job_id: str) -> Job:
        raise AssertionError("no job id was ever answered")

    async def create_backup(self, request: BackupRequest) -> str:
        self.creates += 1
        self.backups.append(backup(request.volume_id, 99, name=request.name, status="creating"))
        error = CloudError("connection dropped after sending")
        error.reached_server = Reached.MAYBE
        raise error

    async def restore_backup(self, backup_id: str, volume_id: str) -> str:
        raise AssertionError

    async def delete_backup(self, backup_id: str) -> None:
        raise AssertionError


async def test_the_runs_listing_is_journaled_and_only_a_new_backup_is_adopted() -> None:
    disk = DISKS[0]
    namesake = backup(disk, 1, name="nightly-0001")  # listed before the run
    service = LosesTheAnswer(namesake)
    journal = Journal(None)
    tracker = JobTracker(service, profile="p", journal=journal,
                         reconcile=ReconcilePolicy(window=1.0, quiet_window=1.0, interval=0.01))
    request = BackupRequest(volume_id=disk, name="nightly-0001")
    tracked = tracker.new_backup_job(request, run_id="r1")
    await tracker.submit_backup(tracked, known_backup_ids=[namesake.id])
    assert service.creates == 1
    assert tracked.phase is Phase.RUNNING and tracked.recovered
    assert tracked.backup_id == f"{disk[-4:]}-b99"  # ours, not the older namesake
    [record] = journal.history()
    assert record["known_backup_ids"] == [namesake.id] and record["run_id"] == "r1"
    # The only searches were after the lost answer: none before sending.
    assert service.finds == 1


@settings(max_examples=50)
@given(phases=st.lists(st.sampled_from(list(Phase)), min_size=1, max_size=8))
def test_retry_never_sends_what_may_already_exist(phases: list[Phase]) -> None:
    jobs = [job(DISKS[i], phase) for i, phase in enumerate(phases)]
    plan = retry_plan(jobs)
    assert all(j.phase in (Phase.FAILED, Phase.REFUSED) for j in plan.retry)
    assert {j.volume_id for j in plan.undecided} == {
        j.volume_id for j in jobs if j.phase in (Phase.UNKNOWN, Phase.SUBMITTING,
                                                 Phase.RECONCILING)}
