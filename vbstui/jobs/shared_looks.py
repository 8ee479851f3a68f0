"""One listing for many running create jobs: how a bulk run follows hundreds of jobs.

While a create job runs, the service shows its backup being made (VBS: status
`creating` in `GET /v2/{project_id}/backups/detail`, one page for up to 1,000 of
them).  So the jobs that follow through one port look together: a job due for a
look takes a listing made in the second half of its wait, or starts one that then
answers for every job due soon after.  A job is asked for itself, as before, when
its backup is not shown being made (not there yet, or ended: only the job's own
answer carries its final status and error code), and at least every
`OWN_LOOK_AT_LEAST_EVERY` seconds whatever the listing says, so a backup stuck in
`creating` cannot hide a job that ended.  The listing is used only when it answers
for more jobs than it costs calls: a job followed alone is asked for itself every
time, exactly as without this module.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup
from vbstui.jobs.model import Kind, TrackedJob
from vbstui.jobs.ports import BackupsInProgress

if TYPE_CHECKING:
    from vbstui.jobs.runtime import JobRuntime

log = logging.getLogger("vbstui.jobs")
OWN_LOOK_AT_LEAST_EVERY = 60.0  # seconds a running job goes without its own look at most
Key = tuple[str, str]  # (disk id, backup name): what a create job's backup is found by


@dataclass(frozen=True)
class Listing:
    """The backups being made, as one listing saw them."""

    number: int  # counts up per port: a job never takes the same listing twice
    started_at: float
    being_made: dict[Key, frozenset[str]]  # ids of the backups being made, per disk and name

    def shows_made(self, job: TrackedJob) -> bool:
        """The job's own backup (not one that existed before it) is still being made."""
        ids = self.being_made.get((job.volume_id, job.backup_name), frozenset())
        return bool(ids - set(job.known_backup_ids))


def _index(backups: list[Backup]) -> dict[Key, frozenset[str]]:
    found: dict[Key, set[str]] = {}
    for backup in backups:
        if backup.id:
            found.setdefault((backup.volume_id, backup.name), set()).add(backup.id)
    return {key: frozenset(ids) for key, ids in found.items()}


@dataclass
class _Follower:
    """A job followed through a shared listing: when it last asked for itself."""

    own_look_at: float  # when the job was last asked for itself (first: when submitted)
    last_listing: int = 0


@dataclass
class PortLooks:
    """The create jobs following through one port that lists its backups in progress."""

    port: BackupsInProgress
    followers: dict[str, _Follower] = field(default_factory=dict)
    latest: Listing | None = None
    calls: int = 1  # what a listing cost the last time (a guess before the first)
    _numbered: int = 0
    _running: asyncio.Future[Listing | None] | None = None
    _running_since: float = 0.0

    async def still_made(self, rt: JobRuntime, job: TrackedJob, waited: float) -> bool:
        """True when a listing shows the job's backup still being made, so the job needs
        no call of its own this time; False: ask the job itself now."""
        follower = self.followers.get(job.local_id)
        if follower is None or not _answers_for(job):
            return False
        now = rt.clock()
        if (now - follower.own_look_at >= OWN_LOOK_AT_LEAST_EVERY
                or len(self.followers) <= self.calls):  # alone, the listing costs more
            follower.own_look_at = now
            return False
        listing = await self._listing(rt, since=now - waited / 2, newer_than=follower.last_listing)
        if listing is None or not listing.shows_made(job):
            follower.own_look_at = now
            return False
        follower.last_listing = listing.number
        return True

    async def _listing(self, rt: JobRuntime, *, since: float, newer_than: int
                       ) -> Listing | None:
        """A listing started at `since` or later that this job has not taken yet: the
        latest, the one under way, or a new one (None when it failed)."""
        latest = self.latest
        if latest is not None and latest.number > newer_than and latest.started_at >= since:
            return latest
        if self._running is None or self._running_since < since:
            self._running_since = rt.clock()
            self._running = asyncio.ensure_future(self._list(rt, self._running_since))
        return await asyncio.shield(self._running)

    async def _list(self, rt: JobRuntime, started_at: float) -> Listing | None:
        try:
            backups, calls = await rt.call(self.port.backups_in_progress)
        except CloudError as exc:  # each job is then asked for itself, which reports trouble
            log.info("listing the backups in progress failed: %s", exc.message)
            return None
        finally:
            if self._running is asyncio.current_task():  # not a later one started meanwhile
                self._running = None
        self._numbered += 1
        self.calls = max(1, calls)
        listing = Listing(self._numbered, started_at, _index(backups))
        if self.latest is None or listing.started_at >= self.latest.started_at:
            self.latest = listing
        return listing


def _answers_for(job: TrackedJob) -> bool:
    """A create followed by its job: what a listing of backups in progress can tell about
    (a job followed by its backup or disk already needs just one call)."""
    return job.kind is Kind.CREATE and bool(job.job_id) and not job.follow_backup


@dataclass
class SharedLooks:
    """The shared looks of one runtime, per port that can list its backups in progress."""

    by_port: dict[int, PortLooks] = field(default_factory=dict)

    @contextmanager
    def following(self, rt: JobRuntime, job: TrackedJob) -> Iterator[PortLooks | None]:
        """While a job is followed: the looks it shares with the other jobs of its port
        (None when its port cannot list what it is making, or the job is no create)."""
        port = rt.port(job)
        if not isinstance(port, BackupsInProgress) or not _answers_for(job):
            yield None
            return
        looks = self.by_port.get(id(port))
        if looks is None or looks.port is not port:
            looks = self.by_port[id(port)] = PortLooks(port)
        looks.followers[job.local_id] = _Follower(own_look_at=job.submitted_at)
        try:
            yield looks
        finally:
            looks.followers.pop(job.local_id, None)
            if not looks.followers and self.by_port.get(id(port)) is looks:
                del self.by_port[id(port)]
