"""Headless restore and delete: preconditions checked and explained before sending."""

from __future__ import annotations

import asyncio
import sys

from vbstui import cli
from vbstui.cloud.client import CloudSession
from vbstui.cloud.models import Backup, Volume
from vbstui.commands import (
    Context,
    exit_for,
    follow_all,
    out,
    refuse_if_readonly,
    settle_unknown,
    stderr,
)
from vbstui.ops.target import open_journal
from vbstui.jobs import Phase, TrackedJob
from vbstui.textsafe import visible

DELETABLE = ("available", "error")


def restore_problems(backup: Backup | None, volume: Volume | None) -> list[str]:
    """Why a restore would be refused, checked before anything is sent."""
    problems: list[str] = []
    if backup is None:
        problems.append("the backup does not exist")
        return problems
    if backup.status != "available":
        problems.append(f"the backup is '{backup.status}': only an 'available' backup can be "
                        "restored")
    if volume is None:
        problems.append("the target disk does not exist")
        return problems
    if volume.status != "available":
        hint = (" — stop the server and detach the disk first (VBS restores only detached "
                "disks)" if volume.status == "in-use" else "")
        problems.append(f"the disk is '{volume.status}', it must be 'available'{hint}")
    if backup.size_gb is not None and volume.size_gb is not None and (
        volume.size_gb < backup.size_gb
    ):
        problems.append(f"the disk ({volume.size_gb} GB) is smaller than the backup "
                        f"({backup.size_gb} GB): pick a disk at least as large")
    return problems


async def load_restore_plan(session: CloudSession, backup_id: str, volume_id: str | None
                            ) -> tuple[Backup | None, Volume | None]:
    backup = await session.vbs.get_backup(backup_id)
    target = volume_id or (backup.volume_id if backup else None)
    volume = await session.evs.get_volume(target) if target else None
    return backup, volume


def _confirm(question: str, expected: str) -> bool:
    """Ask on the terminal; refuse (False) without one."""
    if not sys.stdin.isatty():
        return False
    stderr(question)
    try:
        answer = input(f"Type {expected!r} to confirm: ").strip()
    except EOFError:
        return False
    return answer == expected


async def cmd_backup_restore(ctx: Context) -> int:
    args = ctx.args
    refuse_if_readonly(args, "restore a backup")
    session = await ctx.connect()
    backup, volume = await load_restore_plan(session, args.backup_id, args.volume)
    problems = restore_problems(backup, volume)
    if problems:
        for problem in problems:
            stderr(f"cannot restore: {problem}")
        stderr("nothing was sent")
        if args.json:
            out({"phase": "refused", "sent": False, "backup_id": args.backup_id,
                  "volume_id": volume.id if volume else args.volume, "problems": problems})
        return cli.EXIT_FAILED
    assert backup is not None and volume is not None
    if not args.yes:
        disk = volume.name or volume.id
        ok = await asyncio.to_thread(
            _confirm,
            f"Restore backup '{visible(backup.name)}' ({backup.id}) onto disk '{visible(disk)}' "
            f"({volume.id}, {volume.size_gb} GB)?\nALL DATA ON THAT DISK WILL BE OVERWRITTEN.",
            disk,
        )
        if not ok:
            stderr("not confirmed (use --yes in scripts); nothing was sent")
            if args.json:
                out({"phase": "not_confirmed", "sent": False, "backup_id": backup.id,
                      "volume_id": volume.id})
            return cli.EXIT_USAGE
    journal = open_journal(ctx.target)
    tracker = ctx.tracker(journal)
    try:
        job = tracker.new_restore_job(backup.id, volume.id, backup_name=backup.name,
                                      volume_name=volume.name)
        await tracker.submit_restore(job)
        await settle_unknown(tracker, job)
        timed_out = False
        if args.wait:
            timed_out = not await follow_all(tracker, [job], args.timeout)
    finally:
        journal.close()
    if args.json:
        out(job.outcome())
    elif job.job_id:
        print(job.job_id)
    return exit_for([job], timed_out)


async def cmd_backup_delete(ctx: Context) -> int:
    args = ctx.args
    refuse_if_readonly(args, "delete backups")
    ids = list(dict.fromkeys(args.backup_ids))
    session = await ctx.connect()
    found = await asyncio.gather(*(session.vbs.get_backup(i) for i in ids))
    refused: list[str] = []
    targets: list[Backup] = []
    for backup_id, backup in zip(ids, found, strict=True):
        if backup is None:
            refused.append(f"{backup_id}: no such backup")
        elif backup.status not in DELETABLE:
            refused.append(f"{backup_id} ({visible(backup.name)}): status '{backup.status}' — "
                           "only 'available' or 'error' backups can be deleted")
        else:
            targets.append(backup)
    for line in refused:
        stderr(f"cannot delete: {line}")
    if refused:
        stderr("nothing was sent")
        if args.json:
            out({"phase": "refused", "sent": False, "problems": refused})
        return cli.EXIT_FAILED
    if not args.yes:
        listing = "\n".join(f"  {b.id}  {visible(b.name)}  ({b.size_gb} GB)" for b in targets)
        ok = await asyncio.to_thread(
            _confirm, f"Delete {len(targets)} backup(s)? This cannot be undone.\n{listing}",
            "delete",
        )
        if not ok:
            stderr("not confirmed (use --yes in scripts); nothing was sent")
            if args.json:
                out({"phase": "not_confirmed", "sent": False,
                      "backup_ids": [b.id for b in targets]})
            return cli.EXIT_USAGE
    journal = open_journal(ctx.target)
    tracker = ctx.tracker(journal, slots=asyncio.Semaphore(4))
    try:
        jobs: list[TrackedJob] = [
            tracker.new_delete_job(b.id, backup_name=b.name, volume_id=b.volume_id)
            for b in targets
        ]
        await asyncio.gather(*(tracker.submit_delete(j) for j in jobs))
        timed_out = False
        if args.wait:
            timed_out = not await follow_all(tracker, jobs, args.timeout)
    finally:
        journal.close()
    if args.json:
        out({"jobs": [j.outcome() for j in jobs]})
    else:
        for job in jobs:
            state = "deleted" if job.phase is Phase.SUCCESS else job.phase.value
            stderr(f"{job.backup_id}: {state}" + (f" ({visible(job.message)})"
                                                  if job.message else ""))
    if any(j.phase is Phase.REFUSED for j in jobs):
        return cli.EXIT_FAILED
    return exit_for(jobs, timed_out)
