"""What happens between a key in the vaults view and a change to a vault: the disks of a
vault, adding the marked disks, removing disks, creating a disk vault.  Every check and
every confirmation text is `vbstui.ops.vault_changes`'; this module asks and reports, one
line per disk in the log pane (a refusal with its code and what it means)."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import App

from vbstui.cloud.error_codes import explain
from vbstui.cloud.validation import ValidationFailed
from vbstui.jobs import Severity
from vbstui.ops.guard import Guard
from vbstui.ops.service import BackupService
from vbstui.ops.vault_changes import (
    VaultChangePlan,
    apply_vault_change,
    plan_add_disks,
    plan_remove_disks,
)
from vbstui.ops.vault_create import (
    VaultCreatePlan,
    VaultOutcomeUnknown,
    create_vault,
    plan_create_vault,
)
from vbstui.ops.vaults import VaultRow, vault_disks
from vbstui.textsafe import visible
from vbstui.ui.connection import Connection
from vbstui.ui.flow_base import FlowBase
from vbstui.ui.loading import Loader
from vbstui.ui.screens.main import main_screen
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.vault_screens import NewVault, VaultCreateForm, VaultDisksScreen

CHANGE_WORDS = {"add": ("added to", "Add disks to vault?", "Add"),
                "remove": ("removed from", "Remove disks from vault?", "Remove")}


class VaultFlows(FlowBase):
    WORKER = "vaults-change"

    def __init__(self, app: App[Any], connection: Connection, loader: Loader,
                 guard: Guard) -> None:
        self.app = app
        self.connection = connection
        self.loader = loader
        self.guard = guard

    # -- the disks of a vault ------------------------------------------------------------

    def show_disks(self, row: VaultRow) -> None:
        self.run_with_service(partial(self._show_disks, row), "listing the vault's disks")

    async def _show_disks(self, row: VaultRow, service: BackupService) -> None:
        disks = await vault_disks(service, row.vault)
        chosen = await self.app.push_screen_wait(VaultDisksScreen(row, disks))
        if chosen:
            self.remove(row, chosen)

    # -- adding and removing disks ---------------------------------------------------------

    def add_marked(self, row: VaultRow) -> None:
        if self.refused("add disks to a vault"):
            return
        marked = [v.id for v in main_screen(self.app).volumes_view.table.marked_rows()]
        if not marked:
            self.app.notify("mark disks in the volumes view first (F3, space), then press "
                            "a here", severity="warning", markup=False)
            return
        self.run_with_service(partial(self._add, row, marked), "adding disks to a vault")

    async def _add(self, row: VaultRow, volume_ids: list[str], service: BackupService
                   ) -> None:
        await self._change(service, await plan_add_disks(service, row.vault, volume_ids))

    def remove(self, row: VaultRow, volume_ids: list[str]) -> None:
        if self.refused("remove disks from a vault"):
            return
        self.run_with_service(partial(self._remove, row, volume_ids), "removing disks from a vault")

    async def _remove(self, row: VaultRow, volume_ids: list[str], service: BackupService
                      ) -> None:
        await self._change(service, await plan_remove_disks(service, row.vault, volume_ids))

    async def _change(self, service: BackupService, plan: VaultChangePlan) -> None:
        done_words, title, label = CHANGE_WORDS[plan.action]
        vault = visible(plan.vault.name)
        for refusal in plan.refused:
            self.say(f"not {done_words} vault '{vault}': {refusal.text()}", Severity.WARNING)
        if not plan.sendable:
            self.app.notify("nothing to change: every disk would be refused (see the log)",
                            severity="warning", markup=False)
            return
        body = Text(plan.confirmation())
        for refusal in plan.refused:
            body.append(f"\n✗ left out: {visible(refusal.short())}", style="bold")
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen(title, body, confirm_label=label, danger=plan.action == "remove"))
        if not confirmed:
            self.say(f"{plan.action} cancelled; nothing was sent")
            return
        result = await apply_vault_change(service, plan)
        for outcome in result.outcomes:
            if outcome.done:
                self.say(f"disk {outcome.disk}: {done_words} vault '{vault}'", Severity.SUCCESS)
            elif outcome.unknown:  # nothing says it failed: the line says where to look
                self.say(f"vault '{vault}': {outcome.text()}", Severity.WARNING)
            else:
                meaning = f" — {explain(outcome.code).meaning}" if outcome.code else ""
                self.say(f"vault '{vault}': {outcome.text()}{meaning}", Severity.ERROR)
        self._reload()

    # -- a new vault -----------------------------------------------------------------------

    def create(self) -> None:
        if self.refused("create a vault"):
            return
        marked = [v.id for v in main_screen(self.app).volumes_view.table.marked_rows()]
        self.app.push_screen(VaultCreateForm(marked), self._create_asked)

    def _create_asked(self, wanted: NewVault | None) -> None:
        if wanted is None:
            self.say("new vault cancelled; nothing was sent")
            return
        self.run_with_service(partial(self._create, wanted), "creating a vault")

    async def _create(self, wanted: NewVault, service: BackupService) -> None:
        try:
            plan = await plan_create_vault(service, wanted.name, wanted.size_gb,
                                           wanted.volume_ids)
        except ValidationFailed as exc:
            self.say(f"new vault not created: {exc}", Severity.ERROR)
            return
        for refusal in plan.refused:
            self.say(f"not put into the new vault: {refusal.text()}", Severity.WARNING)
        confirmed = await self.app.push_screen_wait(self._create_confirmation(plan))
        if not confirmed:
            self.say("new vault cancelled; nothing was sent")
            return
        try:
            vault = await create_vault(service, plan)
        except VaultOutcomeUnknown as exc:
            self.say(f"new vault '{visible(plan.request.name)}': OUTCOME UNKNOWN — "
                     f"{visible(exc.message)}", Severity.WARNING)
            self._reload()
            return
        self.say(f"vault '{visible(vault.name)}' created ({vault.id}, "
                 f"{vault.size_gb or plan.request.size_gb} GB, "
                 f"{len(vault.disk_ids)} disk{'s' if len(vault.disk_ids) != 1 else ''})",
                 Severity.SUCCESS)
        self._reload()

    @staticmethod
    def _create_confirmation(plan: VaultCreatePlan) -> ConfirmScreen:
        body = Text(plan.confirmation())
        for refusal in plan.refused:
            body.append(f"\n✗ left out: {visible(refusal.short())}", style="bold")
        return ConfirmScreen("Create vault — billed", body, confirm_label="Create",
                             danger=True)

    def _reload(self) -> None:
        """The vaults, and each disk's protection, as they are now."""
        self.loader.load_vault_rows()
        self.loader.load_vaults()
