"""The quota warning before a run: fresh numbers, said before anything is sent.

The service decides (VolumeBackup.0080/0081, explained when it refuses); the
warning only says early that a run will not fit, for one disk or many alike.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Quota, Volume
from vbstui.ops.service import BackupService

log = logging.getLogger("vbstui.ops.quota")


@dataclass(frozen=True)
class QuotaCheck:
    """The quota before a run, and what the run would exceed."""

    quota: Quota | None
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "this would exceed the quota: " + "; ".join(self.warnings)


async def check_quota(service: BackupService, volume_ids: Sequence[str], *,
                      timeout: float | None = None,
                      volumes: Sequence[Volume] | None = None) -> QuotaCheck:
    """Would backing up these disks exceed the quota?  No answer (or none within
    `timeout`) is no warning, never an error: the service still checks.  `volumes`,
    when the caller has just fetched them, saves fetching the sizes again."""
    try:
        return await asyncio.wait_for(_check(service, volume_ids, volumes), timeout)
    except asyncio.TimeoutError:
        log.info("quota not checked: no answer within %s s", timeout)
        return QuotaCheck(None)


async def _check(service: BackupService, volume_ids: Sequence[str],
                 fetched: Sequence[Volume] | None) -> QuotaCheck:
    wanted = list(dict.fromkeys(volume_ids))
    try:
        quota = await service.get_quota()
        volumes: list[Volume] = []
        capacity = quota.gigabytes
        if capacity is not None and capacity.remaining is not None:
            # Disk sizes matter only under a capacity quota: fetch them then, fresh.
            volumes = await _volumes(service, wanted) if fetched is None else list(fetched)
    except CloudError as exc:
        log.info("quota not checked: %s", exc.message)
        return QuotaCheck(None)
    wanted_set = set(wanted)
    gigabytes = sum(v.size_gb or 0 for v in volumes if v.id in wanted_set)
    return QuotaCheck(quota, quota.shortfall(backups=len(wanted), gigabytes=gigabytes))


async def _volumes(service: BackupService, wanted: list[str]) -> list[Volume]:
    if len(wanted) == 1:
        volume = await service.get_volume(wanted[0])
        return [volume] if volume is not None else []
    wanted_set = set(wanted)  # one paged listing costs less than a GET per disk
    return [v for v in await service.list_volumes() if v.id in wanted_set]
