"""`vbstui backup share|unshare` and `vbstui shares`: sharing backups with other projects.
The rules are `vbstui.ops.shares`'; this module gathers the arguments and prints."""

from __future__ import annotations

import asyncio
from typing import Any

from vbstui.cli import table
from vbstui.cli.context import Context
from vbstui.cli.output import out, refused, stderr, stdout
from vbstui.cli.prompts import confirm
from vbstui.cloud.shares import Share
from vbstui.errors import ExitCode
from vbstui.ops.shares import check_share, check_unshare, list_shares, share_backup, unshare_backup
from vbstui.textsafe import plural


def _share_record(share: Share, backup_name: str = "") -> dict[str, Any]:
    """The share as the service sent it, plus the backup's name (`vbstui`)."""
    return {**share.raw, "vbstui": {"backup_name": share.backup_name or backup_name or None}}


async def cmd_backup_share(ctx: Context) -> int:
    args = ctx.args
    ctx.guard.check("share backups")
    service = await ctx.connect()
    check = await check_share(service, args.backup, args.to_project)
    if not check.ok:
        refused("share", check.problems)
        if args.json:
            out({"phase": "refused", "sent": False, "backup_id": check.backup.id,
                 "problems": check.problems})
        return ExitCode.USAGE
    shares = await share_backup(service, check)
    if args.json:
        out({"backup_id": check.backup.id, "shares": [_share_record(s, check.backup.name)
                                                         for s in shares]})
    else:
        for share in shares:
            stdout(share.id)
        stderr(f"backup {check.backup.id} shared with "
               f"{plural(len(check.project_ids), 'project')}: {', '.join(check.project_ids)}")
    return ExitCode.OK


async def cmd_backup_unshare(ctx: Context) -> int:
    args = ctx.args
    ctx.guard.check("stop sharing backups")
    service = await ctx.connect()
    check = await check_unshare(service, args.backup, args.to_project or [])
    if not check.ok:
        refused("stop sharing", check.problems)
        if args.json:
            out({"phase": "refused", "sent": False, "backup_id": check.backup.id,
                 "problems": check.problems})
        return ExitCode.USAGE
    if not args.yes:
        ok = await asyncio.to_thread(confirm, check.confirmation(), "unshare")
        if not ok:
            stderr("not confirmed (use --yes in scripts); nothing was sent")
            if args.json:
                out({"phase": "not_confirmed", "sent": False, "backup_id": check.backup.id,
                     "project_ids": check.project_ids})
            return ExitCode.USAGE
    revoked = await unshare_backup(service, check)
    if args.json:
        out({"backup_id": check.backup.id, "revoked": revoked})
    else:
        stderr(f"backup {check.backup.id} no longer shared with "
               f"{plural(len(revoked), 'project')}: {', '.join(revoked)}")
    return ExitCode.OK


async def cmd_shares(ctx: Context) -> int:
    args = ctx.args
    service = await ctx.connect()
    shares = await list_shares(service, to_me=args.to_me)
    if args.json:
        out({"shares": [_share_record(s) for s in shares], "count": len(shares)})
        return ExitCode.OK
    other = "FROM PROJECT" if args.to_me else "TO PROJECT"
    rows = [[s.id, s.backup_id, s.backup_name,
             s.backup.status if s.backup is not None else "?",
             f"{s.backup.size_gb} GB" if s.backup is not None and s.backup.size_gb is not None
             else "?",
             s.from_project_id if args.to_me else s.to_project_id,
             s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "?"]
            for s in shares]
    print(table.render(["SHARE", "BACKUP", "NAME", "STATUS", "SIZE", other, "SHARED"], rows))
    stderr(plural(len(shares), "share") + (" with this project" if args.to_me
                                           else " of this project's backups"))
    return ExitCode.OK
