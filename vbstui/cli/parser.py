"""The command line: global options (before or after the command) and the commands."""

from __future__ import annotations

import argparse
import functools
import math
from typing import Any

from vbstui import __version__
from vbstui.cli.lazy_parser import LazyParser
from vbstui.cli.policy_parser import add_policy_commands
from vbstui.cloud.validation import BULK_NAME_MAX, DESCRIPTION_MAX, NAME_MAX, TAGS_MAX
from vbstui.errors import ExitCode

EXAMPLES = f"""\
Without a command the terminal UI starts. Try it on the built-in simulator:
  vbstui --demo

examples:
  vbstui volumes                                  disks of the project, as a table
  vbstui volumes --status available --json        JSON for scripts (compact when piped)
  vbstui volumes --jsonl | jq -r .name            one disk per line
  vbstui backups --volume web-01-data             a disk's backups (its id or unique name)
  vbstui backup create --volume DISK_ID --name nightly --wait
  vbstui backup create --volume ID1 --volume ID2 --name nightly --wait
                                                  bulk: nightly-0001, nightly-0002
  vbstui backup restore BACKUP_ID --wait          onto the backup's own disk (asks first)
  vbstui vaults                                   CBR disk vaults: capacity, disks, policy
  vbstui vault add VAULT --volume DISK --yes      its backups then go into that vault
  vbstui jobs --wait                              follow jobs left unfinished
  vbstui job show JOB_ID --json
  vbstui doctor                                   configuration, credentials, connectivity

exit codes:
  {ExitCode.OK:<3d} done
  {ExitCode.FAILED:<3d} failed: the service refused, or a job failed
  {ExitCode.USAGE:<3d} bad input or a refusal before sending (unknown or ambiguous --volume,
      a failed check): nothing was sent
  {ExitCode.CONFIG:<3d} configuration, credentials or login
  {ExitCode.UNKNOWN:<3d} outcome unknown: a request may have reached the service (`vbstui jobs`
      finds out)
  {ExitCode.TIMEOUT:<3d} --timeout expired
  {ExitCode.INTERRUPTED:<3d} interrupted

JSON (--json, --jsonl): each record as the service sent it, plus a "vbstui" object with
what vbstui derived from it (for backups: service "vbs" or "cbr", vault_id, vault_name,
description, incremental, volume_name; for disks, with CBR: protection). Listings are
{{"volumes": [...], "count": N}}; if a listing fails half-way the document is left
unfinished and the exit code is not 0.
"""


def seconds(text: str) -> float:
    """A --timeout: a finite number of seconds above 0 (not 0, -5, nan or inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a number of seconds above 0")
    return value


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def positive_number(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 1 or more")
    return value


DEFAULT_JOBS_SHOWN = 20
TIMEOUT_HELP = ("end the whole command after SECONDS, logging in included: exit 5, or 4 if "
                "a request may be under way (its ids are printed)")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The same global options before or after the subcommand."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument("--config", metavar="PATH", default=default(None),
                       help="config file (default: the user config dir, or VBSTUI_CONFIG)")
    group.add_argument("--profile", metavar="NAME", default=default(None),
                       help="profile to use (default: VBSTUI_PROFILE or default_profile)")
    group.add_argument("--demo", action="store_true", default=default(False),
                       help="run against the built-in simulator: no credentials, no network")
    group.add_argument("--demo-reset", action="store_true", default=default(False),
                       help="start the demo over with a fresh simulated project (implies "
                            "--demo; the demo otherwise keeps its world between runs)")
    group.add_argument("--os-cloud", metavar="NAME", default=default(None),
                       help="use a cloud from clouds.yaml (like OS_CLOUD)")
    group.add_argument("--clouds-from-cwd", action="store_true", default=default(False),
                       help="also look for clouds.yaml in the current directory")
    group.add_argument("--env", dest="use_env", action="store_true", default=default(False),
                       help="build the profile from OS_* environment variables")
    group.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                       type=str.upper, metavar="LEVEL", default=default("INFO"),
                       help="log file verbosity: debug, info, warning or error (any case; "
                       "default info)")
    group.add_argument("--readonly", action="store_true", default=default(False),
                       help="refuse every action that changes something in the cloud")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)

    parser = argparse.ArgumentParser(
        prog="vbstui",
        description="Back up Open Telekom Cloud EVS disks with VBS or CBR, from a TUI or scripts.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vbstui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help="TUI: do not capture the mouse")
    _global_options(parser, suppress=False)
    # A command's options are added only when that command is used (see LazyParser).
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=LazyParser)

    commands.add_parser(
        "volumes", parents=[common], help="list disks (EVS volumes)", fill=_volumes,
        description="List the project's disks. --json and --jsonl write each page as it "
        "arrives: each disk as EVS sent it plus {\"vbstui\": {\"backupable\": ...}}. With "
        "CBR, a PROTECTION column says where each disk's backups go (its vault's name, VBS, "
        "or none), and --json adds \"protection\": {\"service\", \"vault_id\", "
        "\"vault_name\"} (null for none).")
    commands.add_parser(
        "backups", parents=[common], help="list backups", fill=_backups,
        description="List backups with their disk's name, decoded description and, for "
        "failed ones, the reason; with CBR also the SERVICE (vbs or cbr) and VAULT columns. "
        "--json adds {\"vbstui\": {\"service\", \"vault_id\", \"vault_name\", "
        "\"description\", \"incremental\", \"volume_name\"}} to each backup as the "
        "service sent it.")
    commands.add_parser("backup", parents=[common], help="create, restore, delete",
                        fill=functools.partial(_backup_actions, common=common))
    commands.add_parser(
        "shares", parents=[common], help="shares of this project's backups (or with it)",
        fill=_shares, description="The shares of this project's VBS backups, or with --to-me "
        "the backups other projects share with this one.")
    commands.add_parser("job", parents=[common],
                        help="show a VBS job (CBR backups: see `vbstui jobs`)",
                        fill=functools.partial(_job_actions, common=common))
    commands.add_parser(
        "jobs", parents=[common],
        help="jobs started by vbstui: resume unfinished ones, show history",
        fill=functools.partial(_jobs, common=common),
        description="The journal of the jobs vbstui started (newest first). Unfinished jobs "
        "of this profile are checked once with the service (followed to the end with "
        "--wait); jobs another running vbstui works on are left to it. `jobs retry` sends "
        "the failed backups of a run again.")
    commands.add_parser("quota", parents=[common], help="backup quotas", fill=_json_option)
    _vault_commands(commands, common)
    add_policy_commands(commands, common, seconds, TIMEOUT_HELP)
    commands.add_parser("login", parents=[common], fill=_login,
                        help="verify a password and store it in the OS keyring")
    commands.add_parser("logout", parents=[common],
                        help="remove the stored password and cached token")
    commands.add_parser("doctor", parents=[common], fill=_doctor,
                        help="show configuration, credentials and connectivity")
    commands.add_parser("sim", help="serve the VBS simulator (see: vbstui sim --help)",
                        add_help=False)
    return parser


def _volumes(volumes: argparse.ArgumentParser) -> None:
    volumes.add_argument("--name", help="only disks with exactly this name")
    volumes.add_argument("--status", help="only disks in this status (e.g. available, in-use)")
    _listing_formats(volumes, "volumes")


def _backups(backups: argparse.ArgumentParser) -> None:
    backups.add_argument("--volume", metavar="DISK",
                         help="only backups of this disk: its id, or a name only one disk has")
    backups.add_argument("--name", help="only backups with exactly this name")
    backups.add_argument("--status", help="only backups in this status")
    _listing_formats(backups, "backups")


def _backup_actions(backup: argparse.ArgumentParser, *, common: argparse.ArgumentParser
                    ) -> None:
    """`backup create|restore|delete|share|unshare|prune`."""
    actions = backup.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    actions.add_parser("create", parents=[common], help="back up disks", fill=_create)
    actions.add_parser("restore", parents=[common], fill=_restore,
                       help="restore a backup onto a disk (overwrites it)")
    actions.add_parser("delete", parents=[common], help="delete backups", fill=_delete)
    actions.add_parser(
        "share", parents=[common], help="share a backup with other projects (VBS)",
        fill=_share, description="Share an available VBS backup with other projects "
        "(32-character project ids, not this project, not shared with them already).")
    actions.add_parser(
        "unshare", parents=[common], help="stop sharing a backup", fill=_unshare,
        description="Revoke the shares of a backup: with the projects named, or all. Asks "
        "first; without a terminal --yes is needed (else exit 2, nothing sent).")
    actions.add_parser(
        "prune", parents=[common], help="keep the newest N backups of disks, delete the rest",
        fill=_prune, description="Preview, then delete every backup of the disks but the "
        "newest N (by creation time, VBS and CBR alike). Backups that cannot be deleted "
        "(busy, shared, others depend on them) are named and left. Asks first; without a "
        "terminal --yes is needed (else exit 2, nothing sent).")


def _create(create: argparse.ArgumentParser) -> None:
    create.add_argument("--volume", metavar="DISK", action="append", required=True,
                        help="disk to back up (its id, or a name only one disk has); repeat "
                             "for a bulk run (names get a -NNNN suffix)")
    create.add_argument("--name", required=True,
                        help=f"backup name: 1-{NAME_MAX} of A-Z a-z 0-9 _ -, not starting "
                        f"with 'auto'; at most {BULK_NAME_MAX} with several --volume, as "
                        "-0001, -0002, ... is added per disk (CBR: the disks of one vault "
                        "are backed up by one checkpoint and share its name)")
    create.add_argument("--description", metavar="TEXT", default="",
                        help=f"backup description: up to {DESCRIPTION_MAX} characters, "
                        "no < or >")
    create.add_argument("--tag", metavar="KEY=VALUE", action="append", default=[],
                        help=f"tag the backup (repeat, up to {TAGS_MAX})")
    create.add_argument("--full", action="store_true",
                        help="full backup (default: incremental after the disk's first backup)")
    create.add_argument("--snapshot", metavar="ID", default="", help="back up this snapshot")
    create.add_argument("--vault", metavar="VAULT", default=None,
                        help="CBR: the vault (id or unique name) that must hold the disks; "
                        "not needed when each disk is in one vault (it is backed up "
                        "there). A disk in no vault is added first with `vbstui vault add`")
    create.add_argument("--concurrency", metavar="N", type=whole_number, default=None,
                        help="bulk runs: how many disks are sent at once (default: "
                        "[jobs] bulk_concurrency in the config file, else 4)")
    create.add_argument("--force", action="store_true",
                        help="send even what the pre-flight checks say the service would "
                        "refuse (a disk at 20 backups, a backup running, its status, the "
                        "quota); without it such a run exits 2 and sends nothing")
    _wait_options(create)
    _json_option(create)


def _restore(restore: argparse.ArgumentParser) -> None:
    restore.add_argument("backup_id", metavar="BACKUP_ID")
    restore.add_argument("--volume", metavar="DISK",
                         help="target disk: its id, or a name only one disk has "
                              "(default: the backup's own disk)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _wait_options(restore)
    _json_option(restore)


def _delete(delete: argparse.ArgumentParser) -> None:
    delete.add_argument("backup_ids", metavar="BACKUP_ID", nargs="+")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _wait_options(delete)
    _json_option(delete)


def _job_actions(job: argparse.ArgumentParser, *, common: argparse.ArgumentParser) -> None:
    actions = job.add_subparsers(dest="job_command", metavar="ACTION", required=True)
    actions.add_parser("show", parents=[common], help="show one job's status", fill=_job_show)


def _job_show(show: argparse.ArgumentParser) -> None:
    show.add_argument("job_id", metavar="JOB_ID")
    _wait_options(show)
    _json_option(show)


def _jobs(jobs: argparse.ArgumentParser, *, common: argparse.ArgumentParser) -> None:
    jobs.add_argument("--wait", action="store_true", help="follow unfinished jobs to the end")
    jobs.add_argument("--timeout", type=seconds, metavar="SECONDS", default=None,
                      help=TIMEOUT_HELP)
    shown = jobs.add_mutually_exclusive_group()
    shown.add_argument("--limit", metavar="N", type=positive_number, default=DEFAULT_JOBS_SHOWN,
                       help=f"show the newest N jobs (default {DEFAULT_JOBS_SHOWN})")
    shown.add_argument("--all", action="store_true", help="show every job in the journal")
    _json_option(jobs)
    actions = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    actions.add_parser(
        "retry", parents=[common], help="send again only the backups of a run that failed",
        fill=_jobs_retry, description="Send again the failed backups of the latest run (or "
        "of --run), one per disk, under their names. Jobs whose outcome is unknown are not "
        "retried until decided; a disk backed up since is left alone.")


def _jobs_retry(retry: argparse.ArgumentParser) -> None:
    retry.add_argument("--run", metavar="RUN_ID", default=None,
                       help="the run to retry (run_id in `vbstui jobs --json`; default: "
                       "the latest)")
    retry.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    retry.add_argument("--force", action="store_true",
                       help="send even what the pre-flight checks say would be refused")
    retry.add_argument("--concurrency", type=whole_number, default=None,
                       help="requests in flight at once (default from config, 4)")
    _wait_options(retry)
    _json_option(retry)


def _login(login: argparse.ArgumentParser) -> None:
    login.add_argument("--no-store", action="store_true",
                       help="only verify the password, do not store it")


def _doctor(doctor: argparse.ArgumentParser) -> None:
    _json_option(doctor)
    doctor.add_argument("--offline", action="store_true", help="do not contact the cloud")


def _vault_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """`vaults` and `vault show|add|remove|create` (CBR disk vaults)."""
    commands.add_parser(
        "vaults", parents=[common], help="list CBR disk vaults", fill=_json_option,
        description="The project's CBR disk vaults: used and allocated capacity, disks, "
        "policy, status. --json adds {\"vbstui\": {\"used_gb\", \"allocated_gb\", "
        "\"free_gb\", \"disk_count\", \"policy_name\", ...}} to each vault as CBR sent it.")
    commands.add_parser("vault", parents=[common],
                        help="a vault's disks; add, remove disks; create a vault",
                        fill=functools.partial(_vault_actions, common=common))


def _vault_actions(vault: argparse.ArgumentParser, *, common: argparse.ArgumentParser) -> None:
    actions = vault.add_subparsers(dest="vault_command", metavar="ACTION", required=True)
    actions.add_parser("show", parents=[common], help="a vault and its disks", fill=_vault_show)
    for name, text in (("add", "add disks to a vault (their backups go there from then on)"),
                       ("remove", "remove disks from a vault (its backups of them stay)")):
        actions.add_parser(name, parents=[common], help=text, description=text,
                           fill=_vault_change)
    actions.add_parser(
        "create", parents=[common], help="create a disk vault (it costs money)",
        fill=_vault_create, description="Create a CBR disk vault, pay per use: its allocated "
        "capacity is billed whether used or not. Asks first; without a terminal --yes is "
        "needed (else exit 2, nothing sent).")


def _vault_show(show: argparse.ArgumentParser) -> None:
    show.add_argument("vault", metavar="VAULT", help="vault id, or a name only one vault has")
    _json_option(show)


def _vault_change(change: argparse.ArgumentParser) -> None:
    change.add_argument("vault", metavar="VAULT", help="vault id, or a name only one vault has")
    change.add_argument("--volume", metavar="DISK", action="append", required=True,
                        help="disk (its id, or a name only one disk has); repeat for more")
    change.add_argument("--yes", action="store_true",
                        help="do not ask for confirmation (needed without a terminal)")
    _json_option(change)


def _vault_create(create: argparse.ArgumentParser) -> None:
    create.add_argument("--name", required=True, help="vault name: 1-64 of A-Z a-z 0-9 _ -")
    create.add_argument("--size", metavar="GB", required=True,
                        help="allocated capacity in GB (10 to 10485760)")
    create.add_argument("--volume", metavar="DISK", action="append", default=[],
                        help="a disk to put in it (its id or unique name); repeat for more")
    create.add_argument("--description", metavar="TEXT", default="",
                        help="vault description")
    create.add_argument("--yes", action="store_true",
                        help="do not ask for confirmation (needed without a terminal)")
    _json_option(create)


def _share(share: argparse.ArgumentParser) -> None:
    share.add_argument("backup", metavar="BACKUP", help="backup id, or a name only one has")
    share.add_argument("--to-project", metavar="PROJECT_ID", action="append", required=True,
                       help="project to share with (repeat for more)")
    _json_option(share)


def _unshare(unshare: argparse.ArgumentParser) -> None:
    unshare.add_argument("backup", metavar="BACKUP", help="backup id, or a name only one has")
    unshare.add_argument("--to-project", metavar="PROJECT_ID", action="append", default=[],
                         help="only the share with this project (repeat; default: all)")
    unshare.add_argument("--yes", action="store_true",
                         help="do not ask for confirmation (needed without a terminal)")
    _json_option(unshare)


def _prune(prune: argparse.ArgumentParser) -> None:
    prune.add_argument("--volume", metavar="DISK", action="append", required=True,
                       help="disk (its id, or a name only one disk has); repeat for more")
    prune.add_argument("--keep", metavar="N", type=positive_number, required=True,
                       help="how many of each disk's newest backups stay (1 or more)")
    prune.add_argument("--yes", action="store_true",
                       help="do not ask for confirmation (needed without a terminal)")
    prune.add_argument("--concurrency", metavar="N", type=whole_number, default=None,
                       help="deletes sent at once (default: [jobs] bulk_concurrency, else 4)")
    _wait_options(prune)
    _json_option(prune)


def _shares(shares: argparse.ArgumentParser) -> None:
    shares.add_argument("--to-me", action="store_true",
                        help="the backups other projects share with this project")
    _json_option(shares)


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="follow the job until it ends")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", default=None,
                        help=TIMEOUT_HELP)


def _listing_formats(parser: argparse.ArgumentParser, key: str) -> None:
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true",
                         help=f'one JSON document on stdout, {{"{key}": [...], "count": N}}, '
                         "indented on a terminal and compact otherwise")
    formats.add_argument("--jsonl", action="store_true",
                         help="one JSON object per line on stdout (check the exit code: a "
                         "listing that fails half-way leaves the lines printed so far)")
