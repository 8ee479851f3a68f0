"""`vbstui volumes`, `vbstui backups` and `vbstui quota`: listings for people and scripts."""

from __future__ import annotations

from typing import Any

from vbstui.cli import table
from vbstui.cli.context import Context
from vbstui.cli.output import out, stderr
from vbstui.cloud.models import Backup, Volume
from vbstui.errors import ExitCode


async def cmd_volumes(ctx: Context) -> int:
    args = ctx.args
    service = await ctx.connect()
    if args.json:
        raw: list[Any] = []
        async for page, _total in service.volume_pages(name=args.name, status=args.status):
            raw.extend(v.raw for v in page)
        out({"count": len(raw), "volumes": raw})
        return ExitCode.OK
    volumes = await service.list_volumes(name=args.name, status=args.status)
    rows = [_volume_row(v) for v in volumes]
    print(table.render(["ID", "NAME", "STATUS", "SIZE", "TYPE", "AZ", "ATTACHED TO"], rows))
    stderr(f"{len(volumes)} disk(s)")
    return ExitCode.OK


def _volume_row(volume: Volume) -> list[object]:
    status = volume.status if volume.backupable else f"{volume.status} (no backup)"
    size = f"{volume.size_gb} GB" if volume.size_gb is not None else "?"
    return [volume.id, volume.name, status, size, volume.volume_type,
            volume.availability_zone, volume.attached_to]


async def cmd_backups(ctx: Context) -> int:
    args = ctx.args
    service = await ctx.connect()
    backups = await service.list_backups(volume_id=args.volume, name=args.name,
                                         status=args.status)
    if args.json:
        out({"count": len(backups), "backups": [b.raw for b in backups]})
        return ExitCode.OK
    print(table.render(["ID", "NAME", "STATUS", "SIZE", "CREATED", "TYPE", "DISK"],
                       [_backup_row(b) for b in backups]))
    stderr(f"{len(backups)} backup(s)")
    return ExitCode.OK


def _backup_row(backup: Backup) -> list[object]:
    return [backup.id, backup.name, backup.status,
            f"{backup.size_gb} GB" if backup.size_gb is not None else "?",
            backup.created_at.strftime("%Y-%m-%d %H:%M") if backup.created_at else "?",
            "incremental" if backup.incremental else "full" if backup.incremental is False
            else "?",
            backup.volume_id]


async def cmd_quota(ctx: Context) -> int:
    service = await ctx.connect()
    quota = await service.get_quota()
    if ctx.args.json:
        out(quota.raw)
        return ExitCode.OK
    rows = []
    for resource in quota.resources.values():
        limit = "unlimited" if resource.unlimited else resource.quota
        left = resource.remaining
        shown = "" if left is None else (f"0 (over by {-left})" if left < 0 else left)
        rows.append([resource.type, resource.used, resource.reserved, limit, shown])
    print(table.render(["RESOURCE", "USED", "RESERVED", "QUOTA", "LEFT"], rows))
    return ExitCode.OK
