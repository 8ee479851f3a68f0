"""What happens between a sharing key and a change to a backup's shares: the share form,
the list of shares (of this project's backups, or shared with it), revoking one or every
share of a backup.  Every rule and the confirmation text are `vbstui.ops.shares`'; this
module asks and reports, in the log pane (a refusal with its code and what it means)."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import App

from vbstui.cloud.errors import CloudError
from vbstui.cloud.models import Backup
from vbstui.errors import UsageError
from vbstui.jobs import Severity
from vbstui.ops.guard import Guard
from vbstui.ops.service import BackupService
from vbstui.ops.shares import (
    backup_share_problem,
    check_share,
    check_unshare,
    list_shares,
    share_backup,
    unshare_backup,
)
from vbstui.textsafe import plural, visible
from vbstui.ui.connection import Connection
from vbstui.ui.flow_base import FlowBase
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.share_screens import ShareChoice, ShareForm, SharesScreen


class ShareFlows(FlowBase):
    WORKER = "shares"

    def __init__(self, app: App[Any], connection: Connection, guard: Guard) -> None:
        self.app = app
        self.connection = connection
        self.guard = guard

    # -- sharing one backup ----------------------------------------------------------

    def share(self, backup: Backup) -> None:
        if self.refused("share backups"):
            return
        problem = backup_share_problem(backup)
        if problem:
            self.say(f"cannot share: {problem}", Severity.WARNING)
            return
        self.run_with_service(partial(self._share, backup), "sharing a backup")

    async def _share(self, backup: Backup, service: BackupService) -> None:
        # What the form checks as you type: this project, and whom the backup has already
        # (the shares a revoke of all would take away).
        current = await check_unshare(service, backup.id)
        own = await service.project_id()
        typed = await self.app.push_screen_wait(
            ShareForm(backup, own_project_id=own, already_shared=current.project_ids))
        if typed is None:
            self.say("share cancelled; nothing was sent")
            return
        check = await check_share(service, backup.id, typed)  # fresh: the form may be old
        if not check.ok:
            for problem in check.problems:
                self.say(f"cannot share: {problem}", Severity.WARNING)
            return
        label = f"backup '{visible(backup.name)}' ({backup.id})"
        try:
            await share_backup(service, check)
        except (CloudError, UsageError) as exc:
            reason = exc.describe() if isinstance(exc, CloudError) else str(exc)
            self.say(f"share of {label} refused: {reason}", Severity.ERROR)
            return
        self.say(f"{label} shared with {plural(len(check.project_ids), 'project')}: "
                 f"{', '.join(check.project_ids)}", Severity.SUCCESS)

    # -- the lists of shares, and revoking -----------------------------------------------

    def show(self, *, to_me: bool = False) -> None:
        self.run_with_service(partial(self._show, to_me), "listing shares")

    async def _show(self, to_me: bool, service: BackupService) -> None:
        while True:  # the list opens again after each change, as the server has it then
            shares = await list_shares(service, to_me=to_me)
            choice: ShareChoice | None = await self.app.push_screen_wait(
                SharesScreen(shares, to_me=to_me))
            if choice is None:
                return
            if choice.kind == "toggle":
                to_me = not to_me
            elif choice.share is not None and not self.refused("stop sharing backups"):
                share = choice.share
                await self._revoke(service, share.backup_id,
                                   [] if choice.every else [share.to_project_id])

    async def _revoke(self, service: BackupService, backup_id: str,
                      project_ids: list[str]) -> None:
        check = await check_unshare(service, backup_id, project_ids)
        if not check.ok:
            for problem in check.problems or ["nothing to revoke"]:
                self.say(f"cannot stop sharing: {problem}", Severity.WARNING)
            return
        head, *projects = check.confirmation().splitlines()
        body = Text(head + "\n\n", style="bold")
        body.append("\n".join(projects))
        body.append(f"\n\nThe {'project' if len(projects) == 1 else 'projects'} above can no "
                    "longer see or restore it.")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen("Stop sharing?", body, confirm_label="Stop sharing", danger=True))
        label = f"backup '{visible(check.backup.name)}' ({check.backup.id})"
        if not confirmed:
            self.say(f"{label}: still shared; nothing was sent")
            return
        try:
            revoked = await unshare_backup(service, check)
        except (CloudError, UsageError) as exc:
            reason = exc.describe() if isinstance(exc, CloudError) else str(exc)
            self.say(f"stop sharing {label} refused: {reason}", Severity.ERROR)
            return
        self.say(f"{label} no longer shared with {plural(len(revoked), 'project')}: "
                 f"{', '.join(revoked)}", Severity.SUCCESS)
