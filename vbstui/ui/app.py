"""The vbstui Textual application: a router from the messages of views and screens to
the collaborators that do the work (connection, loading, flows, job runner)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Quota, Volume
from vbstui.errors import ConfigError, CredentialError, UsageError
from vbstui.jobs import Phase, Severity, TrackedJob
from vbstui.jobs.timing import PollSchedule
from vbstui.local.credentials import KeyringAccess
from vbstui.ops.guard import Guard
from vbstui.ops.target import Target
from vbstui.textsafe import plural, visible
from vbstui.ui import messages as msg
from vbstui.ui.connection import Connection
from vbstui.ui.early_start import EarlyStart
from vbstui.ui.first_frame import FirstFrame
from vbstui.ui.first_page import FirstPageAhead
from vbstui.ui.jobrunner import JobRunner
from vbstui.ui.loading import Loader
from vbstui.ui.palette import VbsCommands
from vbstui.ui.policy_messages import PolicyActionRequested
from vbstui.ui.protection import Protection
from vbstui.ui.screens.main import MainScreen, main_screen
from vbstui.ui.theme import THEME
from vbstui.ui.views import BackupsView, VolumesView
from vbstui.ui.widgets.logpane import LogPane
from vbstui.ui.widgets.vtable import VirtualTable

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession
    from vbstui.ui.flows import Flows
    from vbstui.ui.policy_flows import PolicyFlows
    from vbstui.ui.prune_flow import PruneFlow
    from vbstui.ui.share_flows import ShareFlows
    from vbstui.ui.vault_flows import VaultFlows

log = logging.getLogger("vbstui.ui")


class VbsApp(App[int]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses live anywhere
    TITLE = "vbstui"
    COMMANDS = App.COMMANDS | {VbsCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", show=False, priority=True, tooltip="every key (this list)"),
        Binding("f2", "switch_profile", "Switch profile", show=False, priority=True,
                tooltip="the current one stays until the other is logged in"),
        Binding("f10,ctrl+q", "quit", "Quit", show=False, priority=True,
                tooltip="running jobs go on in the cloud; followed again at the next start"),
    ]

    def __init__(self, target: Target, *, readonly: bool = False,
                 keyring: KeyringAccess | None = None, poll: PollSchedule | None = None,
                 bulk_concurrency: int | None = None,
                 clock: Callable[[], datetime] | None = None,
                 first_page: FirstPageAhead | None = None) -> None:
        super().__init__()
        self.register_theme(THEME)  # readable at 256 and 16 colours too (ui/theme.py)
        self.theme = THEME.name
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.readonly = readonly
        self.guard = guard = Guard(readonly)  # the footer and help leave out what it refuses
        self.volumes: dict[str, Volume] = {}  # the disk lookup every view shares
        self.connection = Connection(self, target, keyring or KeyringAccess(),
                                     on_change=self.update_status,
                                     on_connected=self.connected,
                                     on_switching=self._leave_profile)
        self.protection = Protection()  # each disk's vault or VBS, for the views' columns
        self.loader = Loader(self, lambda: self.connection.service, self.volumes,
                             self.protection)
        self.runner = JobRunner(self, self.connection, self.loader, guard, poll=poll,
                                bulk_concurrency=bulk_concurrency, clock=self.clock)
        self._policies_after_volumes = False  # set by `connected`
        self.first_frame = FirstFrame(self)  # what waits for it
        # The first disks, read ahead by a second process: when the login starts.
        self.early = EarlyStart(self, self.connection, self.loader, first_page,
                                self.first_frame)

    # -- the flows (backup, restore, delete, decisions; vaults, policies, sharing,
    # pruning) and their screens: loaded on first use, none is needed for the first rows

    @cached_property
    def flows(self) -> Flows:
        from vbstui.ui.flows import Flows  # noqa: PLC0415

        return Flows(self, self.connection, self.runner, self.volumes, self.guard,
                     clock=self.clock)

    @cached_property
    def vault_flows(self) -> VaultFlows:
        from vbstui.ui.vault_flows import VaultFlows  # noqa: PLC0415

        return VaultFlows(self, self.connection, self.loader, self.guard)

    @cached_property
    def policy_flows(self) -> PolicyFlows:
        from vbstui.ui.policy_flows import PolicyFlows  # noqa: PLC0415

        return PolicyFlows(self, self.connection, self.runner, self.loader, self.guard,
                           clock=self.clock)

    @cached_property
    def share_flows(self) -> ShareFlows:
        from vbstui.ui.share_flows import ShareFlows  # noqa: PLC0415

        return ShareFlows(self, self.connection, self.guard)

    @cached_property
    def prune_flow(self) -> PruneFlow:
        from vbstui.ui.prune_flow import PruneFlow  # noqa: PLC0415

        return PruneFlow(self, self.connection, self.runner, self.guard)

    # -- what tests and scripts look at --------------------------------------------------

    @property
    def target(self) -> Target:
        return self.connection.target

    @property
    def session(self) -> CloudSession | None:
        return self.connection.session

    @property
    def credential_source(self) -> str:
        return self.connection.credential_source

    @property
    def jobs(self) -> dict[str, TrackedJob]:
        return self.runner.jobs

    @property
    def quota(self) -> Quota | None:
        return self.loader.quota

    @property
    def main(self) -> MainScreen:
        return main_screen(self)

    @property
    def log_pane(self) -> LogPane:
        return self.main.log_pane

    @property
    def jobs_panel(self) -> VirtualTable[TrackedJob]:
        return self.main.jobs_panel

    @property
    def volumes_view(self) -> VolumesView:
        return self.main.volumes_view

    @property
    def backups_view(self) -> BackupsView:
        return self.main.backups_view

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        self.connection.say(text, severity)  # kept until the log pane exists

    def update_status(self) -> None:
        if not self.connection.shown.is_set():
            return  # no status line yet: `main_ready` shows it
        profile = self.target.profile
        self.main.status_line.show(
            profile=profile.name, region=profile.region, project=profile.project,
            credentials=self.credential_source, view=self.main.current_view,
            demo=self.target.demo, insecure=profile.insecure, readonly=self.readonly,
            busy=self.connection.busy,
        )

    # -- start-up --------------------------------------------------------------------

    def on_load(self) -> None:
        # Before the main screen is built: the login (token cache, IAM) runs beside
        # Textual's start-up instead of after it, or after the first frame while the
        # first disks are read ahead (see `vbstui.ui.early_start`).
        self.early.app_loaded()

    def on_mount(self) -> None:
        self.install_screen(MainScreen(self.volumes.get, on_ready=self.main_ready,
                                       protection=self.protection,
                                       after_first_frame=self.first_frame.after), "main")
        self.push_screen("main")

    def on_ready(self) -> None:
        self.first_frame.out()  # Textual's start-up is over (see `vbstui.ui.first_frame`)

    def main_ready(self) -> None:
        """The main screen's first widgets exist: say what mode this is; the login
        started before goes on into them (the views mounted after the first frame are
        filled once they are: `MainScreen.after_views`)."""
        self.log_pane.clock = lambda: self.clock().astimezone()
        self.connection.shown.set()  # the log and status line exist: from here on, at once
        self.update_status()
        if self.target.demo:
            self.say("demo mode: a built-in simulator plays the cloud (user demo, project "
                     "eu-de_demo); jobs take a few seconds", Severity.WARNING)
        if self.target.profile.insecure:
            self.say("TLS certificate verification is OFF for this profile (insecure = true)",
                     Severity.WARNING)
        for warning in self.target.warnings:
            self.say(warning, Severity.WARNING)
        self.early.screen_built()  # the disks read ahead: in the first frame
        self.connection.screen_shown()  # then what the login said meanwhile

    def connected(self, project_id: str) -> None:
        """A session is open for this project: load its disks, resume its jobs."""
        self.update_status()
        self.loader.load_volumes(first_body=self.early.first_body(project_id))
        # The volumes view's POLICY column fills in once the disks' listing is done: its
        # request and its code (loaded on first use) do not delay the first rows.
        self._policies_after_volumes = True
        self.main.after_views(partial(self.runner.connected, project_id))  # the jobs view

    # -- errors from workers: the one place -------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # quitting: the screens are going or gone (a listing still under way met them)
        quitting = not (self.is_running and self.is_screen_installed("main"))
        if (self._policies_after_volumes and event.worker.group == "volumes"
                and event.state in (WorkerState.SUCCESS, WorkerState.ERROR)):
            self._policies_after_volumes = False
            if not quitting:
                self.main.after_views(self.policy_flows.load)
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        what = event.worker.description or event.worker.name or "background task"
        if self.connection.shown.is_set() and quitting:
            log.info("worker %s ended while the app closed: %s", what, error)
            return
        if isinstance(error, CloudError):
            self.say(f"{what}: {error.describe()}", Severity.ERROR)
        elif isinstance(error, (ConfigError, CredentialError, UsageError)):
            self.say(f"{what}: {error}", Severity.ERROR)
        else:
            log.error("worker %s failed", what, exc_info=error)
            self.say(f"{what} failed: {type(error).__name__}: {error} (details in the log file)",
                     Severity.ERROR)

    # -- routing ---------------------------------------------------------------------

    def on_view_requested(self, message: msg.ViewRequested) -> None:
        self.switch_view(message.view)

    def switch_view(self, name: str) -> None:
        if self.main.when_views_mounted(partial(self.switch_view, name)):
            return
        self.main.show_view(name)
        if name == "backups" and not self.backups_view.table.all_rows:
            self.loader.load_backups()
        if name == "vaults" and not self.main.vaults_view.table.all_rows:
            self.loader.load_vault_rows()
        if name == "policies" and not self.main.policies_view.table.all_rows:
            self.policy_flows.load()
        if name == "jobs":
            self.runner.load_history()
            self.main.jobs_view.table.action_first()  # it opens on the newest job
        self.update_status()
        if not self.main.view.has_focus_within:  # keys typed since (a '/') keep their field
            self.main.focus_view()

    def on_refresh_requested(self, message: msg.RefreshRequested) -> None:
        if self.session is None:
            self.say("reconnecting…")
            self.connection.connect()
        elif message.view == "volumes":
            self.loader.load_volumes()
        elif message.view == "backups":
            self.loader.load_backups()
        elif message.view == "vaults":
            self.loader.load_vault_rows()
            if self.protection.shown:
                self.loader.load_vaults()
        elif message.view == "policies":
            self.policy_flows.load()
        else:
            self.runner.load_history()

    def on_backups_of_disk_requested(self, message: msg.BackupsOfDiskRequested) -> None:
        self.loader.show_scope(message.volume_id)
        self.switch_view("backups")
        self.loader.load_backups()

    def on_raw_json_requested(self, message: msg.RawJsonRequested) -> None:
        from vbstui.ui.screens.modals import RawJsonScreen  # noqa: PLC0415

        self.push_screen(RawJsonScreen(message.title, message.data))

    def on_backup_requested(self, message: msg.BackupRequested) -> None:
        self.flows.back_up(message.volumes)

    def on_restore_requested(self, message: msg.RestoreRequested) -> None:
        self.flows.restore(message.backup)

    def on_delete_requested(self, message: msg.DeleteRequested) -> None:
        self.flows.delete(message.backups)

    def on_decision_requested(self, message: msg.DecisionRequested) -> None:
        self.flows.decide(message.job, message.decision)

    def on_retry_requested(self, message: msg.RetryRequested) -> None:
        self.flows.retry(message.job)

    def on_vault_disks_requested(self, message: msg.VaultDisksRequested) -> None:
        self.vault_flows.show_disks(message.vault)

    def on_add_disks_requested(self, message: msg.AddDisksRequested) -> None:
        self.vault_flows.add_marked(message.vault)

    def on_create_vault_requested(self, message: msg.CreateVaultRequested) -> None:
        self.vault_flows.create()

    def on_share_requested(self, message: msg.ShareRequested) -> None:
        self.share_flows.share(message.backup)

    def on_shares_requested(self, message: msg.SharesRequested) -> None:
        self.share_flows.show()

    def on_prune_requested(self, message: msg.PruneRequested) -> None:
        self.prune_flow.prune(message.volumes)

    def on_policy_action_requested(self, message: PolicyActionRequested) -> None:
        self.policy_flows.act(message.action, message.policy)

    def action_help(self) -> None:
        # It lists the keys of every screen, so it imports them all: only when asked for.
        from vbstui.ui.screens.help import HelpScreen  # noqa: PLC0415

        self.push_screen(HelpScreen())

    # -- profiles and quitting ---------------------------------------------------------

    def action_switch_profile(self) -> None:
        names = sorted(self.target.config.profiles)
        if not names:
            self.notify("no profiles in the config file to switch to", severity="warning")
            return
        from vbstui.ui.screens.pickers import ProfileScreen  # noqa: PLC0415

        self.push_screen(ProfileScreen(names, self.target.profile.name), self._profile_chosen)

    def _profile_chosen(self, name: str | None) -> None:
        if not name or name == self.target.profile.name:
            return
        self.say(f"switching to profile {visible(name)}: the current one stays until "
                 "the login succeeds")
        try:
            self.connection.switch(name)
        except ConfigError as exc:
            self.say(str(exc), Severity.ERROR)

    def _leave_profile(self) -> None:
        """The other profile is logged in: forget what was shown of the previous one."""
        active = self.runner.active()
        if active:
            self.say(f"still running in the cloud: {plural(len(active), 'job')} of profile "
                     f"{visible(self.target.profile.name)} — kept in its journal and followed "
                     "again when you come back to it", Severity.WARNING)
        for group in ("jobs", "volumes", "backups", "vaults", "vault-rows"):
            self.workers.cancel_group(self, group)
        for group in ("policies", "policy-change"):
            self.workers.cancel_group(self, group)
        self.runner.clear()
        self.loader.clear()
        if "policy_flows" in self.__dict__:  # only once it was needed
            self.policy_flows.clear()

    async def on_unmount(self) -> None:
        # However the app ends (quit, login cancelled, a test's exit), nothing stays open.
        self.early.stop()
        await self.connection.shut_down()

    async def action_quit(self) -> None:
        active = self.runner.active()
        await self.connection.shut_down()
        undecided = sum(1 for j in active if j.phase is Phase.UNKNOWN)
        running = len(active) - undecided
        lines = []
        if running:
            lines.append(f"vbstui: still running in the cloud: {plural(running, 'job')}, kept "
                         "in the journal — `vbstui jobs --wait` or the next start follows them")
        if undecided:
            lines.append(f"vbstui: waiting for your decision: {plural(undecided, 'job')} with "
                         "an unknown outcome — `vbstui jobs` or the jobs view of the next start")
        self.exit(0, message="\n".join(lines) or None)
