"""The name of a disk's backup policy, from a policy listing already at hand.

A front end that keeps the project's policies (the TUI lists them once per refresh)
names each disk's policy per cell with this, without another listing.
"""

from __future__ import annotations

from collections.abc import Mapping

from vbstui.cloud.models import Volume
from vbstui.cloud.policy_models import Policy
from vbstui.ops.policy_links import disk_policy_id


def disk_policy_name(volume: Volume, policies: Mapping[str, Policy]) -> str:
    """The name of the disk's policy (`policies` by id): its name; the bare id of a
    policy the listing does not have; "" for a disk in no policy."""
    policy_id = disk_policy_id(volume)
    policy = policies.get(policy_id)
    return policy.name if policy is not None else policy_id
