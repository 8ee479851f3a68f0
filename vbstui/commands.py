"""Headless commands.  No Textual here: these run in scripts and must start fast."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TextIO

from vbstui import cli, table
from vbstui.cloud.client import CloudSession
from vbstui.cloud.error_codes import explain
from vbstui.cloud.errors import (
    ApiError,
    AuthenticationError,
    CloudError,
    ConnectionSettingsError,
    EndpointNotFound,
)
from vbstui.cloud.models import Job, Volume
from vbstui.cloud.validation import BackupRequest, ValidationFailed, format_problems, parse_tag
from vbstui.ops.target import Choices, Target, choose_target, find_password, open_journal, open_session
from vbstui.errors import ConfigError, CredentialError
from vbstui.jobs import JobEvent, JobTracker, Phase, Severity, TrackedJob
from vbstui.local.journal import HISTORY_KEEP, Journal
from vbstui.local.credentials import KeyringAccess
from vbstui.textsafe import visible

log = logging.getLogger("vbstui.commands")


class UsageError(Exception):
    """Bad command-line input; nothing was sent."""


class ReadOnlyRefusal(Exception):
    """A mutating command in --readonly mode."""


def stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def out(data: Any, stream: TextIO | None = None) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str), file=stream or sys.stdout)


def _stamp() -> str:
    return datetime.now().strftime("%H:%M:%S")


def event_printer(event: JobEvent) -> None:
    marks = {Severity.INFO: " ", Severity.SUCCESS: "✓", Severity.WARNING: "!",
             Severity.ERROR: "✗"}
    stderr(f"{_stamp()} {marks[event.severity]} {visible(event.text)}")


def choices_from(args: argparse.Namespace) -> Choices:
    return Choices(
        config_path=getattr(args, "config", None),
        profile=getattr(args, "profile", None),
        demo=getattr(args, "demo", False),
        os_cloud=getattr(args, "os_cloud", None),
        use_env=getattr(args, "use_env", False),
        clouds_from_cwd=getattr(args, "clouds_from_cwd", False),
    )


async def _terminal_prompt(profile: Any, keyring_problem: str | None) -> Any:
    """getpass on a terminal, for headless commands; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    import getpass  # noqa: PLC0415

    from vbstui.cloud.secret import Secret  # noqa: PLC0415

    if keyring_problem:
        stderr(f"(keyring: {keyring_problem})")
    typed = await asyncio.to_thread(
        getpass.getpass, f"Password for {profile.username} (profile {profile.name}): "
    )
    return Secret(typed) if typed else None


class Context:
    """What a command needs: the target, a session, a journal; closed at the end."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.target: Target = choose_target(choices_from(args))
        self.session: CloudSession | None = None
        self.credential_source = ""

    async def connect(self, *, max_connections: int = 20) -> CloudSession:
        credential = await find_password(self.target, KeyringAccess(), _terminal_prompt)
        self.credential_source = credential.source
        self.session = open_session(self.target, credential, max_connections=max_connections,
                                    on_retry=self._on_retry)
        await self.session.authenticate()
        return self.session

    def _on_retry(self, exc: CloudError, attempt: int, delay: float) -> None:
        stderr(f"{_stamp()} ! {visible(exc.message)}; retrying in {delay:.1f} s "
                f"(attempt {attempt + 1})")

    def tracker(self, journal: Journal, *, slots: asyncio.Semaphore | None = None
                ) -> JobTracker:
        """The job tracker for this command, with the configured timings."""
        assert self.session is not None, "connect() first"
        settings = self.target.config.settings
        return JobTracker(
            self.session, profile=self.target.profile.name, journal=journal,
            listener=event_printer, poll=settings.poll_schedule(),
            reconcile=settings.reconcile_policy(), request_slots=slots,
        )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.aclose()


def refuse_if_readonly(args: argparse.Namespace, action: str) -> None:
    if getattr(args, "readonly", False):
        raise ReadOnlyRefusal(f"--readonly: refusing to {action}")


# -- listing -------------------------------------------------------------------------


async def cmd_volumes(ctx: Context) -> int:
    args = ctx.args
    session = await ctx.connect()
    if args.json:
        raw: list[Any] = []
        async for page, _total in session.evs.volume_pages(name=args.name, status=args.status):
            raw.extend(v.raw for v in page)
        out({"count": len(raw), "volumes": raw})
        return cli.EXIT_OK
    volumes = await session.evs.list_volumes(name=args.name, status=args.status)
    rows = [_volume_row(v) for v in volumes]
    print(table.render(["ID", "NAME", "STATUS", "SIZE", "TYPE", "AZ", "ATTACHED TO"], rows))
    stderr(f"{len(volumes)} disk(s)")
    return cli.EXIT_OK


def _volume_row(volume: Volume) -> list[object]:
    status = volume.status if volume.backupable else f"{volume.status} (no backup)"
    size = f"{volume.size_gb} GB" if volume.size_gb is not None else "?"
    return [volume.id, volume.name, status, size, volume.volume_type,
            volume.availability_zone, volume.attached_to]


async def cmd_backups(ctx: Context) -> int:
    args = ctx.args
    session = await ctx.connect()
    backups = await session.vbs.list_backups(volume_id=args.volume, name=args.name,
                                             status=args.status)
    if args.json:
        out({"count": len(backups), "backups": [b.raw for b in backups]})
        return cli.EXIT_OK
    rows = [
        [b.id, b.name, b.status, f"{b.size_gb} GB" if b.size_gb is not None else "?",
         b.created_at.strftime("%Y-%m-%d %H:%M") if b.created_at else "?",
         "incremental" if b.incremental else "full" if b.incremental is False else "?",
         b.volume_id]
        for b in backups
    ]
    print(table.render(["ID", "NAME", "STATUS", "SIZE", "CREATED", "TYPE", "DISK"], rows))
    stderr(f"{len(backups)} backup(s)")
    return cli.EXIT_OK


async def cmd_quota(ctx: Context) -> int:
    session = await ctx.connect()
    quota = await session.vbs.get_quota()
    if ctx.args.json:
        out(quota.raw)
        return cli.EXIT_OK
    rows = []
    for resource in quota.resources.values():
        limit = "unlimited" if resource.unlimited else resource.quota
        left = resource.remaining
        shown = "" if left is None else (f"0 (over by {-left})" if left < 0 else left)
        rows.append([resource.type, resource.used, resource.reserved, limit, shown])
    print(table.render(["RESOURCE", "USED", "RESERVED", "QUOTA", "LEFT"], rows))
    return cli.EXIT_OK


# -- creating ------------------------------------------------------------------------


def build_requests(args: argparse.Namespace) -> tuple[list[BackupRequest], int]:
    """The create requests of this command line, validated; (requests, name limit)."""
    try:
        tags = tuple(parse_tag(t) for t in args.tag)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    volumes = list(dict.fromkeys(args.volume))  # a disk given twice is backed up once
    bulk = len(volumes) > 1
    name_max = 59 if bulk else 64
    requests = []
    for index, volume_id in enumerate(volumes, start=1):
        name = f"{args.name}-{index:04d}" if bulk else args.name
        request = BackupRequest(
            volume_id=volume_id, name=name, description=args.description,
            snapshot_id=args.snapshot, tags=tags, full_backup=args.full,
        )
        # The suffix is ours: check the name the user typed against the tighter limit.
        problems = BackupRequest(
            volume_id=volume_id, name=args.name, description=args.description,
            snapshot_id=args.snapshot, tags=tags, full_backup=args.full,
        ).problems(name_max=name_max)
        if problems:
            raise ValidationFailed(problems)
        requests.append(request)
    if bulk and args.snapshot:
        raise UsageError("--snapshot belongs to one disk; it cannot be used with several --volume")
    return requests, name_max


def _ask(question: str, options: str) -> str:
    """A one-letter answer on the terminal."""
    while True:
        stderr(question)
        try:
            answer = input(f"[{options}] > ").strip().lower()[:1]
        except EOFError:
            return ""
        if answer and answer in options:
            return answer


async def settle_unknown(tracker: JobTracker, job: TrackedJob) -> None:
    """Outcome unknown: on a terminal, let the user check again, resend or give up."""
    while job.phase is Phase.UNKNOWN and sys.stdin.isatty():
        answer = await asyncio.to_thread(
            _ask,
            f"The outcome of '{job.label}' is unknown. c = check again, s = submit again "
            "(may create a second backup), a = give up",
            "csa",
        )
        if answer == "c":
            await tracker.reconcile(job)
        elif answer == "s":
            await tracker.resubmit(job)
        else:
            tracker.cancel(job)


async def follow_all(tracker: JobTracker, jobs: list[TrackedJob], timeout: float | None
                     ) -> bool:
    """Follow jobs (the tracker's request slots bound the polls in flight); False when
    the timeout expired."""
    follows = [tracker.follow(job) for job in jobs if job.phase is Phase.RUNNING]
    if not follows:
        return True
    try:
        await asyncio.wait_for(asyncio.gather(*follows), timeout)
    except asyncio.TimeoutError:
        return False
    return True


def exit_for(jobs: list[TrackedJob], timed_out: bool) -> int:
    if any(j.phase in (Phase.REFUSED, Phase.FAILED) for j in jobs):
        return cli.EXIT_FAILED
    if any(j.phase in (Phase.UNKNOWN, Phase.CANCELLED) for j in jobs):
        return cli.EXIT_UNKNOWN
    if timed_out:
        return cli.EXIT_TIMEOUT
    return cli.EXIT_OK


def _print_outcome(job: TrackedJob) -> None:
    if job.phase is Phase.SUCCESS:
        print(job.backup_id if job.kind.value == "create" else job.job_id or job.backup_id)
    elif job.phase is Phase.RUNNING:
        stderr(f"{job.label}: job {job.job_id or '?'} is {job.status or 'running'}; follow it "
                f"with: vbstui job show {job.job_id} --wait")
        if job.job_id:
            print(job.job_id)
    elif job.phase in (Phase.FAILED, Phase.REFUSED):
        info = explain(job.error_code, job.message) if job.error_code else None
        line = f"{job.label}: {job.phase.value}"
        if job.error_code:
            line += f" with {job.error_code}: {info.meaning if info else ''}"
        if job.message:
            line += f" ({visible(job.message)})"
        if info and info.action:
            line += f" → {info.action}"
        stderr(line)
    elif job.phase is Phase.UNKNOWN:
        stderr(f"{job.label}: OUTCOME UNKNOWN — the request may have created the backup. "
                f"Check with: vbstui backups --volume {job.volume_id} --name {job.backup_name}")


async def cmd_backup_create(ctx: Context) -> int:
    args = ctx.args
    requests, name_max = build_requests(args)
    refuse_if_readonly(args, "create backups")
    config = ctx.target.config.settings
    concurrency = args.concurrency or config.bulk_concurrency
    if not 1 <= concurrency <= 32:
        raise UsageError("--concurrency must be between 1 and 32")
    session = await ctx.connect(max_connections=max(concurrency, 4))
    if len(requests) > 1:
        # A bulk run that cannot fit is worth a warning up front; for one backup the
        # service's own refusal (0080/0081, explained) says the same at no extra call.
        await _warn_about_quota(session, requests)
    journal = open_journal(ctx.target)
    slots = asyncio.Semaphore(concurrency) if len(requests) > 1 else None
    tracker = ctx.tracker(journal, slots=slots)
    try:
        jobs = [tracker.new_backup_job(r) for r in requests]

        async def submit(job: TrackedJob) -> None:
            await tracker.submit_backup(job, name_max=name_max)
            await settle_unknown(tracker, job)

        started = time.monotonic()
        await asyncio.gather(*(submit(j) for j in jobs))
        timed_out = False
        if args.wait:
            remaining = None if args.timeout is None else max(
                0.0, args.timeout - (time.monotonic() - started))
            timed_out = not await follow_all(tracker, jobs, remaining)
    finally:
        journal.close()
    if args.json:
        if len(jobs) == 1:
            out(jobs[0].outcome())
        else:
            out({"jobs": [j.outcome() for j in jobs], "summary": _summary(jobs)})
    else:
        for job in jobs:
            _print_outcome(job)
        if len(jobs) > 1:
            stderr(_summary_line(jobs))
    if timed_out:
        stderr(f"--timeout of {args.timeout:g} s expired; the jobs keep running in the "
                "cloud and are resumed by `vbstui jobs`")
    return exit_for(jobs, timed_out)


async def _warn_about_quota(session: CloudSession, requests: list[BackupRequest]) -> None:
    """Say so before sending when the backups would not fit the quota (the server decides)."""
    try:
        quota = await session.vbs.get_quota()
        volumes = []
        capacity_limited = quota.gigabytes is not None and quota.gigabytes.remaining is not None
        if capacity_limited:  # disk sizes matter only under a capacity quota
            wanted = {r.volume_id for r in requests}
            if len(wanted) == 1:
                volume = await session.evs.get_volume(next(iter(wanted)))
                volumes = [volume] if volume is not None else []
            else:  # one paged listing costs less than a GET per disk
                volumes = [v for v in await session.evs.list_volumes() if v.id in wanted]
    except CloudError as exc:
        log.info("quota not checked: %s", exc.message)
        return
    gigabytes = sum(v.size_gb or 0 for v in volumes)
    for problem in quota.shortfall(backups=len(requests), gigabytes=gigabytes):
        stderr(f"{_stamp()} ! warning: this would exceed the {problem}; the service will "
                "refuse what does not fit (VolumeBackup.0080/0081)")


def _summary(jobs: list[TrackedJob]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    codes: dict[str, int] = {}
    for job in jobs:
        counts[job.phase.value] = counts.get(job.phase.value, 0) + 1
        if job.error_code:
            codes[job.error_code] = codes.get(job.error_code, 0) + 1
    return {"total": len(jobs), "by_phase": counts, "error_codes": codes}


def _summary_line(jobs: list[TrackedJob]) -> str:
    summary = _summary(jobs)
    parts = [f"{n} {phase}" for phase, n in sorted(summary["by_phase"].items())]
    line = f"{summary['total']} disk(s): " + ", ".join(parts)
    if summary["error_codes"]:
        line += " (" + ", ".join(f"{c} ×{n}" for c, n in summary["error_codes"].items()) + ")"
    return line


# -- jobs ------------------------------------------------------------------------------


async def cmd_job_show(ctx: Context) -> int:
    args = ctx.args
    session = await ctx.connect()
    job = await session.vbs.get_job(args.job_id)
    schedule = ctx.target.config.settings.poll_schedule().delays()

    async def wait_for_end() -> Job:
        nonlocal job
        last = job.status
        stderr(f"{_stamp()}   job {visible(job.job_id)} is {visible(job.status)}")
        while not job.finished:
            await asyncio.sleep(next(schedule))
            try:
                job = await session.vbs.get_job(args.job_id)
            except CloudError as exc:
                if isinstance(exc, ApiError) and not exc.retryable:
                    raise
                stderr(f"{_stamp()} ! {visible(exc.message)}; will keep trying")
                continue
            if job.status != last:
                stderr(f"{_stamp()}   job {visible(job.job_id)} is {visible(job.status)}")
                last = job.status
        return job

    timed_out = False
    if args.wait and not job.finished:
        try:
            job = await asyncio.wait_for(wait_for_end(), args.timeout)
        except asyncio.TimeoutError:
            timed_out = True
    if args.json:
        out(job.raw)
    else:
        rows = [["job", job.job_id], ["type", job.job_type], ["status", job.status],
                ["begin", job.begin_time or ""], ["end", job.end_time or ""]]
        if job.backup_id:
            rows.append(["backup", job.backup_id])
        if job.failure_code:
            info = explain(job.failure_code, job.fail_reason or None)
            rows.append(["error", f"{job.failure_code}: {info.meaning}"])
            if info.action:
                rows.append(["what to do", info.action])
        if job.fail_reason:
            rows.append(["server says", job.fail_reason])
        print(table.render(["FIELD", "VALUE"], rows, max_width=200))
    if job.status == "FAIL":
        return cli.EXIT_FAILED
    if timed_out or (args.wait and not job.finished):
        return cli.EXIT_TIMEOUT
    return cli.EXIT_OK


async def cmd_jobs(ctx: Context) -> int:
    """List the journal; check unfinished jobs of this profile (follow them with --wait)."""
    args = ctx.args
    journal = open_journal(ctx.target)
    try:
        tracker_jobs: list[TrackedJob] = []
        unfinished_records = journal.unfinished(profile=ctx.target.profile.name)
        timed_out = False
        if unfinished_records:
            session = await ctx.connect()
            project_id = await session.project_id()
            tracker = ctx.tracker(journal)
            tracker_jobs = tracker.unfinished(project_id)
            if args.wait:
                try:
                    await asyncio.wait_for(
                        asyncio.gather(*(tracker.resume(j) for j in tracker_jobs)), args.timeout
                    )
                except asyncio.TimeoutError:
                    timed_out = True
            else:
                await asyncio.gather(*(tracker.check(j) for j in tracker_jobs))
        history = journal.history(HISTORY_KEEP)
    finally:
        journal.close()
    if args.json:
        out({"jobs": history})
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
    if args.wait:
        return exit_for(tracker_jobs, timed_out)
    return cli.EXIT_OK


# -- dispatch ----------------------------------------------------------------------------

Handler = Callable[[Context], Awaitable[int]]


def _handler(args: argparse.Namespace) -> Handler:
    from vbstui import account, lifecycle  # noqa: PLC0415 - loaded only when used

    command = args.command
    if command == "volumes":
        return cmd_volumes
    if command == "backups":
        return cmd_backups
    if command == "quota":
        return cmd_quota
    if command == "jobs":
        return cmd_jobs
    if command == "job":
        return cmd_job_show
    if command == "backup":
        return {
            "create": cmd_backup_create,
            "restore": lifecycle.cmd_backup_restore,
            "delete": lifecycle.cmd_backup_delete,
        }[args.backup_command]
    return {
        "login": account.cmd_login,
        "logout": account.cmd_logout,
        "doctor": account.cmd_doctor,
    }[command]


async def run_command(args: argparse.Namespace) -> int:
    """Run one headless command; every failure becomes a message and an exit code."""
    ctx: Context | None = None
    try:
        handler = _handler(args)
        ctx = Context(args)
        return await handler(ctx)
    except ValidationFailed as exc:
        for line in format_problems(exc.problems):
            stderr(f"invalid: {line}")
        stderr("nothing was sent")
        return cli.EXIT_USAGE
    except (UsageError, ReadOnlyRefusal) as exc:
        stderr(f"vbstui: {exc}")
        return cli.EXIT_USAGE
    except (ConfigError, CredentialError) as exc:
        stderr(f"vbstui: {exc}")
        return cli.EXIT_CONFIG
    except (ConnectionSettingsError, EndpointNotFound, AuthenticationError) as exc:
        stderr(f"vbstui: {visible(exc.describe())}")
        return cli.EXIT_CONFIG
    except CloudError as exc:
        stderr(f"vbstui: {visible(exc.describe())}")
        return cli.EXIT_FAILED
    except BrokenPipeError:
        raise
    except Exception as exc:  # the user gets a line, the log file gets the traceback
        log.exception("unexpected failure")
        stderr(f"vbstui: internal error: {type(exc).__name__}: {visible(str(exc), limit=300)} "
                "(details in the log file)")
        return cli.EXIT_FAILED
    finally:
        if ctx is not None:
            await ctx.close()
