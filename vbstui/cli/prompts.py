"""Questions on the terminal; without one, every question has a safe answer."""

from __future__ import annotations

import asyncio
import getpass
import sys

from vbstui.cli.output import stderr
from vbstui.cloud.secret import Secret
from vbstui.local.config import Profile


async def terminal_password(profile: Profile, keyring_problem: str | None) -> Secret | None:
    """getpass on a terminal, for headless commands; None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    if keyring_problem:
        stderr(f"(keyring: {keyring_problem})")
    typed = await asyncio.to_thread(
        getpass.getpass, f"Password for {profile.username} (profile {profile.name}): "
    )
    return Secret(typed) if typed else None


async def read_password(prompt: str) -> Secret | None:
    """Hidden on a terminal; from a pipe (a secrets manager) the first line, never argv."""
    if sys.stdin.isatty():
        typed = await asyncio.to_thread(getpass.getpass, prompt)
    else:
        typed = (await asyncio.to_thread(sys.stdin.readline)).rstrip("\r\n")
    return Secret(typed) if typed else None


def ask(question: str, options: str) -> str:
    """A one-letter answer on the terminal; "" at end of input."""
    while True:
        stderr(question)
        try:
            answer = input(f"[{options}] > ").strip().lower()[:1]
        except EOFError:
            return ""
        if answer and answer in options:
            return answer


def confirm(question: str, expected: str) -> bool:
    """The user types `expected` to confirm; without a terminal the answer is no."""
    if not sys.stdin.isatty():
        return False
    stderr(question)
    try:
        answer = input(f"Type {expected!r} to confirm: ").strip()
    except EOFError:
        return False
    return answer == expected
