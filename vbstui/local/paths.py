"""Where vbstui keeps its files (platformdirs), overridable for tests and odd hosts."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "vbstui"


def _override(env: str) -> Path | None:
    value = os.environ.get(env)
    return Path(value).expanduser() if value else None


def config_file() -> Path:
    return _override("VBSTUI_CONFIG") or platformdirs.user_config_path(APP) / "config.toml"


def state_dir() -> Path:
    """Job journal and history."""
    return _override("VBSTUI_STATE_DIR") or platformdirs.user_state_path(APP)


def cache_dir() -> Path:
    """Token cache: the runtime dir (tmpfs, per user) where there is one, else the cache dir."""
    override = _override("VBSTUI_CACHE_DIR")
    if override:
        return override
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / APP
    return platformdirs.user_cache_path(APP)


def log_dir() -> Path:
    return _override("VBSTUI_LOG_DIR") or platformdirs.user_log_path(APP)


def ensure_private_dir(path: Path) -> Path:
    """Create a directory only the user can enter (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
