"""The `--demo` project, kept between runs so trying scripts on it behaves like a project.

The simulated world is saved in the user state dir (`<state>/demo/world-<disks>.saved`,
0600 in a 0700 directory) after every request that changed it, and the demo's job
journal sits next to it.  Several `vbstui --demo` processes may run at once; the rule:

- every change is made to the latest saved world, one process at a time: a request that
  may change the world takes an exclusive lock on `world.lock`, reloads the world if
  another process saved since, runs, and saves before letting go; nothing is lost;
- a process that only reads picks up what the others saved before each request;
- files are replaced atomically, so a reader never sees half a world.

A saved world that cannot be used (damaged, planted, another version, unreadable) is
reported in one line and replaced by a fresh one.  `--demo-reset` starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vbstui.errors import ConfigError
from vbstui.local import paths
from vbstui.local.filecheck import read_config_file, write_private_file

try:
    import fcntl
except ImportError:  # Windows: atomic replace alone keeps the file whole
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("vbstui.demo")

WORLD_LIMIT = 256 << 20  # a 50,000-disk world is ~13 MB; anything far larger is not ours
LOCK_WAIT = 10.0  # seconds to wait for another demo process's change
JOURNAL_NAME = "jobs.sqlite3"
# First line of the file: what it is, and a stamp that changes with every save.
HEADER = "vbstui-demo-world"
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


def demo_directory() -> Path:
    return paths.state_dir() / "demo"


@dataclass
class DemoWorld:
    """The demo's ASGI app (wrapped so it is kept on disk) and where it lives."""

    app: Any
    directory: Path | None  # None: kept in memory only (the notices say why)
    notices: list[str] = field(default_factory=list)

    @property
    def journal_path(self) -> Path | None:
        return None if self.directory is None else self.directory / JOURNAL_NAME


def open_demo_world(volumes: int, job_seconds: float, *, reset: bool = False) -> DemoWorld:
    """The demo project: the saved one, or a fresh one (saved at once) when there is none,
    it cannot be used, or `reset` asks to start over."""
    from vbstui.sim import SimConfig, create_app  # noqa: PLC0415 - only in demo mode

    app = create_app(SimConfig(volumes=volumes, job_seconds=job_seconds), generate=False)
    directory = demo_directory()
    notices: list[str] = []
    try:
        paths.ensure_private_dir(directory)
    except (OSError, ConfigError) as exc:
        app.state.sim.regenerate()
        notices.append(f"demo: the demo world is not kept between runs: {_reason(exc)}")
        return DemoWorld(app, None, notices)
    kept = KeptWorld(app, directory / f"world-{volumes}.saved", directory / "world.lock")
    with kept.locked_now():
        if reset:
            _remove_saved(directory)
            notices.append("demo: started over with a fresh demo world (--demo-reset)")
        problem = kept.load()
        # A fresh world is saved at once, so the next run continues its clock and jobs.
        unsaved = None if kept.loaded else kept.save()
    if problem is not None:
        outcome = ("starting a fresh one" if unsaved is None else
                   f"starting a fresh one, not kept between runs ({unsaved})")
        notices.append(f"demo: the saved demo world could not be used ({problem}); {outcome}")
    elif unsaved is not None:
        notices.append(f"demo: the demo world is not kept between runs: {unsaved}")
    return DemoWorld(kept, None if unsaved else directory, notices)


def _remove_saved(directory: Path) -> None:
    for path in [*directory.glob("world-*.saved"),
                 *(directory / f"{JOURNAL_NAME}{tail}" for tail in ("", "-wal", "-shm"))]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


class KeptWorld:
    """ASGI wrapper around the simulator app that loads and saves its world as above."""

    def __init__(self, app: Any, path: Path, lock_path: Path) -> None:
        self.app = app
        self.sim = app.state.sim
        self.path = path
        self.lock_path = lock_path
        self._stamp: str | None = None  # of the saved world we hold (loaded or saved)
        self._saved_revision: int | None = None
        self._in_process = asyncio.Lock()
        self._lock_fd: int | None = None
        self.loaded = False

    @property
    def state(self) -> Any:
        """The wrapped app's state (`.state.sim`), as for an unwrapped simulator."""
        return self.app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in _READ_ONLY:
            self._reload_if_changed()
            await self.app(scope, receive, send)
            return
        async with self._in_process, self._locked():
            self._reload_if_changed()
            await self.app(scope, receive, send)
            if self.sim.revision != self._saved_revision:
                problem = self.save()
                if problem is not None:
                    log.warning("demo world not saved: %s", problem)

    # -- the file ---------------------------------------------------------------------

    def load(self, *, fresh_if_unusable: bool = True) -> str | None:
        """Load the saved world (`loaded` says whether it was); otherwise generate a fresh
        one, or with `fresh_if_unusable=False` keep the current one.  Returns why the
        saved world was not used (None: loaded, or there was none)."""
        from vbstui.sim import SavedWorldError, load_world  # noqa: PLC0415 - demo only

        self.loaded = False
        problem = None
        try:
            header, _, body = read_config_file(self.path, limit=WORLD_LIMIT).partition("\n")
            stamp = _stamp_of(header)
            if stamp is None:
                raise SavedWorldError("not a saved demo world")
            load_world(self.sim, body.encode())
        except FileNotFoundError:
            pass
        except (ConfigError, SavedWorldError) as exc:
            # The fix is ours to make (a fresh world), not the user's.
            problem = str(exc).split(". Fix:")[0]
        else:
            self.loaded = True
            self._stamp, self._saved_revision = stamp, self.sim.revision
            return None
        if fresh_if_unusable:
            self.sim.regenerate()
        return problem

    def save(self) -> str | None:
        """Write the world now; why it could not be (None: saved)."""
        from vbstui.sim import dump_world  # noqa: PLC0415 - demo only

        revision = self.sim.revision
        stamp = os.urandom(8).hex()  # what `secrets.token_hex` returns, without hmac
        try:
            write_private_file(self.path, f"{HEADER} {stamp}\n".encode() + dump_world(self.sim))
        except OSError as exc:
            return f"{self.path}: {exc.strerror or exc}"
        self._stamp, self._saved_revision = stamp, revision
        return None

    def _saved_stamp(self) -> str | None:
        """The stamp of the world on disk now (a small read: done before every request)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            head = os.read(fd, len(HEADER) + 64)
        except OSError:
            return None
        finally:
            os.close(fd)
        return _stamp_of(head.decode("ascii", "replace").partition("\n")[0])

    def _reload_if_changed(self) -> None:
        """Another process saved since we last looked: take its world (ours has no
        unsaved changes, as every change is saved before the lock is let go).  A stamp
        written with each save tells; file times are too coarse for saves ms apart."""
        stamp = self._saved_stamp()
        if stamp is None or stamp == self._stamp:
            return
        problem = self.load(fresh_if_unusable=False)
        if not self.loaded:
            log.warning("demo world saved by another process not used: %s",
                        problem or "it disappeared")
            self._stamp = stamp


    # -- the lock ---------------------------------------------------------------------

    def _open_lock(self) -> int | None:
        if fcntl is None:
            return None
        if self._lock_fd is None:
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
            self._lock_fd = os.open(self.lock_path, flags, 0o600)
        return self._lock_fd

    @contextlib.contextmanager
    def locked_now(self) -> Any:
        """Hold the lock, waiting in this thread (used before the event loop runs)."""
        fd = self._try_open_lock()
        deadline = time.monotonic() + LOCK_WAIT
        held = fd is not None and _try_lock(fd)
        while fd is not None and not held and time.monotonic() < deadline:
            time.sleep(0.01)
            held = _try_lock(fd)
        if fd is not None and not held:
            self._gave_up()
        try:
            yield
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)

    @contextlib.asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        """Hold the lock without blocking the event loop."""
        fd = self._try_open_lock()
        deadline = time.monotonic() + LOCK_WAIT
        held = fd is not None and _try_lock(fd)
        while fd is not None and not held and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
            held = _try_lock(fd)
        if fd is not None and not held:
            self._gave_up()
        try:
            yield
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _gave_up(self) -> None:
        # A process stopped while holding it must not freeze every other demo; atomic
        # replace still keeps the file whole, at worst one change is lost.
        log.warning("demo world lock %s still held by another process after %.0f s; going "
                    "on without it", self.lock_path, LOCK_WAIT)

    def _try_open_lock(self) -> int | None:
        try:
            return self._open_lock()
        except OSError as exc:
            log.warning("demo world lock %s unusable: %s", self.lock_path, _reason(exc))
            return None


def _stamp_of(header: str) -> str | None:
    kind, _, stamp = header.partition(" ")
    return stamp if kind == HEADER and stamp.isalnum() else None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
