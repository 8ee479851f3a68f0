"""Running jobs in the TUI: backups (one or a bulk run), restores, deletes, resumed jobs
and decisions on unknown outcomes, as workers; every job shown in the jobs panel and
the jobs view while it runs, a timer ticking their clocks.  New jobs are made and sent
by `job_sends` (for the flows, loaded with them).

An unknown outcome is announced (a log line, the "⚠ DECIDE" mark in the panel, the
panel's title, a toast) and waits: nothing opens by itself to take the keyboard, and
nothing is sent until the user decides in the jobs view or the panel.

Trackers come from `vbstui.ops.runs.build_tracker`, the decisions from
`vbstui.ops.outcome.decide`: nothing here decides what may be sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from textual.app import App

from vbstui.jobs import JobEvent, Phase, Severity, TrackedJob
from vbstui.jobs.timing import PollSchedule
from vbstui.jobs.tracker import JobTracker
from vbstui.ops.guard import Guard
from vbstui.ops.outcome import Decision, decide
from vbstui.ops.runs import build_tracker, concurrency
from vbstui.ops.summary import resumed_runs, summary_when_ended
from vbstui.textsafe import plural, visible
from vbstui.ui.connection import Connection
from vbstui.ui.loading import Loader
from vbstui.ui.screens.main import MainScreen, main_screen


class JobRunner:
    """The jobs of this session; `tracker` runs single jobs, runs of several get their own."""

    def __init__(self, app: App[Any], connection: Connection, loader: Loader, guard: Guard, *,
                 poll: PollSchedule | None, bulk_concurrency: int | None,
                 clock: Callable[[], datetime]) -> None:
        self.app = app
        self.connection = connection
        self.loader = loader
        self.guard = guard
        self.poll = poll
        self.bulk_concurrency = bulk_concurrency
        self.clock = clock
        self.tracker: JobTracker | None = None
        self.jobs: dict[str, TrackedJob] = {}
        self._tick_timer: Any = None
        self._announced: set[str] = set()  # unknown outcomes the user has been told of
        self._deciding: set[str] = set()  # jobs with a decision being carried out
        self._undecided = 0  # what the panel's title says
        self._summary_due = False  # the jobs view's summary line is to be redone
        self._resumed_runs: dict[str, list[TrackedJob]] = {}  # summed up when they end

    @property
    def main(self) -> MainScreen:
        return main_screen(self.app)

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        self.main.say(text, severity)

    def run(self, work: Callable[[], Awaitable[Any]], description: str) -> None:
        """A worker of the "jobs" group (cancelled when the profile changes); `work` is
        called only when the worker starts, so one cancelled before that leaves nothing
        un-awaited."""
        self.app.run_worker(work, name="jobs", group="jobs", exit_on_error=False,
                            description=description)

    def new_tracker(self, limit: int | None = None) -> JobTracker:
        connection = self.connection
        assert connection.service is not None
        return build_tracker(connection.target, connection.service, connection.journal,
                             listener=self._on_event, concurrency=limit, poll=self.poll,
                             clock=lambda: self.clock().timestamp())

    def limit(self) -> int:
        """Requests in flight at once in a run of several jobs."""
        return concurrency(self.connection.target.config.preferences, self.bulk_concurrency)

    def active(self) -> list[TrackedJob]:
        return [j for j in self.jobs.values() if not j.finished]

    # -- connecting and the journal ---------------------------------------------------------

    def connected(self, project_id: str) -> None:
        self.tracker = self.new_tracker()
        history = self.load_history()
        pending = self.tracker.unfinished(project_id)
        self._resumed_runs = resumed_runs(pending, history)
        if pending:
            self.say(f"resuming {plural(len(pending), 'unfinished job')} from the journal")
        for job in pending:
            self.show(job)
            self.run(partial(self._resume, self.tracker, job), "resuming a job")

    async def _resume(self, tracker: JobTracker, job: TrackedJob) -> None:
        await tracker.resume(job)
        self.show(job)
        # A bulk interrupted by a restart still ends with its summary line.
        summary = summary_when_ended(self._resumed_runs.get(job.run, []))
        if summary is not None:
            del self._resumed_runs[job.run]
            self.say(summary.text(),
                     Severity.SUCCESS if summary.all_succeeded else Severity.WARNING)

    def load_history(self) -> list[TrackedJob]:
        journal = self.connection.journal
        if journal is None:
            return []
        history = []
        for record in journal.history():
            try:
                job = TrackedJob.from_record(record)
            except (TypeError, ValueError):
                continue
            history.append(self.jobs.get(job.local_id, job))
        known = {j.local_id for j in history}
        history.extend(j for j in self.jobs.values() if j.local_id not in known)
        history.reverse()  # the journal is oldest first: jobs of the same second, newest first
        history.sort(key=lambda j: j.submitted_at, reverse=True)
        self.main.jobs_view.table.set_rows(history)
        self.main.jobs_view.update_summary()
        return history

    def clear(self) -> None:
        """Forget the jobs shown for the previous profile (they stay in its journal)."""
        self.jobs.clear()
        self._announced.clear()
        self._deciding.clear()
        self.main.jobs_panel.set_rows([])
        self._count_undecided()

    # -- showing jobs -------------------------------------------------------------------

    def show(self, job: TrackedJob) -> None:
        self.jobs[job.local_id] = job
        self.main.jobs_panel.upsert_row(job)
        self.main.jobs_view.table.upsert_row(job)
        self._count_undecided()
        if not self._summary_due:  # once per frame, however many jobs changed
            self._summary_due = True
            self.app.call_after_refresh(self._update_summary)
        if self._tick_timer is None:
            self._tick_timer = self.app.set_interval(1.0, self._tick)

    def _update_summary(self) -> None:
        self._summary_due = False
        self.main.jobs_view.update_summary()

    def _count_undecided(self) -> None:
        count = sum(1 for j in self.jobs.values() if j.phase is Phase.UNKNOWN)
        if count != self._undecided:
            self._undecided = count
            self.main.show_undecided(count)
            self.main.jobs_view.update_summary()

    def _on_event(self, event: JobEvent) -> None:
        self.say(event.text, event.severity)
        job = event.job
        self.show(job)
        if job.phase is not Phase.UNKNOWN:
            self._announced.discard(job.local_id)
        elif job.local_id not in self._announced and job.local_id not in self._deciding:
            self.announce(job)  # a decision under way announces its own end

    def announce(self, job: TrackedJob) -> None:
        """Tell the user an outcome is unknown and where to decide; ask nothing yet."""
        self._announced.add(job.local_id)
        label = visible(job.label)
        self.say(f"{label} needs your decision: nothing is sent again until you choose, in "
                 "the jobs view (:jobs) or the jobs panel — c check again, S submit again, "
                 "x give up", Severity.WARNING)
        self.app.notify(f"{label} needs your decision: jobs view (:jobs), then c / S / x",
                        title="Outcome unknown", severity="warning", timeout=20, markup=False)

    def _tick(self) -> None:
        active = self.active()
        for job in active:
            self.main.jobs_panel.update_row(job)
        if not active and self._tick_timer is not None:
            self._tick_timer.stop()
            self._tick_timer = None

    # -- unknown outcomes ------------------------------------------------------------------

    def deciding(self, job: TrackedJob) -> bool:
        return job.local_id in self._deciding

    def decide(self, job: TrackedJob, decision: Decision, description: str) -> None:
        """Carry out a decision the user made (and confirmed, where the flows ask)."""
        self._deciding.add(job.local_id)  # at once: a second key finds it taken
        self.run(partial(self._decide, job, decision), description)

    async def _decide(self, job: TrackedJob, decision: Decision) -> None:
        tracker = self.tracker
        try:
            if tracker is None:
                return
            job = await decide(tracker, job, decision, self.guard)
            self.show(job)
            if job.phase is Phase.RUNNING:
                await tracker.follow(job)
        finally:
            self._deciding.discard(job.local_id)
            # Still unknown (checked, or sent again and lost again) — unless the profile
            # changed meanwhile and this job is no longer shown.
            if job.phase is Phase.UNKNOWN and job.local_id in self.jobs:
                self.announce(job)
