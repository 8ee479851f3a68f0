"""What a headless command works with: the target, a session, the backup service
(the job tracker of a command that starts jobs: `vbstui.cli.tracking`)."""

from __future__ import annotations

import argparse
import time

from vbstui.cli.output import progress
from vbstui.cli.prompts import terminal_password
from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import CloudError
from vbstui.jobs import Severity, TrackedJob
from vbstui.local.config import Preferences
from vbstui.local.credentials import KeyringAccess
from vbstui.ops.guard import Guard
from vbstui.ops.routing import open_backup_service
from vbstui.ops.service import BackupService
from vbstui.ops.target import Choices, Target, choose_target, find_password, open_session


class Context:
    """Built per command; `connect()` when the command needs the cloud; closed at the end."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.target: Target = choose_target(Choices.from_args(args))
        for warning in self.target.warnings:  # e.g. the demo world could not be kept
            progress(warning, Severity.WARNING)
        self.guard = Guard(readonly=bool(getattr(args, "readonly", False)))
        self.session: CloudSession | None = None
        self._service: BackupService | None = None
        self.jobs: list[TrackedJob] = []  # what this command submitted, for a timeout's report
        timeout = getattr(args, "timeout", None)
        self.deadline = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> float | None:
        """Seconds left of --timeout (None: no limit), for waits inside the command."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    @property
    def preferences(self) -> Preferences:
        return self.target.config.preferences

    @property
    def service(self) -> BackupService:
        assert self._service is not None, "connect() first"
        return self._service

    async def connect(self, *, max_connections: int = 20) -> BackupService:
        credential = await find_password(self.target, KeyringAccess(), terminal_password)
        self.session = open_session(self.target, credential, max_connections=max_connections,
                                    on_retry=self._on_retry)
        await self.session.authenticate()
        self._service = await open_backup_service(self.session)
        return self._service

    def _on_retry(self, exc: CloudError, attempt: int, delay: float) -> None:
        progress(f"{exc.message}; retrying in {delay:.1f} s (attempt {attempt + 1})",
                 Severity.WARNING)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.aclose()
