"""The vbstui Textual application: connects, loads, submits and follows jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import AuthenticationError, CloudError
from vbstui.cloud.models import Backup, Quota, Volume
from vbstui.cloud.secret import Secret
from vbstui.local.config import Profile
from vbstui.ops.target import Target, choose_target, find_password, open_journal, open_session
from vbstui.errors import ConfigError, CredentialError
from vbstui.jobs import JobEvent, JobTracker, Phase, PollSchedule, Severity, TrackedJob
from vbstui.local.journal import Journal
from vbstui.lifecycle import DELETABLE, load_restore_plan, restore_problems
from vbstui.local.credentials import Credential, KeyringAccess, KeyringUnavailable
from vbstui.textsafe import visible
from vbstui.ui.palette import VbsCommands
from vbstui.ui.screens.backup_form import BackupForm, FormResult
from vbstui.ui.screens.help import HelpScreen
from vbstui.ui.screens.login import LoginResult, LoginScreen
from vbstui.ui.screens.main import MainScreen
from vbstui.ui.screens.modals import ConfirmScreen, RawJsonScreen, UnknownOutcomeScreen
from vbstui.ui.screens.pickers import ProfileScreen, RestoreScreen
from vbstui.ui.views import BackupsView, JobsView, VolumesView, describe_volume
from vbstui.ui.widgets.logpane import LogPane
from vbstui.ui.widgets.statusline import StatusLine
from vbstui.ui.widgets.vtable import VirtualTable

log = logging.getLogger("vbstui.ui")


class LoginCancelled(Exception):
    """The user closed the login modal: there is nothing to show without credentials."""


class VbsApp(App[int]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses live anywhere
    TITLE = "vbstui"
    COMMANDS = App.COMMANDS | {VbsCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", show=False, priority=True),
        Binding("f2", "switch_profile", "Profile", show=False, priority=True),
        Binding("f10,ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, target: Target, *, readonly: bool = False,
                 keyring: KeyringAccess | None = None, poll: PollSchedule | None = None,
                 bulk_concurrency: int | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.target = target
        self.readonly = readonly
        self.keyring = keyring or KeyringAccess()
        self.poll = poll or target.config.settings.poll_schedule()
        self.bulk_concurrency = bulk_concurrency or target.config.settings.bulk_concurrency
        self.session: CloudSession | None = None
        self.tracker: JobTracker | None = None
        self.journal: Journal | None = None
        self.credential_source = "not logged in"
        self.jobs: dict[str, TrackedJob] = {}
        self.volumes: dict[str, Volume] = {}
        self.quota: Quota | None = None
        self.backups_scope: str | None = None
        self._busy = ""
        self._tick_timer: Any = None
        self._remember = False  # store the typed password in the keyring after login
        self._keyring_problem: str | None = None

    # -- widgets ---------------------------------------------------------------------

    @property
    def main(self) -> MainScreen:
        return self.get_screen("main")  # type: ignore[return-value]

    @property
    def log_pane(self) -> LogPane:
        return self.main.query_one(LogPane)

    @property
    def jobs_panel(self) -> VirtualTable[TrackedJob]:
        return self.main.query_one("#jobs-panel", VirtualTable)

    @property
    def volumes_view(self) -> VolumesView:
        return self.main.query_one(VolumesView)

    @property
    def backups_view(self) -> BackupsView:
        return self.main.query_one(BackupsView)

    @property
    def jobs_view(self) -> JobsView:
        return self.main.query_one(JobsView)

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        self.log_pane.add(text, severity)

    def update_status(self) -> None:
        profile = self.target.profile
        self.main.query_one(StatusLine).show(
            profile=profile.name, region=profile.region, project=profile.project,
            credentials=self.credential_source, view=self.main.current_view,
            demo=self.target.demo, insecure=profile.insecure, readonly=self.readonly,
            busy=self._busy,
        )

    def set_busy(self, text: str) -> None:
        self._busy = text
        self.update_status()

    # -- start-up --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.install_screen(MainScreen(), "main")
        self.push_screen("main")

    def main_ready(self) -> None:
        """Called by the main screen once its widgets exist."""
        self.log_pane.clock = lambda: self.clock().astimezone()
        self.update_status()
        if self.target.demo:
            self.say("demo mode: a built-in simulator plays the cloud (user demo, project "
                     "eu-de_demo); jobs take a few seconds", Severity.WARNING)
        if self.target.profile.insecure:
            self.say("TLS certificate verification is OFF for this profile (insecure = true)",
                     Severity.WARNING)
        for warning in self.target.warnings:
            self.say(warning, Severity.WARNING)
        self.connect()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        self.set_busy("connecting…")
        try:
            session = await self._open_session()
        except LoginCancelled:
            self.exit(3, return_code=3, message="vbstui: login cancelled")
            return
        except CredentialError as exc:
            self.say(str(exc), Severity.ERROR)
            self.set_busy("not connected")
            return
        await self._close_session()
        self.session = session
        try:
            self.journal = open_journal(self.target)
        except ConfigError as exc:
            self.journal = Journal(None)
            self.say(f"{exc}; jobs are kept in memory only this session", Severity.WARNING)
        self.tracker = self._tracker()
        self.update_status()
        token = session.tokens.current
        project_id = token.project_id if token else ""
        self.say(f"connected to project {visible(self.target.profile.project)} "
                 f"({project_id}) as {visible(self.target.profile.username)}; "
                 f"credentials: {self.credential_source}")
        self.set_busy("")
        self.load_volumes()
        self._load_history()
        self._resume_jobs(project_id)

    async def _open_session(self) -> CloudSession:
        """Find a password (asking if needed), authenticate, retry on a refused password."""
        error: str | None = None
        credential: Credential | None = None
        while True:
            if credential is None:
                credential = await find_password(self.target, self.keyring,
                                                 self._ask_password if error is None else None)
            session = open_session(self.target, credential, on_retry=self._on_retry)
            try:
                await session.authenticate()
            except AuthenticationError as exc:
                await session.aclose()
                error = exc.message
                self.say(f"login failed: {exc.message}", Severity.ERROR)
                result = await self._login_modal(error)
                if result is None:
                    raise LoginCancelled from None
                credential = Credential(result.password,
                                        "typed in (kept in memory for this session)")
                self._remember = result.store_in_keyring
                continue
            except CloudError as exc:
                await session.aclose()
                self.say(f"cannot connect: {exc.describe()}", Severity.ERROR)
                self.set_busy("not connected — F5 retries")
                raise
            self.credential_source = credential.source
            if self._remember:
                self._remember = False
                self._store_password(credential.password)
            return session

    async def _ask_password(self, profile: Profile, keyring_problem: str | None) -> Secret | None:
        self._keyring_problem = keyring_problem
        result = await self._login_modal(None)
        if result is None:
            raise LoginCancelled
        self._remember = result.store_in_keyring
        return result.password

    async def _login_modal(self, error: str | None) -> LoginResult | None:
        problem = self._keyring_problem
        if problem is None and error is not None:
            try:
                await self.keyring.backend()
            except KeyringUnavailable as exc:
                problem = str(exc)
        return await self.push_screen_wait(
            LoginScreen(self.target.profile, keyring_problem=problem, error=error))

    @work(group="keyring", exit_on_error=False)
    async def _store_password(self, password: Secret) -> None:
        try:
            await self.keyring.set(self.target.profile.name, password)
        except KeyringUnavailable as exc:
            self.say(f"password not stored: {exc}", Severity.WARNING)
            return
        self.say("password stored in the OS keyring", Severity.SUCCESS)

    def _on_retry(self, exc: CloudError, attempt: int, delay: float) -> None:
        self.say(f"{exc.message}; retrying in {delay:.1f} s (attempt {attempt + 1})",
                 Severity.WARNING)

    def _tracker(self, slots: asyncio.Semaphore | None = None) -> JobTracker:
        assert self.session is not None
        return JobTracker(self.session, profile=self.target.profile.name,
                          journal=self.journal, listener=self._on_job_event, poll=self.poll,
                          reconcile=self.target.config.settings.reconcile_policy(),
                          request_slots=slots, clock=lambda: self.clock().timestamp())

    async def _close_session(self) -> None:
        if self.session is not None:
            await self.session.aclose()
            self.session = None

    # -- errors from workers -----------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        what = event.worker.description or event.worker.name or "background task"
        if isinstance(error, CloudError):
            self.say(f"{what}: {error.describe()}", Severity.ERROR)
        elif isinstance(error, (ConfigError, CredentialError)):
            self.say(f"{what}: {error}", Severity.ERROR)
        else:
            log.error("worker %s failed", what, exc_info=error)
            self.say(f"{what} failed: {type(error).__name__}: {error} (details in the log file)",
                     Severity.ERROR)

    # -- volumes ---------------------------------------------------------------------

    def volume_by_id(self, volume_id: str) -> Volume | None:
        return self.volumes.get(volume_id)

    @work(exclusive=True, group="volumes", exit_on_error=False, description="loading disks")
    async def load_volumes(self) -> None:
        if self.session is not None:
            await self._fill(self.volumes_view, self.session.evs.volume_pages(),
                             remember=lambda page: self.volumes.update((v.id, v) for v in page))

    async def _fill(self, view: VolumesView | BackupsView, pages: AsyncIterator[Any],
                    remember: Callable[[list[Any]], object] | None = None) -> None:
        """Show pages as they arrive: the first replaces the table, the rest are appended."""
        first = True
        loaded = 0
        view.loading_text = "loading…"
        view.update_summary()
        async for page, total in pages:
            if remember is not None:
                remember(page)
            if first:
                view.table.set_rows(page)
                first = False
            else:
                view.table.append_rows(page)
            loaded += len(page)
            view.loading_text = (f"loading… {loaded} of {total}"
                                 if total and loaded < total else "")
            view.update_summary()
            # Let keys and repaints in between pages: with the in-process simulator the
            # next page is ready at once, and parsing page after page would freeze the UI.
            await asyncio.sleep(0)
        if first:
            view.table.set_rows([])
        view.loading_text = ""
        view.update_summary()

    @work(group="volumes-one", exit_on_error=False, description="refreshing a disk")
    async def refresh_volume(self, volume_id: str) -> None:
        if self.session is None or not volume_id:
            return
        volume = await self.session.evs.get_volume(volume_id)
        if volume is not None:
            self.volumes[volume.id] = volume
            self.volumes_view.table.update_row(volume)

    # -- backups ---------------------------------------------------------------------

    def show_backups(self, volume_id: str | None) -> None:
        self.backups_scope = volume_id
        self.backups_view.volume_filter = volume_id
        self.switch_view("backups")
        self.load_backups()

    @work(exclusive=True, group="backups", exit_on_error=False, description="loading backups")
    async def load_backups(self) -> None:
        if self.session is not None:
            self.load_quota()
            await self._fill(self.backups_view,
                             self.session.vbs.backup_pages(volume_id=self.backups_scope))

    @work(exclusive=True, group="quota", exit_on_error=False, description="loading quota")
    async def load_quota(self) -> None:
        if self.session is None:
            return
        try:
            self.quota = await self.session.vbs.get_quota()
        except CloudError as exc:
            self.backups_view.show_quota(None, exc.message)
            return
        self.backups_view.show_quota(self.quota)

    # -- views -----------------------------------------------------------------------

    def switch_view(self, name: str) -> None:
        self.main.query_one("#views", ContentSwitcher).current = f"{name}-view"
        if name == "backups" and not self.backups_view.table.all_rows:
            self.load_backups()
        if name == "jobs":
            self._load_history()
        self.update_status()
        self.focus_view()

    def focus_view(self) -> None:
        view = {"volumes": self.volumes_view, "backups": self.backups_view,
                "jobs": self.jobs_view}[self.main.current_view]
        view.focus_table()

    def refresh_view(self, name: str) -> None:
        if self.session is None:
            self.say("reconnecting…")
            self.connect()
            return
        if name == "volumes":
            self.load_volumes()
        elif name == "backups":
            self.load_backups()
        else:
            self._load_history()

    def show_raw(self, title: str, data: Any) -> None:
        self.push_screen(RawJsonScreen(title, data))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # -- backing up ------------------------------------------------------------------

    def _refuse_readonly(self, what: str) -> bool:
        if self.readonly:
            self.say(f"read-only mode: {what} is not allowed", Severity.WARNING)
            self.notify(f"read-only mode: {what} is not allowed", severity="warning")
            return True
        return False

    def open_backup_form(self, volumes: list[Volume]) -> None:
        if self._refuse_readonly("backing up"):
            return
        blocked = [v for v in volumes if not v.backupable]
        if blocked:
            for volume in blocked:
                self.say(f"cannot back up: {volume.why_not_backupable()}", Severity.WARNING)
            reason = blocked[0].why_not_backupable() or ""
            self.notify(visible(reason), severity="warning", timeout=8)
            if len(blocked) == len(volumes):
                return
            volumes = [v for v in volumes if v.backupable]
        self._open_form(volumes)

    @work(exclusive=True, group="form", exit_on_error=False, description="opening the form")
    async def _open_form(self, volumes: list[Volume]) -> None:
        warning = None
        if self.session is not None:
            # A fresh look at the quota, so the form can warn before anything is sent.
            # No warning is better than no form: the server still checks.
            with contextlib.suppress(CloudError, asyncio.TimeoutError):
                self.quota = await asyncio.wait_for(self.session.vbs.get_quota(), 5)
        if self.quota is not None:
            gigabytes = sum(v.size_gb or 0 for v in volumes)
            shortfall = self.quota.shortfall(backups=len(volumes), gigabytes=gigabytes)
            if shortfall:
                warning = "this would exceed the quota: " + "; ".join(shortfall)
                self.say(f"warning: {warning}", Severity.WARNING)
        self.push_screen(BackupForm(volumes, quota_warning=warning, now=self.clock()),
                         self._form_done)

    def _form_done(self, result: FormResult | None) -> None:
        if result is None or self.tracker is None:
            return
        if len(result.requests) == 1:
            request = result.requests[0]
            volume = self.volumes.get(request.volume_id)
            job = self.tracker.new_backup_job(request, volume_name=volume.name if volume else "")
            self._show_job(job)
            self._run_backup(self.tracker, job, result.name_max)
            return
        slots = asyncio.Semaphore(self.bulk_concurrency)
        tracker = self._tracker(slots)
        jobs = []
        for request in result.requests:
            volume = self.volumes.get(request.volume_id)
            job = tracker.new_backup_job(request, volume_name=volume.name if volume else "")
            self._show_job(job)
            jobs.append(job)
        self.say(f"bulk backup of {len(jobs)} disks, at most {self.bulk_concurrency} "
                 "requests at a time")
        self.volumes_view.table.clear_marks()
        self.volumes_view.update_summary()
        self._run_bulk(tracker, jobs, result.name_max)

    @work(group="jobs", exit_on_error=False, description="backup")
    async def _run_backup(self, tracker: JobTracker, job: TrackedJob, name_max: int) -> None:
        await self._submit_and_follow(tracker, job, name_max)

    async def _submit_and_follow(self, tracker: JobTracker, job: TrackedJob,
                                 name_max: int) -> None:
        await tracker.submit_backup(job, name_max=name_max)
        self._show_job(job)
        self.refresh_volume(job.volume_id)
        await tracker.follow(job)
        self.refresh_volume(job.volume_id)

    @work(group="jobs", exit_on_error=False, description="bulk backup")
    async def _run_bulk(self, tracker: JobTracker, jobs: list[TrackedJob], name_max: int) -> None:
        results = await asyncio.gather(
            *(self._submit_and_follow(tracker, job, name_max) for job in jobs),
            return_exceptions=True)
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                self.say(f"{job.label}: {result}", Severity.ERROR)
        self.say(bulk_summary(jobs), Severity.SUCCESS if all(
            j.phase is Phase.SUCCESS for j in jobs) else Severity.WARNING)

    def _show_job(self, job: TrackedJob) -> None:
        self.jobs[job.local_id] = job
        self.jobs_panel.upsert_row(job)
        self.jobs_view.table.upsert_row(job)
        self._ensure_tick()

    def _on_job_event(self, event: JobEvent) -> None:
        self.say(event.text, event.severity)
        self._show_job(event.job)
        if event.job.phase is Phase.UNKNOWN:
            self.resolve_unknown(event.job, None)

    def _ensure_tick(self) -> None:
        if self._tick_timer is None:
            self._tick_timer = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        active = [j for j in self.jobs.values() if not j.finished]
        for job in active:
            self.jobs_panel.update_row(job)
        if not active and self._tick_timer is not None:
            self._tick_timer.stop()
            self._tick_timer = None

    # -- unknown outcomes -------------------------------------------------------------

    def resolve_unknown(self, job: TrackedJob, choice: str | None) -> None:
        self._resolve_unknown(job, choice)

    @work(group="jobs", exit_on_error=False, description="deciding an unknown outcome")
    async def _resolve_unknown(self, job: TrackedJob, choice: str | None) -> None:
        tracker = self.tracker
        if tracker is None:
            return
        if choice is None:
            choice = await self.push_screen_wait(
                UnknownOutcomeScreen(job.label, job.message or "the request got no answer"))
        if choice == "check":
            await tracker.reconcile(job)
        elif choice == "resubmit":
            if self._refuse_readonly("submitting again"):
                return
            await tracker.resubmit(job)
        else:
            tracker.cancel(job)
        self._show_job(job)
        if job.phase is Phase.RUNNING:
            await tracker.follow(job)

    # -- restore and delete -------------------------------------------------------------

    def start_restore(self, backup: Backup) -> None:
        if self._refuse_readonly("restoring"):
            return
        if backup.status != "available":
            self.say(f"cannot restore backup {visible(backup.name)}: it is '{backup.status}', "
                     "only an 'available' backup can be restored", Severity.WARNING)
            return
        candidates = sorted(self.volumes.values(), key=lambda v: (v.id != backup.volume_id,
                                                                  v.name))
        self.push_screen(RestoreScreen(backup, candidates), self._restore_target_chosen)

    def _restore_target_chosen(self, chosen: tuple[Backup, Volume] | None) -> None:
        if chosen is not None:
            self._restore(*chosen)

    @work(group="jobs", exit_on_error=False, description="restore")
    async def _restore(self, backup: Backup, volume: Volume) -> None:
        session, tracker = self.session, self.tracker
        if session is None or tracker is None:
            return
        # Check against the current state, not the possibly stale table.
        fresh_backup, fresh_volume = await load_restore_plan(session, backup.id, volume.id)
        problems = restore_problems(fresh_backup, fresh_volume)
        if problems:
            for problem in problems:
                self.say(f"cannot restore: {problem}", Severity.ERROR)
            self.notify("restore refused: " + problems[0], severity="error", timeout=8)
            return
        assert fresh_volume is not None
        body = Text("Restore backup ")
        body.append(visible(backup.name or backup.id), style="bold")
        body.append(f" ({backup.size_gb or '?'} GB) onto disk ")
        body.append_text(describe_volume(fresh_volume))
        body.append("?\n\nALL DATA ON THIS DISK WILL BE OVERWRITTEN.", style="bold red")
        confirmed = await self.push_screen_wait(
            ConfirmScreen("Restore — overwrite disk?", body, confirm_label="Restore",
                          danger=True))
        if not confirmed:
            self.say("restore cancelled")
            return
        job = tracker.new_restore_job(backup.id, fresh_volume.id, backup_name=backup.name,
                                      volume_name=fresh_volume.name)
        self._show_job(job)
        await tracker.submit_restore(job)
        self._show_job(job)
        await tracker.follow(job)
        self.refresh_volume(fresh_volume.id)
        self.load_backups()

    def start_delete(self, backups: list[Backup]) -> None:
        if self._refuse_readonly("deleting"):
            return
        refused = [b for b in backups if b.status not in DELETABLE]
        for backup in refused:
            self.say(f"cannot delete backup {visible(backup.name or backup.id)}: it is "
                     f"'{backup.status}' (only 'available' or 'error' backups)", Severity.WARNING)
        targets = [b for b in backups if b.status in DELETABLE]
        if targets:
            self._delete(targets)

    @work(group="jobs", exit_on_error=False, description="delete")
    async def _delete(self, backups: list[Backup]) -> None:
        if self.session is None:
            return
        body = Text(f"Delete {len(backups)} backup(s)? This cannot be undone.\n\n")
        for backup in backups[:12]:
            body.append(f"  {visible(backup.name or '(no name)')}", style="bold")
            body.append(f"  {backup.id}  {backup.size_gb or '?'} GB  {backup.status}\n")
        if len(backups) > 12:
            body.append(f"  … and {len(backups) - 12} more\n")
        confirmed = await self.push_screen_wait(
            ConfirmScreen("Delete backups?", body, confirm_label="Delete", danger=True))
        if not confirmed:
            self.say("delete cancelled")
            return
        tracker = self._tracker(asyncio.Semaphore(self.bulk_concurrency))
        jobs = [tracker.new_delete_job(b.id, backup_name=b.name, volume_id=b.volume_id)
                for b in backups]
        for job in jobs:
            self._show_job(job)

        async def one(job: TrackedJob) -> None:
            await tracker.submit_delete(job)
            self._show_job(job)
            await tracker.follow(job)

        self.backups_view.table.clear_marks()
        await asyncio.gather(*(one(j) for j in jobs))
        self.load_backups()

    # -- journal ---------------------------------------------------------------------

    def _load_history(self) -> None:
        if self.journal is None:
            return
        history = []
        for record in self.journal.history(500):
            try:
                job = TrackedJob.from_record(record)
            except (TypeError, ValueError):
                continue
            history.append(self.jobs.get(job.local_id, job))
        known = {j.local_id for j in history}
        history.extend(j for j in self.jobs.values() if j.local_id not in known)
        history.sort(key=lambda j: j.submitted_at, reverse=True)
        self.jobs_view.table.set_rows(history)
        self.jobs_view.update_summary()

    def _resume_jobs(self, project_id: str) -> None:
        if self.tracker is None:
            return
        pending = self.tracker.unfinished(project_id)
        if pending:
            self.say(f"resuming {len(pending)} unfinished job(s) from the journal")
        for job in pending:
            self._show_job(job)
            self._resume(job)

    @work(group="jobs", exit_on_error=False, description="resuming a job")
    async def _resume(self, job: TrackedJob) -> None:
        if self.tracker is not None:
            await self.tracker.resume(job)
            self._show_job(job)

    # -- profiles --------------------------------------------------------------------

    def action_switch_profile(self) -> None:
        names = sorted(self.target.config.profiles)
        if not names:
            self.notify("no profiles in the config file to switch to", severity="warning")
            return
        self.push_screen(ProfileScreen(names, self.target.profile.name), self._profile_chosen)

    def _profile_chosen(self, name: str | None) -> None:
        if not name or name == self.target.profile.name:
            return
        active = [j for j in self.jobs.values() if not j.finished]
        if active:
            self.say(f"{len(active)} job(s) keep running in the cloud; they stay in the "
                     "journal and are resumed when you come back to this profile",
                     Severity.WARNING)
        try:
            self.target = choose_target_for(self.target, name)
        except ConfigError as exc:
            self.say(str(exc), Severity.ERROR)
            return
        self.workers.cancel_group(self, "jobs")
        self.workers.cancel_group(self, "volumes")
        self.workers.cancel_group(self, "backups")
        self.jobs.clear()
        self.volumes.clear()
        self.quota = None
        self.credential_source = "not logged in"
        self._keyring_problem = None
        self.jobs_panel.set_rows([])
        self.volumes_view.table.set_rows([])
        self.backups_view.table.set_rows([])
        self.say(f"switching to profile {visible(name)}")
        self.update_status()
        self.connect()

    async def action_quit(self) -> None:
        active = [j for j in self.jobs.values() if not j.finished]
        await self._close_session()
        if self.journal is not None:
            self.journal.close()
        message = None
        if active:
            message = (f"vbstui: {len(active)} job(s) still running in the cloud; they are "
                       "in the journal — `vbstui jobs --wait` or the next start follows them")
        self.exit(0, message=message)


def bulk_summary(jobs: Iterable[TrackedJob]) -> str:
    jobs = list(jobs)
    succeeded = sum(1 for j in jobs if j.phase is Phase.SUCCESS)
    failed = [j for j in jobs if j.phase in (Phase.FAILED, Phase.REFUSED)]
    unknown = sum(1 for j in jobs if j.phase is Phase.UNKNOWN)
    codes: dict[str, int] = {}
    for job in failed:
        codes[job.error_code or "no code"] = codes.get(job.error_code or "no code", 0) + 1
    text = f"bulk backup done: {succeeded} of {len(jobs)} succeeded, {len(failed)} failed"
    if codes:
        text += " (" + ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items())) + ")"
    if unknown:
        text += f", {unknown} with unknown outcome"
    return text


def choose_target_for(current: Target, name: str) -> Target:
    from vbstui.ops.target import Choices  # noqa: PLC0415

    config_path = str(current.config.path) if current.config.path else None
    return choose_target(Choices(config_path=config_path, profile=name))

