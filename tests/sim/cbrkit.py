"""Helpers for the CBR contract tests: the CBR base path from the catalog, plain httpx."""

from __future__ import annotations

from typing import Any

import httpx
from simkit import Api, auth_body

MISSING = "00000000-0000-4000-8000-000000000000"


class Cbr:
    """CBR calls relative to the `cbr` catalog endpoint of a logged-in `Api`."""

    def __init__(self, api: Api, base: str) -> None:
        self.api = api
        self.base = base

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.api.client.get(self.base + path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.api.client.post(self.base + path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.api.client.put(self.base + path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.api.client.delete(self.base + path, **kwargs)

    def vaults(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/vaults", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["vaults"])

    def vault(self, name: str) -> dict[str, Any]:
        return next(v for v in self.vaults() if v["name"] == name)

    def backups(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/backups", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["backups"])

    def tasks(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/operation-logs", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["operation_logs"])

    def checkpoint(self, vault_id: str, resources: list[str] | None = None,
                   **parameters: Any) -> httpx.Response:
        params = dict(parameters)
        if resources is not None:
            params["resources"] = resources
        return self.post("/checkpoints",
                         json={"checkpoint": {"vault_id": vault_id, "parameters": params}})


def cbr_of(api: Api, catalog: list[dict[str, Any]]) -> Cbr:
    entry = next(s for s in catalog if s["type"] == "cbr")
    url = entry["endpoints"][0]["url"]
    base = httpx.URL(url).path
    return Cbr(api, base)


def login_cbr(client: httpx.Client) -> Cbr:
    response = client.post("/v3/auth/tokens", json=auth_body())
    assert response.status_code == 201, response.text
    client.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
    token = response.json()["token"]
    return cbr_of(Api(client, token["project"]["id"]), token["catalog"])


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error_code", "error_msg"}, body
    assert body["error_msg"]
    return str(body["error_code"])
