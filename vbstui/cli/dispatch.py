"""Run one headless command: the handler for the command line, and every failure turned
into a message on stderr and the exit code `vbstui.errors.exit_code_for` gives it."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable

from vbstui.cli import account, backups, doctor, jobs, listing
from vbstui.cli.context import Context
from vbstui.cli.output import stderr
from vbstui.cloud.errors import CloudError
from vbstui.cloud.validation import ValidationFailed, format_problems
from vbstui.errors import ConfigError, CredentialError, UsageError, exit_code_for
from vbstui.textsafe import visible

log = logging.getLogger("vbstui.cli")

Handler = Callable[[Context], Awaitable[int]]

HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("volumes", None): listing.cmd_volumes,
    ("backups", None): listing.cmd_backups,
    ("quota", None): listing.cmd_quota,
    ("backup", "create"): backups.cmd_backup_create,
    ("backup", "restore"): backups.cmd_backup_restore,
    ("backup", "delete"): backups.cmd_backup_delete,
    ("job", "show"): jobs.cmd_job_show,
    ("jobs", None): jobs.cmd_jobs,
    ("login", None): account.cmd_login,
    ("logout", None): account.cmd_logout,
    ("doctor", None): doctor.cmd_doctor,
}


def handler_for(args: argparse.Namespace) -> Handler:
    action = getattr(args, "backup_command", None) or getattr(args, "job_command", None)
    return HANDLERS[(args.command, action)]


async def run_command(args: argparse.Namespace) -> int:
    """Run one headless command; every failure becomes a message and an exit code."""
    ctx: Context | None = None
    try:
        handler = handler_for(args)
        ctx = Context(args)
        return await handler(ctx)
    except BrokenPipeError:
        raise
    except Exception as exc:
        report(exc)
        return exit_code_for(exc)
    finally:
        if ctx is not None:
            await ctx.close()


def report(exc: Exception) -> None:
    """The user gets a line they can act on; the log file gets any traceback."""
    if isinstance(exc, ValidationFailed):
        for line in format_problems(exc.problems):
            stderr(f"invalid: {line}")
        stderr("nothing was sent")
    elif isinstance(exc, (UsageError, ConfigError, CredentialError)):
        stderr(f"vbstui: {exc}")
    elif isinstance(exc, CloudError):
        stderr(f"vbstui: {visible(exc.describe())}")
    else:
        log.exception("unexpected failure")
        stderr(f"vbstui: internal error: {type(exc).__name__}: {visible(str(exc), limit=300)} "
               "(details in the log file)")
