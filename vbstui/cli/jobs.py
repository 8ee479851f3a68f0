"""`vbstui job show` (one service job) and `vbstui jobs` (the journal of vbstui's jobs)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from vbstui.cli import records, table
from vbstui.cli.context import Context
from vbstui.cli.output import out, stamp, stderr
from vbstui.cli.tracking import command_tracker
from vbstui.cli.waiting import exit_code_for_jobs
from vbstui.cloud.error_codes import explain
from vbstui.cloud.errors import ApiError, CloudError
from vbstui.cloud.models import Job
from vbstui.errors import ExitCode, UsageError
from vbstui.jobs import TrackedJob
from vbstui.ops.routing import offers
from vbstui.ops.runs import open_journal, poll_schedule
from vbstui.ops.summary import resumed_run_summaries
from vbstui.textsafe import plural, visible

log = logging.getLogger("vbstui.cli")


async def cmd_job_show(ctx: Context) -> int:
    args = ctx.args
    service = await ctx.connect()
    if not offers(service, "vbs"):  # CBR has no job of its own to show
        raise UsageError("`job show` shows VBS jobs, and this project has only CBR: "
                         "`vbstui jobs` (with --wait) follows the jobs vbstui started")
    job = await service.get_job(args.job_id)
    schedule = poll_schedule(ctx.preferences).delays()

    async def wait_for_end() -> Job:
        nonlocal job
        last = job.status
        while not job.finished:
            await asyncio.sleep(next(schedule))
            try:
                job = await service.get_job(args.job_id)
            except CloudError as exc:
                if isinstance(exc, ApiError) and not exc.retryable:
                    raise
                stderr(f"{stamp()} ! {visible(exc.message)}; will keep trying")
                continue
            if job.status != last:
                stderr(f"{stamp()}   job {visible(job.job_id)} is {visible(job.status)}")
                last = job.status
        return job

    timed_out = False
    if args.wait:  # where it stands, even when it has already ended
        stderr(f"{stamp()}   job {visible(job.job_id)} is {visible(job.status)}")
    if args.wait and not job.finished:
        try:
            job = await asyncio.wait_for(wait_for_end(), ctx.remaining())
        except asyncio.TimeoutError:
            timed_out = True
    if args.json:
        out(records.job_record(job))
    else:
        print(table.render(["FIELD", "VALUE"], _job_rows(job), max_width=200))
    if job.status == "FAIL":
        return ExitCode.FAILED
    if timed_out or (args.wait and not job.finished):
        return ExitCode.TIMEOUT
    return ExitCode.OK


def _shown(shown: int, total: int) -> str:
    """The line under the jobs table: how much of the journal it is."""
    if shown == total:
        return f"{plural(total, 'job')} in the journal"
    return (f"the latest {shown} of {plural(total, 'job')} in the journal; "
            f"{total - shown} more with --all (or --limit N)")


def _job_rows(job: Job) -> list[list[object]]:
    rows: list[list[object]] = [["job", job.job_id], ["type", job.job_type],
                                ["status", job.status], ["begin", job.begin_time or ""],
                                ["end", job.end_time or ""]]
    if job.backup_id:
        rows.append(["backup", job.backup_id])
    if job.failure_code:
        info = explain(job.failure_code, job.fail_reason or None)
        rows.append(["error", f"{job.failure_code}: {info.meaning}"])
        if info.action:
            rows.append(["what to do", info.action])
    if job.fail_reason:
        rows.append(["server says", job.fail_reason])
    return rows


async def cmd_jobs(ctx: Context) -> int:
    """List the journal; check unfinished jobs of this profile (follow them with --wait).
    Jobs another live vbstui process works on are left to it."""
    args = ctx.args
    journal = open_journal(ctx.target)
    try:
        tracker_jobs: list[TrackedJob] = []
        timed_out = False
        if journal.unfinished(profile=ctx.target.profile.name):
            service = await ctx.connect()
            project_id = await service.project_id()
            tracker = command_tracker(ctx, journal)
            tracker_jobs = tracker.unfinished(project_id)
            ctx.jobs.extend(tracker_jobs)
            for label, pid in tracker.held_elsewhere(project_id):
                stderr(f"{label}: being worked on by vbstui process {pid}; left to it")
            settle = tracker.resume if args.wait else tracker.check
            try:
                results = await asyncio.wait_for(asyncio.gather(
                    *(settle(j) for j in tracker_jobs), return_exceptions=True), ctx.remaining())
            except asyncio.TimeoutError:
                timed_out = True
                results = []
            for job, result in zip(tracker_jobs, results, strict=False):
                if isinstance(result, Exception):  # one bad job never hides the others
                    log.error("job %s: %r", job.local_id, result)
                    stderr(f"{job.label}: could not be checked: {type(result).__name__}: "
                           f"{result}")
        everything = journal.history()
        for summary in resumed_run_summaries(tracker_jobs, everything):
            stderr(summary.text())  # a bulk interrupted by a restart ends like any other
    finally:
        journal.close()
    history = everything if args.all else everything[:args.limit]
    if args.json:
        out({"jobs": history, "total": len(everything)})
    else:
        rows = [
            [datetime.fromtimestamp(r.get("submitted_at", 0)).strftime("%Y-%m-%d %H:%M"),
             r.get("profile", ""), r.get("kind", ""), r.get("backup_name") or r.get("backup_id"),
             r.get("phase", ""), r.get("status", ""), r.get("error_code", ""),
             r.get("job_id", "")]
            for r in history
        ]
        print(table.render(["SUBMITTED", "PROFILE", "KIND", "BACKUP", "PHASE", "STATUS",
                            "ERROR", "JOB"], rows))
        stderr(_shown(len(history), len(everything)))
    if args.wait:
        return exit_code_for_jobs(tracker_jobs, timed_out)
    return ExitCode.OK
