"""`vbstui backup create|restore|delete`: gather the command line, let the operations
layer decide, print what happened."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from vbstui.cli.context import Context
from vbstui.cli.output import out, print_outcome, progress, refused, stderr, stdout
from vbstui.cli.prompts import confirm
from vbstui.cli.tracking import command_tracker
from vbstui.cli.waiting import exit_code_for_jobs, follow_all, settle_unknown
from vbstui.cloud.errors import CloudError
from vbstui.cloud.validation import ValidationFailed, parse_tag
from vbstui.errors import ExitCode, UsageError, exit_code_for
from vbstui.jobs import Phase, Severity, TrackedJob
from vbstui.ops.bulk import new_run_jobs, submit_run
from vbstui.ops.delete import check_deletes, delete_confirmation, new_delete_jobs
from vbstui.ops.plans import BackupInput, BackupPlan, plan_backups, plan_problems
from vbstui.ops.preflight import Preflight, preflight
from vbstui.ops.resolve import looks_like_id, resolve_volume, resolve_volumes
from vbstui.ops.restore import check_restore, new_restore_job, restore_confirmation
from vbstui.ops.runs import concurrency, new_run_id, open_journal
from vbstui.ops.service import BackupService
from vbstui.ops.summary import RunSummary
from vbstui.ops.vaults import check_vault_choice
from vbstui.textsafe import visible


def _backup_input(ctx: Context) -> BackupInput:
    args = ctx.args
    try:
        tags = tuple(parse_tag(t) for t in args.tag)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return BackupInput(volume_ids=args.volume, name=args.name, description=args.description,
                       snapshot_id=args.snapshot, tags=tags, full_backup=args.full)


async def cmd_backup_create(ctx: Context) -> int:
    args = ctx.args
    wanted = _backup_input(ctx)
    _check_offline(wanted)  # the typed fields: refused before connecting
    ctx.guard.check("create backups")
    in_flight = concurrency(ctx.preferences, args.concurrency)
    service = await ctx.connect(max_connections=max(in_flight, 4))
    disks = await resolve_volumes(service, list(wanted.volume_ids))
    if args.vault:  # the vault must hold every disk already: nothing is added by a backup
        await check_vault_choice(service, [d.id for d in disks], args.vault)
    # raises before anything is journaled or sent
    plan = plan_backups(replace(wanted, volume_ids=[d.id for d in disks]))
    return await run_backups(ctx, service, plan, in_flight=in_flight, force=args.force)


def _check_offline(wanted: BackupInput) -> None:
    """Every rule that needs no server; a `--volume` that is not an id is a disk name,
    looked up once connected."""
    problems = plan_problems(wanted)
    if not all(looks_like_id(v) for v in wanted.volume_ids):
        problems.pop("volume_id", None)
    if problems:
        raise ValidationFailed(problems)


async def run_backups(ctx: Context, service: BackupService, plan: BackupPlan, *,
                      in_flight: int, force: bool, listed: bool = False) -> int:
    """Check, send and (with --wait) follow the backups of one run: `backup create`, and
    `jobs retry` with the failed ones of an earlier run (`listed`: --json prints a list
    of jobs even for one)."""
    args = ctx.args
    try:
        checked = await _checked(service, plan, force=force)
    except CloudError as exc:
        return _not_checked(exc, json=args.json)
    problems = plan.route_problems(checked)
    if problems:  # e.g. tags on a backup into a CBR vault: not even --force sends it
        raise ValidationFailed(problems)
    if checked is not None and not checked.clear and not force:
        return _refused_before_sending(checked, json=args.json)
    names = {v.id: v.name for v in checked.ready} if checked is not None else {}
    journal = open_journal(ctx.target)
    tracker = command_tracker(ctx, journal, concurrency=in_flight if plan.bulk else None)
    try:
        run_id = new_run_id()
        # Routed by the pre-flight: VBS one request per disk, CBR one checkpoint per vault.
        jobs = new_run_jobs(tracker, plan, checked, run_id=run_id, names=names)
        ctx.jobs.extend(jobs)

        async def settle(job: TrackedJob) -> None:
            await settle_unknown(tracker, job, ctx.guard)

        await submit_run(tracker, jobs, checked, after_submit=settle)
        timed_out = False
        if args.wait:
            timed_out = not await follow_all(tracker, jobs, ctx.remaining())
    finally:
        journal.close()
    _report_run(jobs, json=args.json, listed=listed)
    if timed_out:
        stderr(f"--timeout of {args.timeout:g} s expired; the jobs keep running in the "
               "cloud and are resumed by `vbstui jobs`")
    return exit_code_for_jobs(jobs, timed_out)


async def _checked(service: BackupService, plan: BackupPlan, *, force: bool
                   ) -> Preflight | None:
    """The pre-flight checks of the run; with --force their problems are only warnings,
    and a check that cannot be made is skipped (each disk is then listed before it is
    sent, for the at-most-once rule)."""
    try:
        checked = await preflight(service, [r.volume_id for r in plan.requests])
    except CloudError as exc:
        if not force:
            raise
        progress(f"pre-flight checks not made ({exc.message}); sending anyway (--force)",
                 Severity.WARNING)
        return None
    if force:  # the service's answer explains each refusal: only what was seen here
        for problem in [r.short() for r in checked.refusals] + checked.quota.warnings:
            progress(f"pre-flight: {problem}; sending anyway (--force)", Severity.WARNING)
    return checked


def _not_checked(exc: CloudError, *, json: bool) -> int:
    """The disks or their backups could not be listed: nothing is sent without --force."""
    message = f"{exc.describe()} (before sending; nothing was sent)"
    stderr(f"cannot back up: the pre-flight checks could not be made: {message}")
    stderr("--force sends without them")
    if json:
        out({"phase": "refused", "sent": False, "message": message,
             "error_code": getattr(exc, "code", None)})
    return exit_code_for(exc)


def _refused_before_sending(checked: Preflight, *, json: bool) -> int:
    """Exit 2: what the service would refuse, one line per disk, and nothing sent."""
    lines = []
    for refusal in checked.refusals:
        line = refusal.text()
        if refusal.at_limit:
            line += f" (list them: vbstui backups --volume {refusal.volume_id})"
        lines.append(line)
    if checked.quota.warnings:
        lines.append(checked.quota.text())
    refused("back up", lines)
    stderr("--force sends anyway (the service then refuses what it must)")
    if json:
        out({"phase": "refused", "sent": False, "problems": checked.problems(),
             "refusals": [r.as_dict() for r in checked.refusals],
             "quota": checked.quota.warnings})
    return ExitCode.USAGE


def _report_run(jobs: list[TrackedJob], *, json: bool, listed: bool) -> None:
    summary = RunSummary.of(jobs)
    if json:
        if len(jobs) == 1 and not listed:
            out(jobs[0].outcome())
        else:
            out({"jobs": [j.outcome() for j in jobs], "summary": summary.as_dict()})
        return
    for job in jobs:
        # A refusal or failure was explained (meaning, what to do) as it happened.
        if job.phase not in (Phase.REFUSED, Phase.FAILED):
            print_outcome(job)
    if len(jobs) > 1:
        stderr(summary.text())


async def cmd_backup_restore(ctx: Context) -> int:
    args = ctx.args
    ctx.guard.check("restore a backup")
    service = await ctx.connect()
    target = (await resolve_volume(service, args.volume)).id if args.volume else None
    check = await check_restore(service, args.backup_id, target)
    if not check.ok:
        refused("restore", check.problems)
        if args.json:
            out({"phase": "refused", "sent": False, "backup_id": args.backup_id,
                 "volume_id": check.volume.id if check.volume else target,
                 "problems": check.problems})
        return ExitCode.FAILED
    backup, volume = check.backup, check.volume
    assert backup is not None and volume is not None
    if not args.yes:
        ok = await asyncio.to_thread(confirm, restore_confirmation(check),
                                     volume.name or volume.id)
        if not ok:
            stderr("not confirmed (use --yes in scripts); nothing was sent")
            if args.json:
                out({"phase": "not_confirmed", "sent": False, "backup_id": backup.id,
                     "volume_id": volume.id})
            return ExitCode.USAGE
    journal = open_journal(ctx.target)
    tracker = command_tracker(ctx, journal)
    try:
        job = new_restore_job(tracker, check)  # to the service (and vault) holding it
        ctx.jobs.append(job)
        await tracker.submit_restore(job)
        await settle_unknown(tracker, job, ctx.guard)
        timed_out = False
        if args.wait:
            timed_out = not await follow_all(tracker, [job], ctx.remaining())
    finally:
        journal.close()
    if args.json:
        out(job.outcome())
    elif job.job_id:
        stdout(job.job_id)
    return exit_code_for_jobs([job], timed_out)


async def _disk_names(service: BackupService, volume_ids: set[str]) -> dict[str, str]:
    """The names of the disks whose backups go, for the jobs' labels: a disk that is gone
    or cannot be read now keeps its id."""
    async def name_of(volume_id: str) -> tuple[str, str]:
        try:
            volume = await service.get_volume(volume_id)
        except CloudError:
            return volume_id, ""
        return volume_id, volume.name if volume is not None else ""

    return dict(await asyncio.gather(*(name_of(v) for v in sorted(volume_ids))))


async def cmd_backup_delete(ctx: Context) -> int:
    args = ctx.args
    ctx.guard.check("delete backups")
    in_flight = concurrency(ctx.preferences)
    service = await ctx.connect()
    check = await check_deletes(service, args.backup_ids, concurrency=in_flight)
    if check.refused:
        refused("delete", check.refused)
        if args.json:
            out({"phase": "refused", "sent": False, "problems": check.refused})
        return ExitCode.FAILED
    targets = check.targets
    if not args.yes:
        ok = await asyncio.to_thread(confirm, delete_confirmation(targets), "delete")
        if not ok:
            stderr("not confirmed (use --yes in scripts); nothing was sent")
            if args.json:
                out({"phase": "not_confirmed", "sent": False,
                     "backup_ids": [b.id for b in targets]})
            return ExitCode.USAGE
    journal = open_journal(ctx.target)
    tracker = command_tracker(ctx, journal, concurrency=in_flight)
    try:
        names = await _disk_names(service, {b.volume_id for b in targets if b.volume_id})
        jobs = new_delete_jobs(tracker, targets, names)  # each to the service holding it
        ctx.jobs.extend(jobs)
        await asyncio.gather(*(tracker.submit_delete(j) for j in jobs))
        timed_out = False
        if args.wait:
            timed_out = not await follow_all(tracker, jobs, ctx.remaining())
    finally:
        journal.close()
    if args.json:
        out({"jobs": [j.outcome() for j in jobs]})
    else:
        for job in jobs:
            state = "deleted" if job.phase is Phase.SUCCESS else job.phase.value
            stderr(f"{job.backup_id}: {state}" + (f" ({visible(job.message)})"
                                                  if job.message else ""))
    return exit_code_for_jobs(jobs, timed_out)
