"""Server-side field rules of the CBR requests (checkpoints, vaults, restore); the
query parameters of listings are read in `cbr_params`.

Every refusal is `BackupService.9900` (parameter verification failed) with the
field named, except where the error table has a code of its own (vault capacity,
resource type, duplicates).  JSON types are checked strictly: a string `"true"` for
`incremental` is a client bug the real service also refuses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from vbstui.sim.cbr_codes import CbrError, bad_parameter
from vbstui.sim.cbr_models import DISK_RESOURCE
from vbstui.sim.ids import is_uuid

NAME_MAX = 64
DESCRIPTION_MAX = 255
VAULT_DESCRIPTION_MAX = 64
VAULT_SIZE_MIN, VAULT_SIZE_MAX = 10, 10_485_760
RESOURCES_PER_REQUEST = 256
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class CheckpointRequest:
    """A CBR backup request (checkpoint) as the body asked for it."""

    vault_id: str
    resources: list[str] | None
    name: str | None
    description: str
    incremental: bool
    auto_trigger: bool


@dataclass(frozen=True)
class VaultRequest:
    """A create-vault request as the body asked for it."""

    name: str
    size_gb: int
    description: str
    resources: list[str]
    policy_id: str | None
    auto_expand: bool


def load_object(body: bytes, key: str) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_parameter("The request body is not valid JSON.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get(key), dict):
        raise bad_parameter(f"The request body must be an object with a '{key}' object.")
    return payload[key]


def load_body(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise bad_parameter("The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise bad_parameter("The request body must be a JSON object.")
    return payload


def check_name(value: object, what: str = "name") -> str:
    if not isinstance(value, str) or not value.isascii() or not _NAME_RE.match(value):
        raise bad_parameter(f"'{what}' must be 1 to {NAME_MAX} characters of letters, digits, "
                            "underscores (_) and hyphens (-).")
    return value


def check_description(value: object, limit: int = DESCRIPTION_MAX) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise bad_parameter(f"'description' must be a string of at most {limit} characters.")
    return value


def _bool(value: object, what: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_parameter(f"'{what}' must be a JSON boolean (true or false).")
    return value


def _id(value: object, what: str) -> str:
    if not is_uuid(value):
        raise bad_parameter(f"'{what}' must be a UUID.")
    return str(value)


def parse_checkpoint(body: bytes) -> CheckpointRequest:
    checkpoint = load_object(body, "checkpoint")
    vault_id = _id(checkpoint.get("vault_id"), "vault_id")
    params = checkpoint.get("parameters") or {}
    if not isinstance(params, dict):
        raise bad_parameter("'parameters' must be an object.")
    resources = params.get("resources")
    if resources is not None:
        if not isinstance(resources, list) or len(resources) > RESOURCES_PER_REQUEST:
            raise bad_parameter(f"'resources' must be a list of at most {RESOURCES_PER_REQUEST} "
                                "resource ids.")
        resources = [_id(r, "resources[]") for r in resources]
        resources = list(dict.fromkeys(resources))
    name = params.get("name")
    return CheckpointRequest(
        vault_id=vault_id, resources=resources,
        name=None if name is None else check_name(name),
        description=check_description(params.get("description")),
        incremental=_bool(params.get("incremental"), "incremental", True),
        auto_trigger=_bool(params.get("auto_trigger"), "auto_trigger", False),
    )


def check_size(value: object, low: int = VAULT_SIZE_MIN) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= VAULT_SIZE_MAX:
        raise CbrError("BackupService.6101", f"'billing.size' must be a whole number of GB "
                       f"from {low} to {VAULT_SIZE_MAX}.")
    return value


def parse_resources(value: object) -> list[str]:
    """`[{id, type}]` of disks; the type must be a disk, ids unique."""
    if not isinstance(value, list) or len(value) > RESOURCES_PER_REQUEST:
        raise bad_parameter(f"'resources' must be a list of at most {RESOURCES_PER_REQUEST} "
                            "objects.")
    ids: list[str] = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_parameter("each resource must be an object with 'id' and 'type'.")
        if item.get("type") != DISK_RESOURCE:
            raise CbrError("BackupService.6102", f"A disk vault holds only {DISK_RESOURCE} "
                           f"resources, not {str(item.get('type'))[:40]!r}.")
        ids.append(_id(item.get("id"), "resources[].id"))
    if len(set(ids)) != len(ids):
        raise CbrError("BackupService.6104")
    return ids


def parse_vault(body: bytes) -> VaultRequest:
    vault = load_object(body, "vault")
    billing = vault.get("billing")
    if not isinstance(billing, dict):
        raise bad_parameter("'billing' must be an object.")
    for key in ("consistent_level", "object_type", "protect_type"):
        if not isinstance(billing.get(key), str):
            raise bad_parameter(f"'billing.{key}' is required.")
    if billing["object_type"] != "disk" or billing["protect_type"] != "backup":
        raise CbrError("BackupService.6116", "The simulator creates disk backup vaults only "
                       "(object_type disk, protect_type backup).")
    if "resources" not in vault:
        raise bad_parameter("'resources' is required (use [] for none).")
    policy_id = vault.get("backup_policy_id")
    return VaultRequest(
        name=check_name(vault.get("name")), size_gb=check_size(billing.get("size")),
        description=check_description(vault.get("description"), VAULT_DESCRIPTION_MAX),
        resources=parse_resources(vault["resources"]),
        policy_id=None if policy_id is None else _id(policy_id, "backup_policy_id"),
        auto_expand=_bool(vault.get("auto_expand"), "auto_expand", False),
    )


def parse_vault_update(body: bytes) -> tuple[str | None, int | None]:
    """(new name, new size) of a `PUT /vaults/{id}`; other fields are accepted, unused."""
    vault = load_object(body, "vault")
    name = vault.get("name")
    billing = vault.get("billing")
    size = None
    if billing is not None:
        if not isinstance(billing, dict):
            raise bad_parameter("'billing' must be an object.")
        if "size" in billing:
            size = check_size(billing["size"], low=1)
    return (None if name is None else check_name(name)), size


def parse_add_resources(body: bytes) -> list[str]:
    ids = parse_resources(load_body(body).get("resources"))
    if not ids:
        raise bad_parameter("'resources' must name 1 to 256 disks.")
    return ids


def parse_remove_resources(body: bytes) -> list[str]:
    value = load_body(body).get("resource_ids")
    if not isinstance(value, list) or not value or len(value) > RESOURCES_PER_REQUEST:
        raise bad_parameter("'resource_ids' must be a list of 1 to 256 ids.")
    return [_id(v, "resource_ids[]") for v in value]


def parse_policy(body: bytes, *, required: bool) -> str | None:
    value = load_body(body).get("policy_id")
    if value is None and not required:
        return None
    return _id(value, "policy_id")


def parse_restore(body: bytes) -> str:
    restore = load_object(body, "restore")
    return _id(restore.get("volume_id"), "volume_id")
