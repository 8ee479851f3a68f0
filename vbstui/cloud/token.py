"""An IAM token: what it was issued for, when to refresh it, how it is cached.

Apart from the login (`auth.py`, which needs httpx) so that the token cache can be read
without importing the HTTP stack (the TUI draws its first frame before it needs it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from vbstui.cloud.models import as_str, as_time
from vbstui.cloud.secret import Secret

MAX_MARGIN = timedelta(minutes=5)
# Expiry times outside this window are nonsense (a year-1 `expires_at` made the refresh
# margin arithmetic overflow); within it every sum and difference we take is representable.
EARLIEST_EXPIRY = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_EXPIRY = datetime(9000, 1, 1, tzinfo=timezone.utc)


def sane_time(value: datetime | None) -> datetime | None:
    """`value` in UTC when it lies in the window above, else None."""
    if value is None:
        return None
    try:
        utc = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return utc if EARLIEST_EXPIRY <= utc < LATEST_EXPIRY else None


def issued_time(issued: datetime | None, expires: datetime) -> datetime | None:
    """An issue time only when it is sane and not after the expiry (else the margin lies)."""
    value = sane_time(issued)
    return value if value is not None and value <= expires else None


@dataclass(frozen=True)
class Token:
    """An IAM token and what it was issued for (its value is secret)."""

    value: Secret
    expires_at: datetime
    issued_at: datetime | None
    project_id: str
    project_name: str
    user_name: str
    catalog: list[Any] = field(repr=False, default_factory=list)

    def margin(self) -> timedelta:
        """Refresh this long before expiry: 5 minutes, or a tenth of a short token's life."""
        if self.issued_at is None:
            return MAX_MARGIN
        return min(MAX_MARGIN, (self.expires_at - self.issued_at) / 10)

    def usable(self, now: datetime) -> bool:
        return now < self.expires_at - self.margin()

    def to_cache(self) -> dict[str, Any]:
        return {
            "value": self.value.reveal(),
            "expires_at": self.expires_at.isoformat(),
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "user_name": self.user_name,
            "catalog": self.catalog,
        }

    @classmethod
    def from_cache(cls, data: Any) -> Token | None:
        if not isinstance(data, dict) or not isinstance(data.get("value"), str):
            return None
        # An absurd expiry makes the cached token absent, not every later run crash.
        expires = sane_time(as_time(data.get("expires_at")))
        if expires is None or not data.get("project_id"):
            return None
        return cls(
            value=Secret(data["value"]),
            expires_at=expires,
            issued_at=issued_time(as_time(data.get("issued_at")), expires),
            project_id=as_str(data.get("project_id")),
            project_name=as_str(data.get("project_name")),
            user_name=as_str(data.get("user_name")),
            catalog=data.get("catalog") if isinstance(data.get("catalog"), list) else [],
        )


class TokenStore(Protocol):
    """Somewhere a still-valid token can be kept between runs (see vbstui.local.tokencache)."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def clear(self) -> None: ...


PasswordSource = Callable[[], Awaitable[Secret]]
