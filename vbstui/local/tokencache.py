"""Reuse a still-valid token across runs, so each launch on a jump host does not
re-authenticate.  The file is private (0600, in a 0700 directory, preferably the
per-user runtime dir), keyed by who and where, and ignored when it is expired,
within the refresh margin, or readable by others."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from vbstui.cloud.auth import Token
from vbstui.errors import ConfigError
from vbstui.local import paths
from vbstui.local.config import Profile
from vbstui.local.filecheck import check_private_file, write_private_file

log = logging.getLogger("vbstui.local.tokencache")


def cache_key(profile: Profile) -> str:
    identity = "\0".join(
        str(part or "")
        for part in (
            profile.auth_url.rstrip("/"), profile.username, profile.user_domain_name,
            profile.user_domain_id, profile.project_name, profile.project_id, profile.region,
        )
    )
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


class TokenCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None  # why the cache was not used, for `doctor`

    @classmethod
    def for_profile(cls, profile: Profile) -> TokenCache:
        return cls(paths.cache_dir() / "tokens" / f"{cache_key(profile)}.json")

    def load(self) -> Token | None:
        if not self.path.exists():
            return None
        try:
            check_private_file(self.path, holds="a token")
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except ConfigError as exc:
            self.problem = str(exc)
            log.warning("token cache ignored: %s", exc)
            return None
        except (OSError, ValueError) as exc:
            self.problem = f"unreadable token cache {self.path}: {exc}"
            return None
        return Token.from_cache(data)

    def save(self, token: Token) -> None:
        try:
            paths.ensure_private_dir(self.path.parent)
            write_private_file(self.path, json.dumps(token.to_cache()).encode())
        except OSError as exc:
            self.problem = f"cannot write the token cache {self.path}: {exc.strerror}"
            log.warning("%s", self.problem)

    def clear(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove the token cache %s: %s", self.path, exc.strerror)
