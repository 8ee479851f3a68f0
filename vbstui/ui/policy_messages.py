"""What the policies view asks of the app (routed to `PolicyFlows`)."""

from __future__ import annotations

from textual.message import Message

from vbstui.cloud.policy_models import Policy

# How the read-only guard names each action that changes a policy (as the CLI does).
GUARD_WORDS = {
    "create": "create a backup policy", "edit": "change a backup policy",
    "switch": "switch a backup policy ON/OFF", "run": "run a backup policy",
    "link": "link disks to a backup policy", "unlink": "unlink disks from a backup policy",
    "delete": "delete a backup policy",
}


class PolicyActionRequested(Message):
    """A key of the policies view: `action` on `policy` (None for create)."""

    def __init__(self, action: str, policy: Policy | None) -> None:
        super().__init__()
        self.action = action
        self.policy = policy
