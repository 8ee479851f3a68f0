"""Credential sources and the keyring: every failure is one line, nothing blocks or leaks."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from keyring import errors as keyring_errors

from vbstui.cloud.secret import Secret
from vbstui.local.config import Profile
from vbstui.local.credentials import (
    KeyringAccess,
    KeyringUnavailable,
    find_credential,
    no_credential_help,
)

PROFILE = Profile(name="prod", auth_url="https://iam.example.test/v3", username="ops",
                  user_domain_name="d", project_name="p")


class Memory:
    name = "memory"

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.data.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.data[(service, user)] = password

    def delete_password(self, service: str, user: str) -> None:
        if (service, user) not in self.data:
            raise keyring_errors.PasswordDeleteError("Password not found")
        del self.data[(service, user)]


class Failing(Memory):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, user: str) -> str | None:
        raise self.error

    set_password = get_password  # type: ignore[assignment]


class Hanging(Memory):
    def get_password(self, service: str, user: str) -> str | None:
        time.sleep(30)  # a keyring waiting for an unlock prompt nobody will answer
        return None


@pytest.fixture(autouse=True)
def _no_password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VBSTUI_PASSWORD", "OS_PASSWORD", "VBSTUI_NO_KEYRING"):
        monkeypatch.delenv(name, raising=False)


async def test_memory_keyring_round_trip() -> None:
    backend = Memory()
    access = KeyringAccess(backend)
    assert await access.get("prod") is None
    await access.set("prod", Secret("pw-123456"))
    assert backend.data[("vbstui", "prod")] == "pw-123456"
    found = await find_credential(PROFILE, access)
    assert found.credential is not None
    assert found.credential.password == Secret("pw-123456")
    assert found.credential.source == "OS keyring (memory)"
    assert await access.delete("prod") is True
    assert await access.delete("prod") is False


async def test_order_environment_then_file_then_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = Memory()
    backend.data[("vbstui", "prod")] = "from-keyring"
    access = KeyringAccess(backend)
    with_file = Profile(**{**PROFILE.__dict__, "password": Secret("from-file"),
                           "password_origin": "config file"})
    assert (await find_credential(with_file, access)).credential.source == "config file"
    monkeypatch.setenv("VBSTUI_PASSWORD", "from-env")
    found = (await find_credential(with_file, access)).credential
    assert found.source == "environment (VBSTUI_PASSWORD)"
    assert found.password == Secret("from-env")


async def test_os_password_counts_only_for_openstack_profiles(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_PASSWORD", "os-pass")
    access = KeyringAccess(Memory())
    assert (await find_credential(PROFILE, access)).credential is None
    openstack = Profile(**{**PROFILE.__dict__, "env_password_allowed": True})
    found = (await find_credential(openstack, access)).credential
    assert found is not None and found.source == "environment (OS_PASSWORD)"


@pytest.mark.parametrize(("error", "expected"), [
    (keyring_errors.NoKeyringError("No recommended backend"), "no OS keyring is available"),
    (keyring_errors.KeyringLocked("locked"), "the keyring is locked"),
    (keyring_errors.InitError("Failed to create the collection: Prompt dismissed.."),
     "nothing can unlock it"),
    (RuntimeError("dbus exploded\nsecond line"), "the keyring failed: dbus exploded"),
])
async def test_failures_become_one_line(error: Exception, expected: str) -> None:
    access = KeyringAccess(Failing(error))
    lookup = await find_credential(PROFILE, access)
    assert lookup.credential is None
    assert lookup.keyring_problem is not None and expected in lookup.keyring_problem
    assert "\n" not in lookup.keyring_problem
    help_text = no_credential_help(PROFILE, lookup.keyring_problem)
    assert "VBSTUI_PASSWORD" in help_text and "vbstui login" in help_text
    with pytest.raises(KeyringUnavailable):
        await access.set("prod", Secret("x-123456"))


async def test_a_hanging_keyring_times_out_without_blocking_the_loop() -> None:
    access = KeyringAccess(Hanging(), timeout=0.4)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    lookup = await find_credential(PROFILE, access)
    elapsed = time.monotonic() - started
    task.cancel()
    assert lookup.credential is None
    assert "did not answer in time" in (lookup.keyring_problem or "")
    assert 0.35 < elapsed < 1.5
    assert ticks >= 10  # the event loop kept running while the keyring hung


async def test_only_real_os_backends_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """keyrings.alt stores base64 plaintext, keyrings.cryptfile prompts on the terminal,
    and the chainer would wrap them: none may be picked, whatever their priority."""

    def fake(module: str, qualname: str, priority: float) -> Any:
        cls = type(qualname, (Memory,), {"priority": priority})
        cls.__module__ = module
        return cls()

    candidates = [
        fake("keyrings.alt.file", "PlaintextKeyring", 5),
        fake("keyrings.cryptfile.cryptfile", "CryptFileKeyring", 6),
        fake("keyring.backends.chainer", "ChainerBackend", 10),
    ]
    monkeypatch.setattr("keyring.backend.get_all_keyring", lambda: candidates)
    with pytest.raises(KeyringUnavailable, match="no OS keyring"):
        await KeyringAccess().backend()
    secret_service = fake("keyring.backends.SecretService", "Keyring", 4.8)
    candidates.append(secret_service)
    assert await KeyringAccess().backend() is secret_service


async def test_on_this_host_without_dbus_the_real_keyring_answers_fast() -> None:
    started = time.monotonic()
    access = KeyringAccess()
    try:
        await access.describe()
    except KeyringUnavailable as exc:
        assert str(exc)
    assert time.monotonic() - started < 5


def test_secret_is_masked_everywhere() -> None:
    secret = Secret("correct horse battery staple")
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "{}".format(secret)):  # noqa: UP032
        assert "horse" not in text
    assert secret.reveal() == "correct horse battery staple"
    assert bool(Secret("")) is False
