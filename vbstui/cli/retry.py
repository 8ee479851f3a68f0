"""`vbstui jobs retry`: send again only the backups of a run that failed.

Which jobs are retried is `vbstui.ops.retry`'s rule; the retry is a run of its own,
checked before sending like `backup create` (exit 2, nothing sent, when the service
would refuse; `--force` sends anyway)."""

from __future__ import annotations

import asyncio

from vbstui.cli.backups import run_backups
from vbstui.cli.context import Context
from vbstui.cli.output import out, stderr
from vbstui.cli.prompts import confirm
from vbstui.errors import ExitCode
from vbstui.ops.retry import RetryPlan, retry_plan
from vbstui.ops.runs import concurrency, open_journal
from vbstui.ops.summary import journaled_jobs
from vbstui.textsafe import plural, visible

SHOWN_IN_QUESTION = 20


async def cmd_jobs_retry(ctx: Context) -> int:
    args = ctx.args
    ctx.guard.check("retry backups")
    in_flight = concurrency(ctx.preferences, args.concurrency)
    service = await ctx.connect(max_connections=max(in_flight, 4))
    project_id = await service.project_id()
    journal = open_journal(ctx.target)
    try:
        records = journal.history()
    finally:
        journal.close()
    jobs = journaled_jobs(records, profile=ctx.target.profile.name, project_id=project_id)
    plan = retry_plan(jobs, args.run)
    for job in plan.undecided:
        stderr(f"{job.label}: outcome unknown, not retried until you decide (TUI jobs view: "
               "c / S / x; `vbstui jobs` checks again)")
    if not plan.retry:
        stderr("nothing to retry: no failed backup in " + (
            f"run {visible(plan.run_id)}" if args.run else "the latest run"))
        if args.json:
            out({"run_id": plan.run_id or None, "jobs": [], "sent": False,
                 "undecided": [j.outcome() for j in plan.undecided]})
        return ExitCode.UNKNOWN if plan.undecided else ExitCode.OK
    if not args.yes and not await asyncio.to_thread(confirm, _question(plan), "retry"):
        stderr("not confirmed (use --yes in scripts); nothing was sent")
        return ExitCode.USAGE
    code = await run_backups(ctx, service, plan.backup_plan, in_flight=in_flight,
                             force=args.force, listed=True)
    if code == ExitCode.OK and plan.undecided:
        return ExitCode.UNKNOWN  # the retried ones are fine; the undecided are not
    return code


def _question(plan: RetryPlan) -> str:
    lines = [f"  {visible(j.volume_name or j.volume_id)}  {visible(j.backup_name)}  "
             f"({j.phase.value}{' ' + j.error_code if j.error_code else ''})"
             for j in plan.retry[:SHOWN_IN_QUESTION]]
    if len(plan.retry) > SHOWN_IN_QUESTION:
        lines.append(f"  … and {len(plan.retry) - SHOWN_IN_QUESTION} more")
    return (f"Retry {plural(len(plan.retry), 'failed backup')} of run {plan.run_id[:12]}?\n"
            + "\n".join(lines))
