"""`vbstui vaults` and `vbstui vault show|add|remove|create`: CBR disk vaults headless.

The checks (which disks may join or leave, what a new vault needs, what CBR would
refuse and why) are `vbstui.ops.vault_changes`'; this gathers the command line, asks
for confirmation (`--yes` without a terminal) and prints what happened.  A refused
disk stops the whole command before anything is sent, as for backups.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from vbstui.cli import table
from vbstui.cli.context import Context
from vbstui.cli.output import out, refused, stderr, stdout
from vbstui.cli.prompts import confirm
from vbstui.cli.records import KEY
from vbstui.cli.stream import ListingWriter
from vbstui.cloud.cbr_models import Vault
from vbstui.cloud.errors import CloudError, Reached
from vbstui.cloud.validation import ValidationFailed
from vbstui.errors import ExitCode
from vbstui.ops.preflight import DiskRefusal
from vbstui.ops.resolve import resolve_volumes
from vbstui.ops.routing import offers
from vbstui.ops.service import BackupService
from vbstui.ops.vault_changes import (
    VaultChangePlan,
    apply_vault_change,
    plan_add_disks,
    plan_remove_disks,
)
from vbstui.ops.vault_create import create_vault, plan_create_vault, vault_create_problems
from vbstui.ops.vaults import NO_CBR, VaultRow, cbr_client, resolve_vault, vault_disks, vault_rows
from vbstui.textsafe import plural, visible

FLAGS = {"size_gb": "size"}  # a field of the vault request as `vault create` calls it
NAME_WIDTH = 32  # a vault's or disk's name in a table cell, cut with … past this


def _record(row: VaultRow) -> dict[str, Any]:
    """A vault as CBR sent it, plus what vbstui derived (capacity in GB, disks, policy)."""
    return {**row.vault.raw, KEY: row.as_dict()}


def _vault_cells(row: VaultRow) -> list[object]:
    return [row.id, visible(row.name, limit=NAME_WIDTH), row.status, row.capacity_text(),
            row.disk_count, visible(row.policy_text(), limit=NAME_WIDTH)]


VAULT_HEADERS = ["ID", "NAME", "STATUS", "USED / ALLOCATED", "DISKS", "POLICY"]


async def cmd_vaults(ctx: Context) -> int:
    service = await ctx.connect()
    if not offers(service, "cbr"):  # an empty listing, and why
        stderr(f"vbstui: {NO_CBR}")
    rows = await vault_rows(service)
    if ctx.args.json:
        writer = ListingWriter("vaults", lines=False)
        writer.write([_record(r) for r in rows])
        writer.finish()
        return ExitCode.OK
    print(table.render(VAULT_HEADERS, [_vault_cells(r) for r in rows]))
    stderr(plural(len(rows), "vault"))
    return ExitCode.OK


async def _row_of(service: BackupService, vault: Vault) -> VaultRow:
    """The vault's row of the listing (its policy's name); the vault alone if it left."""
    rows = await vault_rows(service)
    return next((r for r in rows if r.id == vault.id), VaultRow.of(vault, {}))


async def cmd_vault_show(ctx: Context) -> int:
    service = await ctx.connect()
    vault = await resolve_vault(service, ctx.args.vault)
    row, disks = await asyncio.gather(_row_of(service, vault), vault_disks(service, vault))
    if ctx.args.json:
        out({"vault": _record(row), "disks": [d.as_dict() for d in disks],
             "count": len(disks)})
        return ExitCode.OK
    print(table.render(VAULT_HEADERS, [_vault_cells(row)]))
    print()
    print(table.render(
        ["DISK", "NAME", "SIZE", "STATUS"],
        [[d.id, visible(d.name, limit=NAME_WIDTH) or "-",
          "?" if d.size_gb is None else f"{d.size_gb} GB", d.status] for d in disks]))
    stderr(plural(len(disks), "disk") + f" in vault '{visible(row.name)}'")
    return ExitCode.OK


# -- changes --------------------------------------------------------------------------


def _refusals(what: str, refusals: list[DiskRefusal], *, json: bool,
              record: dict[str, Any]) -> int:
    """Exit 2: a disk CBR would refuse stops the command, and nothing is sent."""
    refused(what, [r.text() for r in refusals])
    stderr("leave those disks out (or fix what is said) and run it again")
    if json:
        out({**record, "phase": "refused", "sent": False})
    return ExitCode.USAGE


async def _confirmed(ctx: Context, question: str, expected: str, record: dict[str, Any]
                     ) -> bool:
    """--yes, or the user types `expected` on the terminal; without one the answer is no
    (exit 2, nothing sent)."""
    if ctx.args.yes:
        return True
    if not sys.stdin.isatty():  # what was not done, and why it needs a yes
        stderr(question)
    elif await asyncio.to_thread(confirm, question, expected):
        return True
    stderr("not confirmed (use --yes in scripts); nothing was sent")
    if ctx.args.json:
        out({**record, "phase": "not_confirmed", "sent": False})
    return False


async def _change(ctx: Context, action: str) -> int:
    args = ctx.args
    ctx.guard.check(f"{action} vault disks")
    service = await ctx.connect()
    vault = await resolve_vault(service, args.vault)
    disks = await resolve_volumes(service, list(args.volume))
    ids = [d.id for d in disks]
    plan: VaultChangePlan = await (plan_add_disks(service, vault, ids) if action == "add"
                                   else plan_remove_disks(service, vault, ids))
    if plan.refused or not plan.sendable:
        return _refusals(f"{action} disks", plan.refused, json=args.json,
                         record=plan.as_dict())
    if not await _confirmed(ctx, plan.confirmation(), plan.vault.name or plan.vault.id,
                            plan.as_dict()):
        return ExitCode.USAGE
    result = await apply_vault_change(service, plan)
    if args.json:
        out(result.as_dict())
    for line in result.lines():
        stderr(line)
    if result.unknown:  # nothing says it failed: look before trying again
        return ExitCode.UNKNOWN
    return ExitCode.OK if result.ok else ExitCode.FAILED


async def cmd_vault_add(ctx: Context) -> int:
    return await _change(ctx, "add")


async def cmd_vault_remove(ctx: Context) -> int:
    return await _change(ctx, "remove")


async def cmd_vault_create(ctx: Context) -> int:
    args = ctx.args
    problems = vault_create_problems(args.name, args.size, args.description)
    if problems:  # the typed fields, named as the flags: refused before connecting
        raise ValidationFailed({FLAGS.get(k, k): v for k, v in problems.items()})
    ctx.guard.check("create a vault")
    service = await ctx.connect()
    cbr_client(service)  # a project without CBR is told so before any question
    disks = await resolve_volumes(service, list(args.volume)) if args.volume else []
    plan = await plan_create_vault(service, args.name, int(args.size),
                                   [d.id for d in disks], args.description)
    if plan.refused:
        return _refusals("create the vault", plan.refused, json=args.json,
                         record=plan.as_dict())
    if not await _confirmed(ctx, plan.confirmation(), plan.request.name, plan.as_dict()):
        return ExitCode.USAGE
    try:
        vault = await create_vault(service, plan)
    except CloudError as exc:
        if exc.reached_server is not Reached.MAYBE:
            raise
        stderr(f"vbstui: OUTCOME UNKNOWN — {visible(exc.message)}")
        if args.json:
            out({**plan.as_dict(), "phase": "unknown", "sent": True,
                 "message": exc.message})
        return ExitCode.UNKNOWN
    if args.json:
        out({**plan.as_dict(), "phase": "created", "vault": _record(VaultRow.of(vault, {}))})
    else:
        stdout(vault.id)
    stderr(f"created vault '{visible(vault.name)}' ({vault.id}), {vault.size_gb} GB, "
           f"{plural(len(vault.disk_ids), 'disk')}")
    return ExitCode.OK
