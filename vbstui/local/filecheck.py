"""Refuse secret-holding files others can read, as OpenSSH does for private keys."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vbstui.errors import ConfigError


def check_private_file(path: Path, *, holds: str) -> None:
    """Raise `ConfigError` unless `path` is owned by us and has no group/other bits."""
    if os.name != "posix":
        return  # Windows ACLs are not mode bits; the profile directory is private by default
    try:
        info = path.stat()
    except OSError:
        return  # a missing file is reported by whoever reads it
    if info.st_uid != os.getuid():
        raise ConfigError(
            f"{path} holds {holds} but belongs to another user (uid {info.st_uid}); refusing to "
            f"use it. Fix: copy it into your own home directory, then chmod 600 it"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} holds {holds} but is accessible by others (mode {mode:04o}); refusing to "
            f"use it. Fix: chmod 600 {path}"
        )


def write_private_file(path: Path, data: bytes) -> None:
    """Write atomically with mode 0600 from the first byte (no window where others can read)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
