"""What happens between a key in the policies view and a change to a backup policy:
listing them (also for the volumes view's POLICY column), details, create and edit
through the form, ON/OFF, delete, run now, linking and unlinking the disks marked in
the volumes view.

Every rule, confirmation text and explanation is `vbstui.ops`' (`policies`,
`policy_links`, `policy_runs`), the same the CLI's `vbstui policy …` uses; this module
asks, sends and reports — per disk in the log pane, with the code and what it means."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from rich.text import Text
from textual.app import App

from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import CloudError, EndpointNotFound, Reached
from vbstui.cloud.models import Volume
from vbstui.cloud.policies import PolicyClient
from vbstui.cloud.policy_answers import PolicyTask
from vbstui.cloud.policy_models import Policy
from vbstui.jobs import Severity, TrackedJob
from vbstui.ops.guard import Guard
from vbstui.ops.policies import (
    PolicyRefusal,
    create_once,
    explain_failure,
    open_policies,
    policy_record,
    refuse_default_change,
)
from vbstui.ops.policy_links import (
    delete_confirmation,
    disk_outcomes,
    linked_disks,
    outcome_lines,
    plan_link,
    plan_unlink,
)
from vbstui.ops.policy_names import disk_policy_name
from vbstui.ops.policy_runs import run_now
from vbstui.ops.runs import new_run_id
from vbstui.ops.summary import RunSummary
from vbstui.textsafe import plural, visible
from vbstui.ui.connection import Connection
from vbstui.ui.flow_base import FlowBase
from vbstui.ui.jobrunner import JobRunner
from vbstui.ui.loading import Loader
from vbstui.ui.policies_view import PoliciesView, PolicyRow
from vbstui.ui.policy_messages import GUARD_WORDS
from vbstui.ui.screens.main import MainScreen, main_screen
from vbstui.ui.screens.modals import ConfirmScreen
from vbstui.ui.screens.policy_details import PolicyDetailsScreen
from vbstui.ui.screens.policy_form import PolicyForm, PolicyFormResult

REFRESH_ONE_BY_ONE = 50  # more disks changed than this: the whole disk list is read again
RECENT_TASKS = 8  # the newest tasks a policy's details show (its last runs, by disk)
T = TypeVar("T")


class PolicyFlows(FlowBase):
    def __init__(self, app: App[Any], connection: Connection, runner: JobRunner,
                 loader: Loader, guard: Guard, *, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.connection = connection
        self.runner = runner
        self.loader = loader
        self.guard = guard
        self.clock = clock
        self.policies: dict[str, Policy] = {}  # the last listing, for the POLICY column

    @property
    def main(self) -> MainScreen:
        return main_screen(self.app)

    @property
    def view(self) -> PoliciesView:
        return self.main.policies_view

    def policy_name(self, volume: Volume) -> str:
        """The POLICY cell of a disk: its policy's name (`ops.policy_links`)."""
        return disk_policy_name(volume, self.policies)

    def clear(self) -> None:
        """Forget the previous profile's policies."""
        self.policies = {}
        self.view.table.set_rows([])

    def _run(self, work: Callable[[PolicyClient], Awaitable[None]], description: str
             ) -> None:
        """A change (or a look) under way in the background; several may run at once."""
        session = self.connection.session
        if session is None:
            self.say("not connected — F5 retries", Severity.WARNING)
            return

        async def with_client(session: CloudSession) -> None:
            await work(await open_policies(session))

        self.app.run_worker(partial(with_client, session), name="policy-change",
                            group="policy-change", exit_on_error=False,
                            description=description)

    def _refused(self, action: str) -> bool:
        return self.refused(GUARD_WORDS[action])

    def _failed(self, exc: CloudError, policy: Policy | None, what: str,
                policies: list[Policy] | None = None) -> None:
        """A refusal explained in the policy's terms; a lost answer says it may be done."""
        if exc.reached_server is Reached.MAYBE:
            self.say(f"{what}: {visible(exc.describe())} — it may have been carried out; r "
                     "in the policies view lists them again", Severity.WARNING)
            return
        text = f"{what}: {visible(explain_failure(exc, policy, policies))}"
        self.say(text, Severity.ERROR)
        self.app.notify(text, severity="error", timeout=15, markup=False)

    # -- listing -------------------------------------------------------------------------

    def load(self) -> None:
        """The project's policies: the policies view and the volumes view's POLICY column."""
        session = self.connection.session
        if session is not None:
            self.app.run_worker(partial(self._load, session), name="policies",
                                group="policies", exclusive=True, exit_on_error=False,
                                description="listing the backup policies")

    async def _load(self, session: CloudSession) -> None:
        view = self.view
        view.loading = True
        view.update_summary()
        try:
            try:
                client = await open_policies(session)
            except EndpointNotFound:
                view.table.empty_text = ("this project has no VBS: backup policies are a "
                                         "VBS feature (CBR vaults have their own, :vaults)")
                view.table.set_rows([])
                return
            policies = await client.list_policies()
        finally:
            view.loading = False
            view.update_summary()
        if session is not self.connection.session:
            return  # the profile changed meanwhile
        names_before = {p.id: p.name for p in self.policies.values()}
        self.policies = {p.id: p for p in policies}
        now = self.clock()
        view.table.set_rows([PolicyRow(p, policy_record(p, now)) for p in policies])
        view.update_summary()
        volumes = self.main.volumes_view
        # The POLICY column only while some disk is bound to a policy (a policy whose
        # count of disks the service leaves out counts as bound).  Showing or hiding it
        # indexes every disk again: only when that or a name changes; otherwise the cells
        # read the new listing as drawn.
        wanted = any(p.resource_count != 0 for p in policies)
        renamed = names_before != {p.id: p.name for p in policies}
        if wanted != (volumes.policy_label is not None) or (wanted and renamed):
            volumes.show_policies(self.policy_name if wanted else None)
        else:
            volumes.table.refresh()

    def _changed(self, volume_ids: Sequence[str] = ()) -> None:
        """After a change: the policies again, and the disks whose policy changed."""
        self.load()
        if len(volume_ids) > REFRESH_ONE_BY_ONE:
            self.loader.load_volumes()
        else:
            for volume_id in volume_ids:
                self.loader.refresh_volume(volume_id)

    # -- the keys of the view --------------------------------------------------------------

    def act(self, action: str, policy: Policy | None) -> None:
        if action == "details" and policy is not None:
            self._run(partial(self._details, policy), "the policy's details")
            return
        if self._refused(action):
            return
        if action == "create":
            self.app.push_screen(PolicyForm(), self._form_done)
        elif policy is None:
            return
        elif action == "edit":
            self.app.push_screen(PolicyForm(policy), partial(self._form_done, policy=policy))
        elif action == "switch":
            self._run(partial(self._switch, policy), "switching a policy ON/OFF")
        elif action == "delete":
            self._delete(policy)
        elif action == "run":
            self._run(partial(self._run_now, policy), "running a policy")
        elif action in ("link", "unlink"):
            self._disks(action, policy)

    async def _details(self, policy: Policy, client: PolicyClient) -> None:
        tags = await self._read(policy, "tags", client.tags(policy.id))
        listed = await self._read(policy, "tasks", client.tasks(policy.id, limit=RECENT_TASKS))
        tasks: list[PolicyTask] | None = listed[0] if listed is not None else None
        volumes = self.loader.volumes
        names = {t.resource_id: volumes[t.resource_id].name for t in tasks or ()
                 if t.resource_id in volumes}
        await self.app.push_screen_wait(PolicyDetailsScreen(
            policy_record(policy, self.clock()), tags,
            linked_disks(policy, volumes.values()), tasks, names))

    async def _read(self, policy: Policy, what: str, call: Awaitable[T]) -> T | None:
        """A part of the details; when it cannot be read the rest is still shown."""
        try:
            return await call
        except CloudError as exc:
            self.say(f"{what} of policy {visible(policy.name)} not read: {exc.describe()}",
                     Severity.WARNING)
            return None

    # -- create and edit ---------------------------------------------------------------

    def _form_done(self, result: PolicyFormResult | None, policy: Policy | None = None
                   ) -> None:
        if result is None:
            self.say(("new policy" if policy is None else "edit") + " cancelled; nothing "
                     "was sent")
            return
        self._run(partial(self._save, result, policy),
                  "creating a policy" if policy is None else "changing a policy")

    async def _save(self, result: PolicyFormResult, policy: Policy | None,
                    client: PolicyClient) -> None:
        draft = result.draft
        recovered = ""
        try:
            if policy is None:  # sent once; a lost answer is looked for, never resent
                created = await create_once(client, draft)
                if created.policy_id is None:
                    self.say(f"OUTCOME UNKNOWN — {visible(created.unknown)}; the policy may "
                             "have been created: refresh (F5) before creating it again",
                             Severity.ERROR)
                    self._changed()
                    return
                policy_id = created.policy_id
                recovered = " — found again after the answer was lost" if created.recovered else ""
            else:
                policy_id = await client.update_policy(policy.id, draft,
                                                       with_name=result.renaming)
        except CloudError as exc:
            policies = None
            if getattr(exc, "code", None) == "AutoBackup.0203":  # counted in the explanation
                policies = await _listing_or_none(client)
            self._failed(exc, policy, "new policy not created" if policy is None
                         else f"policy {visible(policy.name)} not changed", policies)
            return
        verb = "created" if policy is None else "changed"
        self.say(f"policy {visible(draft.name)} {verb} ({policy_id}){recovered}",
                 Severity.SUCCESS)
        self._changed()

    # -- ON/OFF and delete -------------------------------------------------------------

    async def _switch(self, policy: Policy, client: PolicyClient) -> None:
        enabled = not policy.enabled
        word = "ON" if enabled else "OFF"
        try:
            await client.set_enabled(policy.id, enabled)
        except CloudError as exc:
            self._failed(exc, policy, f"policy {visible(policy.name)} not switched {word}")
            return
        self.say(f"policy {visible(policy.name)} is {word}", Severity.SUCCESS)
        self._changed()

    def _delete(self, policy: Policy) -> None:
        try:
            refuse_default_change(policy, deleting=True)
        except PolicyRefusal as exc:
            self.say(str(exc), Severity.WARNING)
            self.app.notify(str(exc), severity="warning", timeout=15, markup=False)
            return
        self._run(partial(self._confirm_delete, policy), "deleting a policy")

    async def _confirm_delete(self, policy: Policy, client: PolicyClient) -> None:
        linked = linked_disks(policy, self.loader.volumes.values())
        body = Text("\n".join(visible(line) for line in delete_confirmation(policy, linked)))
        if not await self.app.push_screen_wait(
                ConfirmScreen("Delete backup policy?", body, confirm_label="Delete",
                              danger=True)):
            self.say("delete cancelled; nothing was sent")
            return
        try:
            await client.delete_policy(policy.id)
        except CloudError as exc:
            self._failed(exc, policy, f"policy {visible(policy.name)} not deleted")
            return
        self.say(f"policy {visible(policy.name)} deleted"
                 + (f"; {plural(len(linked), 'disk')} unlinked" if linked else ""),
                 Severity.SUCCESS)
        self._changed([v.id for v in linked])

    # -- run now -----------------------------------------------------------------------

    async def _run_now(self, policy: Policy, client: PolicyClient) -> None:
        tracker = self.runner.tracker
        if tracker is None:  # the journal is not open yet: nothing could follow the tasks
            self.say("not connected yet — run the policy again in a moment", Severity.WARNING)
            return
        try:
            start = await run_now(client, tracker, policy, run_id=new_run_id(),
                                  volumes=self.loader.volumes)
        except CloudError as exc:
            self._failed(exc, policy, f"policy {visible(policy.name)} not run")
            return
        for job in start.jobs:
            self.runner.show(job)
        if start.message:
            self.say(f"policy {visible(policy.name)}: {start.message}", Severity.WARNING)
        if not start.accepted:
            self.say(f"no backup task of policy {visible(policy.name)} appeared: the run may "
                     "or may not have started; R again is refused while it runs "
                     "(AutoBackup.0225)", Severity.WARNING)
            return
        self.say(f"policy {visible(policy.name)} started "
                 f"{plural(len(start.jobs), 'backup task')}; followed in the jobs panel")

        async def follow(job: TrackedJob) -> None:
            if not job.finished:
                await tracker.follow(job)
            self.runner.show(job)
            self.loader.refresh_volume(job.volume_id)

        results = await asyncio.gather(*(follow(j) for j in start.jobs),
                                       return_exceptions=True)
        for job, result in zip(start.jobs, results, strict=True):
            if isinstance(result, Exception):  # one task's trouble stops no other
                self.say(f"{visible(job.label)}: {result}", Severity.ERROR)
        summary = RunSummary.of(start.jobs)
        self.say(summary.text(f"policy {visible(policy.name)} run"),
                 Severity.SUCCESS if summary.all_succeeded else Severity.WARNING)
        if self.main.backups_view.table.all_rows:
            self.loader.load_backups()

    # -- linking and unlinking the marked disks -------------------------------------------

    def _disks(self, action: str, policy: Policy) -> None:
        marked = self.main.volumes_view.table.marked_rows()
        if not marked:
            self.app.notify(f"mark disks in the volumes view first (F3, space), then press "
                            f"{'a' if action == 'link' else 'U'} here", severity="warning",
                            markup=False)
            return
        self._run(partial(self._link_or_unlink, action, policy, list(marked)),
                  f"{action}ing disks")

    async def _link_or_unlink(self, action: str, policy: Policy, marked: list[Volume],
                              client: PolicyClient) -> None:
        # Fresh policies: where each disk comes from is named as it is now.
        policies = await client.list_policies()
        policy = next((p for p in policies if p.id == policy.id), policy)
        name = visible(policy.name)
        if action == "link":
            plan = plan_link(policy, marked, policies)
            sent, lines = plan.to_send, plan.confirmation()
            if not sent:
                self.say(f"every marked disk is already in policy {name}; nothing was sent")
                return
            title, label = "Link disks to policy?", "Link"
        else:
            unlink = plan_unlink(policy, marked)
            sent, lines = unlink.to_send, unlink.confirmation()
            if not sent:
                self.say(f"none of the marked disks is in policy {name}; nothing was sent",
                         Severity.WARNING)
                return
            title, label = "Unlink disks from policy?", "Unlink"
        body = Text("\n".join(visible(line) for line in lines))
        if not await self.app.push_screen_wait(
                ConfirmScreen(title, body, confirm_label=label, danger=action == "unlink")):
            self.say(f"{action} cancelled; nothing was sent")
            return
        try:
            result = await (client.link(policy.id, sent) if action == "link"
                            else client.unlink(policy.id, sent))
        except CloudError as exc:
            self._failed(exc, policy, f"disks not {action}ed", policies)
            return
        names = {v.id: v.name for v in marked}
        outcomes = disk_outcomes(result, sent, names)
        for ok, line in outcome_lines(action, policy.name, outcomes):
            self.say(visible(line), Severity.SUCCESS if ok else Severity.ERROR)
        failed = sum(1 for o in outcomes if not o.ok)
        if failed:
            self.app.notify(f"{plural(failed, 'disk')} not {action}ed: see the log pane",
                            severity="error", markup=False)
        volumes_view = self.main.volumes_view
        volumes_view.table.clear_marks()
        volumes_view.update_summary()
        self._changed(sent)


async def _listing_or_none(client: PolicyClient) -> list[Policy] | None:
    try:
        return await client.list_policies()
    except CloudError:
        return None
