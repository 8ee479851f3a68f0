"""`vbstui backup prune`: keep the newest N backups of some disks, delete the rest.
The plan, its checks and the summary are `vbstui.ops.prune`'s; here they are shown,
confirmed and followed."""

from __future__ import annotations

import asyncio

from vbstui.cli.context import Context
from vbstui.cli.output import out, stderr
from vbstui.cli.prompts import confirm
from vbstui.cli.tracking import command_tracker
from vbstui.cli.waiting import exit_code_for_jobs, follow_all
from vbstui.errors import ExitCode, UsageError
from vbstui.jobs import Phase
from vbstui.ops.prune import (
    PruneSummary,
    keep_problem,
    plan_prune,
    prepare_prune_run,
    send_prune,
)
from vbstui.ops.resolve import resolve_volumes
from vbstui.ops.runs import concurrency, open_journal
from vbstui.textsafe import plural, visible


async def cmd_backup_prune(ctx: Context) -> int:
    args = ctx.args
    problem = keep_problem(args.keep)
    if problem:
        raise UsageError(f"--keep: {problem}")
    ctx.guard.check("delete backups")
    in_flight = concurrency(ctx.preferences, args.concurrency)
    service = await ctx.connect(max_connections=max(in_flight, 4))
    disks = await resolve_volumes(service, list(args.volume))
    plan = await plan_prune(service, disks, args.keep, concurrency=in_flight)
    preview = plan.text()
    if not args.json:
        for line in preview:
            stderr(line)
    if not plan.delete:
        stderr("nothing to delete")
        if args.json:
            out({"phase": "nothing_to_delete", "sent": False, "plan": plan.as_dict()})
        return ExitCode.OK
    if not args.yes:
        question = "\n".join([*preview, f"Delete these {plural(len(plan.delete), 'backup')}? "
                              "This cannot be undone."]) if args.json else (
            f"Delete these {plural(len(plan.delete), 'backup')}? This cannot be undone.")
        ok = await asyncio.to_thread(confirm, question, "delete")
        if not ok:
            stderr("not confirmed (use --yes in scripts); nothing was sent")
            if args.json:
                out({"phase": "not_confirmed", "sent": False, "plan": plan.as_dict()})
            return ExitCode.USAGE
    journal = open_journal(ctx.target)
    tracker = command_tracker(ctx, journal, concurrency=in_flight)
    try:
        run = await prepare_prune_run(service, tracker, plan, concurrency=in_flight)
        ctx.jobs.extend(run.jobs)  # before sending: a --timeout then reports them
        await send_prune(tracker, run)
        timed_out = False
        if args.wait:
            timed_out = not await follow_all(tracker, run.jobs, ctx.remaining())
    finally:
        journal.close()
    summary = PruneSummary.of(run)
    if args.json:
        out({"phase": "sent", "plan": plan.as_dict(), "skipped": run.skipped,
             "jobs": [j.outcome() for j in run.jobs], "summary": summary.as_dict()})
    else:
        for line in run.skipped:
            stderr(f"skipped (changed since the preview): {line}")
        for job in run.jobs:
            if job.phase is not Phase.SUCCESS:
                stderr(f"{job.backup_id}: {job.phase.value}"
                       + (f" ({visible(job.message)})" if job.message else ""))
        stderr(summary.text())
    if timed_out:
        stderr(f"--timeout of {args.timeout:g} s expired; the deletes keep running in the "
               "cloud and are followed by `vbstui jobs`")
    code = exit_code_for_jobs(run.jobs, timed_out)
    return ExitCode.FAILED if code is ExitCode.OK and run.skipped else code
