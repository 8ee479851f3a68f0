"""The connection of the TUI: find a password, log in (asking in a modal when needed),
offer to store a typed password in the keyring, open the journal, and close again.

One profile at a time; switching profiles replaces the target and connects anew.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.app import App

from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import AuthenticationError, CloudError
from vbstui.cloud.secret import Secret
from vbstui.errors import ConfigError, CredentialError
from vbstui.jobs import Severity
from vbstui.local.config import Profile
from vbstui.local.credentials import Credential, KeyringAccess, KeyringUnavailable
from vbstui.local.journal import Journal
from vbstui.ops.service import BackupService, VbsBackupService
from vbstui.ops.target import (
    Choices,
    Target,
    choose_target,
    find_password,
    open_journal,
    open_session,
)
from vbstui.textsafe import visible
from vbstui.ui.screens.login import LoginResult, LoginScreen
from vbstui.ui.screens.main import main_screen

TYPED = "typed in (kept in memory for this session)"


class LoginCancelled(Exception):
    """The user closed the login modal: there is nothing to show without credentials."""


class Connection:
    """The session, backup service and journal of the current profile."""

    def __init__(self, app: App[Any], target: Target, keyring: KeyringAccess, *,
                 on_change: Callable[[], None], on_connected: Callable[[str], None]) -> None:
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
        self._remember = False  # store the typed password in the keyring after login
        self._keyring_problem: str | None = None

    def say(self, text: str, severity: Severity = Severity.INFO) -> None:
        main_screen(self.app).say(text, severity)

    def set_busy(self, text: str) -> None:
        self.busy = text
        self._on_change()

    # -- connecting ------------------------------------------------------------------

    def connect(self) -> None:
        self.app.run_worker(self._connect, name="connect", group="connect", exclusive=True,
                            exit_on_error=False, description="connecting")

    async def _connect(self) -> None:
        self.set_busy("connecting…")
        try:
            session = await self._open_session()
        except LoginCancelled:
            self.app.exit(3, return_code=3, message="vbstui: login cancelled")
            return
        except (CredentialError, ConfigError) as exc:  # e.g. an unsafe token cache directory
            self.say(str(exc), Severity.ERROR)
            self.set_busy("not connected")
            return
        await self.close()
        self._close_journal()  # a profile switch: the old profile's journal is done with
        self.session = session
        self.service = VbsBackupService(session)
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
        self._on_connected(project_id)

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
                credential = Credential(result.password, TYPED)
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

    async def _ask_password(self, profile: Profile, keyring_problem: str | None
                            ) -> Secret | None:
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
        return await self.app.push_screen_wait(
            LoginScreen(self.target.profile, keyring_problem=problem, error=error))

    def _store_password(self, password: Secret) -> None:
        self.app.run_worker(partial(self._store, password), name="keyring", group="keyring",
                            exit_on_error=False, description="storing the password")

    async def _store(self, password: Secret) -> None:
        try:
            await self.keyring.set(self.target.profile.name, password)
        except KeyringUnavailable as exc:
            self.say(f"password not stored: {exc}", Severity.WARNING)
            return
        self.say("password stored in the OS keyring", Severity.SUCCESS)

    def _on_retry(self, exc: CloudError, attempt: int, delay: float) -> None:
        self.say(f"{exc.message}; retrying in {delay:.1f} s (attempt {attempt + 1})",
                 Severity.WARNING)

    # -- switching and closing ---------------------------------------------------------

    def switch(self, name: str) -> None:
        """Aim at another profile of the same config file; raises `ConfigError`.  The
        session stays open until the new one is (see `connect`)."""
        config_path = str(self.target.config.path) if self.target.config.path else None
        self.target = choose_target(Choices(config_path=config_path, profile=name))
        self.credential_source = "not logged in"
        self._keyring_problem = None

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
