"""The command line of `vbstui policy …` (VBS backup policies).

Only argparse here, so building the parser for any command stays cheap (and each
action's options are added only when it is used); the handlers
are in `vbstui.cli.policies`.  Values are taken as typed and checked by the policy
rules (`vbstui.cloud.policy_validation`), which say precisely what is wrong.
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

POLICY_HELP = "policy id, or a name only one policy has"
ACTIONS = ("list", "show", "create", "update", "delete", "enable", "disable", "run", "link",
           "unlink", "tasks", "tag")


def add_policy_commands(commands: Any, common: argparse.ArgumentParser,
                        timeout_type: Any, timeout_help: str) -> None:
    """`policy list|show|create|update|delete|enable|disable|run|link|unlink|tasks|tag`
    (`commands` makes `vbstui.cli.lazy_parser.LazyParser`s: options added when used)."""
    commands.add_parser(
        "policy", parents=[common], help="VBS backup policies: scheduled backups of disks",
        fill=functools.partial(_policy_actions, common=common, timeout_type=timeout_type,
                               timeout_help=timeout_help),
        description="Backup policies back up their linked disks on a schedule (start times "
        "in UTC) and delete old automatic backups by their retention rule.")


def _policy_actions(policy: argparse.ArgumentParser, *, common: argparse.ArgumentParser,
                    timeout_type: Any, timeout_help: str) -> None:
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="the project's policies", fill=_json,
                       description="Name, schedule in words, next run (UTC and local time), "
                       "retention, ON/OFF, linked disks.")
    actions.add_parser("show", parents=[common], help="one policy, its tags and disks",
                       fill=_show)
    actions.add_parser(
        "create", parents=[common], help="create a policy", fill=_create,
        description="Create a backup policy. Every rule is checked before sending: a broken "
        "one exits 2 and nothing is sent.")
    actions.add_parser(
        "update", parents=[common], help="change a policy", fill=_update,
        description="Change what is given; everything else stays. Giving --frequency drops "
        "the week days (and the other way round); the same for --keep / --keep-days.")
    for name, text in (("delete", "delete a policy (its disks are unlinked, backups kept)"),
                       ("enable", "switch a policy on"), ("disable", "switch a policy off")):
        actions.add_parser(name, parents=[common], help=text, description=text,
                           fill=functools.partial(_switch, asks=name == "delete"))
    actions.add_parser(
        "run", parents=[common], help="run a policy now",
        fill=functools.partial(_run, timeout_type=timeout_type, timeout_help=timeout_help),
        description="Back up every disk of the policy now. With --wait its backup tasks are "
        "followed to their end (journaled: `vbstui jobs --wait` resumes them).")
    for name, text in (("link", "link disks to a policy (a disk in another policy moves)"),
                       ("unlink", "unlink disks from a policy")):
        actions.add_parser(name, parents=[common], help=text, description=text, fill=_link)
    actions.add_parser("tasks", parents=[common], help="a policy's backup tasks", fill=_tasks)
    actions.add_parser("tag", parents=[common], help="a policy's tags",
                       fill=functools.partial(_tag_actions, common=common))


def _show(show: argparse.ArgumentParser) -> None:
    show.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    _json(show)


def _create(create: argparse.ArgumentParser) -> None:
    create.add_argument("--name", default="",
                        help="1-64 of A-Z a-z 0-9 _ -, not starting with 'default'")
    _schedule_options(create)
    create.add_argument("--keep-first-of-month", action="store_true",
                        help="keep the first backup of each month")
    create.add_argument("--off", action="store_true", help="create it switched off")
    create.add_argument("--tag", metavar="KEY=VALUE", action="append", default=[],
                        help="tag the policy (repeat, up to 10; letters, digits, - and _)")
    _json(create)


def _update(update: argparse.ArgumentParser) -> None:
    update.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    update.add_argument("--name", default=None, help="new name")
    _schedule_options(update)
    update.add_argument("--keep-first-of-month", action=argparse.BooleanOptionalAction,
                        default=None, help="keep (or not) the first backup of each month")
    _json(update)


def _switch(change: argparse.ArgumentParser, *, asks: bool) -> None:
    change.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    if asks:
        _yes(change)
    _json(change)


def _run(run: argparse.ArgumentParser, *, timeout_type: Any, timeout_help: str) -> None:
    run.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    run.add_argument("--wait", action="store_true", help="follow the tasks until they end")
    run.add_argument("--timeout", type=timeout_type, metavar="SECONDS", default=None,
                     help=timeout_help)
    _json(run)


def _link(change: argparse.ArgumentParser) -> None:
    change.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    change.add_argument("--volume", metavar="DISK", action="append", required=True,
                        help="disk (its id, or a name only one disk has); repeat for more")
    _yes(change)
    _json(change)


def _tasks(tasks: argparse.ArgumentParser) -> None:
    tasks.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    tasks.add_argument("--limit", metavar="N", type=_count, default=20,
                       help="the newest N tasks (default 20)")
    _json(tasks)


def _tag_actions(tag: argparse.ArgumentParser, *, common: argparse.ArgumentParser) -> None:
    actions = tag.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], fill=_tag_list,
                       help="a policy's tags (without POLICY: all tags in use)")
    actions.add_parser("add", parents=[common], help="add or change tags", fill=_tag_add)
    actions.add_parser("remove", parents=[common], help="remove tags", fill=_tag_remove)


def _tag_list(tag_list: argparse.ArgumentParser) -> None:
    tag_list.add_argument("policy", metavar="POLICY", nargs="?", default=None, help=POLICY_HELP)
    _json(tag_list)


def _tag_add(tag_add: argparse.ArgumentParser) -> None:
    tag_add.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    tag_add.add_argument("tags", metavar="KEY=VALUE", nargs="+")
    _json(tag_add)


def _tag_remove(tag_remove: argparse.ArgumentParser) -> None:
    tag_remove.add_argument("policy", metavar="POLICY", help=POLICY_HELP)
    tag_remove.add_argument("keys", metavar="KEY", nargs="+")
    _json(tag_remove)


def _schedule_options(parser: argparse.ArgumentParser) -> None:
    """Not required or exclusive for argparse: the policy rules check them and say which
    one is missing or why two cannot go together (exit 2, nothing sent)."""
    parser.add_argument("--start-time", metavar="HH:MM[,HH:MM]", default=None,
                        help="start times in UTC, full hours (02:00,14:00)")
    parser.add_argument("--frequency", metavar="DAYS", default=None,
                        help="every DAYS days (1-14), on days 1, 1+DAYS, … of each month")
    parser.add_argument("--week-days", metavar="SUN,WED", default=None,
                        help="on these week days (SUN MON TUE WED THU FRI SAT), instead of "
                        "--frequency")
    parser.add_argument("--keep", metavar="N", default=None,
                        help="keep the newest N automatic backups of each disk (2-14)")
    parser.add_argument("--keep-days", metavar="N", default=None,
                        help="keep automatic backups for N days (2-99999), instead of --keep")
    parser.add_argument("--time-zone", metavar="UTC+HH:MM", default=None,
                        help="your zone; needed when the start times fall on different UTC "
                        "days (then with --week-days, in local order)")


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number of 1 or more")
    return int(text)


def _yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", action="store_true",
                        help="do not ask for confirmation (needed without a terminal)")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON on stdout, nothing else")
