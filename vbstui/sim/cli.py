"""`vbstui sim`: serve the simulator; the first stdout line is its base URL."""

from __future__ import annotations

import argparse
import sys
import time

from vbstui.sim.config import SERVICES, SimConfig
from vbstui.sim.faults import KNOWN_KEYS, FaultSpec
from vbstui.sim.server import DEFAULT_HOST, DEFAULT_PORT, is_loopback, serve

_DEFAULTS = SimConfig.__dataclass_fields__


def _default(name: str) -> object:
    return _DEFAULTS[name].default


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0..65535, got {text}")
    return value


def _faults(text: str) -> FaultSpec:
    try:
        return FaultSpec.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vbstui sim",
        description="Serve a simulated Open Telekom Cloud (IAM + EVS + VBS + CBR) for demos, "
                    "scripts and tests. Prints the base URL as the first line on stdout.",
    )
    parser.add_argument("--host", default=None,
                        help=f"address to bind (default {DEFAULT_HOST}; giving a "
                             "non-loopback address here explicitly allows it)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"TCP port, 0 picks a free one (default {DEFAULT_PORT})")
    parser.add_argument("--volumes", type=_count, default=_default("volumes"),
                        help="number of generated disks (default %(default)s)")
    parser.add_argument("--seed", type=int, default=_default("seed"),
                        help="seed of the generated world and of faults (default %(default)s)")
    parser.add_argument("--job-seconds", type=_positive, default=_default("job_seconds"),
                        help="duration of a create/restore job (default %(default)s)")
    parser.add_argument("--delete-seconds", type=float, default=_default("delete_seconds"),
                        help="time a deleted backup stays in 'deleting' (default %(default)s)")
    parser.add_argument("--token-lifetime", type=_positive,
                        default=_default("token_lifetime"),
                        help="token lifetime in seconds (default %(default)s)")
    parser.add_argument("--backup-quota", type=int, default=_default("backup_quota"),
                        help="backup count quota, -1 = unlimited (default %(default)s)")
    parser.add_argument("--capacity-quota", type=int, default=_default("capacity_quota_gb"),
                        help="backup capacity quota in GB, -1 = unlimited (default %(default)s)")
    parser.add_argument("--faults", type=_faults, default=FaultSpec(), metavar="SPEC",
                        help="comma-separated faults, e.g. 'latency=0.05-0.3,5xx=0.1,"
                             "429=0.05,retry_after=2,drop=0.1,job_fail=0.2,"
                             f"token_expiry=30,seed=7' (keys: {', '.join(KNOWN_KEYS)})")
    parser.add_argument("--clock-speed", type=_positive, default=_default("clock_speed"),
                        metavar="X",
                        help="simulated seconds per real second, so backup policies run "
                             "during a demo: 3600 makes every real second an hour "
                             "(default %(default)s)")
    parser.add_argument("--policy-limit", type=_count, default=_default("vbs_policy_limit"),
                        help="VBS backup policies a project may create besides the default "
                             "one (default %(default)s)")
    parser.add_argument("--services", choices=SERVICES, default=_default("services"),
                        help="backup services the project has: both (mid-migration, the "
                             "default), cbr (a project created after VBS closed) or vbs")
    account = parser.add_argument_group("demo account")
    account.add_argument("--user", default=_default("user"))
    account.add_argument("--password", default=_default("password"))
    account.add_argument("--domain", default=_default("user_domain"), help="user domain name")
    account.add_argument("--project", default=_default("project"), help="project name")
    account.add_argument("--region", default=_default("region"))
    account.add_argument("--peer-project", default=_default("peer_project"),
                         help="name of the second project of the same user, to share "
                              "backups with ('' for none; default %(default)s)")
    return parser


def _config(args: argparse.Namespace) -> SimConfig:
    return SimConfig(
        volumes=args.volumes, seed=args.seed, job_seconds=args.job_seconds,
        delete_seconds=args.delete_seconds, token_lifetime=args.token_lifetime,
        backup_quota=args.backup_quota, capacity_quota_gb=args.capacity_quota,
        faults=args.faults, services=args.services, user=args.user, password=args.password,
        user_domain=args.domain, project=args.project, region=args.region,
        clock_speed=args.clock_speed, vbs_policy_limit=args.policy_limit,
        peer_project=args.peer_project,
    )


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    try:
        config = _config(args)
    except ValueError as exc:
        parser.print_usage(sys.stderr)
        print(f"vbstui sim: error: {exc}", file=sys.stderr)
        return 2
    host = args.host or DEFAULT_HOST

    def ready(url: str) -> None:
        # Scripts read this first line to find the server; nothing may precede it.
        print(url, flush=True)
        peer = (f"second project {config.peer_project!r} ({config.peer_project_id}); "
                if config.peer_project else "")
        speed = f"clock x{config.clock_speed:g}; " if config.clock_speed != 1 else ""
        print(
            f"vbstui sim: {config.volumes} disks ready in {time.perf_counter() - started:.1f}s; "
            f"user {config.user!r} / password {config.password!r}, domain "
            f"{config.user_domain!r}, project {config.project!r} ({config.project_id}), "
            f"region {config.region!r}; services {config.services}; {peer}{speed}"
            f"faults: {config.faults.to_text()}. Ctrl-C stops.",
            file=sys.stderr, flush=True,
        )

    if not is_loopback(host):
        print(f"vbstui sim: warning: serving on non-loopback address {host}; anyone who "
              "can reach it can use the demo credentials", file=sys.stderr)
    try:
        serve(config, host, args.port, allow_non_loopback=args.host is not None, ready=ready)
    except OSError as exc:
        print(f"vbstui sim: error: cannot listen on {host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
