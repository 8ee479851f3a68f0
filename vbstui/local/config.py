"""Profiles and preferences from the TOML config file (clouds.yaml and OS_* variables
are read by `vbstui.local.openstack`).

A broken file is reported with its path, the line and what is wrong, never with
a traceback.  Files that hold a secret must be private to the user, the way
OpenSSH insists on private keys (see `vbstui.local.filecheck`).
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import ConnectionSettings, Timeouts
from vbstui.errors import ConfigError
from vbstui.local import paths
from vbstui.local.filecheck import check_private_file, read_config_file, write_private_file

log = logging.getLogger("vbstui.config")

DEMO_PROFILE = "demo"

PROFILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "auth_url": str,
    "region": str,
    "username": str,
    "user_domain_name": str,
    "user_domain_id": str,
    "project_name": str,
    "project_id": str,
    "password": str,
    "cacert": str,
    "insecure": bool,
    "allow_http": bool,
    "endpoints": dict,
    "timeouts": dict,
    "backup_service": str,
}
ENDPOINT_KEYS = ("vbs", "evs", "cbr")
# "auto" (the default) uses whatever backup services the token catalog offers.
BACKUP_SERVICE_CHOICES = ("auto", "vbs", "cbr")
TIMEOUT_KEYS = ("connect", "read", "write", "pool", "mutate_read", "deadline", "mutate_deadline")
TOP_KEYS = ("default_profile", "profiles", "jobs", "ui")
JOBS_KEYS: dict[str, type | tuple[type, ...]] = {
    "bulk_concurrency": int,
    "poll_first_seconds": (int, float),
    "poll_max_seconds": (int, float),
    "reconcile_seconds": (int, float),
    "reconcile_quiet_seconds": (int, float),
}
UI_KEYS: dict[str, type | tuple[type, ...]] = {"mouse": bool}
MAX_TIMEOUT_SECONDS = 3600.0  # an hour for one request is already beyond any real need
MAX_JOB_SECONDS = 86400.0  # a day; larger values would overflow the event loop's timers
# The first look at a new job: sooner than 0.2 s only adds requests (no job ends that fast),
# later than a minute hides a failed job for too long.
POLL_FIRST_RANGE = (0.2, 60.0)


@dataclass(frozen=True)
class Profile:
    """One cloud account of the config file: where and as whom to log in."""

    name: str
    auth_url: str
    username: str
    region: str | None = None
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    vbs_endpoint: str | None = None
    evs_endpoint: str | None = None
    cbr_endpoint: str | None = None
    backup_service: str | None = None  # "vbs" or "cbr": the profile pins one
    cacert: str | None = None
    insecure: bool = False
    allow_http: bool = False
    timeouts: Timeouts = field(default_factory=Timeouts)
    password: Secret | None = field(default=None, repr=False)  # only from a private file
    password_origin: str | None = None  # e.g. "config file", "clouds.yaml", "secure.yaml"
    origin: str = "config"  # where the profile came from: config file, clouds.yaml, env, demo
    env_password_allowed: bool = False  # OS_PASSWORD counts only for OS_*/clouds.yaml profiles

    @property
    def project(self) -> str:
        return self.project_name or self.project_id or "?"

    def connection(self, *, ca_bundle: str | None = None) -> ConnectionSettings:
        return ConnectionSettings(
            auth_url=self.auth_url,
            username=self.username,
            user_domain_name=self.user_domain_name,
            user_domain_id=self.user_domain_id,
            project_name=self.project_name,
            project_id=self.project_id,
            region=self.region,
            vbs_endpoint=self.vbs_endpoint,
            evs_endpoint=self.evs_endpoint,
            cbr_endpoint=self.cbr_endpoint,
            backup_service=self.backup_service,
            ca_bundle=ca_bundle if ca_bundle is not None else self.cacert,
            insecure=self.insecure,
            allow_http=self.allow_http,
            timeouts=self.timeouts,
        )


@dataclass(frozen=True)
class Preferences:
    """Settings of the config file that are not about an account."""

    bulk_concurrency: int = 4
    poll_first_seconds: float = 2.0
    poll_max_seconds: float = 15.0
    reconcile_seconds: float = 90.0  # look this long for a backup after a lost answer
    reconcile_quiet_seconds: float = 20.0  # ... or this long while the disk shows no activity
    mouse: bool = True


@dataclass(frozen=True)
class Config:
    """The config file as read: its profiles and preferences."""

    path: Path | None
    profiles: dict[str, Profile]
    default_profile: str | None = None
    preferences: Preferences = field(default_factory=Preferences)

    def choose(self, requested: str | None) -> Profile:
        """`--profile`, else VBSTUI_PROFILE, else default_profile, else the only profile."""
        name = requested or os.environ.get("VBSTUI_PROFILE") or self.default_profile
        if name is None:
            if len(self.profiles) == 1:
                return next(iter(self.profiles.values()))
            where = self.path or paths.config_file()
            if not self.profiles:
                raise ConfigError(
                    f"no profile configured: create {where} (see config.example.toml), "
                    "use --os-cloud NAME / --env for OpenStack settings, or try --demo"
                )
            raise ConfigError(
                f"several profiles in {where} ({', '.join(sorted(self.profiles))}): choose one "
                "with --profile NAME, VBSTUI_PROFILE or default_profile"
            )
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(f"no profile named {name!r} (known: {known})")
        return self.profiles[name]


def _line_of(text: str, table: str | None, key: str) -> int | None:
    """Best-effort line number of `key` inside `[table]` for messages."""
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line.strip("[]").strip()
            if current == (f"{table}.{key}" if table else key):
                return number
            continue
        bare = line.split("=", 1)[0].strip().strip('"').strip("'")
        if "=" in line and bare == key and (table is None or current == table):
            return number
    return None


class _Checker:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, table: str | None, key: str, problem: str) -> ConfigError:
        line = _line_of(self.text, table, key)
        where = f"{self.path}, line {line}" if line else str(self.path)
        dotted = f"{table}.{key}" if table else key
        return ConfigError(f"{where}: {dotted}: {problem}")

    def typed(self, table: str, data: Mapping[str, Any],
              schema: Mapping[str, type | tuple[type, ...]]) -> None:
        for key, value in data.items():
            if key not in schema:
                known = ", ".join(schema)
                raise self.fail(table, key, f"unknown setting (known: {known})")
            expected = schema[key]
            if isinstance(value, bool) and expected in (int, (int, float)):
                raise self.fail(table, key, "must be a number, not true/false")
            if isinstance(value, float) and not math.isfinite(value):
                raise self.fail(table, key, "must be a finite number (not nan or inf)")
            if not isinstance(value, expected):
                names = (
                    " or ".join(t.__name__ for t in expected) if isinstance(expected, tuple)
                    else expected.__name__
                )
                names = names.replace("str", "a string").replace("bool", "true or false")
                names = names.replace("dict", "a table").replace("int", "a whole number")
                raise self.fail(table, key, f"must be {names}")

    def seconds(self, table: str, data: Mapping[str, Any], keys: tuple[str, ...],
                maximum: float) -> None:
        """Durations already typed as numbers: more than 0, at most `maximum`."""
        for key in keys:
            if key in data and not 0 < data[key] <= maximum:
                raise self.fail(table, key, f"must be more than 0 and at most {maximum:g} "
                                "seconds")


def _profile_from_table(checker: _Checker, name: str, table: Mapping[str, Any]) -> Profile:
    where = f"profiles.{name}"
    checker.typed(where, table, PROFILE_KEYS)
    for required in ("auth_url", "username"):
        if not table.get(required):
            raise checker.fail("profiles", name, f"'{required}' is required")
    if not (table.get("project_name") or table.get("project_id")):
        raise checker.fail("profiles", name, "'project_name' or 'project_id' is required")
    if not (table.get("user_domain_name") or table.get("user_domain_id")):
        raise checker.fail("profiles", name, "'user_domain_name' or 'user_domain_id' is required")
    endpoints = table.get("endpoints", {})
    checker.typed(f"{where}.endpoints", endpoints, dict.fromkeys(ENDPOINT_KEYS, str))
    backup_service = table.get("backup_service", "auto")
    if backup_service not in BACKUP_SERVICE_CHOICES:
        raise checker.fail("profiles", name, "'backup_service' must be one of "
                           f"{', '.join(BACKUP_SERVICE_CHOICES)}, not {backup_service!r}")
    timeouts_table = table.get("timeouts", {})
    checker.typed(f"{where}.timeouts", timeouts_table, dict.fromkeys(TIMEOUT_KEYS, (int, float)))
    checker.seconds(f"{where}.timeouts", timeouts_table, TIMEOUT_KEYS, MAX_TIMEOUT_SECONDS)
    password = table.get("password")
    return Profile(
        name=name,
        auth_url=table["auth_url"],
        username=table["username"],
        region=table.get("region"),
        user_domain_name=table.get("user_domain_name"),
        user_domain_id=table.get("user_domain_id"),
        project_name=table.get("project_name"),
        project_id=table.get("project_id"),
        vbs_endpoint=endpoints.get("vbs"),
        evs_endpoint=endpoints.get("evs"),
        cbr_endpoint=endpoints.get("cbr"),
        backup_service=None if backup_service == "auto" else backup_service,
        cacert=table.get("cacert"),
        insecure=table.get("insecure", False),
        allow_http=table.get("allow_http", False),
        timeouts=replace(Timeouts(), **{k: float(v) for k, v in timeouts_table.items()}),
        password=Secret(password) if password else None,
        password_origin="config file" if password else None,
        origin=f"config file {checker.path}",
    )


def parse_config(text: str, path: Path) -> Config:
    # Loaded here, only when there is a file: a run without one (the demo, a first
    # start) does not compile TOML's regular expressions (~2.5 ms of start-up).
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - see LAZY_IMPORTS
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # noqa: PLC0415 - see LAZY_IMPORTS
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    checker = _Checker(path, text)
    for key in data:
        if key not in TOP_KEYS:
            raise checker.fail(None, key, f"unknown setting (known: {', '.join(TOP_KEYS)})")
    default = data.get("default_profile")
    if default is not None and not isinstance(default, str):
        raise checker.fail(None, "default_profile", "must be a string")
    profiles_table = data.get("profiles", {})
    if not isinstance(profiles_table, dict):
        raise checker.fail(None, "profiles", "must be a table of [profiles.NAME] sections")
    profiles: dict[str, Profile] = {}
    for name, table in profiles_table.items():
        if not isinstance(table, dict):
            raise checker.fail("profiles", name, "must be a [profiles.NAME] table")
        profiles[name] = _profile_from_table(checker, name, table)
    if default is not None and default not in profiles:
        raise checker.fail(None, "default_profile", f"no profile named {default!r}")
    jobs = data.get("jobs", {})
    ui = data.get("ui", {})
    if not isinstance(jobs, dict):
        raise checker.fail(None, "jobs", "must be a table")
    if not isinstance(ui, dict):
        raise checker.fail(None, "ui", "must be a table")
    checker.typed("jobs", jobs, JOBS_KEYS)
    checker.typed("ui", ui, UI_KEYS)
    concurrency = jobs.get("bulk_concurrency", Preferences.bulk_concurrency)
    if not 1 <= concurrency <= 32:
        raise checker.fail("jobs", "bulk_concurrency", "must be between 1 and 32")
    checker.seconds("jobs", jobs, ("poll_max_seconds", "reconcile_seconds",
                                   "reconcile_quiet_seconds"), MAX_JOB_SECONDS)
    poll_first = float(jobs.get("poll_first_seconds", Preferences.poll_first_seconds))
    poll_max = float(jobs.get("poll_max_seconds", Preferences.poll_max_seconds))
    low, high = POLL_FIRST_RANGE
    if "poll_first_seconds" in jobs and not low <= poll_first <= high:
        raise checker.fail("jobs", "poll_first_seconds",
                           f"must be between {low:g} and {high:g} seconds")
    if "poll_first_seconds" in jobs and poll_first > poll_max:
        raise checker.fail("jobs", "poll_first_seconds",
                           f"must not be more than poll_max_seconds ({poll_max:g})")
    preferences = Preferences(
        bulk_concurrency=concurrency,
        poll_first_seconds=poll_first,
        poll_max_seconds=poll_max,
        reconcile_seconds=float(jobs.get("reconcile_seconds", Preferences.reconcile_seconds)),
        reconcile_quiet_seconds=float(
            jobs.get("reconcile_quiet_seconds", Preferences.reconcile_quiet_seconds)),
        mouse=ui.get("mouse", True),
    )
    return Config(path=path, profiles=profiles, default_profile=default,
                  preferences=preferences)


def load_config(path: Path | None = None, *, explicit: bool = False) -> Config:
    """Read the config file; a missing default file is an empty config, a missing
    explicit one (`--config`, VBSTUI_CONFIG) is an error."""
    if path is None:
        explicit = explicit or bool(os.environ.get("VBSTUI_CONFIG"))
        path = paths.config_file()
    try:
        text = read_config_file(path)  # regular, small, ours (or root's), not writable by others
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: config file not found") from None
        return Config(path=None, profiles={})
    config = parse_config(text, path)
    if any(p.password for p in config.profiles.values()):
        check_private_file(path, holds="a password")
    return config


# -- what the TUI remembers between runs --------------------------------------------------
# Choices made with a key (pane sizes, the details pane) are not written into config.toml:
# rewriting a file the user edits by hand would lose their comments and layout.

PANE_SIZES = ("normal", "large", "collapsed")
LAYOUT_FILE = "layout.json"
MAX_LAYOUT_BYTES = 4096


@dataclass(frozen=True)
class LayoutChoice:
    """How big the jobs and log panes are, and whether the details pane shows
    (None: decided by the terminal size)."""

    panes: str = "normal"
    details: bool | None = None

    def next_panes(self) -> LayoutChoice:
        following = PANE_SIZES[(PANE_SIZES.index(self.panes) + 1) % len(PANE_SIZES)]
        return replace(self, panes=following)


def layout_file() -> Path:
    return paths.state_dir() / LAYOUT_FILE


def load_layout(path: Path | None = None) -> LayoutChoice:
    """The remembered layout; anything missing, odd or unreadable means the defaults
    (a layout is never worth refusing to start over)."""
    path = path or layout_file()
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read(MAX_LAYOUT_BYTES + 1)[:MAX_LAYOUT_BYTES])
    except FileNotFoundError:
        return LayoutChoice()
    except (OSError, ValueError, RecursionError) as exc:
        log.info("layout file %s ignored: %s", path, exc)
        return LayoutChoice()
    if not isinstance(data, dict):
        return LayoutChoice()
    panes = data.get("panes")
    details = data.get("details")
    return LayoutChoice(panes=panes if panes in PANE_SIZES else "normal",
                        details=details if isinstance(details, bool) else None)


def save_layout(choice: LayoutChoice, path: Path | None = None) -> str | None:
    """Remember the layout, privately (0600 in a 0700 directory, like the token cache);
    returns why it could not be written, or None."""
    path = path or layout_file()
    try:
        paths.ensure_private_dir(path.parent)
        write_private_file(path, json.dumps({"panes": choice.panes,
                                             "details": choice.details}).encode())
    except ConfigError as exc:
        return f"layout not remembered: {exc}"
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror}"
    return None
