"""The connection of the TUI: find a password, log in (asking in a modal when needed),
offer to store a typed password in the keyring, open the journal, and close again.

One profile at a time.  Switching logs in to the other profile first and replaces the
working one only once that succeeded: a cancelled or failed switch keeps the profile that
was working, with its session, journal and data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App

from vbstui.cloud.errors import AuthenticationError, CloudError
from vbstui.cloud.secret import Secret
from vbstui.errors import ConfigError, CredentialError
from vbstui.jobs import Severity
from vbstui.local.config import Profile
from vbstui.local.credentials import Credential, KeyringAccess, KeyringUnavailable
from vbstui.local.journal import Journal
from vbstui.ops.routing import open_backup_service
from vbstui.ops.runs import open_journal
from vbstui.ops.service import BackupService
from vbstui.ops.target import (
    Choices,
    Target,
    choose_target,
    find_password,
    open_session,
)
from vbstui.textsafe import visible
from vbstui.ui.screens.login import LoginResult, LoginScreen
from vbstui.ui.screens.main import main_screen

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession

TYPED = "typed in (kept in memory for this session)"


class LoginCancelled(Exception):
    """The user closed the login modal: there is nothing to show without credentials."""


class Connection:
    """The session, backup service and journal of the current profile."""

    def __init__(self, app: App[Any], target: Target, keyring: KeyringAccess, *,
                 on_change: Callable[[], None], on_connected: Callable[[str], None],
                 on_switching: Callable[[], None]) -> None:
        self.app = app
        self.target = target
        self.keyring = keyring
        self.session: CloudSession | None = None
        self.service: BackupService | None = None
        self.journal: Journal | None = None
        self.credential_source = "not logged in"
        self.busy = ""
        self._on_change = on_change  # the status line shows what changed here
        self._on_connected = on_connected  # given the project id: load what it holds
        self._on_switching = on_switching  # the other profile is in: drop the old one's data
        self._remember = False  # store the typed password in the keyring after login
        self._keyring_problem: str | None = None
        # The login starts while Textual builds the main screen (so the network and the
        # token cache's password check overlap it): until the screen's widgets exist,
        # what is said waits here, and so do a login modal and the loading of the data.
        self.shown = asyncio.Event()
        self._early: list[tuple[str, Severity]] = []

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        if not self.shown.is_set():
            self._early.append((text, severity))
            return
        main_screen(self.app).say(text, severity)

    def screen_shown(self) -> None:
        """The main screen's widgets exist: what was said meanwhile reaches the log, and
        a login that is done goes on to load the project."""
        self.shown.set()
        early, self._early = self._early, []
        for text, severity in early:
            self.say(text, severity)

    def set_busy(self, text: str) -> None:
        self.busy = text
        self._on_change()

    # -- connecting ------------------------------------------------------------------

    def connect(self, target: Target | None = None) -> None:
        """Log in to `target` (default: the current profile again) in a worker."""
        self.app.run_worker(partial(self._connect, target or self.target), name="connect",
                            group="connect", exclusive=True, exit_on_error=False,
                            description="connecting")

    async def _connect(self, target: Target) -> None:
        switching = target is not self.target
        if switching:
            self._keyring_problem = None  # the other profile's keyring entry is its own
            self.set_busy(f"connecting to profile {visible(target.profile.name)}…")
        else:
            self.set_busy("connecting…")
        try:
            session, service = await self._open_session(target)
        except LoginCancelled:
            if switching:
                self._stay(f"switch to profile {visible(target.profile.name)} cancelled")
                return
            self.app.exit(3, return_code=3, message="vbstui: login cancelled")
            return
        except (CredentialError, ConfigError) as exc:  # e.g. an unsafe token cache directory
            self.say(str(exc), Severity.ERROR)
            if switching:
                self._stay(f"profile {visible(target.profile.name)} not opened")
            else:
                self.set_busy("not connected")
            return
        except CloudError:
            if not switching:
                raise  # said by `_open_session`; the app's worker handler reports it
            self._stay(f"profile {visible(target.profile.name)} not opened")
            return
        if switching:
            self._on_switching()
        await self.close()
        self._close_journal()  # a profile switch: the old profile's journal is done with
        self.target = target
        self.session = session
        self.service = service
        try:
            self.journal = open_journal(self.target)
        except ConfigError as exc:
            self.journal = Journal(None)
            self.say(f"{exc}; jobs are kept in memory only this session", Severity.WARNING)
        self._on_change()
        token = session.tokens.current
        project_id = token.project_id if token else ""
        profile = self.target.profile
        self.say(f"connected to project {visible(profile.project)} ({project_id}) as "
                 f"{visible(profile.username)}; credentials: {self.credential_source}")
        self.set_busy("")
        await self.shown.wait()  # the views the project's data goes into
        self._on_connected(project_id)

    def _stay(self, what: str) -> None:
        """A switch that did not happen: the working profile goes on as it was."""
        working = visible(self.target.profile.name)
        if self.session is None:
            self.say(f"{what}; still on profile {working} (not connected — F5 retries)",
                     Severity.WARNING)
            self.set_busy("not connected — F5 retries")
        else:
            self.say(f"{what}; still on profile {working}", Severity.WARNING)
            self.set_busy("")

    async def _open_session(self, target: Target) -> tuple[CloudSession, BackupService]:
        """Find a password (asking if needed), authenticate, retry on a refused password;
        then the backup service the project offers."""
        error: str | None = None
        credential: Credential | None = None
        ask = partial(self._ask_password, target)
        while True:
            if credential is None:
                credential = await find_password(target, self.keyring,
                                                 ask if error is None else None)
            session = open_session(target, credential, on_retry=self._on_retry)
            try:
                await session.authenticate()
                # What the catalog offers decides the service: VBS, CBR or both.
                service = await open_backup_service(session)
            except AuthenticationError as exc:
                await session.aclose()
                error = exc.message
                self.say(f"login failed: {exc.message}", Severity.ERROR)
                result = await self._login_modal(target, error)
                if result is None:
                    raise LoginCancelled from None
                credential = Credential(result.password, TYPED)
                self._remember = result.store_in_keyring
                continue
            except CloudError as exc:
                await session.aclose()
                self.say(f"cannot connect: {exc.describe()}", Severity.ERROR)
                if target is self.target:
                    self.set_busy("not connected — F5 retries")
                raise
            self.credential_source = credential.source
            if self._remember:
                self._remember = False
                self._store_password(target.profile.name, credential.password)
            return session, service

    async def _ask_password(self, target: Target, profile: Profile,
                            keyring_problem: str | None) -> Secret | None:
        self._keyring_problem = keyring_problem
        result = await self._login_modal(target, None)
        if result is None:
            raise LoginCancelled
        self._remember = result.store_in_keyring
        return result.password

    async def _login_modal(self, target: Target, error: str | None) -> LoginResult | None:
        await self.shown.wait()  # the modal goes above the main screen, not below it
        problem = self._keyring_problem
        if problem is None and error is not None:
            try:
                await self.keyring.backend()
            except KeyringUnavailable as exc:
                problem = str(exc)
        return await self.app.push_screen_wait(
            LoginScreen(target.profile, keyring_problem=problem, error=error))

    def _store_password(self, profile_name: str, password: Secret) -> None:
        self.app.run_worker(partial(self._store, profile_name, password), name="keyring",
                            group="keyring", exit_on_error=False,
                            description="storing the password")

    async def _store(self, profile_name: str, password: Secret) -> None:
        try:
            await self.keyring.set(profile_name, password)
        except KeyringUnavailable as exc:
            self.say(f"password not stored: {exc}", Severity.WARNING)
            return
        self.say("password stored in the OS keyring", Severity.SUCCESS)

    def _on_retry(self, exc: CloudError, attempt: int, delay: float) -> None:
        self.say(f"{exc.message}; retrying in {delay:.1f} s (attempt {attempt + 1})",
                 Severity.WARNING)

    # -- switching and closing ---------------------------------------------------------

    def switch(self, name: str) -> None:
        """Log in to another profile of the same config file; raises `ConfigError`.  The
        working profile stays until the other one is open (see `_connect`)."""
        config_path = str(self.target.config.path) if self.target.config.path else None
        self.connect(choose_target(Choices(config_path=config_path, profile=name)))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.aclose()
            self.session = None
            self.service = None

    def _close_journal(self) -> None:
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    async def shut_down(self) -> None:
        """Close the session and the journal; safe to call more than once."""
        await self.close()
        self._close_journal()
