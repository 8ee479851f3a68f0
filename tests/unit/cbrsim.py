"""The in-process simulator as a CBR (or VBS + CBR) project, for the ops-layer tests:
a real `CloudSession` over the simulator's ASGI app, a clock the tests move, and a
tracker whose waits move that clock instead of sleeping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from vbstui.cloud.cbr_models import Vault
from vbstui.cloud.client import CloudSession
from vbstui.cloud.models import Volume
from vbstui.cloud.retry import RetryPolicy
from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import ConnectionSettings
from vbstui.jobs.timing import PollSchedule, ReconcilePolicy
from vbstui.jobs.tracker import JobTracker
from vbstui.local.journal import Journal
from vbstui.ops.service import BackupService
from vbstui.sim import FaultSpec, ManualClock, SimConfig, create_app

Transport = Callable[[object], httpx.ASGITransport]  # from the simulator's app


async def _password() -> Secret:
    return Secret("vbstui-demo")


@dataclass
class SimProject:
    clock: ManualClock
    app: object
    services: str

    def session(self, transport: Transport = httpx.ASGITransport) -> CloudSession:
        settings = ConnectionSettings(auth_url="http://sim.test/v3", username="demo",
                                      user_domain_name="OTC-EU-DE-DEMO",
                                      project_name="eu-de_demo", region="eu-de")
        return CloudSession(settings, _password, transport=transport(self.app),
                            retry_policy=RetryPolicy(attempts=2, base_delay=0.001, deadline=5))

    async def sleep(self, seconds: float) -> None:
        """The tracker's wait: simulated time passes, real time does not."""
        self.clock.advance(max(seconds, 0.5))
        await asyncio.sleep(0)

    def tracker(self, service: BackupService, journal: Journal | None = None) -> JobTracker:
        # The reconcile windows run on the event loop's (real) clock: short ones.
        return JobTracker(service, profile="demo", journal=journal, sleep=self.sleep,
                          poll=PollSchedule(first=1.0, factor=1.0, maximum=1.0),
                          reconcile=ReconcilePolicy(window=2, quiet_window=0.3, interval=1),
                          submit_attempts=2)


def sim_project(services: str, *, faults: FaultSpec | None = None) -> SimProject:
    # From now: a token issued at the simulator's time must not look expired here.
    clock = ManualClock(time.time())
    app = create_app(SimConfig(clock=clock, job_seconds=5, delete_seconds=1, services=services,
                               faults=faults or FaultSpec()))
    return SimProject(clock, app, services)


async def disk_in_vault(session: CloudSession, *, roomy: bool = True) -> tuple[Vault, Volume]:
    """An available disk in a disk vault (with room for a full backup of it, if `roomy`)."""
    volumes = {v.id: v for v in await session.evs.list_volumes(status="available")}
    for vault in await session.cbr.list_vaults():
        for disk_id in sorted(vault.disk_ids):
            volume = volumes.get(disk_id)
            if volume is None or volume.size_gb is None:
                continue
            if not roomy or (vault.free_mb or 0) >= volume.size_gb * 1024:
                return vault, volume
    raise AssertionError("the simulated project has no available disk in a vault with room")
