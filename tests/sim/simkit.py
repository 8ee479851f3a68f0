"""Helpers for the simulator contract tests: plain httpx, no project client code."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from vbstui.sim import ManualClock, SimConfig, SimState
from vbstui.sim.server import SimServer

USER, PASSWORD, DOMAIN, PROJECT = "demo", "vbstui-demo", "OTC-EU-DE-DEMO", "eu-de_demo"


def auth_body(*, user: dict[str, Any] | None = None, password: str = PASSWORD,
              scope: dict[str, Any] | None = None) -> dict[str, Any]:
    """A password-auth request body; defaults are the demo account scoped by project name."""
    user_part = user if user is not None else {"name": USER, "domain": {"name": DOMAIN}}
    return {"auth": {
        "identity": {"methods": ["password"],
                     "password": {"user": {**user_part, "password": password}}},
        "scope": scope if scope is not None else {"project": {"name": PROJECT}},
    }}


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0,
             interval: float = 0.02) -> None:
    """Poll until `predicate()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


class Api:
    """A logged-in plain httpx client with project-relative helpers."""

    def __init__(self, client: httpx.Client, project_id: str) -> None:
        self.client = client
        self.pid = project_id

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(self._url(path), **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(self._url(path), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.delete(self._url(path), **kwargs)

    def _url(self, path: str) -> str:
        return path.replace("{pid}", self.pid)

    # Shortcuts for the most used calls.

    def volumes(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/v2/{pid}/cloudvolumes/detail", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["volumes"])

    def volume(self, volume_id: str) -> dict[str, Any]:
        return dict(self.get(f"/v2/{{pid}}/cloudvolumes/{volume_id}").json()["volume"])

    def create(self, volume_id: str, name: str, **extra: Any) -> httpx.Response:
        return self.post("/v2/{pid}/cloudbackups",
                         json={"backup": {"volume_id": volume_id, "name": name, **extra}})

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.get(f"/v1/{{pid}}/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def backups(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/v2/{pid}/backups/detail", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["backups"])

    def quota(self) -> dict[str, dict[str, int]]:
        resources = self.get("/v2/{pid}/cloudbackups/quota").json()["quotas"]["resources"]
        return {r["type"]: r for r in resources}

    def pick_volume(self, status: str = "available", *, min_size: int = 0,
                    max_size: int = 1 << 30, fresh: bool = False,
                    skip: set[str] | None = None) -> dict[str, Any]:
        """A disk in `status` that is not one of the seeded near-limit disks; `fresh`
        asks for one without any backup."""
        near = {entry["volume_id"] for entry in self.state()["near_limit"]}
        skip = (skip or set()) | near
        for volume in self.volumes(status=status):
            if (volume["id"] in skip or not volume["name"]
                    or not min_size <= volume["size"] <= max_size):
                continue
            if fresh and self.backups(volume_id=volume["id"]):
                continue
            return volume
        raise AssertionError(f"no suitable {status} volume")

    def state(self) -> dict[str, Any]:
        return dict(self.client.get("/_sim/state").json())


def login(client: httpx.Client) -> Api:
    response = client.post("/v3/auth/tokens", json=auth_body())
    assert response.status_code == 201, response.text
    client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
    return Api(client, response.json()["token"]["project"]["id"])


@dataclass
class Served:
    """A simulator served over a real socket from a background thread."""

    base_url: str
    server: SimServer
    clock: ManualClock | None

    @property
    def sim(self) -> SimState:
        sim: SimState = self.server.app.state.sim
        return sim

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10.0, **kwargs)

    def state(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.base_url}/_sim/state", timeout=10.0).json())


@contextmanager
def serve_in_thread(config: SimConfig,
                    stopping: list[threading.Thread] | None = None) -> Iterator[Served]:
    """Serve `config` from a thread; at exit stop it and join it, or, when `stopping`
    is given, hand the thread over to be joined later (uvicorn takes ~0.2 s to stop)."""
    server = SimServer(config, port=0)
    thread = threading.Thread(target=server.run, name="sim-server", daemon=True)
    thread.start()
    try:
        assert server.ready.wait(10), "simulator did not start"
        clock = config.clock if isinstance(config.clock, ManualClock) else None
        yield Served(server.base_url, server, clock)
    finally:
        server.stop()
        if stopping is None:
            thread.join(10)
            assert not thread.is_alive(), "simulator did not stop"
        else:
            stopping.append(thread)
