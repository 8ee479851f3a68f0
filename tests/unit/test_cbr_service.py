"""CBR through the operations layer and the job tracker, against the in-process simulator
and the real client: a backup followed to available, a skipped disk refused with CBR's
code, pre-flight capacity with the numbers, both services listed side by side, restore
and delete followed to their end."""

from __future__ import annotations

import json
import re
from typing import ClassVar

import httpx
from cbrsim import disk_in_vault, sim_project

from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import Phase
from vbstui.ops.cbr_service import CbrBackupService, service_of
from vbstui.ops.combined import CombinedBackupService
from vbstui.ops.delete import check_deletes, delete_confirmation, new_delete_jobs
from vbstui.ops.preflight import CBR_FULL, CBR_NOT_IN_VAULT, preflight
from vbstui.ops.restore import check_restore, new_restore_job, restore_confirmation
from vbstui.ops.routing import backup_place, disk_routes, open_backup_service
from vbstui.ops.vault_changes import plan_remove_disks
from vbstui.sim import FaultSpec


async def test_a_cbr_backup_is_followed_to_available_through_the_tracker() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        assert isinstance(service, CbrBackupService)
        vault, disk = await disk_in_vault(session)
        check = await preflight(service, [disk.id])
        assert check.clear, check.problems()
        route = check.route(disk.id)
        assert (route.service, route.vault_id) == ("cbr", vault.id)

        tracker = project.tracker(service)
        request = BackupRequest(disk.id, "ops-cbr-1", full_backup=True)
        job = tracker.new_backup_job(request, service=route.service, vault_id=route.vault_id)
        await tracker.submit_backup(job, known_backup_ids=check.existing.known_ids(
            disk.id, request.name))
        assert job.phase is Phase.RUNNING and job.job_id  # the checkpoint id
        await tracker.follow(job)

        assert job.phase is Phase.SUCCESS, job.message
        made = await session.cbr.get_backup(job.backup_id)
        assert made is not None and made.status == "available"
        assert (made.vault_id, made.resource_id, made.name) == (vault.id, disk.id, "ops-cbr-1")
        assert made.checkpoint_id == job.job_id
        assert job.outcome()["service"] == "cbr" and job.outcome()["vault_id"] == vault.id


class Skipping(httpx.ASGITransport):
    """In front of the simulator: CBR answers the checkpoint but skips the disk."""

    code = "BackupService.6125"
    made: ClassVar[list[Skipping]] = []

    def __init__(self, app: object) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.posts = 0
        Skipping.made.append(self)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/checkpoints"):
            self.posts += 1
            body = json.loads(request.content)["checkpoint"]
            disk = body["parameters"]["resources"][0]
            return httpx.Response(200, json={"checkpoint": {
                "id": "8b0851a8-adf3-4f4c-a914-dead00000001", "status": "protecting",
                "vault": {"id": body["vault_id"], "name": "v", "resources": [],
                          "skipped_resources": [{"id": disk, "type": "OS::Cinder::Volume",
                                                 "name": "d", "code": self.code,
                                                 "reason": "a backup is running"}]}}})
        return await super().handle_async_request(request)


async def test_a_disk_cbr_skips_ends_refused_with_the_code_meaning_and_action() -> None:
    project = sim_project("cbr")
    async with project.session(Skipping) as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        job = tracker.new_backup_job(BackupRequest(disk.id, "skipped-1"), service="cbr",
                                     vault_id=vault.id)
        await tracker.submit_backup(job, known_backup_ids=[])

    assert job.phase is Phase.REFUSED
    assert Skipping.made[-1].posts == 1  # refused, not sent again
    outcome = job.outcome()
    assert outcome["error_code"] == "BackupService.6125"
    assert outcome["error_meaning"] and "already running" in outcome["error_meaning"]
    assert outcome["error_action"]
    assert "skipped" in job.message


async def test_a_vault_too_small_for_the_disk_is_caught_before_sending_with_the_numbers(
) -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        volumes = {v.id: v for v in await session.evs.list_volumes()}
        tight = [(vault, volumes[d]) for vault in await session.cbr.list_vaults()
                 for d in vault.disk_ids if d in volumes and volumes[d].backupable
                 and vault.free_mb is not None and volumes[d].size_gb
                 and volumes[d].size_gb * 1024 > vault.free_mb]
        assert tight, "the simulated project has a nearly full vault"
        vault, disk = tight[0]
        check = await preflight(service, [disk.id])

    refusal = check.refusal(disk.id)
    assert refusal is not None and refusal.code == CBR_FULL
    assert disk not in check.ready
    shown = re.fullmatch(rf"disk {disk.size_gb} GB, vault '{re.escape(vault.name)}' has "
                         rf"([0-9.]+) GB free of {vault.size_gb} GB", refusal.seen)
    assert shown, refusal.seen
    assert abs(float(shown.group(1)) - (vault.free_mb or 0) / 1024) < 0.51
    assert "capacity" in refusal.text()


async def test_a_disk_in_no_vault_is_refused_naming_the_vaults_with_room() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vaults = await session.cbr.list_vaults()
        held = {d for v in vaults for d in v.disk_ids}
        free = [v for v in await session.evs.list_volumes(status="available")
                if v.id not in held]
        assert free, "the simulated project has disks in no vault"
        check = await preflight(service, [free[0].id])

    refusal = check.refusal(free[0].id)
    assert refusal is not None and refusal.code == CBR_NOT_IN_VAULT
    assert "in no vault" in refusal.seen
    assert not check.route(free[0].id).sendable


async def test_both_services_are_listed_each_marked_and_disks_routed_by_vault() -> None:
    project = sim_project("both")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        assert isinstance(service, CombinedBackupService)
        backups = await service.list_backups()
        marks = {service_of(b) for b in backups}
        assert marks == {"vbs", "cbr"}
        cbr_backup = next(b for b in backups if service_of(b) == "cbr")
        assert backup_place(cbr_backup) == ("cbr", cbr_backup.service_metadata["vault_id"])
        # A CBR backup is found again by id through the combined service.
        again = await service.get_backup(cbr_backup.id)
        assert again is not None and service_of(again) == "cbr"

        vault, disk = await disk_in_vault(session)
        vaulted = {d for v in await session.cbr.list_vaults() for d in v.disk_ids}
        other = next(v for v in await session.evs.list_volumes() if v.id not in vaulted)
        routes = await disk_routes(service, [disk.id, other.id])
        assert (routes[disk.id].service, routes[disk.id].vault_id) == ("cbr", vault.id)
        assert routes[other.id].service == "vbs"


async def test_a_cbr_restore_and_delete_are_checked_and_followed_to_their_end() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        job = tracker.new_backup_job(BackupRequest(disk.id, "to-restore"), service="cbr",
                                     vault_id=vault.id)
        await tracker.follow(await tracker.submit_backup(job, known_backup_ids=[]))
        assert job.phase is Phase.SUCCESS, job.message

        other = next(v for v in await session.evs.list_volumes(status="available")
                     if v.id != disk.id)
        elsewhere = await check_restore(service, job.backup_id, other.id)
        assert any("only onto the disk it was taken from" in p and "BackupService.2003" in p
                   for p in elsewhere.problems), elsewhere.problems
        check = await check_restore(service, job.backup_id, None)
        assert check.ok, check.problems
        question = restore_confirmation(check)
        assert disk.id in question and "ALL DATA ON THAT DISK WILL BE OVERWRITTEN" in question
        assert f"CBR backup 'to-restore' ({job.backup_id}) from vault {vault.id}" in question
        restore = new_restore_job(tracker, check)
        assert (restore.service, restore.vault_id) == ("cbr", vault.id)
        await tracker.follow(await tracker.submit_restore(restore))
        assert restore.phase is Phase.SUCCESS, restore.message
        assert restore.job_id
        tasks = await session.cbr.tasks_of(backup_id=job.backup_id, operation_type="restore")
        assert any(t.succeeded for t in tasks)

        # A vault that is not available takes no restore (BackupService.6202).
        sim_vault = project.app.state.sim.cbr.vaults[vault.id]  # type: ignore[attr-defined]
        sim_vault.status = "frozen"
        frozen = await check_restore(service, job.backup_id, None)
        assert any("BackupService.6202" in p for p in frozen.problems), frozen.problems
        sim_vault.status = "available"

        deletable = await check_deletes(service, [job.backup_id], concurrency=2)
        assert [b.id for b in deletable.targets] == [job.backup_id]
        assert f"CBR vault {vault.id}" in delete_confirmation(deletable.targets)
        [delete] = new_delete_jobs(tracker, deletable.targets, {disk.id: disk.name})
        assert (delete.service, delete.vault_id) == ("cbr", vault.id)
        await tracker.follow(await tracker.submit_delete(delete))
        assert delete.phase is Phase.SUCCESS, delete.message
        assert await session.cbr.get_backup(job.backup_id) is None


async def test_a_failed_cbr_backup_ends_failed_with_the_task_error_code() -> None:
    project = sim_project("cbr", faults=FaultSpec(job_fail=1.0))
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        job = tracker.new_backup_job(BackupRequest(disk.id, "fails-1"), service="cbr",
                                     vault_id=vault.id)
        await tracker.follow(await tracker.submit_backup(job, known_backup_ids=[]))
        tasks = await session.cbr.tasks_of(checkpoint_id=job.job_id, operation_type="backup")

    assert job.phase is Phase.FAILED
    assert job.error_code.startswith("BackupService.")
    assert [t.error_code for t in tasks if t.failed] == [job.error_code]
    assert job.outcome()["error_meaning"] and job.outcome()["error_action"]


async def test_with_both_services_each_disk_is_backed_up_where_it_belongs() -> None:
    project = sim_project("both")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        _vault, in_vault = await disk_in_vault(session)
        vaulted = {d for v in await session.cbr.list_vaults() for d in v.disk_ids}
        busy = {b.volume_id for b in await service.list_backups(status="creating")}
        plain = next(v for v in await session.evs.list_volumes(status="available")
                     if v.id not in vaulted and v.id not in busy)
        check = await preflight(service, [in_vault.id, plain.id])
        assert check.clear, check.problems()
        tracker = project.tracker(service)
        jobs = []
        for disk in (in_vault, plain):
            route = check.route(disk.id)
            job = tracker.new_backup_job(BackupRequest(disk.id, "where-1"),
                                         service=route.service, vault_id=route.vault_id)
            await tracker.submit_backup(job, known_backup_ids=check.existing.known_ids(
                disk.id, "where-1"))
            jobs.append(await tracker.follow(job))
        made = [await service.get_backup(j.backup_id) for j in jobs]

    assert [j.phase for j in jobs] == [Phase.SUCCESS, Phase.SUCCESS], [j.message for j in jobs]
    assert [j.service for j in jobs] == ["cbr", "vbs"]
    assert [service_of(b) for b in made if b is not None] == ["cbr", "vbs"]


async def test_a_cbr_job_that_cannot_be_sent_is_refused_and_nothing_leaves() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(CbrBackupService(session))
        sim = project.app.state.sim  # type: ignore[attr-defined]
        checkpoints = sim.snapshot()["cbr"]["checkpoints"]
        no_vault = tracker.new_backup_job(BackupRequest(disk.id, "nowhere-1"), service="cbr")
        tagged = tracker.new_backup_job(BackupRequest(disk.id, "tagged-1", tags=(("k", "v"),)),
                                        service="cbr", vault_id=vault.id)
        for job in (no_vault, tagged):
            await tracker.submit_backup(job, known_backup_ids=[])
        made = await session.cbr.list_backups(resource_id=disk.id)
        assert sim.snapshot()["cbr"]["checkpoints"] == checkpoints

    assert [j.phase for j in (no_vault, tagged)] == [Phase.REFUSED, Phase.REFUSED]
    assert "in no CBR vault" in no_vault.message and "no tags" in tagged.message
    assert not [b for b in made if b.name in ("nowhere-1", "tagged-1")]


async def test_a_failed_cbr_restore_ends_failed_with_the_restore_task_code() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = CbrBackupService(session)
        vault, disk = await disk_in_vault(session)
        tracker = project.tracker(service)
        job = tracker.new_backup_job(BackupRequest(disk.id, "restore-fails"), service="cbr",
                                     vault_id=vault.id)
        await tracker.follow(await tracker.submit_backup(job, known_backup_ids=[]))
        assert job.phase is Phase.SUCCESS, job.message

        project.app.state.sim.set_faults(FaultSpec(job_fail=1.0))  # type: ignore[attr-defined]
        restore = tracker.new_restore_job(job.backup_id, disk.id, service="cbr",
                                          vault_id=vault.id)
        await tracker.follow(await tracker.submit_restore(restore))
        tasks = await session.cbr.tasks_of(backup_id=job.backup_id, operation_type="restore")

    assert restore.phase is Phase.FAILED
    assert [t.error_code for t in tasks if t.failed] == [restore.error_code]
    assert restore.error_code.startswith("BackupService.")


async def test_a_backup_waiting_to_be_protected_counts_as_creating_everywhere() -> None:
    """CBR's `waiting_protect` is a backup on its way, like `protecting`: shown as
    `creating`, found by `--status creating`, and it keeps its disk in its vault."""
    project = sim_project("cbr")
    books = project.app.state.sim.cbr  # type: ignore[attr-defined]
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vault, disk = await disk_in_vault(session)
        waiting = next(b for b in books.backups.values() if b.volume_id == disk.id)
        waiting.status = "waiting_protect"
        creating = await service.list_backups(status="creating")
        assert waiting.id in {b.id for b in creating}
        assert {b.status for b in creating} == {"creating"}
        removal = await plan_remove_disks(service, vault, [disk.id])
        assert [r.code for r in removal.refused] == ["BackupService.6125"]
