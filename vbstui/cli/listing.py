"""`vbstui volumes`, `vbstui backups` and `vbstui quota`: listings for people and scripts."""

from __future__ import annotations

import asyncio
from typing import Any

from vbstui.cli import records, table
from vbstui.cli.context import Context
from vbstui.cli.output import out, stderr
from vbstui.cli.protection import VAULT_WIDTH, Protections
from vbstui.cli.startup import collector_paused
from vbstui.cli.stream import ListingWriter
from vbstui.cloud.models import Backup, Volume
from vbstui.errors import ExitCode
from vbstui.ops.policy_names import PolicyNames, disk_policy_names
from vbstui.ops.resolve import DiskChoice, resolve_volume
from vbstui.ops.routing import backup_place
from vbstui.ops.service import BackupService
from vbstui.textsafe import plural, visible


async def cmd_volumes(ctx: Context) -> int:
    args = ctx.args
    service = await ctx.connect()
    # The vault listing runs beside the disks' (none without CBR).
    protections = asyncio.ensure_future(Protections.read(service))
    try:
        if args.json or args.jsonl:
            await _stream_volumes(service, args.name, args.status, protections,
                                  PolicyNames(ctx.session), lines=args.jsonl)
            return ExitCode.OK
        volumes = await service.list_volumes(name=args.name, status=args.status)
        known = await protections
    finally:
        await _settled(protections)
    _warn_unknown(known, "PROTECTION")
    headers = ["ID", "NAME", "STATUS", "SIZE", "TYPE", "AZ", "ATTACHED TO"]
    rows = [_volume_row(v) for v in volumes]
    if known.shown:
        headers.insert(3, "PROTECTION")
        for row, volume in zip(rows, volumes, strict=True):
            row.insert(3, visible(known.label(known.route(volume.id)), limit=VAULT_WIDTH))
    policies = await disk_policy_names(ctx.session, volumes) if ctx.session else {}
    if policies:  # EVS metadata.policy: the VBS policy a disk is linked to
        headers.append("POLICY")
        for row, volume in zip(rows, volumes, strict=True):
            row.append(visible(policies.get(volume.id, ""), limit=VAULT_WIDTH))
    print(table.render(headers, rows))
    stderr(plural(len(volumes), "disk"))
    return ExitCode.OK


async def _settled(task: asyncio.Future[Any]) -> None:
    """A helper task that must not outlive the command (or leave its failure unread)
    when the main listing failed first."""
    if not task.done():
        task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()


async def _stream_volumes(service: BackupService, name: str | None, status: str | None,
                          protections: asyncio.Future[Protections], policies: PolicyNames,
                          *, lines: bool) -> None:
    """Each page goes out as it arrives, while the service already works on the next
    one.  A failure half-way raises before the document is finished."""
    writer = ListingWriter("volumes", lines=lines, derived=records.KEY)
    first = True
    with collector_paused():
        async for page, _total in service.volume_record_pages(name=name, status=status):
            known = await protections  # awaited here: the first page is already on its way
            if first:
                _warn_unknown(known, "each disk's protection")
                known.forget_vaults()
                first = False
            records.add_volume_facts(page, known, await policies.for_records(page))
            writer.write(page, page.texts)
    writer.finish()


def _warn_unknown(protections: Protections, what: str) -> None:
    if protections.shown and not protections.known:
        stderr(f"vbstui: the vaults could not be listed ({visible(protections.problem)}): "
               f"{what} not known")


def _volume_row(volume: Volume) -> list[object]:
    status = volume.status if volume.backupable else f"{volume.status} (no backup)"
    size = f"{volume.size_gb} GB" if volume.size_gb is not None else "?"
    return [volume.id, volume.name, status, size, volume.volume_type,
            volume.availability_zone, volume.attached_to]


async def cmd_backups(ctx: Context) -> int:
    args = ctx.args
    service = await ctx.connect()
    disk = await resolve_volume(service, args.volume) if args.volume else None
    tasks = [asyncio.ensure_future(service.list_backups(
                 volume_id=disk.id if disk else None, name=args.name, status=args.status)),
             asyncio.ensure_future(_disk_names(service, disk)),
             asyncio.ensure_future(Protections.read(service))]
    try:
        backups, names, protections = await asyncio.gather(*tasks)
    finally:  # one failed: the others stop before the session closes
        for task in tasks:
            await _settled(task)
    _warn_unknown(protections, "vault names")
    if args.json or args.jsonl:
        writer = ListingWriter("backups", lines=args.jsonl)
        writer.write([records.backup_record(b, protections=protections,
                                            volume_name=names.get(b.volume_id))
                      for b in backups])
        writer.finish()
        return ExitCode.OK
    headers = ["ID", "NAME", "STATUS", "SIZE", "CREATED", "TYPE", "DISK", "DESCRIPTION"]
    rows = [_backup_row(b, names) for b in backups]
    if protections.shown:
        headers[3:3] = ["SERVICE", "VAULT"]
        for row, backup in zip(rows, backups, strict=True):
            place, vault_id = backup_place(backup)
            row[3:3] = [place, visible(protections.vault_name(backup) or vault_id or "-",
                                       limit=VAULT_WIDTH)]
    print(table.render(headers, rows))
    stderr(plural(len(backups), "backup"))
    return ExitCode.OK


async def _disk_names(service: BackupService, disk: DiskChoice | None) -> dict[str, str]:
    """Disk id → name: the chosen disk alone, or every disk from one listing (never one
    call per backup)."""
    if disk is not None:
        volume = disk.volume or await service.get_volume(disk.id)
        return {disk.id: volume.name} if volume is not None and volume.name else {}
    names: dict[str, str] = {}
    async for page, _total in service.volume_record_pages():
        for record in page:
            if isinstance(record, dict) and isinstance(record.get("id"), str) \
                    and isinstance(record.get("name"), str) and record["name"]:
                names[record["id"]] = record["name"]
    return names


def _backup_row(backup: Backup, names: dict[str, str]) -> list[object]:
    status = backup.status
    if backup.fail_reason and status.startswith("error"):
        status = f"error: {backup.fail_reason}"
    return [backup.id, backup.name, status,
            f"{backup.size_gb} GB" if backup.size_gb is not None else "?",
            backup.created_at.strftime("%Y-%m-%d %H:%M") if backup.created_at else "?",
            "incremental" if backup.incremental else "full" if backup.incremental is False
            else "?",
            names.get(backup.volume_id) or backup.volume_id, backup.description]


async def cmd_quota(ctx: Context) -> int:
    service = await ctx.connect()
    quota = await service.get_quota()
    if ctx.args.json:
        out(records.quota_record(quota))
        return ExitCode.OK
    rows = []
    for resource in quota.resources.values():
        limit = "unlimited" if resource.unlimited else resource.quota
        left = resource.remaining
        shown = "" if left is None else (f"0 (over by {-left})" if left < 0 else left)
        rows.append([resource.type, resource.used, resource.reserved, limit, shown])
    print(table.render(["RESOURCE", "USED", "RESERVED", "QUOTA", "LEFT"], rows))
    return ExitCode.OK
