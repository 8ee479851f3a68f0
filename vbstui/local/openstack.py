"""Profiles from OpenStack conventions: clouds.yaml (+ secure.yaml) and OS_* variables.

Only the user's and the system's config directories are searched.  The current
directory is searched only when asked for explicitly: on a shared jump host a
`./clouds.yaml` planted by someone else must not redirect credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vbstui.cloud.secret import Secret
from vbstui.errors import ConfigError
from vbstui.local.config import Profile
from vbstui.local.filecheck import check_private_file, read_config_file


def search_dirs(include_cwd: bool) -> list[Path]:
    dirs = [Path.home() / ".config" / "openstack", Path("/etc/openstack")]
    if include_cwd:
        dirs.insert(0, Path.cwd())
    return dirs


def _no_alias_loader() -> Any:
    """PyYAML's safe loader refusing aliases: `*name` lets a few lines expand into
    gigabytes (a "billion laughs"), and no real clouds.yaml needs one."""
    import yaml  # noqa: PLC0415 - only when clouds.yaml is used

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.MarkedYAMLError(
                    problem="aliases (*name) are not allowed; write the values out",
                    problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)

    return NoAliasLoader


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml  # noqa: PLC0415 - only when clouds.yaml is used

    try:
        text = read_config_file(path)  # regular, small, ours (or root's), not writable by others
    except FileNotFoundError:
        raise ConfigError(f"{path}: cannot read: file not found") from None
    try:
        data = yaml.load(text, Loader=_no_alias_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid YAML: nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'clouds' key")
    return data


def _find(filename: str, include_cwd: bool) -> Path | None:
    explicit = os.environ.get("OS_CLIENT_CONFIG_FILE") if filename == "clouds.yaml" else None
    if explicit:
        path = Path(explicit).expanduser()
        if not path.exists():
            raise ConfigError(f"OS_CLIENT_CONFIG_FILE points at {path}, which does not exist")
        return path
    for directory in search_dirs(include_cwd):
        for name in (filename, filename.replace(".yaml", ".yml")):
            candidate = directory / name
            if candidate.exists():  # reading it refuses what is not a trusted regular file
                return candidate
    return None


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _pick(table: Mapping[str, Any], where: str, *keys: str) -> str | None:
    """The first non-empty value among `keys`, as text; a nested table is refused."""
    for key in keys:
        value = table.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, (dict, list)):
            raise ConfigError(f"{where}.{key}: must be a single value, not a "
                              f"{'mapping' if isinstance(value, dict) else 'list'}")
        return str(value)
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _cloud_entry(name: str, include_cwd: bool) -> tuple[Path, dict[str, Any]]:
    clouds_path = _find("clouds.yaml", include_cwd)
    if clouds_path is None:
        dirs = ", ".join(str(d) for d in search_dirs(include_cwd))
        raise ConfigError(f"no clouds.yaml found (looked in {dirs})")
    clouds = _read_yaml(clouds_path).get("clouds")
    if not isinstance(clouds, dict) or name not in clouds:
        known = ", ".join(sorted(str(k) for k in clouds)) if isinstance(clouds, dict) else "none"
        raise ConfigError(f"{clouds_path}: no cloud named {name!r} (known: {known})")
    entry = clouds[name]
    if not isinstance(entry, dict):
        raise ConfigError(f"{clouds_path}: clouds.{name} must be a mapping")
    return clouds_path, entry


def _has_password(entry: Mapping[str, Any]) -> bool:
    auth = entry.get("auth")
    return isinstance(auth, dict) and bool(auth.get("password"))


def _with_secure_yaml(entry: dict[str, Any], name: str, include_cwd: bool
                      ) -> tuple[dict[str, Any], str]:
    """`entry` with secure.yaml's part merged in, and where the password came from.  Both
    files passed the same trust check when read, so a secret is never merged into an entry
    someone else could have written."""
    origin = "clouds.yaml"
    secure_path = _find("secure.yaml", include_cwd)
    if secure_path is None:
        return entry, origin
    secure = _read_yaml(secure_path).get("clouds")
    if not isinstance(secure, dict) or not isinstance(secure.get(name), dict):
        return entry, origin
    check_private_file(secure_path, holds="secrets")
    if _has_password(secure[name]):
        origin = "secure.yaml"
    return _merge(entry, secure[name]), origin


def profile_from_clouds_yaml(name: str, *, include_cwd: bool = False) -> Profile:
    clouds_path, entry = _cloud_entry(name, include_cwd)
    if _has_password(entry):
        check_private_file(clouds_path, holds="a password")
    entry, password_origin = _with_secure_yaml(entry, name, include_cwd)
    raw_auth = entry.get("auth")
    auth: dict[str, Any] = raw_auth if isinstance(raw_auth, dict) else {}
    where = f"{clouds_path}: clouds.{name}"
    auth_url = _pick(auth, f"{where}.auth", "auth_url")
    username = _pick(auth, f"{where}.auth", "username")
    if not auth_url or not username:
        raise ConfigError(f"{where}: auth.auth_url and auth.username are required")
    project_name = _pick(auth, f"{where}.auth", "project_name", "tenant_name")
    project_id = _pick(auth, f"{where}.auth", "project_id", "tenant_id")
    if not project_name and not project_id:
        raise ConfigError(f"{where}: auth.project_name or auth.project_id is required")
    domain_name = _pick(auth, f"{where}.auth", "user_domain_name", "domain_name")
    domain_id = _pick(auth, f"{where}.auth", "user_domain_id", "domain_id")
    if not domain_name and not domain_id:
        raise ConfigError(f"{where}: auth.user_domain_name or auth.user_domain_id is required")
    insecure = _truthy(entry.get("insecure", False)) or (
        "verify" in entry and not _truthy(entry["verify"])
    )
    password = _pick(auth, f"{where}.auth", "password")
    return Profile(
        name=f"cloud:{name}",
        auth_url=auth_url,
        username=username,
        region=_pick(entry, where, "region_name"),
        user_domain_name=domain_name,
        user_domain_id=None if domain_name else domain_id,
        project_name=project_name,
        project_id=None if project_name else project_id,
        cacert=_pick(entry, where, "cacert"),
        insecure=insecure,
        password=Secret(password) if password else None,
        password_origin=password_origin if password else None,
        origin=f"clouds.yaml ({clouds_path})",
        env_password_allowed=True,
    )


def profile_from_environment() -> Profile:
    env = os.environ
    missing = [n for n in ("OS_AUTH_URL", "OS_USERNAME") if not env.get(n)]
    if not (env.get("OS_PROJECT_NAME") or env.get("OS_PROJECT_ID") or env.get("OS_TENANT_NAME")):
        missing.append("OS_PROJECT_NAME or OS_PROJECT_ID")
    domain_name = env.get("OS_USER_DOMAIN_NAME") or env.get("OS_DOMAIN_NAME")
    domain_id = env.get("OS_USER_DOMAIN_ID") or env.get("OS_DOMAIN_ID")
    if not domain_name and not domain_id:
        missing.append("OS_USER_DOMAIN_NAME")
    if missing:
        raise ConfigError(f"--env needs these environment variables: {', '.join(missing)}")
    project_name = env.get("OS_PROJECT_NAME") or env.get("OS_TENANT_NAME")
    return Profile(
        name="env",
        auth_url=env["OS_AUTH_URL"],
        username=env["OS_USERNAME"],
        region=env.get("OS_REGION_NAME") or None,
        user_domain_name=domain_name or None,
        user_domain_id=None if domain_name else domain_id,
        project_name=project_name or None,
        project_id=None if project_name else env.get("OS_PROJECT_ID"),
        cacert=env.get("OS_CACERT") or None,
        insecure=_truthy(env.get("OS_INSECURE", "")),
        origin="environment (OS_*)",
        env_password_allowed=True,
    )
