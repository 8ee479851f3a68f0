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
CBR_TYPES = ("cbr",)
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


# The backup services vbstui can use, in the order it prefers them when it must pick one.
BACKUP_SERVICES = ("vbs", "cbr")
# What a profile may pin (`backup_service`): one service, or None to use what the catalog has.
PINNABLE = frozenset(BACKUP_SERVICES)
_TITLES = {"vbs": "VBS", "cbr": "CBR", "evs": "EVS"}
_FULL_NAMES = {"vbs": "Volume Backup Service", "cbr": "Cloud Backup and Recovery",
               "evs": "EVS (disk)"}


@dataclass(frozen=True)
class Endpoints:
    """Where each service of the project lives (service roots, no version or project).

    `vbs` / `cbr` are None when the project has no such service, or when the profile
    pins the other one; `offered` says what the catalog (or an override) had before
    the pin, so a message can tell "not in this project" from "switched off"."""

    evs: str
    vbs: str | None = None
    cbr: str | None = None
    offered: tuple[str, ...] = ()
    pinned: str | None = None
    region: str | None = None

    @property
    def backup_services(self) -> tuple[str, ...]:
        """The backup services to work with: "vbs", "cbr", both (in that order) or none."""
        return tuple(s for s in BACKUP_SERVICES if getattr(self, s) is not None)

    def has(self, service: str) -> bool:
        return service in self.backup_services or (service == "evs" and bool(self.evs))

    def root(self, service: str) -> str:
        """The root URL of `service` ("vbs", "cbr", "evs"), or `EndpointNotFound` saying why."""
        if service == "evs":
            return self.evs
        if service not in BACKUP_SERVICES:
            raise ValueError(f"unknown service {service!r}")
        root = getattr(self, service)
        if root is not None:
            return str(root)
        raise self.missing(service)

    def missing(self, service: str) -> EndpointNotFound:
        """The error for a call to a backup service this project does not offer."""
        title = _TITLES[service]
        other = next(s for s in BACKUP_SERVICES if s != service)
        key = f"[profiles.NAME.endpoints] {service} = ..."
        if self.pinned is not None and self.pinned != service:
            return EndpointNotFound(
                f"{title} is not used with this profile: it sets backup_service = "
                f"\"{self.pinned}\"",
                hint=f"remove backup_service from the profile to use {title} too",
            )
        where = self.region or "no region set"
        message = (f"{title} is not available for this project/region ({where}): the token "
                   f"catalog has no {_FULL_NAMES[service]} endpoint")
        if other in self.offered:
            hint = (f"this project uses {_TITLES[other]} ({_FULL_NAMES[other]}); if you know a "
                    f"{title} endpoint, set {key}")
        elif service == "vbs":
            hint = ("VBS is a legacy service; new projects use Cloud Backup and Recovery (CBR). "
                    f"If you know the endpoint, set {key}")
        else:
            hint = f"if you know the endpoint, set {key}"
        return EndpointNotFound(message, hint=hint)

    def require_backup_service(self) -> tuple[str, ...]:
        """`backup_services`, or `EndpointNotFound` when there is none at all."""
        if self.backup_services:
            return self.backup_services
        if self.pinned is not None:
            raise self.missing(self.pinned)
        raise EndpointNotFound(
            f"no backup service is available for this project/region "
            f"({self.region or 'no region set'}): the token catalog has neither a Cloud Backup "
            "and Recovery (CBR) nor a Volume Backup Service (VBS) endpoint",
            hint="check the profile's region and project; if you know an endpoint, set "
            "[profiles.NAME.endpoints] cbr = ... (or vbs = ...)",
        )


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


def offered_services(catalog: Sequence[Any] | None, *, region: str | None) -> tuple[str, ...]:
    """Which backup services the token catalog has an endpoint for ("vbs", "cbr")."""
    types = {"vbs": VBS_TYPES, "cbr": CBR_TYPES}
    return tuple(s for s in BACKUP_SERVICES if _catalog_url(catalog or [], types[s], region))


def resolve(
    catalog: Sequence[Any] | None,
    *,
    region: str | None,
    vbs_override: str | None,
    evs_override: str | None,
    allow_http: bool,
    cbr_override: str | None = None,
    pin: str | None = None,
) -> Endpoints:
    """The project's endpoints: overrides first, then the catalog.

    A missing backup service is not an error here (a project may have VBS, CBR or
    both); a call to one that is missing fails with `Endpoints.missing`.  EVS is needed
    by everything, so its absence is an error at once.  `pin` ("vbs" or "cbr") keeps
    only that backup service."""
    if pin is not None and pin not in PINNABLE:
        raise ConnectionSettingsError(
            f"backup_service must be one of {', '.join(sorted(PINNABLE))}, not {pin!r}")
    catalog = catalog or []
    found = {
        "vbs": vbs_override or _catalog_url(catalog, VBS_TYPES, region),
        "cbr": cbr_override or _catalog_url(catalog, CBR_TYPES, region),
    }
    evs = evs_override or _catalog_url(catalog, EVS_TYPES, region)
    if not evs:
        raise EndpointNotFound(
            f"the token catalog has no EVS (disk) endpoint for {region or 'this region'}",
            hint="set [profiles.NAME.endpoints] evs = ... in the configuration",
        )
    evs = check_url(evs, allow_http=allow_http, what="the EVS endpoint")
    offered = tuple(s for s in BACKUP_SERVICES if found[s])
    roots: dict[str, str | None] = {}
    for service in BACKUP_SERVICES:
        url = found[service]
        if url and pin in (None, service):
            # Checked only when used: a pinned-away endpoint can never carry the token.
            roots[service] = service_root(
                check_url(url, allow_http=allow_http, what=f"the {_TITLES[service]} endpoint"))
        else:
            roots[service] = None
    return Endpoints(evs=service_root(evs), vbs=roots["vbs"], cbr=roots["cbr"],
                     offered=offered, pinned=pin, region=region)
