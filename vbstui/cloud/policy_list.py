"""The project's VBS backup policies, listed: all a disk listing needs to name each
disk's policy.  The rest of the policy API (changes, tasks, tags) is
`vbstui.cloud.policies`, which a listing does not load."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vbstui.cloud.lenient import as_list
from vbstui.cloud.policy_models import Policy

if TYPE_CHECKING:
    from vbstui.cloud.client import CloudSession


async def list_policies(session: CloudSession) -> list[Policy]:
    """The backup policies of the project, from one request."""
    data = await session.read(await session.url("vbs", "v2", "backuppolicy"))
    return [Policy.from_api(p) for p in as_list(data.get("backup_policies"))]
