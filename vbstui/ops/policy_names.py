"""The name of each disk's policy, for listings of disks.

A disk belongs to at most one policy: EVS lists it with `metadata.policy` (the policy's
id); a listing shows the policy's name from one policy listing.  Apart from
`vbstui.ops.policy_links` (linking and unlinking), which a listing never needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import CloudError
from vbstui.cloud.lenient import as_str
from vbstui.cloud.models import Volume
from vbstui.cloud.policy_list import list_policies
from vbstui.cloud.policy_models import Policy


def disk_policy_id(volume: Volume) -> str:
    """The id of the policy a disk is linked to ("" for none), from EVS `metadata.policy`."""
    return volume.policy_id


async def disk_policy_names(session: CloudSession, volumes: Iterable[Volume]
                            ) -> dict[str, str]:
    """Disk id -> the name of its policy, for the disks that are in one.  No call when no
    disk is; one policy listing otherwise (its ids are shown if that listing fails)."""
    linked = [v for v in volumes if disk_policy_id(v)]
    if not linked:
        return {}
    try:
        policies = {p.id: p for p in await list_policies(session)}
    except CloudError:
        policies = {}
    return {v.id: disk_policy_name(v, policies) for v in linked}


def record_policy_id(record: Mapping[str, Any]) -> str:
    """`disk_policy_id` of a disk's record as the server sent it (listings without models)."""
    metadata = record.get("metadata")
    return as_str(metadata.get("policy")).strip() if isinstance(metadata, dict) else ""


class PolicyNames:
    """Policy id -> name for a listing of disk records: one policy listing per run, and
    only once a disk names a policy (a project without any makes no call)."""

    def __init__(self, session: CloudSession | None) -> None:
        self.session = session
        self.asked = False
        self.names: dict[str, str] | None = None  # None: not listed, or it failed

    async def for_records(self, records: Iterable[Any]) -> dict[str, str] | None:
        if not self.asked and self.session is not None and any(
                isinstance(r, dict) and record_policy_id(r) for r in records):
            self.asked = True
            try:
                self.names = {p.id: p.name for p in await list_policies(self.session)}
            except CloudError:  # the ids are still shown, the names stay unknown
                self.names = None
        return self.names


def disk_policy_name(volume: Volume, policies: Mapping[str, Policy]) -> str:
    """The name of the disk's policy (`policies` by id, a listing already at hand): its
    name; the bare id of a policy the listing does not have; "" for a disk in no policy."""
    policy_id = disk_policy_id(volume)
    policy = policies.get(policy_id)
    return policy.name if policy is not None else policy_id
