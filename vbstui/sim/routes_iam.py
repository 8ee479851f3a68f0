"""`POST /v3/auth/tokens`: password authentication in IAM/Keystone shape."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vbstui.sim.config import SimConfig
from vbstui.sim.envelopes import keystone_error
from vbstui.sim.guard import sim_of
from vbstui.sim.ids import derived_hex
from vbstui.sim.paging import base_url
from vbstui.sim.timefmt import keystone_time

UNAUTHORIZED = "The request you have made requires authentication."
MALFORMED = ("The server could not comply with the request since it is either malformed "
             "or otherwise incorrect.")


class _Malformed(Exception):
    pass


def _obj(parent: dict[str, Any], key: str, *, required: bool = True) -> dict[str, Any]:
    value = parent.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise _Malformed(f"Expecting to find {key} as an object.")
    return value


def _matches(given: dict[str, Any], name: str, ident: str) -> bool:
    if "id" in given:
        return given["id"] == ident
    return given.get("name") == name


def _authenticate(payload: Any, config: SimConfig) -> tuple[bool, str | None]:
    """(credentials ok, project id or None for a domain/unscoped token)."""
    if not isinstance(payload, dict):
        raise _Malformed("Expecting a JSON object.")
    auth = _obj(payload, "auth")
    identity = _obj(auth, "identity")
    methods = identity.get("methods")
    if not isinstance(methods, list) or "password" not in methods:
        raise _Malformed("Expecting 'password' in identity.methods.")
    user = _obj(_obj(identity, "password"), "user")
    secret = user.get("password")
    if not isinstance(secret, str) or not ("id" in user or "name" in user):
        raise _Malformed("Expecting user name or id and a password.")
    if "id" in user:
        user_ok = user["id"] == config.user_id
    else:
        domain = _obj(user, "domain")
        user_ok = user.get("name") == config.user and _matches(
            domain, config.user_domain, config.domain_id)
    if not user_ok or secret != config.password:
        return False, None
    scope = _obj(auth, "scope", required=False)
    if "project" in scope:
        project = _obj(scope, "project")
        if _matches(project, config.project, config.project_id):
            return True, config.project_id
        # The same user also has a role in the second project (for sharing).
        if config.peer_project and _matches(project, config.peer_project,
                                            config.peer_project_id):
            return True, config.peer_project_id
        return False, None
    if "domain" in scope and not _matches(_obj(scope, "domain"), config.user_domain,
                                          config.domain_id):
        return False, None
    return True, None


def _endpoint(url: str, region: str, service: str) -> dict[str, Any]:
    return {"url": url, "region": region, "region_id": region, "interface": "public",
            "id": derived_hex("endpoint", service, url)}


def catalog(base: str, config: SimConfig, project_id: str | None) -> list[dict[str, Any]]:
    """Service catalog pointing at the simulator itself, like OTC's per-service hosts."""
    entries = [("identity", "iam", f"{base}/v3", "*")]
    if project_id is not None:
        project_url = f"{base}/v2/{project_id}"
        # Cinder v3 as OpenStack clients look it up (openstacksdk: block-storage, volumev3).
        cinder_v3 = f"{base}/v3/{project_id}"
        entries += [
            ("evs", "evs", project_url, config.region),
            ("volumev2", "cinderv2", project_url, config.region),
            ("volumev3", "cinderv3", cinder_v3, config.region),
            ("block-storage", "cinder", cinder_v3, config.region),
        ]
        if config.has_vbs:
            entries += [
                ("vbsv2", "vbsv2", project_url, config.region),
                ("volume-backup", "vbs", project_url, config.region),
            ]
        if config.has_cbr:
            entries.append(("cbr", "cbr", f"{base}/cbr/v3/{project_id}", config.region))
    services = [
        {"type": kind, "id": derived_hex("service", kind), "name": name,
         "endpoints": [_endpoint(url, region, kind)]}
        for kind, name, url, region in entries
    ]
    # IAM is global ("*"); clients that filter every service by region (openstacksdk with
    # OS_REGION_NAME) also need it listed under the project's region.
    services[0]["endpoints"].append(_endpoint(f"{base}/v3", config.region, "identity"))
    return services


async def issue_token(request: Request) -> Response:
    sim = sim_of(request)
    config = sim.config
    try:
        ok, project_id = _authenticate(json.loads(await request.body()), config)
    except (ValueError, UnicodeDecodeError, _Malformed) as exc:
        detail = str(exc) if isinstance(exc, _Malformed) else "Invalid JSON."
        return keystone_error(400, f"{MALFORMED} ({detail})")
    if not ok:
        return keystone_error(401, UNAUTHORIZED)
    token = sim.issue_token(project_id)
    domain = {"id": config.domain_id, "name": config.user_domain}
    body: dict[str, Any] = {
        "methods": ["password"],
        "expires_at": keystone_time(token.expires_at),
        "issued_at": keystone_time(token.issued_at),
        "user": {"domain": domain, "id": config.user_id, "name": config.user,
                 "password_expires_at": ""},
        "roles": [{"name": "te_admin", "id": "0"}, {"name": "op_gated_vbs", "id": "0"}],
    }
    if project_id is not None:
        name = config.peer_project if project_id == config.peer_project_id else config.project
        body["project"] = {"id": project_id, "name": name, "domain": domain}
    else:
        body["domain"] = domain
    if not request.query_params.get("nocatalog"):
        peer = sim.peers.get(project_id or "")
        # The second project lists its own services (VBS only).
        body["catalog"] = catalog(base_url(request), peer.config if peer else config, project_id)
    return JSONResponse({"token": body}, status_code=201,
                        headers={"X-Subject-Token": token.value})
