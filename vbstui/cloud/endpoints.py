"""Service endpoints: from the token catalog or a profile override, checked for safety."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from vbstui.cloud.errors import ConnectionSettingsError, EndpointNotFound, InvalidIdentifier

VBS_TYPES = ("vbsv2", "volume-backup", "vbs")
EVS_TYPES = ("evs", "volumev2", "volumev3", "volume")

# Catalog URLs end in the API version and often the project: .../v2/{project_id}
_VERSION_SUFFIX = re.compile(r"/v[0-9]+(\.[0-9]+)?(/[^/]*)?/?$")


def loopback_address(host: str) -> bool:
    """A literal IP address on the loopback network (127.0.0.0/8, ::1)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """Decided by address, never by a name pattern: `127.0.0.1.attacker.localhost` is
    whatever DNS says it is.  Only the exact name `localhost` is accepted, and the
    session checks what it resolved to before anything is sent (`resolve_loopback`)."""
    return host.lower() == "localhost" or loopback_address(host)


def needs_resolution_check(url: str, *, allow_http: bool) -> bool:
    """Plain http allowed only because the host is the *name* `localhost`: the address it
    resolves to must be checked before a token goes out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme == "http" and not allow_http and not loopback_address(host)


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve_loopback(host: str, port: int, resolver: Resolver) -> str:
    """The one loopback address to connect to for `host`, or `ConnectionSettingsError`.

    Every address the name resolves to must be loopback; the caller then connects
    to the returned address itself, so a second lookup cannot answer differently."""
    try:
        addresses = await resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise ConnectionSettingsError(
            f"cannot resolve {host!r} for a plain-http connection: {exc}",
            hint="use http://127.0.0.1:PORT/ (or https)",
        ) from None
    outside = [a for a in addresses if not loopback_address(a)]
    if not addresses or outside:
        raise ConnectionSettingsError(
            f"{host!r} resolves to {', '.join(outside) or 'nothing'}, not to a loopback "
            "address: refusing to send a token there over plain http",
            hint="use https, or http://127.0.0.1:PORT/ for a local test server",
        )
    # Pinning gives up the fallback across addresses: prefer 127.0.0.1-style ones,
    # which local test servers bind far more often than ::1.
    ipv4 = [a for a in addresses if ":" not in a]
    return (ipv4 or addresses)[0]


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system gives for `host`, in its order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# Ids go into URL paths; anything longer or odder than this is not an id of these services.
ID_MAX = 128


def path_segment(value: object, *, what: str) -> str:
    """`value` as exactly one percent-encoded URL path segment, or `InvalidIdentifier`.

    Ids come from the command line, the journal and server answers; unencoded, an id
    like `../../v3/auth/tokens` or `abc?x=1#frag` would move the request (and its
    token) to another path.  `.` and `..` are refused because URL parsers remove
    them even when encoded by us."""
    text = value if isinstance(value, str) else ""
    problem = identifier_problem(text)
    if problem is not None:
        raise InvalidIdentifier(what, problem)
    return quote(text, safe="")


def identifier_problem(text: str) -> str | None:
    """Why `text` cannot be an id in a URL path, or None."""
    if not text or not text.strip():
        return "is empty"
    if len(text) > ID_MAX:
        return f"is longer than {ID_MAX} characters ({len(text)})"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        return "contains control characters"
    if text in (".", ".."):
        return f"cannot be {text!r}"
    return None


def check_url(url: str, *, allow_http: bool, what: str) -> str:
    """Refuse anything but https, except plain http to loopback or when explicitly allowed.

    "Loopback" is a literal loopback address or the name `localhost` (whose addresses
    the session checks before sending); `*.localhost` names are resolved by DNS like
    any other and get no exception."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectionSettingsError(f"{what} {url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise ConnectionSettingsError(f"{what} must not contain credentials in the URL")
    if parts.scheme == "http" and not allow_http and not is_loopback(parts.hostname):
        raise ConnectionSettingsError(
            f"{what} {url!r} uses plain http to a host that is not a loopback address: "
            "the token would travel unencrypted",
            hint="use https (plain http is allowed only to 127.0.0.1, ::1 or localhost), "
            "or set allow_http = true in the profile if you really mean it",
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
