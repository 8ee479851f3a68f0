"""The log file: rotating, private, and scrubbed of every secret.

`httpcore` DEBUG logs print response headers (including `X-Subject-Token`), and
any library may format a request body.  The redaction filter sits on the handler,
so whatever logger a record comes from, known secret values and token/password
fields are replaced before anything is written.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from vbstui.cloud.secret import MASK, known_values
from vbstui.errors import ConfigError
from vbstui.local import paths
from vbstui.textsafe import visible, visible_lines

_LOG_FLAGS = (os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_CLOEXEC", 0))

_PATTERNS = [
    # Header tuples as httpcore logs them: (b'X-Subject-Token', b'...')
    re.compile(r"(?i)(x-(?:subject|auth)-token['\"]?\s*[,:=]\s*b?['\"]?)([^'\"\s,)]+)"),
    # JSON or dict reprs: "password": "..."
    re.compile(r"(?i)(['\"]password['\"]\s*:\s*['\"])((?:[^'\"\\]|\\.)*)"),
    re.compile(r"(?i)((?:password|token)=)([^&\s]+)"),
]


def redact(text: str) -> str:
    for value in known_values():
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = visible_lines(redact(message))
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = visible_lines(redact(formatter.formatException(record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Opens the log (also after each rotation) with O_NOFOLLOW, creating it 0600: a
    `vbstui.log` symlink planted towards another file is refused, never chmodded or
    appended to, and an existing file is tightened through the descriptor, not the name."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, _LOG_FLAGS, 0o600)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
                raise OSError(errno.EPERM, "not a regular file of yours")
            os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            raise
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def _open_handler(path: Path) -> logging.Handler:
    """The handler for `path`; `ConfigError` or `OSError` says why there is none."""
    paths.ensure_private_dir(path.parent)
    try:
        return PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                          encoding="utf-8")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"{path} is a symbolic link. Fix: remove it (rm {path})") from None
        raise


def _say_no_log(reason: str) -> None:
    # Logging is for diagnosis: the command still runs, but the operator is told once,
    # because nothing of this run will be in the log.
    print(f"vbstui: no log file this run: {visible(reason)}", file=sys.stderr)


def setup_logging(level: str = "INFO", *, log_file: Path | None = None) -> Path | None:
    """Log to a private rotating file; returns its path (None when it cannot be written
    safely, which is said once on stderr)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_vbstui", False):
            root.removeHandler(handler)
    level_value = getattr(logging, level.upper(), logging.INFO)
    path = log_file or paths.log_dir() / "vbstui.log"
    try:
        handler = _open_handler(path)
    except ConfigError as exc:
        _say_no_log(str(exc))
        return None
    except OSError as exc:
        _say_no_log(f"cannot write {path}: {exc.strerror or exc}")
        return None
    handler._vbstui = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level_value)
    root.addHandler(handler)
    root.setLevel(level_value)
    # Library chatter only when explicitly asked for.
    if level_value > logging.DEBUG:
        for noisy in ("httpx", "httpcore", "hpack", "asyncio", "keyring", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
