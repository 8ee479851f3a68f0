"""`vbstui login` and `vbstui logout`: a verified password into the keyring, and out."""

from __future__ import annotations

from vbstui.cli.context import Context
from vbstui.cli.output import stderr
from vbstui.cli.prompts import read_password
from vbstui.errors import ExitCode
from vbstui.local.credentials import Credential, KeyringAccess, KeyringUnavailable
from vbstui.local.tokencache import TokenCache
from vbstui.ops.target import open_session


async def cmd_login(ctx: Context) -> int:
    target = ctx.target
    if target.demo:
        stderr("demo mode needs no login (user demo, password vbstui-demo)")
        return ExitCode.OK
    profile = target.profile
    password = await read_password(
        f"Password for {profile.username} (profile {profile.name}, {profile.auth_url}): "
    )
    if password is None:
        stderr("no password given; nothing stored")
        return ExitCode.USAGE
    # Never the cached token: the point is to check this password with IAM.
    session = open_session(target, Credential(password, "typed in"), use_token_cache=False)
    try:
        token = await session.authenticate()
    finally:
        await session.aclose()
    stderr(f"password verified: token for project {token.project_name or token.project_id}")
    if ctx.args.no_store:
        return ExitCode.OK
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
        return ExitCode.CONFIG
    stderr(f"stored in the OS keyring ({where}) for profile '{profile.name}'")
    return ExitCode.OK


async def cmd_logout(ctx: Context) -> int:
    target = ctx.target
    if target.demo:
        stderr("demo mode has nothing to log out from")
        return ExitCode.OK
    TokenCache.for_profile(target.profile).clear()
    stderr("cached token removed")
    try:
        removed = await KeyringAccess().delete(target.profile.name)
    except KeyringUnavailable as exc:
        stderr(f"keyring not touched: {exc}")
        return ExitCode.OK
    stderr("password removed from the keyring" if removed else "no password was stored")
    return ExitCode.OK


