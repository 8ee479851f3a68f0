"""The read-only guard: in read-only mode nothing that changes the cloud is sent."""

from __future__ import annotations

from dataclasses import dataclass

from vbstui.errors import ReadOnlyRefusal


@dataclass(frozen=True)
class Guard:
    """What the user allows this run to change (--readonly refuses all changes)."""

    readonly: bool = False

    def refusal(self, action: str) -> str | None:
        """Why `action` is refused, or None when it may go ahead."""
        if self.readonly:
            return f"read-only mode (--readonly): refusing to {action}"
        return None

    def check(self, action: str) -> None:
        """Raise `ReadOnlyRefusal` for a change in read-only mode."""
        reason = self.refusal(action)
        if reason:
            raise ReadOnlyRefusal(reason)
