"""The log file: rotating, private, and scrubbed of every secret.

`httpcore` DEBUG logs print response headers (including `X-Subject-Token`), and
any library may format a request body.  The redaction filter sits on the handler,
so whatever logger a record comes from, known secret values and token/password
fields are replaced before anything is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from vbstui.cloud.secret import MASK, known_values
from vbstui.local import paths

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
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def setup_logging(level: str = "INFO", *, log_file: Path | None = None) -> Path | None:
    """Log to a private rotating file; returns its path (None when it cannot be written)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_vbstui", False):
            root.removeHandler(handler)
    level_value = getattr(logging, level.upper(), logging.INFO)
    path = log_file or paths.log_dir() / "vbstui.log"
    try:
        paths.ensure_private_dir(path.parent)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        os.chmod(path, 0o600)
    except OSError:
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
