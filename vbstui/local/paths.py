"""Where vbstui keeps its files (platformdirs), overridable for tests and odd hosts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs

from vbstui.errors import ConfigError

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


def _dir_problem(path: Path, info: os.stat_result) -> str | None:
    """Why `path` cannot hold our files, or None.  Another user's directory, or one others
    can write, may already hold their symlinks or files: tightening it now would not undo
    that, so such a directory is refused rather than repaired."""
    if not stat.S_ISDIR(info.st_mode):
        return f"{path} is not a directory"
    if info.st_uid != os.getuid():
        return (f"{path} belongs to another user (uid {info.st_uid}). Fix: point vbstui at a "
                "directory of your own")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        return (f"{path} can be written by other users (mode {mode:04o}), who could plant "
                f"files or symlinks in it. Fix: check its contents, then chmod 700 {path}")
    return None


def check_private_dir(path: Path) -> None:
    """Raise `ConfigError` unless `path` is a directory of ours that others cannot write."""
    if os.name != "posix":
        return  # Windows ACLs are not mode bits; the profile directory is private by default
    problem = _dir_problem(path, path.stat())
    if problem:
        raise ConfigError(f"refusing to use {path}: {problem}")


def ensure_private_dir(path: Path) -> Path:
    """A directory only the user can enter: created 0700; an existing one of ours that is
    merely readable by others (an old 0755) is tightened, as nothing of anyone else's can be
    in it; one that others can write or that is not ours is refused (`ConfigError`)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    check_private_dir(path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o700)
    return path
