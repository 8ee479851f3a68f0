"""A value that must never be printed: passwords and tokens.

Textual's crash screen and rich tracebacks print local variables; logging
prints arguments.  Holding secrets in this type keeps them masked everywhere a
`repr` or `str` is taken, and refuses pickling so they cannot be serialised by
accident.
"""

from __future__ import annotations

import threading

MASK = "********"
_MIN_REGISTERED = 4  # shorter values would redact ordinary words in logs

# Every secret value this process has seen, so log redaction can scrub it from any
# text, whatever library formatted it.
_known: set[str] = set()
_known_lock = threading.Lock()


def known_values() -> list[str]:
    """Registered secret values, longest first (so overlapping values redact fully)."""
    with _known_lock:
        return sorted(_known, key=len, reverse=True)


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret holds text only")
        self._value = value
        if len(value) >= _MIN_REGISTERED:
            with _known_lock:
                _known.add(value)

    def reveal(self) -> str:
        """The real value: call it only where the value leaves for the server."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})" if self._value else "Secret('')"

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __format__(self, spec: str) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac  # noqa: PLC0415 - OpenSSL's hash module, not needed for a first frame

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __reduce__(self) -> object:
        raise TypeError("secrets cannot be pickled")
