"""Each fault type as a client sees it over a real socket."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from simkit import Api, Served, auth_body, login

from vbstui.sim import FaultSpec

Faulty = Callable[[str], tuple[Served, Api]]


@pytest.fixture
def faulty(serve_sim: Callable[..., Served]) -> Iterator[Faulty]:
    """Factory: a served simulator with a logged-in client, then faults set to `spec`."""
    with ExitStack() as stack:

        def start(spec: str) -> tuple[Served, Api]:
            served = serve_sim()
            api = login(stack.enter_context(served.client()))
            served.sim.set_faults(FaultSpec.parse(spec))
            return served, api

        yield start


def test_latency_is_added(faulty: Faulty) -> None:
    served, api = faulty("latency=0.25")
    started = time.perf_counter()
    assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 200
    assert time.perf_counter() - started >= 0.25
    started = time.perf_counter()
    served.state()
    assert time.perf_counter() - started < 0.25  # never on /_sim


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_html(faulty: Faulty, status: int) -> None:
    served, api = faulty(f"{status}=1")
    response = api.get("/v2/{pid}/cloudbackups/quota")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<title>{status} " in response.text
    assert response.headers["X-Request-Id"]
    assert served.state()["faults_injected"] == {str(status): 1}


@pytest.mark.parametrize(("status", "envelope"), [(500, "computeFault"), (503, "error")])
def test_server_errors_are_json(faulty: Faulty, status: int,
                                envelope: str) -> None:
    _, api = faulty(f"{status}=1")
    response = api.get("/v2/{pid}/cloudbackups/quota")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert envelope in response.json()


def test_429_carries_retry_after(faulty: Faulty) -> None:
    _, api = faulty("429=1,retry_after=7")
    response = api.get("/v2/{pid}/backups/detail")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error_code"] == "APIGW.0308"


@pytest.mark.parametrize(("spec", "processed"), [
    ("502=1", True), ("504=1", True), ("500=1", False), ("503=1", False), ("429=1", False),
])
def test_which_faults_still_create_the_backup(faulty: Faulty, spec: str,
                                              processed: bool) -> None:
    served, api = faulty("")
    volume = api.pick_volume()
    served.sim.set_faults(FaultSpec.parse(spec))
    response = api.create(volume["id"], "ambiguous")
    assert response.status_code >= 429
    served.sim.set_faults(FaultSpec())
    created = served.state()["created_backups"]
    assert bool(created) is processed
    assert (api.volume(volume["id"])["status"] == "backing-up") is processed


def test_drop_processes_then_hangs_up(faulty: Faulty) -> None:
    served, api = faulty("drop=1,methods=POST")
    volume = api.pick_volume()
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        api.create(volume["id"], "dropped")
    state = served.state()
    assert state["create_backup_posts"] == 1
    assert state["created_backups"] == [
        {"volume_id": volume["id"], "name": "dropped", "count": 1}]
    assert api.volume(volume["id"])["status"] == "backing-up"
    # A naive resend is refused by the still running job; a different disk would have
    # produced the duplicate the introspection endpoint reports.
    served.sim.set_faults(FaultSpec())
    response = api.create(volume["id"], "dropped")
    assert response.json()["error"]["code"] == "VolumeBackup.0013"


def test_duplicates_are_reported(faulty: Faulty) -> None:
    served, api = faulty("")
    assert served.clock is not None
    volume = api.pick_volume()
    assert api.create(volume["id"], "twice").status_code == 200
    served.clock.advance(60)
    assert api.create(volume["id"], "twice").status_code == 200
    assert served.state()["duplicates"] == [
        {"volume_id": volume["id"], "name": "twice", "count": 2}]


def test_faults_skip_token_endpoint_unless_asked(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(faults=FaultSpec.parse("503=1"))
    with served.client() as client:
        assert client.post("/v3/auth/tokens", json=auth_body()).status_code == 201
        served.sim.set_faults(FaultSpec.parse("503=1,auth=true"))
        assert client.post("/v3/auth/tokens", json=auth_body()).status_code == 503
        assert client.get("/_sim/state").status_code == 200


def test_scoped_faults(faulty: Faulty) -> None:
    _, api = faulty("503=1,methods=POST,paths=cloudbackups")
    assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 200
    assert api.get("/v2/{pid}/backups/detail?limit=1").status_code == 200
    volume = api.pick_volume()
    assert api.create(volume["id"], "scoped").status_code == 503


def test_fault_sequence_is_deterministic(serve_sim: Callable[..., Served]) -> None:
    runs = []
    for _ in range(2):
        served = serve_sim(faults=FaultSpec.parse("5xx=0.3,429=0.2,seed=11"))
        with served.client() as client:
            api = login(client)
            runs.append([api.get("/v2/{pid}/cloudbackups/quota").status_code
                         for _ in range(30)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 2


def test_faults_from_config(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(faults=FaultSpec.parse("502=1"))
    with served.client() as client:
        api = login(client)
        assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 502
        assert served.state()["faults"] == "502=1"
