"""Trust checks on the files and directories vbstui reads and writes, as OpenSSH does.

Two questions, kept apart:

- *integrity*: may this file decide where the password goes?  A config file (TOML,
  clouds.yaml, secure.yaml) that another user owns or others can write is refused,
  whatever it holds: a planted `auth_url` would receive the password from a private
  `secure.yaml` or the environment.  Root's files count as trusted (`/etc/openstack`).
- *secrecy*: a file that holds a secret must also be unreadable by others.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vbstui.errors import ConfigError

MAX_CONFIG_BYTES = 1 << 20  # 1 MiB: far more than any real config; /dev/zero is not a config
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer


def _checks_apply() -> bool:
    # Windows ACLs are not mode bits; the profile directory is private by default there.
    return os.name == "posix"


def _trusted_owner(uid: int) -> bool:
    return uid in (os.getuid(), 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_trusted_dir(directory: Path, *, for_file: Path) -> None:
    """Refuse a directory in which someone else could replace `for_file`."""
    if not _checks_apply():
        return
    try:
        info = directory.stat()
    except OSError:
        return  # the file's own open reports a missing directory
    mode = stat.S_IMODE(info.st_mode)
    if not _trusted_owner(info.st_uid):
        raise ConfigError(
            f"{for_file} is in {directory}, which belongs to another user (uid "
            f"{info.st_uid}) who could replace it; refusing to read it. Fix: move the file "
            "into a directory of your own"
        )
    if mode & 0o022 and not mode & stat.S_ISVTX:
        raise ConfigError(
            f"{for_file} is in {directory}, which others can write (mode {mode:04o}), so "
            f"anyone could replace it; refusing to read it. Fix: chmod go-w {directory}, or "
            "move the file into a directory of your own"
        )


def check_trusted(path: Path, info: os.stat_result) -> None:
    """Refuse a config file another user owns or others can change (integrity)."""
    if not _checks_apply():
        return
    if not _trusted_owner(info.st_uid):
        raise ConfigError(
            f"{path} belongs to another user (uid {info.st_uid}), who decides where your "
            "password would be sent; refusing to use it. Fix: copy it into your own home "
            "directory (and chmod 600 it if it holds a password)"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise ConfigError(
            f"{path} can be changed by other users (mode {mode:04o}); refusing to use it. "
            f"Fix: chmod go-w {path}"
        )
    check_trusted_dir(path.parent, for_file=path)


def _read_limited(fd: int, path: Path, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise ConfigError(f"{path}: larger than {limit // 1024} KiB; refusing to read it "
                              "(a config file is a few KiB)")
        chunks.append(chunk)


def read_config_file(path: Path, *, limit: int = MAX_CONFIG_BYTES) -> str:
    """The text of a trusted, regular, small, UTF-8 config file.

    `FileNotFoundError` is passed on (a missing default file is not an error); every
    other problem is a `ConfigError` naming the file and the fix."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # of what was opened: no race with a swapped path
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is {_kind(info.st_mode)}, not a regular file; "
                              "refusing to read it. Fix: name a config file")
        check_trusted(path, info)
        if info.st_size > limit:
            raise ConfigError(f"{path}: larger than {limit // 1024} KiB; refusing to read it "
                              "(a config file is a few KiB)")
        data = _read_limited(fd, path, limit)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def check_private_file(path: Path, *, holds: str) -> None:
    """Raise `ConfigError` unless `path` is owned by us and has no group/other bits."""
    if not _checks_apply():
        return
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
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
