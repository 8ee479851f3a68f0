"""Run one headless command: the handler for the command line, and every failure turned
into a message on stderr and the exit code `vbstui.errors.exit_code_for` gives it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable

from vbstui.cli.context import Context
from vbstui.cli.output import out, print_outcome, stderr
from vbstui.cli.startup import start_up
from vbstui.cli.waiting import exit_code_for_jobs
from vbstui.cloud.errors import CloudError
from vbstui.cloud.validation import ValidationFailed, format_problems
from vbstui.errors import ConfigError, CredentialError, ExitCode, UsageError, exit_code_for
from vbstui.textsafe import visible

log = logging.getLogger("vbstui.cli")

Handler = Callable[[Context], Awaitable[int]]

# Each command's handler as (module in vbstui.cli, function): only the module of the
# command being run is imported, so a listing does not pay for the backup commands.
HANDLERS: dict[tuple[str, str | None], tuple[str, str]] = {
    ("volumes", None): ("listing", "cmd_volumes"),
    ("backups", None): ("listing", "cmd_backups"),
    ("quota", None): ("listing", "cmd_quota"),
    ("backup", "create"): ("backups", "cmd_backup_create"),
    ("backup", "restore"): ("backups", "cmd_backup_restore"),
    ("backup", "delete"): ("backups", "cmd_backup_delete"),
    ("backup", "share"): ("shares", "cmd_backup_share"),
    ("backup", "unshare"): ("shares", "cmd_backup_unshare"),
    ("backup", "prune"): ("prune", "cmd_backup_prune"),
    ("shares", None): ("shares", "cmd_shares"),
    ("job", "show"): ("jobs", "cmd_job_show"),
    ("jobs", None): ("jobs", "cmd_jobs"),
    ("jobs", "retry"): ("retry", "cmd_jobs_retry"),
    ("login", None): ("account", "cmd_login"),
    ("logout", None): ("account", "cmd_logout"),
    ("doctor", None): ("doctor", "cmd_doctor"),
    ("vaults", None): ("vaults", "cmd_vaults"),
    ("vault", "show"): ("vaults", "cmd_vault_show"),
    ("vault", "add"): ("vaults", "cmd_vault_add"),
    ("vault", "remove"): ("vaults", "cmd_vault_remove"),
    ("vault", "create"): ("vaults", "cmd_vault_create"),
    ("policy", "list"): ("policies", "cmd_policy_list"),
    ("policy", "show"): ("policies", "cmd_policy_show"),
    ("policy", "create"): ("policies", "cmd_policy_create"),
    ("policy", "update"): ("policies", "cmd_policy_update"),
    ("policy", "delete"): ("policies", "cmd_policy_delete"),
    ("policy", "enable"): ("policies", "cmd_policy_enable"),
    ("policy", "disable"): ("policies", "cmd_policy_disable"),
    ("policy", "run"): ("policies", "cmd_policy_run"),
    ("policy", "link"): ("policies", "cmd_policy_link"),
    ("policy", "unlink"): ("policies", "cmd_policy_unlink"),
    ("policy", "tasks"): ("policies", "cmd_policy_tasks"),
    ("policy", "tag"): ("policy_tags", "cmd_policy_tag"),
}


def handler_for(args: argparse.Namespace) -> Handler:
    action = (getattr(args, "backup_command", None) or getattr(args, "job_command", None)
              or getattr(args, "jobs_command", None) or getattr(args, "vault_command", None)
              or getattr(args, "policy_command", None))
    module, function = HANDLERS[(args.command, action)]
    # __import__, not importlib.import_module: that one bypasses the import system's
    # own entry, so `python -X importtime` would not show the command's module.
    loaded = __import__(f"vbstui.cli.{module}", fromlist=[function])
    handler: Handler = getattr(loaded, function)
    return handler


# Time past --timeout for the command to print what it did before it is stopped.
REPORT_GRACE = 1.0


def run_headless(args: argparse.Namespace) -> int:
    """Run the command to its end in this process's event loop; its exit code."""
    try:
        return int(asyncio.run(run_command(args)))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `vbstui volumes | head`: the reader is gone; that is not an error.
        _silence_stdout()
        return ExitCode.OK


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


async def run_command(args: argparse.Namespace) -> int:
    """Run one headless command; every failure becomes a message and an exit code.
    --timeout bounds the whole command, logging in included."""
    ctx: Context | None = None
    try:
        with start_up():  # the command's modules, the demo world: see vbstui.cli.startup
            handler = handler_for(args)
            ctx = Context(args)
        timeout = getattr(args, "timeout", None)
        try:
            return await asyncio.wait_for(
                handler(ctx), None if timeout is None else timeout + REPORT_GRACE)
        except asyncio.TimeoutError:
            return timed_out(ctx, timeout or 0.0)
    except BrokenPipeError:
        raise
    except Exception as exc:
        report(exc)
        return exit_code_for(exc)
    finally:
        if ctx is not None:
            await ctx.close()


def timed_out(ctx: Context, timeout: float) -> int:
    """Stopped by --timeout: say what was sent, so a script can tell "nothing happened"
    (exit 5, nothing sent) from "something may be under way" (exit 4 or 5, ids printed)."""
    if not ctx.jobs:
        stderr(f"vbstui: --timeout of {timeout:g} s expired; nothing was sent")
        return ExitCode.TIMEOUT
    stderr(f"vbstui: --timeout of {timeout:g} s expired")
    for job in ctx.jobs:
        print_outcome(job)
    if getattr(ctx.args, "json", False):
        out({"jobs": [j.outcome() for j in ctx.jobs], "timed_out": True})
    return exit_code_for_jobs(ctx.jobs, timed_out=True)


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
