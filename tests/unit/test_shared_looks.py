"""A run's create jobs are followed with one listing of the backups in progress, and each
job is asked for itself only for its end: its true final status and error code."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from cbrsim import SimProject, sim_project

from vbstui.cloud.errors import ApiError
from vbstui.cloud.models import Backup, Job
from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.jobs.shared_looks import OWN_LOOK_AT_LEAST_EVERY
from vbstui.jobs.timing import PollSchedule
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.bulk import new_run_jobs, submit_run
from vbstui.ops.plans import BackupInput, plan_backups
from vbstui.ops.preflight import preflight
from vbstui.ops.routing import open_backup_service
from vbstui.sim import FaultSpec

JOB_GET = "GET /v1/{project_id}/jobs/{job_id}"
LISTING = "GET /v2/{project_id}/backups/detail"
EVERY_SECOND = PollSchedule(first=1.0, factor=1.0, maximum=1.0)


def requests(project: SimProject) -> dict[str, int]:
    return dict(project.app.state.sim.snapshot()["requests"])  # type: ignore[attr-defined]


def run_tracker(project: SimProject, service: object, followers: int) -> JobTracker:
    """Looks every simulated second; `followers` jobs sleeping together move the clock by
    one wait (each moves it a share), as jobs followed at the same moment do."""
    async def sleep(seconds: float) -> None:
        project.clock.advance(seconds / followers)
        await asyncio.sleep(0)

    return JobTracker(service, profile="demo", sleep=sleep, clock=project.clock,  # type: ignore[arg-type]
                      poll=EVERY_SECOND)


async def test_a_run_asks_each_job_once_for_its_end_and_keeps_its_true_outcome() -> None:
    # Jobs of 5 s looked at every second: asked one by one, that is 5 job reads each.
    project = sim_project("vbs", faults=FaultSpec(job_fail=0.5, seed=4))
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        disks = [v.id for v in await session.evs.list_volumes(status="available")][:6]
        checked = await preflight(service, disks)
        plan = plan_backups(BackupInput([v.id for v in checked.ready], "together"))
        tracker = run_tracker(project, service, followers=len(plan.requests))
        jobs = new_run_jobs(tracker, plan, checked, run_id="run-1", names={})
        await submit_run(tracker, jobs, checked)
        before = requests(project)
        await asyncio.gather(*(tracker.follow(j) for j in jobs))
        after = requests(project)
        job_reads = after.get(JOB_GET, 0) - before.get(JOB_GET, 0)
        listings = after.get(LISTING, 0) - before.get(LISTING, 0)
        assert len(jobs) == 6
        assert job_reads == len(jobs), "each job is asked for itself only for its end"
        assert listings <= 6, "one listing per round of looks, shared by the run's jobs"
        for job in jobs:  # what the service says about each job, read afresh
            truth = await session.vbs.get_job(job.job_id)
            assert (job.status, job.error_code) == (truth.status, truth.failure_code)
            assert job.phase is (Phase.SUCCESS if truth.status == "SUCCESS" else Phase.FAILED)
        assert {j.phase for j in jobs} == {Phase.SUCCESS, Phase.FAILED}  # the seed gives both
        assert all(j.error_code for j in jobs if j.phase is Phase.FAILED)


async def test_a_job_followed_alone_is_asked_for_itself_without_any_listing() -> None:
    project = sim_project("vbs")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        disk = next(v for v in await session.evs.list_volumes(status="available"))
        checked = await preflight(service, [disk.id])
        plan = plan_backups(BackupInput([disk.id], "alone"))
        tracker = run_tracker(project, service, followers=1)
        [job] = new_run_jobs(tracker, plan, checked, run_id="", names={})
        await submit_run(tracker, [job], checked)
        before = requests(project)
        await tracker.follow(job)
        after = requests(project)
        assert job.phase is Phase.SUCCESS
        assert after.get(LISTING, 0) == before.get(LISTING, 0)
        assert after[JOB_GET] - before.get(JOB_GET, 0) == job.polls >= 5


# -- a service whose listing misleads or fails ------------------------------------------


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class ListingService:
    """Jobs that ended long ago while the listing still shows their backups `creating`
    (a stuck backup), or a listing that fails."""

    jobs: dict[str, str]  # job id → volume id
    listing_fails: bool = False
    job_reads: list[str] = field(default_factory=list)
    listings: int = 0

    async def project_id(self) -> str:
        return "p"

    async def get_job(self, job_id: str) -> Job:
        self.job_reads.append(job_id)
        return Job.from_api({"status": "FAIL", "error_code": "VolumeBackup.0029",
                             "fail_reason": "snapshot failed"}, job_id=job_id)

    async def backups_in_progress(self) -> tuple[list[Backup], int]:
        self.listings += 1
        if self.listing_fails:
            raise ApiError(status=503, code=None, message="busy", method="GET",
                           path="/backups/detail")
        return [Backup.from_api({"id": f"b-{job_id}", "name": "stuck", "volume_id": volume,
                                 "status": "creating"})
                for job_id, volume in self.jobs.items()], 1


def running_jobs(tracker: JobTracker, service: ListingService) -> list[TrackedJob]:
    return [TrackedJob(kind=Kind.CREATE, profile="demo", volume_id=volume, backup_name="stuck",
                       job_id=job_id, phase=Phase.RUNNING, status="INIT",
                       submitted_at=tracker.rt.clock())
            for job_id, volume in service.jobs.items()]


def fake_tracker(service: ListingService, clock: Clock) -> JobTracker:
    async def sleep(seconds: float) -> None:
        clock.now += seconds / len(service.jobs)
        await asyncio.sleep(0)

    return JobTracker(service, profile="demo", sleep=sleep, clock=clock,  # type: ignore[arg-type]
                      poll=PollSchedule(first=2.0, factor=1.6, maximum=15.0))


async def test_a_backup_stuck_in_creating_cannot_hide_a_job_that_ended() -> None:
    service = ListingService({"j1": "v1", "j2": "v2", "j3": "v3"})
    clock = Clock()
    tracker = fake_tracker(service, clock)
    jobs = running_jobs(tracker, service)
    await asyncio.wait_for(asyncio.gather(*(tracker.follow(j) for j in jobs)), 10)
    assert [(j.phase, j.error_code) for j in jobs] == [(Phase.FAILED, "VolumeBackup.0029")] * 3
    assert sorted(service.job_reads) == ["j1", "j2", "j3"]  # once each, at the latest look
    assert clock.now - 1000.0 >= OWN_LOOK_AT_LEAST_EVERY
    assert service.listings > 1


async def test_a_failing_listing_leaves_each_job_to_its_own_look() -> None:
    service = ListingService({"j1": "v1", "j2": "v2"}, listing_fails=True)
    tracker = fake_tracker(service, Clock())
    jobs = running_jobs(tracker, service)
    await asyncio.wait_for(asyncio.gather(*(tracker.follow(j) for j in jobs)), 10)
    assert [j.phase for j in jobs] == [Phase.FAILED] * 2
    assert sorted(service.job_reads) == ["j1", "j2"]
