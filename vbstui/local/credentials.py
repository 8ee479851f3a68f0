"""Where the password comes from: environment, private file, OS keyring, or typed in.

Keyrings on jump hosts misbehave: no D-Bus (`NoKeyringError`), D-Bus without a
prompter (`InitError`), locked collections, calls that hang, and third-party
backends that store plaintext (`keyrings.alt`) or call `getpass()` on the
terminal (`keyrings.cryptfile`).  So only real OS backends are used, every call
runs in a daemon thread with a timeout (a hung call can neither freeze the UI
nor block exit), and every failure becomes one line of explanation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from vbstui.cloud.secret import Secret
from vbstui.local.config import Profile

SERVICE = "vbstui"
KEYRING_TIMEOUT = 4.0
T = TypeVar("T")

# Real OS secret stores.  Everything else (plaintext files, encrypted files that
# prompt on the terminal, the chainer that would include them) is refused.
ALLOWED_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})


class KeyringUnavailable(Exception):
    """The keyring cannot be used here; the message says why in one line."""


CACHED_TOKEN_ONLY = "cached token (no password at hand)"  # noqa: S105 - a label


@dataclass(frozen=True)
class Credential:
    """A password found for a profile, and where it came from."""

    password: Secret
    source: str  # shown in the status line and by `doctor`
    # No password was found, but a valid cached token was: it is used as it is, and a
    # new token (expiry, revocation) needs a password again.
    token_only: bool = False

    @classmethod
    def cached_token(cls) -> Credential:
        return cls(Secret(""), CACHED_TOKEN_ONLY, token_only=True)


def _qualified(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


async def run_with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """Run a blocking call in a daemon thread; give up after `timeout` seconds.

    Not `asyncio.to_thread`: its executor threads are joined at exit, so one hung
    keyring call would stop the program from ever exiting."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(setter: Callable[[Any], None], value: Any) -> None:
        if not future.done():
            setter(value)

    def work() -> None:
        try:
            result = fn()
        except BaseException as exc:  # delivered to the awaiting side
            setter, value = future.set_exception, exc
        else:
            setter, value = future.set_result, result
        # A call that answers after we gave up may find the loop gone (the app quit):
        # nobody is waiting any more, and a traceback on the terminal would help no one.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(deliver, setter, value)

    threading.Thread(target=work, name="vbstui-keyring", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except asyncio.TimeoutError:
        raise TimeoutError(f"no answer within {timeout:g} s") from None


def _explain_keyring_error(exc: BaseException) -> str:
    name = type(exc).__name__
    if isinstance(exc, TimeoutError):
        return f"the keyring did not answer in time ({exc}); it may be waiting for an unlock prompt"
    if name == "NoKeyringError":
        return "no OS keyring is available on this host (no Secret Service / D-Bus session)"
    if name == "KeyringLocked":
        return "the keyring is locked; unlock it (e.g. log in to the desktop) and try again"
    if name == "InitError":
        return "the keyring could not be opened (D-Bus is there but nothing can unlock it)"
    text = str(exc).splitlines()[0] if str(exc) else name
    return f"the keyring failed: {text[:160]}"


class KeyringAccess:
    """The OS keyring, or an injected backend (tests), always used with a timeout."""

    def __init__(self, backend: Any = None, *, timeout: float = KEYRING_TIMEOUT) -> None:
        self._backend = backend
        self._detected = backend is not None
        self.timeout = timeout
        self.unavailable_reason: str | None = None

    def _detect(self) -> Any:
        if self._detected:
            return self._backend
        import keyring.backend  # noqa: PLC0415 - keyring costs start-up time; load on demand
        from keyring.backends import fail  # noqa: PLC0415

        if os.environ.get("VBSTUI_NO_KEYRING"):
            raise KeyringUnavailable("the keyring is turned off (VBSTUI_NO_KEYRING is set)")
        candidates = [
            b for b in keyring.backend.get_all_keyring() if _qualified(b) in ALLOWED_BACKENDS
        ]
        chosen = max(candidates, key=lambda b: b.priority, default=None)
        self._detected = True
        if chosen is None or isinstance(chosen, fail.Keyring):
            self._backend = None
        else:
            self._backend = chosen
        return self._backend

    async def backend(self) -> Any:
        """The backend in use; raises `KeyringUnavailable` with the reason."""
        try:
            backend = await run_with_timeout(self._detect, self.timeout)
        except KeyringUnavailable as exc:
            self.unavailable_reason = str(exc)
            raise
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            self.unavailable_reason = _explain_keyring_error(exc)
            raise KeyringUnavailable(self.unavailable_reason) from None
        if backend is None:
            self.unavailable_reason = (
                "no OS keyring is available on this host (no Secret Service / D-Bus session)"
            )
            raise KeyringUnavailable(self.unavailable_reason)
        return backend

    async def describe(self) -> str:
        backend = await self.backend()
        return getattr(backend, "name", None) or _qualified(backend)

    async def _call(self, method: str, *args: str) -> Any:
        backend = await self.backend()
        try:
            return await run_with_timeout(lambda: getattr(backend, method)(*args), self.timeout)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            self.unavailable_reason = _explain_keyring_error(exc)
            raise KeyringUnavailable(self.unavailable_reason) from None

    async def get(self, profile: str) -> Secret | None:
        value = await self._call("get_password", SERVICE, profile)
        return Secret(value) if isinstance(value, str) and value else None

    async def set(self, profile: str, password: Secret) -> None:
        await self._call("set_password", SERVICE, profile, password.reveal())

    async def delete(self, profile: str) -> bool:
        try:
            await self._call("delete_password", SERVICE, profile)
        except KeyringUnavailable as exc:
            if "not found" in str(exc).lower() or "PasswordDeleteError" in str(exc):
                return False
            raise
        return True


def from_environment(profile: Profile) -> Credential | None:
    value = os.environ.get("VBSTUI_PASSWORD")
    if value:
        return Credential(Secret(value), "environment (VBSTUI_PASSWORD)")
    if profile.env_password_allowed:
        value = os.environ.get("OS_PASSWORD")
        if value:
            return Credential(Secret(value), "environment (OS_PASSWORD)")
    return None


def from_profile(profile: Profile) -> Credential | None:
    if profile.password:
        return Credential(profile.password, profile.password_origin or "configuration file")
    return None


async def from_keyring(profile: Profile, keyring: KeyringAccess) -> Credential | None:
    """The stored password, or None; raises `KeyringUnavailable` when the keyring fails."""
    secret = await keyring.get(profile.name)
    if secret is None:
        return None
    return Credential(secret, f"OS keyring ({await keyring.describe()})")


@dataclass
class Lookup:
    """The outcome of looking for a password without asking the user."""

    credential: Credential | None
    keyring_problem: str | None = None  # why the keyring could not be asked, if it could not


def without_keyring(profile: Profile) -> Credential | None:
    """The password from the environment, then a private file: what comes before the
    keyring is asked."""
    return from_environment(profile) or from_profile(profile)


async def find_credential(profile: Profile, keyring: KeyringAccess) -> Lookup:
    """Environment, then a private file, then the keyring; never prompts."""
    found = without_keyring(profile)
    if found is not None:
        return Lookup(found)
    try:
        return Lookup(await from_keyring(profile, keyring))
    except KeyringUnavailable as exc:
        return Lookup(None, keyring_problem=str(exc))


def no_credential_help(profile: Profile, keyring_problem: str | None) -> str:
    lines = [f"no password for profile '{profile.name}'."]
    if keyring_problem:
        lines.append(f"Keyring: {keyring_problem}.")
    lines.append(
        "Provide it with one of: VBSTUI_PASSWORD in the environment (e.g. read from a "
        f"secrets manager); `vbstui login --profile {profile.name}` to store it in the OS "
        "keyring; or run the TUI, which asks once and keeps it in memory for the session."
    )
    return " ".join(lines)
