"""IAM token endpoint and token checks, over a real socket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest
from simkit import DOMAIN, PROJECT, USER, Served, auth_body, login

from vbstui.sim import FaultSpec, SimConfig

KEYSTONE_401 = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


def _parse_z(text: str) -> datetime:
    assert text.endswith("Z")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def test_password_login_by_project_name(served: Served) -> None:
    with served.client() as client:
        response = client.post("/v3/auth/tokens", json=auth_body())
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert len(response.headers["X-Subject-Token"]) > 200
    assert response.headers["X-Request-Id"]
    token = response.json()["token"]
    assert token["methods"] == ["password"]
    pid = served.sim.config.project_id
    assert token["project"] == {"id": pid, "name": PROJECT,
                                "domain": {"id": SimConfig().domain_id, "name": DOMAIN}}
    assert token["user"]["name"] == USER
    assert token["user"]["domain"]["name"] == DOMAIN
    assert token["roles"]
    lifetime = _parse_z(token["expires_at"]) - _parse_z(token["issued_at"])
    assert lifetime == timedelta(days=1)


def test_catalog_points_at_the_simulator(served: Served) -> None:
    with served.client() as client:
        token = client.post("/v3/auth/tokens", json=auth_body()).json()["token"]
    pid = served.sim.config.project_id
    by_type = {entry["type"]: entry for entry in token["catalog"]}
    assert set(by_type) >= {"identity", "evs", "volumev2", "vbsv2", "volume-backup"}
    assert by_type["identity"]["endpoints"][0]["url"] == f"{served.base_url}/v3"
    for kind in ("evs", "volumev2", "vbsv2", "volume-backup"):
        (endpoint,) = by_type[kind]["endpoints"]
        assert endpoint["url"] == f"{served.base_url}/v2/{pid}"
        assert endpoint["region"] == endpoint["region_id"] == "eu-de"
        assert endpoint["interface"] == "public"
        assert endpoint["id"]
        assert by_type[kind]["id"] and by_type[kind]["name"]


def test_nocatalog(served: Served) -> None:
    with served.client() as client:
        token = client.post("/v3/auth/tokens?nocatalog=1", json=auth_body()).json()["token"]
    assert "catalog" not in token


@pytest.mark.parametrize("variant", ["project_id", "domain_id", "user_id"])
def test_alternative_identifiers(served: Served, variant: str) -> None:
    config = served.sim.config
    body = {
        "project_id": auth_body(scope={"project": {"id": config.project_id}}),
        "domain_id": auth_body(user={"name": USER, "domain": {"id": config.domain_id}}),
        "user_id": auth_body(user={"id": config.user_id}),
    }[variant]
    with served.client() as client:
        response = client.post("/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["token"]["project"]["id"] == config.project_id


@pytest.mark.parametrize("body", [
    auth_body(password="wrong"),
    auth_body(user={"name": "someone", "domain": {"name": DOMAIN}}),
    auth_body(user={"name": USER, "domain": {"name": "OTHER-DOMAIN"}}),
    auth_body(user={"name": USER, "domain": {"id": "0" * 32}}),
    auth_body(scope={"project": {"name": "eu-de_other"}}),
    auth_body(scope={"project": {"id": "f" * 32}}),
], ids=["password", "user", "domain", "domain-id", "project", "project-id"])
def test_wrong_credentials_are_401_in_keystone_shape(served: Served, body: dict) -> None:
    with served.client() as client:
        response = client.post("/v3/auth/tokens", json=body)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json() == KEYSTONE_401
    assert "X-Subject-Token" not in response.headers


@pytest.mark.parametrize("content", [
    b"not json", b"[]", b'{"auth": 1}', b'{"auth": {"identity": {"methods": ["token"]}}}',
    b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo"}}}}}',
])
def test_malformed_body_is_400_in_keystone_shape(served: Served, content: bytes) -> None:
    with served.client() as client:
        response = client.post("/v3/auth/tokens", content=content)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert error["title"] == "Bad Request"
    assert error["message"]


def _gateway_401(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information")
    assert reason in body["error_msg"]
    assert body["request_id"] == response.headers["X-Request-Id"]


def test_missing_and_unknown_tokens_are_401_from_the_gateway(served: Served) -> None:
    pid = served.sim.config.project_id
    with served.client() as client:
        _gateway_401(client.get(f"/v2/{pid}/cloudvolumes/detail"), "not found")
        client.headers["X-Auth-Token"] = "MIIZ-made-up"
        _gateway_401(client.get(f"/v2/{pid}/backups/detail"), "decrypt")


def test_token_expires_after_its_lifetime(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(token_lifetime=60)
    assert served.clock is not None
    with served.client() as client:
        api = login(client)
        token = client.post("/v3/auth/tokens", json=auth_body()).json()["token"]
        assert _parse_z(token["expires_at"]) - _parse_z(token["issued_at"]) == timedelta(
            seconds=60)
        assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 200
        served.clock.advance(59)
        assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 200
        served.clock.advance(1)
        _gateway_401(api.get("/v2/{pid}/cloudbackups/quota"), "expired")
        # A fresh token works again.
        login(client)
        assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 200


def test_token_expiry_fault_revokes_before_expires_at(
        serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(faults=FaultSpec.parse("token_expiry=30"))
    assert served.clock is not None
    with served.client() as client:
        response = client.post("/v3/auth/tokens", json=auth_body())
        token = response.json()["token"]
        # The token still promises a full day...
        assert _parse_z(token["expires_at"]) - _parse_z(token["issued_at"]) == timedelta(days=1)
        api = login(client)
        served.clock.advance(29)
        assert api.get("/v2/{pid}/cloudbackups/quota").status_code == 200
        served.clock.advance(1)
        # ...but is revoked mid-session.
        _gateway_401(api.get("/v2/{pid}/cloudbackups/quota"), "revoked")


def test_token_for_another_project_is_403(served: Served) -> None:
    with served.client() as client:
        api = login(client)
        response = client.get(f"/v2/{'a' * 32}/cloudvolumes/detail")
        assert response.status_code == 403
        assert response.json()["error_code"] == "APIGW.0302"
        assert api.get("/v2/{pid}/cloudvolumes/detail?limit=1").status_code == 200


def test_domain_scoped_token_has_no_project_access(served: Served) -> None:
    body = auth_body(scope={"domain": {"name": DOMAIN}})
    with served.client() as client:
        response = client.post("/v3/auth/tokens", json=body)
        assert response.status_code == 201
        token = response.json()["token"]
        assert "project" not in token
        assert token["domain"]["name"] == DOMAIN
        assert [entry["type"] for entry in token["catalog"]] == ["identity"]
        client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        pid = served.sim.config.project_id
        assert client.get(f"/v2/{pid}/cloudvolumes/detail").status_code == 403


def test_custom_account(serve_sim: Callable[..., Served]) -> None:
    served = serve_sim(user="alice", password="s3cret", user_domain="ACME",
                       project="eu-nl_acme", region="eu-nl")
    body = auth_body(user={"name": "alice", "domain": {"name": "ACME"}}, password="s3cret",
                     scope={"project": {"name": "eu-nl_acme"}})
    with served.client() as client:
        response = client.post("/v3/auth/tokens", json=body)
        assert response.status_code == 201
        regions = {e["endpoints"][0]["region"] for e in response.json()["token"]["catalog"]}
        assert regions == {"*", "eu-nl"}
        assert client.post("/v3/auth/tokens", json=auth_body()).status_code == 401
