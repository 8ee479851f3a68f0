"""`vbstui doctor`: configuration, credentials, paths and connectivity at a glance."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vbstui import __version__
from vbstui.cli.context import Context
from vbstui.cli.output import out
from vbstui.cloud.errors import CloudError
from vbstui.cloud.secret import Secret
from vbstui.errors import ConfigError, CredentialError, ExitCode
from vbstui.local import paths
from vbstui.local.config import Profile
from vbstui.local.credentials import Credential, KeyringAccess, KeyringUnavailable, find_credential
from vbstui.local.tokencache import TokenCache
from vbstui.ops.target import Target, cached_token_usable, open_session
from vbstui.textsafe import visible


def _redact_url(url: str) -> str:
    """Proxy URLs may carry user:password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable)"
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, f"***:***@{host}", parts.path, "", ""))
    return url


def _file_state(path: Any) -> dict[str, Any]:
    try:
        info = os.stat(path)
    except OSError:
        return {"path": str(path), "exists": False}
    return {"path": str(path), "exists": True, "mode": f"{stat.S_IMODE(info.st_mode):04o}",
            "owned_by_you": info.st_uid == os.getuid() if hasattr(os, "getuid") else True}


def _terminal() -> dict[str, Any]:
    env = os.environ
    if env.get("NO_COLOR"):
        colours = "none (NO_COLOR is set)"
    elif env.get("TEXTUAL_COLOR_SYSTEM"):
        colours = f"{env['TEXTUAL_COLOR_SYSTEM']} (TEXTUAL_COLOR_SYSTEM)"
    elif env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        colours = "truecolor"
    elif "256" in env.get("TERM", ""):
        colours = "256 colours (COLORTERM is often not forwarded over SSH)"
    else:
        colours = "16 colours or fewer"
    return {"TERM": env.get("TERM"), "COLORTERM": env.get("COLORTERM"), "colour_system": colours,
            "stdout_is_terminal": sys.stdout.isatty()}


async def _credential(ctx: Context, keyring: KeyringAccess) -> Credential | None:
    """The password a command would use, or a valid cached token on its own, or None."""
    target = ctx.target
    if target.demo:
        return Credential(Secret("vbstui-demo"), "demo (built-in simulator)")
    lookup = await find_credential(target.profile, keyring)
    if lookup.credential is not None:
        return lookup.credential
    usable, _ = await asyncio.to_thread(cached_token_usable, target.profile)
    return Credential.cached_token() if usable else None


def _token_cache(profile: Profile, errors: list[str]) -> dict[str, Any]:
    cache = TokenCache.for_profile(profile)
    cached = cache.load()
    if cache.broken and cache.problem:
        errors.append(cache.problem)
    return {
        **_file_state(cache.path),
        "valid_until": cached.expires_at.isoformat() if cached else None,
        "problem": cache.problem,
    }


async def _check_cloud(target: Target, credential: Credential, errors: list[str]
                       ) -> dict[str, Any]:
    try:
        session = open_session(target, credential)
    except ConfigError as exc:
        errors.append(str(exc))
        return {"error": str(exc)}
    try:
        token = await session.authenticate()
        endpoints = await session.endpoints()
        return {
            "token": f"ok, from {session.tokens.source}, expires {token.expires_at.isoformat()}",
            "project_id": token.project_id, "vbs_endpoint": endpoints.vbs,
            "evs_endpoint": endpoints.evs,
        }
    except CloudError as exc:
        problem = exc.describe()
    except (ConfigError, CredentialError) as exc:
        problem = str(exc)
    finally:
        await session.aclose()
    errors.append(problem)
    return {"error": problem}


async def cmd_doctor(ctx: Context) -> int:
    """The report; exit 3 when it lists an error (a refused login, no endpoint, a cache
    file that cannot be used), so a script can tell a healthy setup from a broken one."""
    args = ctx.args
    target = ctx.target
    profile = target.profile
    errors: list[str] = []
    report: dict[str, Any] = {"version": __version__}
    config_path = target.config.path or paths.config_file()
    report["config"] = {**_file_state(config_path), "in_use": target.config.path is not None}
    report["profile"] = {
        "name": profile.name, "origin": profile.origin, "auth_url": profile.auth_url,
        "region": profile.region, "username": profile.username,
        "user_domain": profile.user_domain_name or profile.user_domain_id,
        "project": profile.project, "insecure": profile.insecure,
        "endpoint_overrides": {"vbs": profile.vbs_endpoint, "evs": profile.evs_endpoint},
    }
    keyring = KeyringAccess()
    try:
        report["keyring"] = {"available": True, "backend": await keyring.describe()}
    except KeyringUnavailable as exc:
        report["keyring"] = {"available": False, "reason": str(exc)}
    credential = await _credential(ctx, keyring)
    report["credential_source"] = credential.source if credential else (
        "none found (the TUI would ask; headless commands ask on a terminal)")
    report["token_cache"] = _token_cache(profile, errors)
    report["tls"] = {
        "ca_bundle": target.ca_bundle or "system trust store",
        "verification": "OFF (insecure = true)" if profile.insecure else "on",
    }
    proxies = {name: _redact_url(os.environ[name]) for name in
               ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                "all_proxy", "NO_PROXY", "no_proxy") if os.environ.get(name)}
    report["proxy"] = proxies or "none"
    report["paths"] = {"state": str(paths.state_dir()), "cache": str(paths.cache_dir()),
                       "log": str(paths.log_dir())}
    report["terminal"] = _terminal()
    if args.offline:
        report["cloud"] = "not checked (--offline)"
    elif credential is None:
        report["cloud"] = "not checked (no credential)"
    else:
        report["cloud"] = await _check_cloud(target, credential, errors)
    report["errors"] = errors
    if args.json:
        out(report)
    else:
        _print_report(report)
    return ExitCode.CONFIG if errors else ExitCode.OK


def _print_report(report: dict[str, Any], indent: str = "") -> None:
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_report(value, indent + "  ")
        elif isinstance(value, list):
            print(f"{indent}{key}:{'' if value else ' none'}")
            for item in value:
                print(f"{indent}  - {visible(item)}")
        else:
            print(f"{indent}{key}: {visible(value)}")
