"""The CBR client against the in-process simulator (a CBR-only project): discovery, a
checkpoint followed to a backup, the backup found again by vault + disk + name, a flat
error envelope from the server side, restore and delete."""

from __future__ import annotations

import httpx
import pytest

from vbstui.cloud.cbr_requests import CheckpointRequest, VaultRequest
from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import ApiError
from vbstui.cloud.retry import RetryPolicy
from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import ConnectionSettings
from vbstui.sim import ManualClock, SimConfig, create_app


async def _password() -> Secret:
    return Secret("vbstui-demo")


def _session(clock: ManualClock) -> CloudSession:
    app = create_app(SimConfig(clock=clock, job_seconds=5, delete_seconds=1, services="cbr"))
    settings = ConnectionSettings(auth_url="http://sim.test/v3", username="demo",
                                  user_domain_name="OTC-EU-DE-DEMO", project_name="eu-de_demo",
                                  region="eu-de")
    return CloudSession(settings, _password, transport=httpx.ASGITransport(app),
                        retry_policy=RetryPolicy(attempts=2, base_delay=0.001, deadline=5))


async def test_cbr_only_project_backs_up_finds_restores_and_deletes() -> None:
    clock = ManualClock()
    async with _session(clock) as s:
        await s.authenticate()
        assert (await s.endpoints()).backup_services == ("cbr",)
        available = {v.id for v in await s.evs.list_volumes(status="available")}
        vaults = [v for v in await s.cbr.list_vaults() if set(v.disk_ids) & available
                  and v.free_mb]
        assert vaults, "the simulated project has a disk vault holding an available disk"
        vault = vaults[0]
        disk = sorted(set(vault.disk_ids) & available)[0]
        before = {b.id for b in await s.cbr.list_backups(vault_id=vault.id, resource_id=disk)}
        checkpoint = await s.cbr.create_checkpoint(
            CheckpointRequest(vault.id, (disk,), "sim-check", incremental=False))
        assert checkpoint.status == "protecting" and not checkpoint.skipped
        found = await s.cbr.find_backups(vault.id, disk, "sim-check", ignore=before)
        assert len(found) == 1
        backup_id = found[0].id
        for _ in range(60):
            current = await s.cbr.get_backup(backup_id)
            assert current is not None
            if current.finished:
                break
            clock.advance(1)
        assert current.status == "available"
        tasks = await s.cbr.tasks_of(checkpoint_id=checkpoint.id, operation_type="backup")
        assert tasks and tasks[0].resource_id in ("", disk)

        with pytest.raises(ApiError) as info:
            await s.cbr.create_vault(VaultRequest("too-small", 10, disk_ids=(disk,)))
        assert info.value.code is not None and info.value.code.startswith("BackupService.")
        assert info.value.info is not None and info.value.info.action

        # CBR restores a disk backup onto the disk it was taken from.
        await s.cbr.restore_backup(backup_id, disk)
        for _ in range(60):
            restoring = await s.cbr.get_backup(backup_id)
            assert restoring is not None
            if restoring.status == "available":
                break
            clock.advance(1)
        assert restoring.status == "available"
        restores = await s.cbr.tasks_of(backup_id=backup_id, operation_type="restore")
        assert restores and restores[0].finished

        await s.cbr.delete_backup(backup_id)
        for _ in range(60):
            if await s.cbr.get_backup(backup_id) is None:
                break
            clock.advance(1)
        assert await s.cbr.get_backup(backup_id) is None
