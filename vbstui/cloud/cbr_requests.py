"""The bodies vbstui sends to CBR, checked against the API's own field limits first.

These are the service's limits (what `cbr-api` documents); the operations layer adds
what it can know beyond them (free capacity, a backup already running).  Names use the
same rule as VBS backups (`validation.validate_name`): one rule for both services.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from vbstui.cloud.cbr_vault_models import DISK_RESOURCE, DISK_VAULT, MAX_VAULT_RESOURCES
from vbstui.cloud.endpoints import identifier_problem
from vbstui.cloud.validation import INVISIBLE_CATEGORIES, NAME_MAX, validate_name

CHECKPOINT_DESCRIPTION_MAX = 255
VAULT_NAME_MAX = 64
VAULT_DESCRIPTION_MAX = 64
VAULT_SIZE_MIN_GB = 10
VAULT_SIZE_MAX_GB = 10_485_760
VAULT_CREATE_RESOURCES_MAX = 255  # the create call takes one fewer than a vault holds


def text_problems(text: str, *, max_length: int) -> list[str]:
    """Problems with a free-text field (description): its length, invisible characters."""
    problems: list[str] = []
    if len(text) > max_length:
        problems.append(f"at most {max_length} characters (now {len(text)})")
    # Stricter than the service: the text is shown in terminals, where control and
    # bidi characters would be obeyed or would disguise it.
    if any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in text):
        problems.append("must not contain control or invisible formatting characters")
    return problems


# The API page (vaults/creating_a_vault) says only 1 to 64 characters; the guide
# (creating_a_disk_backup_vault) adds letters, digits, '-' and '_'.  The stricter rule
# of the two is the one a vault name must pass.
_VAULT_NAME = re.compile(rf"[A-Za-z0-9_-]{{1,{VAULT_NAME_MAX}}}")


def vault_name_problems(name: str) -> list[str]:
    """Problems with a vault name: 1 to 64 of A-Z a-z 0-9 '_' '-'."""
    if not name:
        return ["is required"]
    if len(name) > VAULT_NAME_MAX:
        return [f"at most {VAULT_NAME_MAX} characters (now {len(name)})"]
    if not _VAULT_NAME.fullmatch(name):
        return ["may contain only letters A-Z and a-z, digits, '_' and '-'"]
    return []


def id_problems(ids: Sequence[str], *, what: str, most: int) -> list[str]:
    problems: list[str] = []
    if not ids:
        problems.append(f"at least one {what} is required")
    if len(ids) > most:
        problems.append(f"at most {most} {what}s in one request (now {len(ids)})")
    if len(set(ids)) != len(ids):
        problems.append(f"a {what} is named more than once")
    for value in ids:
        problem = identifier_problem(value)
        if problem is not None:
            problems.append(f"{what} {value[:40]!r} {problem}")
            break
    return problems


@dataclass(frozen=True)
class CheckpointRequest:
    """Back up disks of one vault now: `POST /v3/{project_id}/checkpoints`."""

    vault_id: str
    disk_ids: tuple[str, ...]
    name: str
    description: str = ""
    incremental: bool = True  # the API's default; False forces a full backup

    def problems(self) -> dict[str, list[str]]:
        found = {
            "vault_id": [f"vault id {p}" for p in [identifier_problem(self.vault_id)] if p],
            "disk_ids": id_problems(self.disk_ids, what="disk", most=MAX_VAULT_RESOURCES),
            "name": validate_name(self.name, max_length=NAME_MAX),
            "description": text_problems(self.description,
                                         max_length=CHECKPOINT_DESCRIPTION_MAX),
        }
        return {key: msgs for key, msgs in found.items() if msgs}

    def to_body(self) -> dict[str, object]:
        parameters: dict[str, object] = {
            "resources": list(self.disk_ids), "name": self.name,
            "incremental": self.incremental,
        }
        if self.description:
            parameters["description"] = self.description
        return {"checkpoint": {"vault_id": self.vault_id, "parameters": parameters}}


def disk_resources(disk_ids: Sequence[str]) -> list[dict[str, str]]:
    """`resources` entries for disks, as vault create and addresources take them."""
    return [{"id": disk_id, "type": DISK_RESOURCE} for disk_id in disk_ids]


@dataclass(frozen=True)
class VaultRequest:
    """Create a disk vault: `POST /v3/{project_id}/vaults` (pay per use, `post_paid`)."""

    name: str
    size_gb: int
    disk_ids: tuple[str, ...] = ()
    description: str = ""
    policy_id: str = ""

    def problems(self) -> dict[str, list[str]]:
        name = vault_name_problems(self.name)
        size: list[str] = []
        if isinstance(self.size_gb, bool) or not isinstance(self.size_gb, int):
            size.append("must be a whole number of GB")
        elif not VAULT_SIZE_MIN_GB <= self.size_gb <= VAULT_SIZE_MAX_GB:
            size.append(f"must be {VAULT_SIZE_MIN_GB} to {VAULT_SIZE_MAX_GB} GB "
                        f"(now {self.size_gb})")
        found = {
            "name": name,
            "size_gb": size,
            "disk_ids": (id_problems(self.disk_ids, what="disk", most=VAULT_CREATE_RESOURCES_MAX)
                         if self.disk_ids else []),
            "description": text_problems(self.description, max_length=VAULT_DESCRIPTION_MAX),
            "policy_id": [f"policy id {p}" for p in
                          [identifier_problem(self.policy_id) if self.policy_id else None] if p],
        }
        return {key: msgs for key, msgs in found.items() if msgs}

    def to_body(self) -> dict[str, object]:
        vault: dict[str, object] = {
            "name": self.name,
            "billing": {
                "consistent_level": "crash_consistent",
                "object_type": DISK_VAULT,
                "protect_type": "backup",
                "size": self.size_gb,
                "charging_mode": "post_paid",
                "is_auto_renew": False,
                "is_auto_pay": False,
            },
            "resources": disk_resources(self.disk_ids),
        }
        if self.description:
            vault["description"] = self.description
        if self.policy_id:
            vault["backup_policy_id"] = self.policy_id
        return {"vault": vault}
