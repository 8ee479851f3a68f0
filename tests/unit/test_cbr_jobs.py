"""At most once and journal first for CBR, against the in-process simulator: a checkpoint
whose answer is lost is never sent again blindly (the backup is found and adopted, or
the outcome is unknown and the user decides), and a job survives a kill."""

from __future__ import annotations

from pathlib import Path

import pytest
from cbrsim import SimProject, disk_in_vault, sim_project

from vbstui.cloud.client import CloudSession
from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import Kind, Phase, TrackedJob
from vbstui.jobs.model import request_from
from vbstui.local.journal import Journal
from vbstui.ops.cbr_service import CbrBackupService
from vbstui.ops.guard import Guard
from vbstui.ops.outcome import Decision, decide
from vbstui.ops.service import VbsBackupService
from vbstui.sim import FaultSpec

CHECKPOINT_POSTS = {"methods": frozenset({"POST"}), "paths": ("checkpoints",)}


async def _count(session: CloudSession, vault_id: str, disk_id: str, name: str) -> int:
    return len(await session.cbr.find_backups(vault_id, disk_id, name))


@pytest.mark.parametrize("fault", [FaultSpec(drop=1.0, **CHECKPOINT_POSTS),
                                   FaultSpec(error_504=1.0, **CHECKPOINT_POSTS)],
                         ids=["dropped-answer", "gateway-504"])
async def test_a_checkpoint_whose_answer_is_lost_is_adopted_never_sent_twice(
        fault: FaultSpec) -> None:
    project = sim_project("cbr", faults=fault)
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        job = tracker.new_backup_job(BackupRequest(disk.id, "lost-answer"), service="cbr",
                                     vault_id=vault.id)
        await tracker.submit_backup(job)
        assert job.phase is Phase.RUNNING and job.recovered
        await tracker.follow(job)
        assert job.phase is Phase.SUCCESS, job.message
        assert await _count(session, vault.id, disk.id, "lost-answer") == 1
        injected = project.app.state.sim.snapshot()["faults_injected"]  # type: ignore[attr-defined]
        assert sum(injected.values()) == 1  # the one create, and nothing was sent again


async def test_lost_answers_in_a_row_leave_exactly_one_backup_per_create() -> None:
    project = sim_project("cbr", faults=FaultSpec(drop=0.5, seed=7, **CHECKPOINT_POSTS))
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        jobs = []
        for index in range(12):
            job = tracker.new_backup_job(BackupRequest(disk.id, f"soak-{index}"),
                                         service="cbr", vault_id=vault.id)
            await tracker.follow(await tracker.submit_backup(job))
            jobs.append(job)
        counts = [await _count(session, vault.id, disk.id, f"soak-{i}") for i in range(12)]
    assert [j.phase for j in jobs] == [Phase.SUCCESS] * 12, [j.message for j in jobs]
    assert counts == [1] * 12
    assert any(j.recovered for j in jobs) and not all(j.recovered for j in jobs)


async def test_an_unknown_outcome_is_decided_by_the_user_and_submit_again_makes_one() -> None:
    # A 500 stops before the simulated service acts, but the client cannot know that.
    project = sim_project("cbr", faults=FaultSpec(error_500=1.0, **CHECKPOINT_POSTS))
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        job = tracker.new_backup_job(BackupRequest(disk.id, "unknown-1"), service="cbr",
                                     vault_id=vault.id)
        await tracker.submit_backup(job)
        assert job.phase is Phase.UNKNOWN
        assert await _count(session, vault.id, disk.id, "unknown-1") == 0

        await decide(tracker, job, Decision.CHECK, Guard())
        assert job.phase is Phase.UNKNOWN  # looked again, sent nothing

        project.app.state.sim.set_faults(FaultSpec())  # type: ignore[attr-defined]
        await decide(tracker, job, Decision.SUBMIT_AGAIN, Guard())
        await tracker.follow(job)
        assert job.phase is Phase.SUCCESS, job.message
        assert await _count(session, vault.id, disk.id, "unknown-1") == 1


async def _killed_after_sending(project: SimProject, session: CloudSession, journal: Journal
                                ) -> tuple[TrackedJob, str, str]:
    """A process that journaled the job, sent the checkpoint, and died before the answer
    was written down."""
    service = CbrBackupService(session)
    vault, disk = await disk_in_vault(session)
    tracker = project.tracker(service, journal)
    job = tracker.new_backup_job(BackupRequest(disk.id, "killed-1"), service="cbr",
                                 vault_id=vault.id)
    job.project_id = await session.project_id()
    job.known_backup_ids = [b.id for b in await session.cbr.find_backups(
        vault.id, disk.id, "killed-1")]
    tracker.rt.save_before_sending(job)
    await service.for_job(job).create_backup(request_from(job))  # the answer is lost
    return job, vault.id, disk.id


async def test_a_cbr_job_killed_mid_request_is_resumed_from_the_journal(tmp_path: Path
                                                                         ) -> None:
    project = sim_project("cbr")
    path = tmp_path / "jobs.sqlite3"
    async with project.session() as session:
        await session.authenticate()
        killed, vault_id, disk_id = await _killed_after_sending(project, session,
                                                                Journal(path))

        tracker = project.tracker(CbrBackupService(session), Journal(path))
        found = tracker.unfinished()
        assert [(j.local_id, j.service, j.vault_id) for j in found] == [
            (killed.local_id, "cbr", vault_id)]
        job = await tracker.resume(found[0])
        assert job.phase is Phase.SUCCESS, job.message
        assert job.recovered and job.backup_id
        assert await _count(session, vault_id, disk_id, "killed-1") == 1
        assert tracker.unfinished() == []


async def test_a_running_cbr_job_is_followed_after_a_restart(tmp_path: Path) -> None:
    project = sim_project("cbr")
    path = tmp_path / "jobs.sqlite3"
    async with project.session() as session:
        await session.authenticate()
        vault, disk = await disk_in_vault(session)
        first = project.tracker(CbrBackupService(session), Journal(path))
        job = first.new_backup_job(BackupRequest(disk.id, "restarted-1"), service="cbr",
                                   vault_id=vault.id)
        await first.submit_backup(job)
        assert job.phase is Phase.RUNNING and job.job_id

        second = project.tracker(CbrBackupService(session), Journal(path))
        [again] = second.unfinished()
        assert again.job_id == job.job_id  # the checkpoint id was journaled
        await second.resume(again)
        assert again.phase is Phase.SUCCESS, again.message
        made = await session.cbr.get_backup(again.backup_id)
        assert made is not None and made.checkpoint_id == job.job_id


def test_journal_rows_written_before_cbr_are_vbs_jobs() -> None:
    old = TrackedJob(kind=Kind.CREATE, profile="p", volume_id="v1").to_record()
    del old["service"], old["vault_id"]
    job = TrackedJob.from_record(old)
    assert (job.service, job.vault_id) == ("vbs", "")
    with pytest.raises(ValueError, match="unknown backup service"):
        TrackedJob.from_record({**old, "service": "s3"})


async def test_a_cbr_job_is_left_in_the_journal_by_a_tracker_that_speaks_only_vbs(
        tmp_path: Path) -> None:
    project = sim_project("both")
    path = tmp_path / "jobs.sqlite3"
    async with project.session() as session:
        await session.authenticate()
        vault, disk = await disk_in_vault(session)
        first = project.tracker(CbrBackupService(session), Journal(path))
        job = first.new_backup_job(BackupRequest(disk.id, "pinned-1"), service="cbr",
                                   vault_id=vault.id)
        await first.submit_backup(job)
        assert job.phase is Phase.RUNNING

        assert project.tracker(VbsBackupService(session), Journal(path)).unfinished() == []
        [again] = project.tracker(CbrBackupService(session), Journal(path)).unfinished()
        assert again.local_id == job.local_id
