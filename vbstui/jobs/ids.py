"""Random local ids shaped like `uuid.uuid4().hex` (32 hex digits, version 4 and
the RFC 4122 variant set), drawn from the OS's random source without loading
`uuid`, which imports `platform` and costs start-up time for every command."""

from __future__ import annotations

import os

_VERSION_MASK = ~(0xF000 << 64) & ~(0xC000 << 48)
_VERSION_BITS = (0x4000 << 64) | (0x8000 << 48)


def random_hex_id() -> str:
    """A fresh random id: 32 lowercase hex digits, as `uuid.uuid4().hex` gives."""
    number = int.from_bytes(os.urandom(16), "big")
    return f"{(number & _VERSION_MASK) | _VERSION_BITS:032x}"
