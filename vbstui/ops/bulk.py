"""A run of backups: one job per disk, sent where each disk's backup goes.

VBS takes one request per disk.  CBR backs up the disks of one vault with one
checkpoint, so a run's CBR disks are grouped per vault and each vault gets ONE
request (its jobs still tracked one by one); requests in flight across vaults and VBS
disks are bounded by the tracker's request slots (`runs.build_tracker(concurrency=)`).

A checkpoint has one name, so the disks of one vault share it: the name of the
group's first request (`nightly-0003` for every disk of that vault).  The name stays
unique per vault and disk, which is what the at-most-once search looks by.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from vbstui.cloud.validation import BackupRequest
from vbstui.jobs import TrackedJob
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.plans import BackupPlan
from vbstui.ops.preflight import Preflight

AfterSubmit = Callable[[TrackedJob], Awaitable[None]]


def shared_names(requests: Sequence[BackupRequest], vault_of: dict[str, str]
                 ) -> list[BackupRequest]:
    """The requests with the CBR disks of one vault under one name (the first's)."""
    first_name: dict[str, str] = {}
    shared: list[BackupRequest] = []
    for request in requests:
        vault = vault_of.get(request.volume_id, "")
        if not vault:
            shared.append(request)
            continue
        name = first_name.setdefault(vault, request.name)
        shared.append(request if request.name == name else replace(request, name=name))
    return shared


def new_run_jobs(tracker: JobTracker, plan: BackupPlan, checked: Preflight | None, *,
                 run_id: str, names: dict[str, str]) -> list[TrackedJob]:
    """One job per request of the plan, routed by the pre-flight (VBS without one)."""
    routes = {r.volume_id: checked.route(r.volume_id) for r in plan.requests} if (
        checked is not None) else {}
    vault_of = {disk: route.vault_id for disk, route in routes.items()
                if route.service == "cbr" and route.vault_id}
    jobs = []
    for request in shared_names(plan.requests, vault_of):
        route = routes.get(request.volume_id)
        jobs.append(tracker.new_backup_job(
            request, volume_name=names.get(request.volume_id, ""), run_id=run_id,
            service=route.service if route is not None else "vbs",
            vault_id=route.vault_id if route is not None else ""))
    return jobs


def by_vault(jobs: Sequence[TrackedJob]) -> tuple[list[TrackedJob], dict[str, list[TrackedJob]]]:
    """(the jobs sent alone, the CBR jobs per vault)."""
    alone: list[TrackedJob] = []
    groups: dict[str, list[TrackedJob]] = {}
    for job in jobs:
        if job.service == "cbr" and job.vault_id:
            groups.setdefault(job.vault_id, []).append(job)
        else:
            alone.append(job)
    return alone, groups


async def submit_run(tracker: JobTracker, jobs: Sequence[TrackedJob],
                     checked: Preflight | None, *, after_submit: AfterSubmit | None = None
                     ) -> None:
    """Send the run: a request per VBS disk, one checkpoint per vault for CBR disks;
    `after_submit(job)` (e.g. settling an unknown outcome) follows each job's submit."""
    def known(job: TrackedJob) -> list[str] | None:
        if checked is None:
            return None
        return checked.existing.known_ids(job.volume_id, job.backup_name)

    async def then(job: TrackedJob) -> None:
        if after_submit is not None:
            await after_submit(job)

    async def alone(job: TrackedJob) -> None:
        await tracker.submit_backup(job, known_backup_ids=known(job))
        await then(job)

    async def together(vault_id: str, group: list[TrackedJob]) -> None:
        if len(group) == 1:
            await alone(group[0])
            return
        await tracker.submit_together(vault_id, group,
                                      known={j.local_id: known(j) for j in group})
        await asyncio.gather(*(then(j) for j in group))

    singles, groups = by_vault(jobs)
    await asyncio.gather(*(alone(j) for j in singles),
                         *(together(v, g) for v, g in groups.items()))
