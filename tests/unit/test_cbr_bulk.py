"""Bulk runs with CBR: the disks of one vault go in ONE checkpoint, each disk is still its
own job (journaled, followed, adopted at most once), VBS disks go one request each."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from cbrsim import SimProject, sim_project

from vbstui.cloud.client import CloudSession
from vbstui.jobs import Phase, TrackedJob
from vbstui.local.journal import Journal
from vbstui.ops.bulk import new_run_jobs, submit_run
from vbstui.ops.plans import BackupInput, plan_backups
from vbstui.ops.preflight import preflight
from vbstui.ops.routing import open_backup_service
from vbstui.sim import FaultSpec

CHECKPOINTS = "POST /cbr/v3/{project_id}/checkpoints"
CHECKPOINT_POSTS = {"methods": frozenset({"POST"}), "paths": ("checkpoints",)}


async def _chosen(session: CloudSession, per_vault: int, vbs: int) -> list[str]:
    """Available disks: `per_vault` from each of two roomy vaults, and `vbs` in no vault."""
    volumes = {v.id: v for v in await session.evs.list_volumes(status="available")}
    vaults = [v for v in await session.cbr.list_vaults() if (v.free_gb or 0) > 500]
    held = {d for v in await session.cbr.list_vaults() for d in v.disk_ids}
    chosen: list[str] = []
    for vault in vaults[:2]:
        chosen += [d for d in sorted(vault.disk_ids) if d in volumes][:per_vault]
    chosen += [v for v in sorted(volumes) if v not in held][:vbs]
    return chosen


async def _run(project: SimProject, session: CloudSession, disks: list[str], name: str,
               journal: Journal | None = None) -> tuple[list[TrackedJob], object]:
    service = await open_backup_service(session)
    checked = await preflight(service, disks)
    ready = [v.id for v in checked.ready]
    plan = plan_backups(BackupInput(ready, name))
    tracker = project.tracker(service, journal)
    jobs = new_run_jobs(tracker, plan, checked, run_id="run-1", names={})
    await submit_run(tracker, jobs, checked)
    await asyncio.gather(*(tracker.follow(j) for j in jobs if j.phase is Phase.RUNNING))
    return jobs, checked


async def test_a_mixed_bulk_run_sends_one_checkpoint_per_vault_and_backs_up_each_disk_once(
        tmp_path: Path) -> None:
    project = sim_project("both")
    async with project.session() as session:
        await session.authenticate()
        disks = await _chosen(session, per_vault=4, vbs=3)
        journal = Journal(tmp_path / "journal.db")
        jobs, _checked = await _run(project, session, disks, "bulk", journal)
        snapshot = project.app.state.sim.snapshot()  # type: ignore[attr-defined]
        cbr_jobs = [j for j in jobs if j.service == "cbr"]
        vaults = {j.vault_id for j in cbr_jobs}
        assert len(vaults) == 2 and len(cbr_jobs) == 8
        assert snapshot["requests"][CHECKPOINTS] == 2
        assert [j.phase for j in jobs] == [Phase.SUCCESS] * len(jobs), [j.message for j in jobs]
        # The disks of one vault share the checkpoint's one name; every disk has one backup.
        names = {v: {j.backup_name for j in cbr_jobs if j.vault_id == v} for v in vaults}
        assert all(len(n) == 1 for n in names.values())
        made = Counter((b.resource_id, b.name) for b in await session.cbr.list_backups()
                       if b.name.startswith("bulk-"))
        assert made == Counter((j.volume_id, j.backup_name) for j in cbr_jobs)
        assert {j.local_id for j in jobs} <= {r["local_id"] for r in journal.history()}
        journal.close()


async def test_a_lost_checkpoint_answer_is_adopted_for_every_disk_of_the_vault() -> None:
    project = sim_project("cbr", faults=FaultSpec(drop=1.0, **CHECKPOINT_POSTS))
    async with project.session() as session:
        await session.authenticate()
        disks = (await _chosen(session, per_vault=3, vbs=0))[:3]
        jobs, _checked = await _run(project, session, disks, "dropped")
        snapshot = project.app.state.sim.snapshot()  # type: ignore[attr-defined]
        assert snapshot["requests"][CHECKPOINTS] == 1  # never sent again
        assert [j.phase for j in jobs] == [Phase.SUCCESS] * 3, [j.message for j in jobs]
        assert all(j.recovered for j in jobs)
        made = Counter(b.resource_id for b in await session.cbr.list_backups()
                       if b.name == jobs[0].backup_name)
        assert made == Counter(j.volume_id for j in jobs)


async def test_a_disk_the_checkpoint_skips_ends_refused_with_its_code_the_rest_run() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        disks = await _chosen(session, per_vault=2, vbs=0)
        checked = await preflight(service, disks[:2])
        vault_id = checked.route(disks[0]).vault_id
        tracker = project.tracker(service)
        plan = plan_backups(BackupInput(disks[:3], "skip"))
        jobs = new_run_jobs(tracker, plan, checked, run_id="r", names={})
        jobs[2].vault_id, jobs[2].service = vault_id, "cbr"  # a disk of another vault
        jobs[2].request["name"] = jobs[2].backup_name = jobs[0].backup_name
        await submit_run(tracker, jobs, None)
        assert [j.phase for j in jobs] == [Phase.RUNNING, Phase.RUNNING, Phase.REFUSED]
        assert jobs[2].error_code == "BackupService.6135"
        assert jobs[0].job_id == jobs[1].job_id  # one checkpoint


async def test_a_checkpoint_refused_before_processing_is_sent_again_then_given_up() -> None:
    # 503 comes before the service acts: the whole checkpoint may go again, never more
    # often than the tracker's attempts; then every disk of the vault ends refused.
    project = sim_project("cbr", faults=FaultSpec(error_503=1.0, **CHECKPOINT_POSTS))
    async with project.session() as session:
        await session.authenticate()
        disks = (await _chosen(session, per_vault=3, vbs=0))[:3]
        jobs, _checked = await _run(project, session, disks, "busy")
        snapshot = project.app.state.sim.snapshot()  # type: ignore[attr-defined]
        assert snapshot["requests"][CHECKPOINTS] == 2  # the tracker's two attempts
        assert [j.phase for j in jobs] == [Phase.REFUSED] * 3
        assert {(j.error_code, j.message.startswith("HTTP 503")) for j in jobs} == {
            ("APIGW.0201", True)}
        assert not [b for b in await session.cbr.list_backups() if b.name.startswith("busy")]
