"""The command line: global options (before or after the command) and the commands."""

from __future__ import annotations

import argparse
import math

from vbstui import __version__


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
    group.add_argument("--os-cloud", metavar="NAME", default=default(None),
                       help="use a cloud from clouds.yaml (like OS_CLOUD)")
    group.add_argument("--clouds-from-cwd", action="store_true", default=default(False),
                       help="also look for clouds.yaml in the current directory")
    group.add_argument("--env", dest="use_env", action="store_true", default=default(False),
                       help="build the profile from OS_* environment variables")
    group.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                       default=default("INFO"), help="log file verbosity (default INFO)")
    group.add_argument("--readonly", action="store_true", default=default(False),
                       help="refuse every action that changes something in the cloud")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)

    parser = argparse.ArgumentParser(
        prog="vbstui",
        description="Back up Open Telekom Cloud EVS disks with VBS, from a TUI or scripts.",
        epilog="Without a command the terminal UI starts. Try: vbstui --demo",
    )
    parser.add_argument("--version", action="version", version=f"vbstui {__version__}")
    parser.add_argument("--no-mouse", action="store_true", help="TUI: do not capture the mouse")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    volumes = commands.add_parser("volumes", parents=[common], help="list disks (EVS volumes)")
    volumes.add_argument("--name", help="only disks with exactly this name")
    volumes.add_argument("--status", help="only disks in this status (e.g. available, in-use)")
    volumes.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    backups = commands.add_parser("backups", parents=[common], help="list backups")
    backups.add_argument("--volume", metavar="ID", help="only backups of this disk")
    backups.add_argument("--name", help="only backups with exactly this name")
    backups.add_argument("--status", help="only backups in this status")
    backups.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    backup = commands.add_parser("backup", parents=[common], help="create, restore, delete")
    backup_commands = backup.add_subparsers(dest="backup_command", metavar="ACTION",
                                            required=True)
    create = backup_commands.add_parser("create", parents=[common], help="back up disks")
    create.add_argument("--volume", metavar="ID", action="append", required=True,
                        help="disk to back up; repeat for a bulk run (names get a -NNNN suffix)")
    create.add_argument("--name", required=True, help="backup name (1-64 of A-Z a-z 0-9 _ -)")
    create.add_argument("--description", default="", help="up to 64 characters, no < or >")
    create.add_argument("--tag", metavar="KEY=VALUE", action="append", default=[],
                        help="tag the backup (up to 10)")
    create.add_argument("--full", action="store_true",
                        help="full backup (default: incremental after the disk's first backup)")
    create.add_argument("--snapshot", metavar="ID", default="", help="back up this snapshot")
    create.add_argument("--concurrency", type=whole_number, default=None,
                        help="bulk runs: requests in flight at once (default from config, 4)")
    _wait_options(create)
    create.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    restore = backup_commands.add_parser("restore", parents=[common],
                                         help="restore a backup onto a disk (overwrites it)")
    restore.add_argument("backup_id", metavar="BACKUP_ID")
    restore.add_argument("--volume", metavar="ID",
                         help="target disk (default: the backup's own disk)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _wait_options(restore)
    restore.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    delete = backup_commands.add_parser("delete", parents=[common], help="delete backups")
    delete.add_argument("backup_ids", metavar="BACKUP_ID", nargs="+")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _wait_options(delete)
    delete.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    job = commands.add_parser("job", parents=[common], help="show a backup service job")
    job_commands = job.add_subparsers(dest="job_command", metavar="ACTION", required=True)
    show = job_commands.add_parser("show", parents=[common], help="show one job's status")
    show.add_argument("job_id", metavar="JOB_ID")
    _wait_options(show)
    show.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    jobs = commands.add_parser("jobs", parents=[common],
                               help="jobs started by vbstui: resume unfinished ones, show history")
    jobs.add_argument("--wait", action="store_true", help="follow unfinished jobs to the end")
    jobs.add_argument("--timeout", type=seconds, metavar="SECONDS", default=None,
                      help="end the whole command after this long (exit 5; 4 if a request "
                        "may be under way)")
    jobs.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    quota = commands.add_parser("quota", parents=[common], help="backup quotas")
    quota.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")

    login = commands.add_parser("login", parents=[common],
                                help="verify a password and store it in the OS keyring")
    login.add_argument("--no-store", action="store_true",
                       help="only verify the password, do not store it")
    commands.add_parser("logout", parents=[common],
                        help="remove the stored password and cached token")
    doctor = commands.add_parser("doctor", parents=[common],
                                 help="show configuration, credentials and connectivity")
    doctor.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")
    doctor.add_argument("--offline", action="store_true", help="do not contact the cloud")

    commands.add_parser("sim", help="serve the VBS simulator (see: vbstui sim --help)",
                        add_help=False)
    return parser


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="follow the job until it ends")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", default=None,
                        help="end the whole command after this long (exit 5; 4 if a request "
                        "may be under way)")
