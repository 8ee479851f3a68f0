"""End-to-end helpers: real `vbstui` processes against a real `vbstui sim` process.

Nothing here imports the client code: the CLI runs as `python -m vbstui ...` in a
subprocess with an isolated environment, and the server is observed through plain
httpx calls (`GET /_sim/state` and the public API with the demo account).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx

USER = "demo"
PASSWORD = "vbstui-demo"
DOMAIN = "OTC-EU-DE-DEMO"
PROJECT = "eu-de_demo"
REGION = "eu-de"

CREATE_ROUTE = "POST /v2/{project_id}/cloudbackups"
RESTORE_ROUTE = "POST /v2/{project_id}/cloudbackups/{backup_id}/restore"
DELETE_ROUTE = "DELETE /v2/{project_id}/backups/{backup_id}"
VOLUME_ROUTE = "GET /v2/{project_id}/cloudvolumes/{volume_id}"
TOKEN_ROUTE = "POST /v3/auth/tokens"
JOB_ROUTE = "GET /v1/{project_id}/jobs/{job_id}"

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
JOB_ID_RE = re.compile(r"^[0-9a-f]{32}$")

# Inherited variables that would change which profile, password or proxy is used.
_DROP_PREFIXES = ("OS_", "VBSTUI_")
_DROP_NAMES = frozenset({
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR",
    "OS_CLIENT_CONFIG_FILE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
})


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05,
               what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout:g} s")
        time.sleep(interval)


# -- the simulator process --------------------------------------------------------------


class SimProcess:
    """`python -m vbstui sim --port 0 ...` in a subprocess; the URL is its first stdout line."""

    def __init__(self, workdir: Path, *args: str, start_timeout: float = 20.0) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.args = ["--port", "0", *args]
        self.stderr_path = workdir / "sim.stderr"
        self._stderr = self.stderr_path.open("wb")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(_DROP_PREFIXES) and k not in _DROP_NAMES}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vbstui", "sim", *self.args],
            stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL,
            env=env, cwd=workdir,
        )
        self.url = self._read_url(start_timeout)
        self.http = httpx.Client(base_url=self.url, timeout=10.0, trust_env=False)
        self._token: str | None = None
        self._token_body: dict[str, Any] = {}
        self._project_id: str | None = None

    def _read_url(self, timeout: float) -> str:
        lines: queue.Queue[bytes] = queue.Queue()
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=timeout).decode().strip()
        except queue.Empty:
            self.stop()
            raise AssertionError(
                f"vbstui sim printed no URL within {timeout:g} s: {self.stderr_text()}"
            ) from None
        if not line.startswith("http://"):
            self.stop()
            raise AssertionError(f"vbstui sim: unexpected first line {line!r}: "
                                 f"{self.stderr_text()}")
        return line

    def stderr_text(self) -> str:
        if not self._stderr.closed:  # closed by stop(): a failed start reports it after
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then wait; kill only if it does not stop. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if hasattr(self, "http"):
            self.http.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()
        return self.proc.returncode

    # -- observing the server ------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        response = self.http.get("/_sim/state")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def requests(self) -> dict[str, int]:
        return dict(self.state()["requests"])

    @property
    def auth_url(self) -> str:
        return f"{self.url}/v3"

    # -- the public API, as a second client would use it ------------------------------------

    def _login(self) -> None:
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": USER, "domain": {"name": DOMAIN}, "password": self.password}}},
            "scope": {"project": {"name": PROJECT}},
        }}
        response = self.http.post("/v3/auth/tokens", json=body)
        assert response.status_code == 201, response.text
        self._token = response.headers["X-Subject-Token"]
        self._token_body = response.json()["token"]
        self._project_id = self._token_body["project"]["id"]

    def ids(self) -> dict[str, str]:
        """The ids behind the demo names: project_id and user_domain_id."""
        if self._token is None:
            self._login()
        return {"project_id": self._token_body["project"]["id"],
                "user_domain_id": self._token_body["user"]["domain"]["id"]}

    @property
    def password(self) -> str:
        if "--password" in self.args:
            return self.args[self.args.index("--password") + 1]
        return PASSWORD

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call with a token of our own; `{pid}` in `path` is the project id."""
        if self._token is None:
            self._login()
        assert self._project_id is not None
        headers = {"X-Auth-Token": self._token or ""}
        return self.http.request(method, path.replace("{pid}", self._project_id),
                                 headers=headers, **kwargs)

    def volumes(self, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            response = self.api("GET", "/v2/{pid}/cloudvolumes/detail",
                                params={**params, "limit": 1000, "offset": offset})
            assert response.status_code == 200, response.text
            page = response.json()["volumes"]
            found.extend(page)
            if len(page) < 1000:
                return found
            offset += len(page)

    def volume(self, volume_id: str) -> dict[str, Any]:
        response = self.api("GET", f"/v2/{{pid}}/cloudvolumes/{volume_id}")
        assert response.status_code == 200, response.text
        return dict(response.json()["volume"])

    def backups(self, **params: Any) -> list[dict[str, Any]]:
        response = self.api("GET", "/v2/{pid}/backups/detail",
                            params={**params, "limit": 1000})
        assert response.status_code == 200, response.text
        return list(response.json()["backups"])

    def backup_status(self, backup_id: str) -> int:
        return self.api("GET", f"/v2/{{pid}}/backups/{backup_id}").status_code

    def backup(self, backup_id: str) -> dict[str, Any]:
        response = self.api("GET", f"/v2/{{pid}}/backups/{backup_id}")
        assert response.status_code == 200, response.text
        return dict(response.json()["backup"])

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.api("GET", f"/v1/{{pid}}/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def create(self, volume_id: str, name: str) -> str:
        response = self.api("POST", "/v2/{pid}/cloudbackups",
                            json={"backup": {"volume_id": volume_id, "name": name}})
        assert response.status_code == 200, response.text
        return str(response.json()["job_id"])

    def restore(self, backup_id: str, volume_id: str) -> str:
        response = self.api("POST", f"/v2/{{pid}}/cloudbackups/{backup_id}/restore",
                            json={"restore": {"volume_id": volume_id}})
        assert response.status_code == 200, response.text
        return str(response.json()["job_id"])


@dataclass
class Pool:
    """Hands out disks and backups of one simulator so tests sharing it never collide."""

    sim: SimProcess
    taken: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _reserved(self) -> set[str]:
        state = self.sim.state()
        # Disks bound to a VBS policy get its backups, retention and failing tasks.
        return ({n["volume_id"] for n in state["near_limit"]} | set(state["odd_name_volumes"])
                | set(state.get("vbs_policy_disks", [])))

    def disks(self, count: int = 1, *, statuses: Iterable[str] = ("available", "in-use"),
              min_size: int = 0, max_size: int = 1 << 30, fresh: bool = True
              ) -> list[dict[str, Any]]:
        """Disks nobody else got; `fresh` ones have no backup yet (no 20-limit surprises,
        and their first backup is a full one)."""
        wanted = set(statuses)
        with self.lock:
            reserved = self._reserved()
            with_backups = {b["volume_id"] for b in self.sim.backups()} if fresh else set()
            chosen: list[dict[str, Any]] = []
            for volume in self.sim.volumes():
                if (volume["status"] in wanted and volume["id"] not in self.taken
                        and volume["id"] not in reserved and volume["id"] not in with_backups
                        and min_size <= volume["size"] <= max_size):
                    chosen.append(volume)
                    self.taken.add(volume["id"])
                    if len(chosen) == count:
                        return chosen
        raise AssertionError(f"not {count} free disks in {sorted(wanted)}")

    def disk(self, **kwargs: Any) -> dict[str, Any]:
        return self.disks(1, **kwargs)[0]

    def backups(self, count: int = 1, *, min_size: int = 0, max_size: int = 1 << 30
                ) -> list[dict[str, Any]]:
        """Seeded `available` backups nobody else got, of disks outside the near-limit set."""
        with self.lock:
            reserved = self._reserved()
            chosen: list[dict[str, Any]] = []
            for backup in self.sim.backups(status="available"):
                if (backup["id"] not in self.taken and backup["volume_id"] not in reserved
                        and backup["volume_id"] not in self.taken
                        and min_size <= backup["size"] <= max_size):
                    chosen.append(backup)
                    self.taken.add(backup["id"])
                    if len(chosen) == count:
                        return chosen
        raise AssertionError(f"not {count} free available backups")


# -- running the CLI ------------------------------------------------------------------------


class Result(NamedTuple):
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as one JSON document (fails if anything else is on stdout)."""
        try:
            return json.loads(self.out)
        except ValueError as exc:
            raise AssertionError(f"stdout is not only JSON ({exc}):\n{self.out!r}\n"
                                 f"stderr:\n{self.err}") from None

    def __str__(self) -> str:
        return f"rc={self.rc}\n--- stdout ---\n{self.out}\n--- stderr ---\n{self.err}"


def isolated_env(root: Path, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The inherited environment minus OS_*/VBSTUI_*/proxies, with every vbstui and
    OpenStack location inside `root`; `extra` values of None remove a variable."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(_DROP_PREFIXES) and k not in _DROP_NAMES}
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "VBSTUI_STATE_DIR": str(root / "state"),
        "VBSTUI_CACHE_DIR": str(root / "cache"),
        "VBSTUI_LOG_DIR": str(root / "log"),
        "VBSTUI_NO_KEYRING": "1",
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
    })
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@dataclass
class Cli:
    """Runs `python -m vbstui` with an isolated environment rooted at `root`."""

    root: Path
    env_defaults: dict[str, str | None] = field(default_factory=dict)
    cwd: Path | None = None
    base_args: tuple[str, ...] = ()  # e.g. ("--config", PATH, "--profile", NAME)

    def env(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
        return isolated_env(self.root, {**self.env_defaults, **(extra or {})})

    def run(self, *args: str, input: str | None = None,
            env_extra: Mapping[str, str | None] | None = None, timeout: float = 60,
            python_flags: tuple[str, ...] = (), bare: bool = False) -> Result:
        """One vbstui run; `bare` leaves out `base_args`."""
        prefix = () if bare else self.base_args
        completed = subprocess.run(
            [sys.executable, *python_flags, "-m", "vbstui", *prefix, *args],
            input=input if input is not None else "",
            capture_output=True, text=True, encoding="utf-8", errors="replace",
            env=self.env(env_extra), cwd=self.cwd or self.root, timeout=timeout,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    def start(self, *args: str, env_extra: Mapping[str, str | None] | None = None
              ) -> subprocess.Popen[str]:
        """Run in the background (stdin closed); collect it with `finish`."""
        return subprocess.Popen(
            [sys.executable, "-m", "vbstui", *self.base_args, *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace",
            env=self.env(env_extra), cwd=self.cwd or self.root,
        )

    @staticmethod
    def finish(proc: subprocess.Popen[str], timeout: float = 60) -> Result:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"vbstui did not finish in {timeout:g} s:\n{out}\n{err}"
                                 ) from None
        return Result(proc.returncode, out, err)

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    def token_files(self) -> list[Path]:
        directory = self.cache_dir / "tokens"
        return sorted(directory.glob("*.json")) if directory.is_dir() else []

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*log*")))


def profile_toml(name: str, auth_url: str, *, password: str | None = None,
                 extra: str = "") -> str:
    lines = [
        f"[profiles.{name}]",
        f'auth_url = "{auth_url}"',
        f'region = "{REGION}"',
        f'user_domain_name = "{DOMAIN}"',
        f'username = "{USER}"',
        f'project_name = "{PROJECT}"',
    ]
    if password is not None:
        lines.append(f'password = "{password}"')
    return "\n".join(lines) + "\n" + extra


# [jobs] for tests that follow jobs but are not about the poll schedule: a look every 0.5 s
# (default: 2 s growing to 15 s), so a 1 s job is seen ending at 1 s instead of 2 s and a
# 0.3 s delete at 0.5 s; whole-second jobs lose nothing to the grid.
FAST_POLL_TOML = "[jobs]\npoll_first_seconds = 0.5\npoll_max_seconds = 0.5\n"


def write_config(path: Path, auth_url: str, *, profile: str = "sim",
                 password: str | None = None, mode: int = 0o600, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profile_toml(profile, auth_url, password=password, extra=extra),
                    encoding="utf-8")
    path.chmod(mode)
    return path


def delta(before: Mapping[str, int], after: Mapping[str, int], key: str) -> int:
    return after.get(key, 0) - before.get(key, 0)


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err, str(result)
    assert "Traceback" not in result.out, str(result)


def cli_for(root: Path, sim: SimProcess | None, *, password: str | None = PASSWORD,
            profile: str = "sim", extra: str = "") -> Cli:
    """A CLI with its own state/cache/log/HOME under `root`; with a simulator, a private
    config file whose only profile points at it (plus `extra` TOML), passed with
    --config/--profile."""
    root.mkdir(parents=True, exist_ok=True)
    defaults: dict[str, str | None] = {}
    if password is not None:
        defaults["VBSTUI_PASSWORD"] = password
    base: tuple[str, ...] = ()
    if sim is not None:
        config = write_config(root / "config.toml", sim.auth_url, profile=profile,
                              extra=extra)
        base = ("--config", str(config), "--profile", profile)
    return Cli(root, env_defaults=defaults, base_args=base)
