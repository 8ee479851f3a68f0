"""Issued IAM tokens and their validity (lifetime, plus optional early revocation)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

_PRUNE_AT = 2048


@dataclass(frozen=True, slots=True)
class Token:
    """A token the simulator issued, and for which project."""

    value: str
    project_id: str | None
    issued_at: float
    expires_at: float


class TokenCheck(Enum):
    OK = "ok"
    MISSING = "x-auth-token not found"
    UNKNOWN = "decrypt token fail"
    EXPIRED = "token expired"
    REVOKED = "the token has been revoked"


class TokenStore:
    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}

    def issue(self, project_id: str | None, now: float, lifetime: float) -> Token:
        if len(self._tokens) >= _PRUNE_AT:
            self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
        # Opaque and long like real PKI tokens, so clients do not assume a short header.
        value = "MIIZ" + secrets.token_urlsafe(480)
        token = Token(value, project_id, now, now + lifetime)
        self._tokens[value] = token
        return token

    def check(self, value: str | None, now: float,
              revoke_after: float | None) -> tuple[TokenCheck, Token | None]:
        if not value:
            return TokenCheck.MISSING, None
        token = self._tokens.get(value)
        if token is None:
            return TokenCheck.UNKNOWN, None
        if now >= token.expires_at:
            return TokenCheck.EXPIRED, token
        if revoke_after is not None and now >= token.issued_at + revoke_after:
            return TokenCheck.REVOKED, token
        return TokenCheck.OK, token
