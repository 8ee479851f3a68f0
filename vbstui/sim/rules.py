"""Server-side field rules of the VBS create and restore requests.

These are written independently of the client's validation on purpose: the simulator
is the referee, so the client's own rules are checked against it, not copied into it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from vbstui.sim.envelopes import VbsError
from vbstui.sim.ids import is_uuid

NAME_MAX = 64
DESCRIPTION_MAX = 64
TAGS_MAX = 10
TAG_KEY_MAX = 36
TAG_VALUE_MAX = 43
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+\Z")
_TAG_FORBIDDEN = re.compile(r"[\x00-\x1f=*<>\\,|/]")


@dataclass(frozen=True)
class CreateRequest:
    """A VBS create-backup request as the body asked for it."""

    volume_id: str
    name: str
    description: str
    snapshot_id: str | None
    full_backup: bool
    tags: list[dict[str, str]] = field(default_factory=list)


def _bad_format(detail: str) -> VbsError:
    return VbsError("VolumeBackup.0002", f"The request format is incorrect: {detail}")


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def parse_create(body: bytes) -> CreateRequest:
    """Validate a `POST cloudbackups` body in the order the codes are documented."""
    payload = _load(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("backup"), dict):
        raise _bad_format("body must be a JSON object with a 'backup' object")
    backup: dict[str, Any] = payload["backup"]
    name = _check_name(backup.get("name"))
    description = _check_description(backup.get("description"))
    volume_id = _check_volume_id(backup.get("volume_id"))
    snapshot_id = backup.get("snapshot_id")
    if snapshot_id is not None and not isinstance(snapshot_id, str):
        raise _bad_format("'snapshot_id' must be a string")
    return CreateRequest(
        volume_id=volume_id,
        name=name,
        description=description,
        snapshot_id=snapshot_id or None,
        full_backup=_check_extend_param(backup.get("extend_param")),
        tags=_check_tags(backup.get("tags")),
    )


def _check_name(name: object) -> str:
    if name is None or name == "":
        raise VbsError("VolumeBackup.0007", "Parameter name in the request is empty.")
    if not isinstance(name, str):
        raise _bad_format("'name' must be a string")
    if len(name) > NAME_MAX:
        raise VbsError("VolumeBackup.0003",
                       f"Parameter name in the request is too long (max {NAME_MAX}).")
    if not name.isascii() or not _NAME_RE.match(name):
        raise VbsError("VolumeBackup.0004",
                       "Parameter name in the request contains invalid characters.")
    if name.startswith("auto"):
        raise VbsError("VolumeBackup.0005", "Parameter name in the request starts with auto.")
    return name


def _check_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise _bad_format("'description' must be a string")
    if len(description) > DESCRIPTION_MAX or "<" in description or ">" in description:
        raise VbsError("VolumeBackup.0006", "Parameter description in the request is too "
                       "long or contains invalid characters.")
    return description


def _check_volume_id(volume_id: object) -> str:
    if volume_id is None or volume_id == "":
        raise VbsError("VolumeBackup.0010", "Parameter volume_id in the request is empty.")
    if not is_uuid(volume_id):
        raise VbsError("VolumeBackup.0011",
                       "The format of parameter volume_id in the request is incorrect.")
    return str(volume_id)


def _check_extend_param(extend: object) -> bool:
    if extend is None:
        return False
    if not isinstance(extend, dict):
        raise _bad_format("'extend_param' must be an object")
    full = extend.get("FullBackup")
    if full is None:
        return False
    # The service takes a *string* here; a JSON boolean is a classic client bug.
    if not isinstance(full, str) or full.lower() not in {"true", "false"}:
        raise _bad_format("'extend_param.FullBackup' must be the string \"true\" or \"false\"")
    return full.lower() == "true"


def _tag_error(detail: str) -> VbsError:
    return VbsError("VolumeBackup.0049", f"The tag parameter is invalid: {detail}")


def _check_tags(tags: object) -> list[dict[str, str]]:
    if tags is None:
        return []
    if not isinstance(tags, list):
        raise _tag_error("'tags' must be a list")
    if len(tags) > TAGS_MAX:
        raise VbsError("VolumeBackup.0050",
                       f"The number of tags has reached the upper limit ({TAGS_MAX}).")
    seen: set[str] = set()
    checked: list[dict[str, str]] = []
    for tag in tags:
        if not isinstance(tag, dict):
            raise _tag_error("each tag must be an object with key and value")
        key, value = tag.get("key"), tag.get("value")
        if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX:
            raise _tag_error(f"key must be a string of 1 to {TAG_KEY_MAX} characters")
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX:
            raise _tag_error(f"value must be a string of 0 to {TAG_VALUE_MAX} characters")
        if _TAG_FORBIDDEN.search(key) or _TAG_FORBIDDEN.search(value):
            raise _tag_error("key and value must not contain control characters or =*<>\\,|/")
        if key in seen:
            raise _tag_error(f"duplicate key {key!r}")
        seen.add(key)
        checked.append({"key": key, "value": value})
    return checked


def parse_restore(backup_id: str, body: bytes) -> str:
    """Validate a restore request; returns the target volume id."""
    if not backup_id.strip():
        raise VbsError("VolumeBackup.0203", "Parameter backup_id in the request is empty.")
    if not is_uuid(backup_id):
        raise VbsError("VolumeBackup.0204",
                       "The format of parameter backup_id in the request is incorrect.")
    payload = _load(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("restore"), dict):
        raise VbsError("VolumeBackup.0210",
                       "The format of the disk restoration request is incorrect.")
    volume_id = payload["restore"].get("volume_id")
    if not is_uuid(volume_id):
        raise VbsError("VolumeBackup.0208", "Parameter volume_id in the request is incorrect.")
    return str(volume_id)
