"""Reuse a still-valid token across runs, so each launch on a jump host does not
re-authenticate.  The file is private (0600, in a 0700 directory, preferably the
per-user runtime dir), keyed by who and where, and ignored when it is expired,
within the refresh margin, or readable by others.

Next to the token sits a *password check*: a salted scrypt hash of the password that
made the token, never the password itself.  A run that has a password uses the cached
token only when the check matches, so a wrong `VBSTUI_PASSWORD` goes to IAM (and is
refused there) instead of hiding behind a token someone else's password made.  A run
without any password may use a valid token as it is: holding the 0600 file is what
proves the right to it.  scrypt rather than a plain HMAC: the password outlives the
token, and a copied cache file should not make guessing it cheap.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from vbstui.cloud.secret import Secret
from vbstui.cloud.token import Token
from vbstui.errors import ConfigError
from vbstui.local import paths
from vbstui.local.config import Profile
from vbstui.local.filecheck import check_private_file, write_private_file

log = logging.getLogger("vbstui.local.tokencache")

CHECK_KEY = "password_check"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 14, 8, 1  # ~16 MiB and a few tens of ms per check
MAX_SCRYPT_N = 1 << 17  # a tampered file must not make us spend unbounded memory
MAX_CACHE_BYTES = 1 << 20


def cache_key(profile: Profile) -> str:
    identity = "\0".join(
        str(part or "")
        for part in (
            profile.auth_url.rstrip("/"), profile.username, profile.user_domain_name,
            profile.user_domain_id, profile.project_name, profile.project_id, profile.region,
        )
    )
    import hashlib  # noqa: PLC0415 - OpenSSL's hash module, at the login (after 1 frame)

    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _scrypt(password: Secret, salt: bytes, n: int, r: int, p: int) -> bytes:
    import hashlib  # noqa: PLC0415 - as above

    return hashlib.scrypt(password.reveal().encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=256 * r * (n + p + 2))


def password_check(password: Secret) -> dict[str, Any]:
    """What is stored to recognise `password` later (salted, slow, one-way)."""
    salt = os.urandom(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return {"scheme": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": salt.hex(), "hash": digest.hex()}


def password_matches(check: Any, password: Secret) -> bool:
    """True only for a well-formed check made from `password`."""
    if not isinstance(check, dict) or check.get("scheme") != "scrypt":
        return False
    try:
        n, r, p = int(check["n"]), int(check["r"]), int(check["p"])
        salt, expected = bytes.fromhex(check["salt"]), bytes.fromhex(check["hash"])
        if not (1 < n <= MAX_SCRYPT_N and 0 < r <= 16 and 0 < p <= 4):
            return False
        import hmac  # noqa: PLC0415 - as above

        return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)
    except (KeyError, TypeError, ValueError):
        return False


class TokenCache:
    """The cache file of one profile; `password` is the one this run would log in with
    (None when there is none at hand).  `read_only`: the file is looked at, never
    written or removed (the process reading ahead for the TUI leaves that to the TUI;
    see `vbstui.ops.first_page`)."""

    def __init__(self, path: Path, password: Secret | None = None, *,
                 root: Path | None = None, read_only: bool = False) -> None:
        self.path = path
        self.password = password
        self.root = root  # the cache directory above `tokens/`, checked as well
        self.read_only = read_only
        self._seen: tuple[Token | None] | None = None  # what a read-only cache loaded
        self.problem: str | None = None  # why the cache was not used, for `doctor`
        self.broken = False  # the file is there but unsafe or unreadable: an error for `doctor`

    def __repr__(self) -> str:
        return f"TokenCache({self.path!s})"

    @classmethod
    def for_profile(cls, profile: Profile, password: Secret | None = None, *,
                    read_only: bool = False) -> TokenCache:
        root = paths.cache_dir()
        return cls(root / "tokens" / f"{cache_key(profile)}.json", password, root=root,
                   read_only=read_only)

    def prepare(self) -> None:
        """Create the cache directories 0700; `ConfigError` when one is not safe to use."""
        if self.root is not None:
            paths.ensure_private_dir(self.root)
        paths.ensure_private_dir(self.path.parent)

    def _read(self) -> dict[str, Any] | None:
        for directory in (self.root, self.path.parent):
            if directory is not None:
                paths.check_private_dir(directory)
        check_private_file(self.path, holds="a token")
        with self.path.open("rb") as handle:
            raw = handle.read(MAX_CACHE_BYTES + 1)
        if len(raw) > MAX_CACHE_BYTES:
            raise ValueError("larger than 1 MiB")
        data = json.loads(raw.decode("utf-8"))
        return data if isinstance(data, dict) else None

    def load(self) -> Token | None:
        """The cached token, if it may be used; a read-only cache looks once (the
        password check is slow, and nothing of ours changes the file meanwhile)."""
        if self._seen is not None:
            return self._seen[0]
        token = self._load()
        if self.read_only:
            self._seen = (token,)
        return token

    def _load(self) -> Token | None:
        if not self.path.exists():
            return None
        try:
            data = self._read()
        except ConfigError as exc:
            self.problem, self.broken = str(exc), True
            log.warning("token cache ignored: %s", exc)
            return None
        except (OSError, ValueError, RecursionError) as exc:
            self.problem, self.broken = f"unreadable token cache {self.path}: {exc}", True
            return None
        token = Token.from_cache(data)
        if token is None:
            self.problem = f"unusable token cache {self.path} (ignored)"
            return None
        if self.password is not None and not password_matches(data.get(CHECK_KEY),
                                                               self.password):
            # Not necessarily wrong: a changed password, or a file of an older vbstui.
            self.problem = "the cached token was not made with this password: asking IAM"
            log.info("%s", self.problem)
            return None
        return token

    def save(self, token: Token) -> None:
        if self.read_only:
            return
        data = token.to_cache()
        if self.password is not None:
            data[CHECK_KEY] = password_check(self.password)
        try:
            self.prepare()
            write_private_file(self.path, json.dumps(data).encode())
        except ConfigError as exc:
            self.problem = f"token not cached: {exc}"
            log.warning("%s", self.problem)
        except OSError as exc:
            self.problem = f"cannot write the token cache {self.path}: {exc.strerror}"
            log.warning("%s", self.problem)

    def clear(self) -> None:
        if self.read_only:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove the token cache %s: %s", self.path, exc.strerror)
