"""`login`, `logout` and `doctor`: credentials and a health check of the set-up."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vbstui import __version__, cli
from vbstui.local import paths
from vbstui.cloud.errors import CloudError
from vbstui.cloud.secret import Secret
from vbstui.commands import Context, out, stderr
from vbstui.ops.target import open_session
from vbstui.local.credentials import Credential, KeyringAccess, KeyringUnavailable, find_credential
from vbstui.textsafe import visible
from vbstui.local.tokencache import TokenCache


async def _read_password(prompt: str) -> Secret | None:
    if sys.stdin.isatty():
        import getpass  # noqa: PLC0415

        typed = await asyncio.to_thread(getpass.getpass, prompt)
    else:
        # A pipe (e.g. from a secrets manager): the first line, never a command-line argument.
        typed = (await asyncio.to_thread(sys.stdin.readline)).rstrip("\r\n")
    return Secret(typed) if typed else None


async def cmd_login(ctx: Context) -> int:
    target = ctx.target
    if target.demo:
        stderr("demo mode needs no login (user demo, password vbstui-demo)")
        return cli.EXIT_OK
    profile = target.profile
    password = await _read_password(
        f"Password for {profile.username} (profile {profile.name}, {profile.auth_url}): "
    )
    if password is None:
        stderr("no password given; nothing stored")
        return cli.EXIT_USAGE
    # Never the cached token: the point is to check this password with IAM.
    session = open_session(target, Credential(password, "typed in"), use_token_cache=False)
    try:
        token = await session.authenticate()
    finally:
        await session.aclose()
    stderr(f"password verified: token for project {token.project_name or token.project_id}")
    if ctx.args.no_store:
        return cli.EXIT_OK
    keyring = KeyringAccess()
    try:
        await keyring.set(profile.name, password)
        where = await keyring.describe()
    except KeyringUnavailable as exc:
        stderr(
            f"not stored: {exc}. Alternatives on this host: export VBSTUI_PASSWORD (e.g. from "
            "a secrets manager) for scripts, or just start `vbstui`, which asks once and keeps "
            "the password in memory for the session."
        )
        return cli.EXIT_CONFIG
    stderr(f"stored in the OS keyring ({where}) for profile '{profile.name}'")
    return cli.EXIT_OK


async def cmd_logout(ctx: Context) -> int:
    target = ctx.target
    if target.demo:
        stderr("demo mode has nothing to log out from")
        return cli.EXIT_OK
    TokenCache.for_profile(target.profile).clear()
    stderr("cached token removed")
    try:
        removed = await KeyringAccess().delete(target.profile.name)
    except KeyringUnavailable as exc:
        stderr(f"keyring not touched: {exc}")
        return cli.EXIT_OK
    stderr("password removed from the keyring" if removed else "no password was stored")
    return cli.EXIT_OK


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


async def cmd_doctor(ctx: Context) -> int:
    args = ctx.args
    target = ctx.target
    profile = target.profile
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
    if target.demo:
        credential_source = "demo (built-in simulator)"
        credential = Credential(Secret("vbstui-demo"), credential_source)
    else:
        lookup = await find_credential(profile, keyring)
        credential = lookup.credential
        credential_source = credential.source if credential else (
            "none found (the TUI would ask; headless commands ask on a terminal)")
    report["credential_source"] = credential_source
    cache = TokenCache.for_profile(profile)
    cached = cache.load()
    report["token_cache"] = {
        **_file_state(cache.path),
        "valid_until": cached.expires_at.isoformat() if cached else None,
        "problem": cache.problem,
    }
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
    status = cli.EXIT_OK
    if not args.offline and credential is not None:
        session = open_session(target, credential)
        try:
            token = await session.authenticate()
            endpoints = await session.endpoints()
            report["cloud"] = {
                "token": f"ok, from {session.tokens.source}, "
                f"expires {token.expires_at.isoformat()}",
                "project_id": token.project_id, "vbs_endpoint": endpoints.vbs,
                "evs_endpoint": endpoints.evs,
            }
        except CloudError as exc:
            report["cloud"] = {"error": exc.describe()}
            status = cli.EXIT_CONFIG
        finally:
            await session.aclose()
    elif args.offline:
        report["cloud"] = "not checked (--offline)"
    else:
        report["cloud"] = "not checked (no credential)"
    if args.json:
        out(report)
    else:
        _print_report(report)
    return status


def _print_report(report: dict[str, Any], indent: str = "") -> None:
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_report(value, indent + "  ")
        else:
            print(f"{indent}{key}: {visible(value)}")
