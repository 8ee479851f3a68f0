"""`GET /_sim/state`, request ids, unknown routes and concurrency counters."""

from __future__ import annotations

import threading
from collections.abc import Callable

from simkit import Api, Served, login

from vbstui.sim import FaultSpec


def test_state_counts_requests_by_route(api: Api, served: Served) -> None:
    api.volumes(limit=1)
    api.volumes(limit=2)
    api.backups(limit=1)
    api.get("/v2/{pid}/backups/detail?limit=1")
    state = served.state()
    requests = state["requests"]
    assert requests["POST /v3/auth/tokens"] == 1
    assert requests["GET /v2/{project_id}/cloudvolumes/detail"] == 2
    assert requests["GET /v2/{project_id}/backups/detail"] == 2
    assert not any(key.startswith("GET /_sim") for key in requests)
    assert state["token_requests"] == 1
    assert state["requests_total"] == 5
    assert state["project_id"] == api.pid
    assert state["volumes"] == 120
    assert (state["max_in_flight"], state["in_flight"]) == (1, 0)
    assert served.sim.snapshot().keys() == state.keys()


def test_request_ids_are_unique_and_everywhere(api: Api, served: Served) -> None:
    responses = [
        api.get("/v2/{pid}/cloudbackups/quota"),
        api.get("/v2/{pid}/no/such/thing"),
        api.delete("/v2/{pid}/cloudbackups/quota"),
        api.client.get("/_sim/state"),
    ]
    ids = [r.headers["X-Request-Id"] for r in responses]
    assert len(set(ids)) == len(ids)
    assert responses[1].status_code == 404
    assert responses[1].json()["error_code"] == "APIGW.0101"
    assert responses[1].json()["request_id"] == ids[1]
    assert responses[2].status_code == 405
    assert served.state()["requests"]["GET (no route)"] == 1


def test_concurrent_creates_are_measured(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim()
    with served.client() as client:
        api = login(client)
        near = {e["volume_id"] for e in api.state()["near_limit"]}
        volumes = [v for v in api.volumes(status="available") if v["id"] not in near][:6]
    served.sim.set_faults(FaultSpec.parse("latency=1,methods=POST"))
    token = client.headers["X-Auth-Token"]
    barrier = threading.Barrier(len(volumes))
    codes: list[int] = []

    def create(volume_id: str) -> None:
        with served.client(headers={"X-Auth-Token": token}) as own:
            barrier.wait()
            response = own.post(f"/v2/{api.pid}/cloudbackups",
                                json={"backup": {"volume_id": volume_id, "name": "parallel"}})
            codes.append(response.status_code)

    threads = [threading.Thread(target=create, args=(v["id"],)) for v in volumes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert codes == [200] * len(volumes)
    state = served.state()
    assert state["create_backup_posts"] == len(volumes)
    assert state["max_in_flight_create_backup"] == len(volumes)
    assert state["max_in_flight"] >= len(volumes)
    assert state["in_flight"] == 0
    assert len(state["created_backups"]) == len(volumes)
    assert state["duplicates"] == []
