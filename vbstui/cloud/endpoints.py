"""Service endpoints: from the token catalog or a profile override, checked for safety."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vbstui.cloud.errors import ConnectionSettingsError, EndpointNotFound

VBS_TYPES = ("vbsv2", "volume-backup", "vbs")
EVS_TYPES = ("evs", "volumev2", "volumev3", "volume")

# Catalog URLs end in the API version and often the project: .../v2/{project_id}
_VERSION_SUFFIX = re.compile(r"/v[0-9]+(\.[0-9]+)?(/[^/]*)?/?$")


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_http: bool, what: str) -> str:
    """Refuse anything but https, except plain http to loopback or when explicitly allowed."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectionSettingsError(f"{what} {url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise ConnectionSettingsError(f"{what} must not contain credentials in the URL")
    if parts.scheme == "http" and not allow_http and not is_loopback(parts.hostname):
        raise ConnectionSettingsError(
            f"{what} {url!r} uses plain http: the token would travel unencrypted",
            hint="use https, or set allow_http = true in the profile if you really mean it",
        )
    return url.strip()


def service_root(url: str) -> str:
    """`https://vbs.eu-de.otc.t-systems.com/v2/abc` → `https://vbs.eu-de.otc.t-systems.com`.

    VBS calls mix versions (/v2 for backups, /v1 for jobs), so we keep the root
    and add version and project per call."""
    parts = urlsplit(url.strip())
    path = parts.path.replace("{project_id}", "x").replace("$(tenant_id)s", "x")
    path = _VERSION_SUFFIX.sub("", path.rstrip("/"))
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


@dataclass(frozen=True)
class Endpoints:
    vbs: str
    evs: str


def _catalog_url(catalog: Sequence[Any], types: Sequence[str], region: str | None) -> str | None:
    by_type: dict[str, Mapping[str, Any]] = {}
    for service in catalog:
        if isinstance(service, Mapping) and isinstance(service.get("type"), str):
            by_type.setdefault(service["type"], service)
    for kind in types:
        service = by_type.get(kind)
        if service is None:
            continue
        endpoints = [e for e in service.get("endpoints") or [] if isinstance(e, Mapping)]
        public = [e for e in endpoints if e.get("interface", "public") == "public"] or endpoints
        if region:
            in_region = [
                e for e in public if region in (e.get("region"), e.get("region_id"), "*")
            ]
            public = in_region or public
        for endpoint in public:
            if isinstance(endpoint.get("url"), str) and endpoint["url"]:
                return endpoint["url"]
    return None


def resolve(
    catalog: Sequence[Any] | None,
    *,
    region: str | None,
    vbs_override: str | None,
    evs_override: str | None,
    allow_http: bool,
) -> Endpoints:
    catalog = catalog or []
    vbs = vbs_override or _catalog_url(catalog, VBS_TYPES, region)
    if not vbs:
        raise EndpointNotFound(
            f"VBS is not available for this project/region ({region or 'no region set'}): "
            "the token catalog has no Volume Backup Service endpoint",
            hint="VBS is a legacy service; new projects use Cloud Backup and Recovery (CBR). "
            "If you know the endpoint, set [profiles.NAME.endpoints] vbs = ...",
        )
    evs = evs_override or _catalog_url(catalog, EVS_TYPES, region)
    if not evs:
        raise EndpointNotFound(
            f"the token catalog has no EVS (disk) endpoint for {region or 'this region'}",
            hint="set [profiles.NAME.endpoints] evs = ... in the configuration",
        )
    vbs = check_url(vbs, allow_http=allow_http, what="the VBS endpoint")
    evs = check_url(evs, allow_http=allow_http, what="the EVS endpoint")
    return Endpoints(vbs=service_root(vbs), evs=service_root(evs))
