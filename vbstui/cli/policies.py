"""`vbstui policy …`: VBS backup policies from scripts.

Each command gathers its arguments, asks `vbstui.ops` what they mean (the policy, the
draft, the plan, why a refusal happened) and prints the answer.  A broken rule is
refused before anything is sent (exit 2); delete, unlink and moving disks out of
another policy ask first, and without a terminal need --yes.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timezone

from vbstui.cli import table
from vbstui.cli.context import Context
from vbstui.cli.output import out, print_outcome, progress, stderr, stdout
from vbstui.cli.prompts import confirm
from vbstui.cli.tracking import command_tracker
from vbstui.cli.waiting import exit_code_for_jobs, follow_all
from vbstui.cloud.errors import CloudError, Reached
from vbstui.cloud.models import Volume
from vbstui.cloud.policies import PolicyClient
from vbstui.cloud.policy_models import Policy
from vbstui.cloud.policy_validation import PolicyDraft
from vbstui.cloud.validation import ValidationFailed, parse_tag
from vbstui.errors import ExitCode, UsageError, exit_code_for
from vbstui.jobs import Severity
from vbstui.ops.policies import (
    PolicyChanges,
    create_once,
    explain_failure,
    find_policy,
    open_policies,
    policy_record,
    refuse_default_change,
    updated_draft,
)
from vbstui.ops.policy_links import (
    delete_confirmation,
    disk_outcomes,
    linked_disks,
    plan_link,
    plan_unlink,
)
from vbstui.ops.policy_runs import run_now, task_problem
from vbstui.ops.resolve import resolve_volumes
from vbstui.ops.runs import new_run_id, open_journal
from vbstui.textsafe import plural, visible


async def policy_client(ctx: Context) -> PolicyClient:
    await ctx.connect()
    assert ctx.session is not None
    return await open_policies(ctx.session)


def failed(exc: CloudError, policy: Policy | None = None,
           policies: list[Policy] | None = None, *, what: str = "") -> int:
    """A refusal explained in the policy's terms; an answer that was lost says so."""
    if exc.reached_server is Reached.MAYBE:
        stderr(f"vbstui: {visible(exc.describe())}")
        stderr(f"the {what or 'request'} may have been carried out; check with "
               "`vbstui policy list`")
        return ExitCode.UNKNOWN
    stderr(f"vbstui: {visible(explain_failure(exc, policy, policies))}")
    return exit_code_for(exc)


def parse_tags(texts: list[str]) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(parse_tag(t) for t in texts)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


async def _confirmed(ctx: Context, lines: list[str], expected: str) -> bool:
    """--yes, or the user types `expected`; without a terminal the answer is no (exit 2)."""
    question = "\n".join(lines)
    if ctx.args.yes:
        stderr(question)
        return True
    if sys.stdin.isatty() and await asyncio.to_thread(confirm, question, expected):
        return True
    if not sys.stdin.isatty():
        stderr(question)
    stderr("not confirmed (use --yes in scripts); nothing was sent")
    return False


# -- reading -------------------------------------------------------------------------


async def cmd_policy_list(ctx: Context) -> int:
    client = await policy_client(ctx)
    policies = await client.list_policies()
    now = datetime.now(timezone.utc)
    records = [policy_record(p, now) for p in policies]
    if ctx.args.json:
        out({"policies": records, "count": len(records)})
        return ExitCode.OK
    rows = [[r["name"], r["id"], r["status"], r["schedule"], r["next_run_text"],
             r["next_run_local"], r["retention"], "?" if r["disks"] is None else r["disks"]]
            for r in records]
    print(table.render(["NAME", "ID", "STATUS", "SCHEDULE", "NEXT RUN (UTC)", "NEXT (LOCAL)",
                        "RETENTION", "DISKS"], rows, max_width=60))
    stderr(plural(len(records), "policy", "policies"))
    return ExitCode.OK


async def cmd_policy_show(ctx: Context) -> int:
    client = await policy_client(ctx)
    policy, _all = await find_policy(client, ctx.args.policy)
    tags = await client.tags(policy.id)
    disks = linked_disks(policy, await ctx.service.list_volumes())
    record = policy_record(policy, tags=tags)
    record["linked_disks"] = [{"id": v.id, "name": v.name, "status": v.status} for v in disks]
    if ctx.args.json:
        out({"policy": record, "raw": policy.raw})
        return ExitCode.OK
    rows: list[list[object]] = [
        ["policy", f"{policy.name} ({policy.id})"], ["status", policy.status],
        ["schedule", record["schedule"]],
        ["next run", f"{record['next_run_text']} ({record['next_run_local']})"],
        ["retention", record["retention"]],
        ["tags", ", ".join(f"{k}={v}" for k, v in tags) or "—"],
        ["disks", len(disks)]]
    rows += [["", f"{v.name or '—'}  {v.id}  {v.status}"] for v in disks]
    print(table.render(["FIELD", "VALUE"], rows, max_width=120))
    return ExitCode.OK


async def cmd_policy_tasks(ctx: Context) -> int:
    client = await policy_client(ctx)
    policy, _all = await find_policy(client, ctx.args.policy)
    tasks, count = await client.tasks(policy.id, limit=ctx.args.limit)
    if ctx.args.json:
        out({"tasks": [t.raw for t in tasks], "count": count})
        return ExitCode.OK
    rows = []
    for task in tasks:
        error = task_problem(task)
        rows.append([f"{task.created_at:%Y-%m-%d %H:%M}" if task.created_at else "?",
                     task.status, task.resource_id, task.backup_name, task.job_id, error])
    print(table.render(["CREATED (UTC)", "STATUS", "DISK", "BACKUP", "TASK", "ERROR"], rows,
                       max_width=90))
    stderr(f"{len(tasks)} of {count if count is not None else '?'} tasks of policy "
           f"{policy.name}")
    return ExitCode.OK


# -- creating and changing -----------------------------------------------------------------

# A rule's field as the option that sets it: the message names what to type differently.
OPTION_OF = {"name": "--name", "start_times": "--start-time", "frequency": "--frequency",
             "week_days": "--week-days", "keep": "--keep", "keep_days": "--keep-days",
             "time_zone": "--time-zone", "tags": "--tag"}


def broken_rules(problems: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed({OPTION_OF.get(field, field): found
                             for field, found in problems.items()})


async def cmd_policy_create(ctx: Context) -> int:
    args = ctx.args
    draft = PolicyDraft(
        name=args.name, start_times=args.start_time or "", frequency=args.frequency or "",
        week_days=args.week_days or "", keep=args.keep or "", keep_days=args.keep_days or "",
        keep_first_of_month=args.keep_first_of_month, enabled=not args.off,
        time_zone=args.time_zone or "", tags=parse_tags(args.tag))
    problems = draft.problems()
    if problems:  # before logging in: nothing is sent for a broken rule
        raise broken_rules(problems)
    ctx.guard.check("create a backup policy")
    client = await policy_client(ctx)
    try:
        created = await create_once(client, draft)
    except CloudError as exc:
        policies = await _policies_or_none(client, exc)
        return failed(exc, None, policies, what="create")
    if created.policy_id is None:
        stderr(f"vbstui: OUTCOME UNKNOWN — {visible(created.unknown)}; the policy may have "
               "been created: check with `vbstui policy list` before creating it again")
        return ExitCode.UNKNOWN
    policy_id = created.policy_id
    progress(f"created policy {args.name}: {policy_id}"
             + (" (found again after the answer was lost)" if created.recovered else ""),
             Severity.SUCCESS)
    if args.json:
        out({"id": policy_id, "name": args.name, "created": True,
             "recovered_after_network_error": created.recovered})
    else:
        stdout(policy_id)
    return ExitCode.OK


async def _policies_or_none(client: PolicyClient, exc: CloudError) -> list[Policy] | None:
    """The policies, to count them in the explanation of the policy limit."""
    if getattr(exc, "code", None) != "AutoBackup.0203":
        return None
    try:
        return await client.list_policies()
    except CloudError:
        return None


async def cmd_policy_update(ctx: Context) -> int:
    args = ctx.args
    changes = PolicyChanges(
        name=args.name, start_times=args.start_time, frequency=args.frequency,
        week_days=args.week_days, keep=args.keep, keep_days=args.keep_days,
        keep_first_of_month=args.keep_first_of_month, time_zone=args.time_zone)
    if changes.empty:
        raise UsageError("nothing to change: give --name, --start-time, --frequency, "
                         "--week-days, --keep, --keep-days, --time-zone or "
                         "--[no-]keep-first-of-month")
    ctx.guard.check("change a backup policy")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, args.policy)
    renaming = args.name is not None and args.name != policy.name
    refuse_default_change(policy, renaming=renaming)
    draft = updated_draft(policy, changes)
    problems = draft.problems(with_name=renaming)
    if problems:
        raise broken_rules(problems)
    try:
        await client.update_policy(policy.id, draft, with_name=renaming)
    except CloudError as exc:
        return failed(exc, policy, policies, what="change")
    progress(f"policy {draft.name} changed", Severity.SUCCESS)
    if args.json:
        out({"id": policy.id, "name": draft.name, "changed": True})
    return ExitCode.OK


async def _switch(ctx: Context, enabled: bool) -> int:
    word = "ON" if enabled else "OFF"
    ctx.guard.check(f"switch a backup policy {word}")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, ctx.args.policy)
    try:
        await client.set_enabled(policy.id, enabled)
    except CloudError as exc:
        return failed(exc, policy, policies, what="switch")
    progress(f"policy {policy.name} is {word}", Severity.SUCCESS)
    if ctx.args.json:
        out({"id": policy.id, "name": policy.name, "status": word})
    return ExitCode.OK


async def cmd_policy_enable(ctx: Context) -> int:
    return await _switch(ctx, True)


async def cmd_policy_disable(ctx: Context) -> int:
    return await _switch(ctx, False)


async def cmd_policy_delete(ctx: Context) -> int:
    ctx.guard.check("delete a backup policy")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, ctx.args.policy)
    refuse_default_change(policy, deleting=True)
    linked = linked_disks(policy, await ctx.service.list_volumes())
    if not await _confirmed(ctx, delete_confirmation(policy, linked), policy.name):
        return ExitCode.USAGE
    try:
        await client.delete_policy(policy.id)
    except CloudError as exc:
        return failed(exc, policy, policies, what="delete")
    progress(f"policy {policy.name} deleted"
             + (f"; {plural(len(linked), 'disk')} unlinked" if linked else ""), Severity.SUCCESS)
    if ctx.args.json:
        out({"id": policy.id, "name": policy.name, "deleted": True,
             "unlinked_disks": [v.id for v in linked]})
    return ExitCode.OK


# -- disks -------------------------------------------------------------------------------


async def _volumes(ctx: Context, texts: list[str]) -> list[Volume]:
    """The disks given (ids or unique names), each as EVS lists it now."""
    choices = await resolve_volumes(ctx.service, texts)
    volumes = []
    for choice in choices:
        volume = choice.volume or await ctx.service.get_volume(choice.id)
        if volume is None:
            raise UsageError(f"--volume {choice.id}: no such disk in this project")
        volumes.append(volume)
    return volumes


async def cmd_policy_link(ctx: Context) -> int:
    ctx.guard.check("link disks to a backup policy")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, ctx.args.policy)
    plan = plan_link(policy, await _volumes(ctx, ctx.args.volume), policies)
    if not plan.to_send:
        stderr(f"every disk given is already in policy {policy.name}; nothing was sent")
        return ExitCode.OK
    if plan.moves:  # taking a disk out of another policy is confirmed
        if not await _confirmed(ctx, plan.confirmation(), policy.name):
            return ExitCode.USAGE
    else:
        stderr("\n".join(plan.confirmation()))
    return await _resources(ctx, client, policy, policies, plan.to_send, link=True,
                            names={v.id: v.name for v in [*plan.new,
                                                          *(m.volume for m in plan.moves)]})


async def cmd_policy_unlink(ctx: Context) -> int:
    ctx.guard.check("unlink disks from a backup policy")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, ctx.args.policy)
    plan = plan_unlink(policy, await _volumes(ctx, ctx.args.volume))
    if not plan.linked:
        raise UsageError(f"none of these disks is in policy {policy.name}; nothing was sent")
    if not await _confirmed(ctx, plan.confirmation(), policy.name):
        return ExitCode.USAGE
    return await _resources(ctx, client, policy, policies, plan.to_send, link=False,
                            names={v.id: v.name for v in plan.linked})


async def _resources(ctx: Context, client: PolicyClient, policy: Policy,
                     policies: list[Policy], sent: list[str], *, link: bool,
                     names: dict[str, str]) -> int:
    try:
        result = await (client.link(policy.id, sent) if link
                        else client.unlink(policy.id, sent))
    except CloudError as exc:
        return failed(exc, policy, policies, what="link" if link else "unlink")
    outcomes = disk_outcomes(result, sent, names)
    for outcome in outcomes:
        progress(outcome.text(), Severity.SUCCESS if outcome.ok else Severity.ERROR)
    if ctx.args.json:
        out({"policy": policy.id, "action": "link" if link else "unlink",
             "disks": [{"id": o.volume_id, "name": o.name, "ok": o.ok,
                        "error_code": o.code or None, "error_meaning": o.meaning or None,
                        "message": o.message or None} for o in outcomes]})
    return ExitCode.OK if all(o.ok for o in outcomes) else ExitCode.FAILED


# -- running -------------------------------------------------------------------------------


async def cmd_policy_run(ctx: Context) -> int:
    args = ctx.args
    ctx.guard.check("run a backup policy")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, args.policy)
    journal = open_journal(ctx.target)
    try:
        tracker = command_tracker(ctx, journal)
        try:
            start = await run_now(client, tracker, policy, run_id=new_run_id())
        except CloudError as exc:
            return failed(exc, policy, policies, what="run")
        ctx.jobs.extend(start.jobs)
        if start.message:
            progress(start.message, Severity.WARNING)
        if not start.accepted:
            stderr(f"no backup task of policy {policy.name} appeared: the run may or may not "
                   f"have started; check with `vbstui policy tasks {policy.id}`")
            return ExitCode.UNKNOWN
        progress(f"policy {policy.name} started {plural(len(start.jobs), 'backup task')}")
        finished_in_time = True
        if args.wait:
            finished_in_time = await follow_all(tracker, start.jobs, ctx.remaining())
    finally:
        journal.close()
    running = [j for j in start.jobs if not j.finished]
    for job in start.jobs:
        if job.finished:
            if not args.json:  # with --json, stdout is the JSON document alone
                print_outcome(job)
        else:  # a policy task has no VBS job of its own to show: the journal follows it
            stderr(f"{job.label}: task {job.job_id} is "
                   f"{'WAITING' if job.status in ('', 'INIT') else job.status}")
    if args.json:
        out({"policy": policy.id, "jobs": [j.outcome() for j in start.jobs]})
    if running:
        stderr(f"{plural(len(running), 'task')} still running; follow them with: "
               "vbstui jobs --wait")
    return exit_code_for_jobs(start.jobs, timed_out=not finished_in_time)
