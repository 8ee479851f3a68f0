"""Identifiers that look like the real ones and are reproducible from a seed."""

from __future__ import annotations

import hashlib
import random
import re

UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.IGNORECASE
)

_VERSION_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def format_uuid(number: int) -> str:
    """Render a 128-bit number as a version-4 style UUID string."""
    h = f"{(number & _VERSION_MASK) | _VERSION_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def derived_uuid(*parts: str) -> str:
    """A stable UUID computed from other values (used for fields we do not store)."""
    digest = hashlib.md5("/".join(parts).encode(), usedforsecurity=False).digest()
    return format_uuid(int.from_bytes(digest, "big"))


def derived_hex(*parts: str) -> str:
    """A stable 32-hex id computed from other values."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and UUID_RE.match(value) is not None


class IdFactory:
    """Draws ids from a seeded generator so a seed reproduces the same world."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def uuid(self) -> str:
        return format_uuid(self._rng.getrandbits(128))

    def hex32(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"
