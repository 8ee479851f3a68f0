"""What every run of jobs is built from: the job journal and the tracker for a target,
its timings, and how many requests may be in flight at once (one setting for backups
and deletes)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from vbstui.errors import ConfigError, UsageError
from vbstui.jobs import Listener
from vbstui.jobs.ids import random_hex_id
from vbstui.jobs.timing import PollSchedule, ReconcilePolicy
from vbstui.jobs.tracker import JobTracker
from vbstui.local import paths
from vbstui.local.config import Preferences
from vbstui.local.journal import Journal
from vbstui.ops.service import BackupService
from vbstui.ops.target import Target

CONCURRENCY_RANGE = range(1, 33)


def new_run_id() -> str:
    """The id journaled with every job of one run (a command, a form, a retry)."""
    return random_hex_id()


def poll_schedule(preferences: Preferences) -> PollSchedule:
    return PollSchedule(first=preferences.poll_first_seconds,
                        maximum=preferences.poll_max_seconds)


def reconcile_policy(preferences: Preferences) -> ReconcilePolicy:
    quiet = preferences.reconcile_quiet_seconds
    return ReconcilePolicy(window=preferences.reconcile_seconds,
                           quiet_window=min(quiet, preferences.reconcile_seconds),
                           interval=min(3.0, max(0.5, quiet / 6)))


def concurrency(preferences: Preferences, requested: int | None = None) -> int:
    """Requests in flight at once in a run of several jobs: asked for, else configured."""
    value = preferences.bulk_concurrency if requested is None else requested
    if value not in CONCURRENCY_RANGE:
        raise UsageError(f"concurrency (--concurrency, or bulk_concurrency in the config) must "
                         f"be between {CONCURRENCY_RANGE.start} and {CONCURRENCY_RANGE.stop - 1}")
    return value


def open_journal(target: Target) -> Journal:
    """The job journal; in demo mode it is kept next to the demo world (in memory when
    the world is)."""
    if target.demo:
        return Journal(target.demo_journal)
    try:
        return Journal(paths.state_dir() / "jobs.sqlite3")
    except OSError as exc:
        raise ConfigError(
            f"cannot open the job journal in {paths.state_dir()}: {exc.strerror or exc}"
        ) from None


def build_tracker(target: Target, service: BackupService, journal: Journal | None, *,
                  listener: Listener | None, concurrency: int | None = None,
                  poll: PollSchedule | None = None,
                  clock: Callable[[], float] = time.time) -> JobTracker:
    """The tracker of one run; `concurrency` bounds its requests in flight (None: no bound,
    for a single job)."""
    preferences = target.config.preferences
    return JobTracker(
        service, profile=target.profile.name, journal=journal, listener=listener,
        poll=poll or poll_schedule(preferences), reconcile=reconcile_policy(preferences),
        request_slots=asyncio.Semaphore(concurrency) if concurrency else None, clock=clock,
    )
