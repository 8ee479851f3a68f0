"""From command-line choices to a profile, a credential and a `CloudSession`.

Shared by the headless commands and the TUI so both pick profiles, passwords,
CA bundles and the demo simulator the same way.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vbstui.cloud.secret import Secret
from vbstui.errors import CredentialError
from vbstui.local.config import DEMO_PROFILE, Config, Profile, load_config
from vbstui.local.credentials import Credential, KeyringAccess, find_credential, no_credential_help
from vbstui.local.tokencache import TokenCache
from vbstui.ops.choices import Choices
from vbstui.ops.demo_world import open_demo_world

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession
    from vbstui.cloud.retry import RetryHook

DEMO_AUTH_URL = "http://demo.localhost/v3"
DEMO_PASSWORD = "vbstui-demo"  # noqa: S105 - the simulator's public demo account


@dataclass
class Target:
    """A chosen profile, ready to be connected (password still to be found)."""

    profile: Profile
    config: Config
    demo: bool = False
    sim_app: Any = None
    warnings: list[str] = field(default_factory=list)
    # Where the demo keeps its journal between runs; None: in memory, like a bare simulator.
    demo_journal: Path | None = None

    @property
    def ca_bundle(self) -> str | None:
        """Profile first, then the environment variables people already set for OpenStack."""
        if self.profile.cacert:
            return self.profile.cacert
        for name in ("OS_CACERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
            value = os.environ.get(name)
            if value:
                return value
        return None


def demo_profile() -> Profile:
    return Profile(
        name=DEMO_PROFILE,
        auth_url=DEMO_AUTH_URL,
        username="demo",
        region="eu-de",
        user_domain_name="OTC-EU-DE-DEMO",
        project_name="eu-de_demo",
        origin="built-in demo simulator",
    )


def _demo_target(reset: bool) -> Target:
    """The demo project as the last demo run left it (see `vbstui.ops.demo_world`)."""
    volumes = int(os.environ.get("VBSTUI_DEMO_VOLUMES", "120"))
    job_seconds = float(os.environ.get("VBSTUI_DEMO_JOB_SECONDS", "6"))
    world = open_demo_world(volumes, job_seconds, reset=reset)
    return Target(profile=demo_profile(), config=Config(path=None, profiles={}), demo=True,
                  sim_app=world.app, warnings=world.notices, demo_journal=world.journal_path)


def choose_target(choices: Choices) -> Target:
    """Pick the profile; raises `ConfigError` with a message the user can act on."""
    if choices.wants_demo:
        return _demo_target(choices.demo_reset)
    explicit = choices.config_path is not None
    config = load_config(Path(choices.config_path).expanduser() if explicit else None,
                         explicit=explicit)
    if choices.os_cloud or (os.environ.get("OS_CLOUD") and not choices.profile
                            and not choices.use_env):
        from vbstui.local.openstack import profile_from_clouds_yaml  # noqa: PLC0415

        name = choices.os_cloud or os.environ["OS_CLOUD"]
        return Target(profile=profile_from_clouds_yaml(name, include_cwd=choices.clouds_from_cwd),
                      config=config)
    if choices.use_env:
        from vbstui.local.openstack import profile_from_environment  # noqa: PLC0415

        return Target(profile=profile_from_environment(), config=config)
    return Target(profile=config.choose(choices.profile), config=config)


PasswordPrompt = Callable[[Profile, str | None], Awaitable[Secret | None]]


def cached_token_usable(profile: Profile) -> tuple[bool, str | None]:
    """Whether a valid token for `profile` is cached (looked at without a password), and
    why not when the cache was there but could not be used."""
    cache = TokenCache.for_profile(profile)
    token = cache.load()
    return token is not None and token.usable(datetime.now(timezone.utc)), cache.problem


async def find_password(target: Target, keyring: KeyringAccess,
                        prompt: PasswordPrompt | None = None) -> Credential:
    """Environment, private file, keyring, then (if given) a prompt, then a valid cached
    token on its own; else a clear error.  A password found this way is checked against
    the cached token by `open_session` (see `vbstui.local.tokencache`)."""
    if target.demo:
        return Credential(Secret(DEMO_PASSWORD), "demo (built-in simulator)")
    lookup = await find_credential(target.profile, keyring)
    if lookup.credential is not None:
        return lookup.credential
    if prompt is not None:
        typed = await prompt(target.profile, lookup.keyring_problem)
        if typed:
            return Credential(typed, "typed in (kept in memory for this session)")
    usable, problem = await asyncio.to_thread(cached_token_usable, target.profile)
    if usable:
        return Credential.cached_token()
    help_text = no_credential_help(target.profile, lookup.keyring_problem)
    raise CredentialError(f"{help_text} (Token cache: {problem})" if problem else help_text)


def _password_source(target: Target, credential: Credential) -> Callable[[], Awaitable[Secret]]:
    async def password() -> Secret:
        if credential.token_only:
            # The cached token expired or was revoked during this run.
            raise CredentialError("the cached token is no longer accepted and there is no "
                                  "password to get a new one: "
                                  + no_credential_help(target.profile, None))
        return credential.password

    return password


def open_session(target: Target, credential: Credential, *,
                 on_retry: RetryHook | None = None, use_token_cache: bool = True,
                 max_connections: int = 20, cached_token_only: bool = False,
                 token_cache: TokenCache | None = None) -> CloudSession:
    """The one `CloudSession` for this run; `ConfigError` when the token cache directory
    is not safe to use (before anything is sent).  `cached_token_only`: the session
    uses the cached token (checked against the credential's password as always) and
    nothing else: no login at IAM (where it would need one it fails with
    `CredentialError`), and the cache file is left as it is; `token_cache`: that
    (read-only) cache, made by the caller, which may have looked at it already."""
    from vbstui.cloud.client import CloudSession  # noqa: PLC0415 - httpx: not before it is needed

    transport = None
    store = None
    if target.demo:
        import httpx  # noqa: PLC0415 - loaded with the session's client anyway

        transport = httpx.ASGITransport(app=target.sim_app)
    elif use_token_cache or cached_token_only:
        given = None if credential.token_only else credential.password
        store = token_cache or TokenCache.for_profile(target.profile, given,
                                                      read_only=cached_token_only)
        if not cached_token_only:
            store.prepare()

    return CloudSession(
        target.profile.connection(ca_bundle=target.ca_bundle),
        _no_login if cached_token_only else _password_source(target, credential),
        token_store=store,
        transport=transport,
        on_retry=on_retry,
        max_connections=max_connections,
    )


async def _no_login() -> Secret:
    raise CredentialError("no usable cached token, and this session does not log in")
