"""Which disks a policy protects, and what linking, unlinking or deleting would change
(the name of each disk's policy, for listings: `vbstui.ops.policy_names`).

A disk belongs to at most one policy: EVS lists it with `metadata.policy` (the policy's
id).  Linking a disk that is in another policy moves it (the service unlinks it from
the old one, console guide), so the confirmation names where each disk comes from;
unlinking and deleting name the disks that lose their scheduled backups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from vbstui.cloud.error_codes import explain
from vbstui.cloud.models import Volume
from vbstui.cloud.policy_answers import ResourceResult
from vbstui.cloud.policy_models import Policy
from vbstui.ops.policy_names import disk_policy_id
from vbstui.textsafe import plural

SHOWN_DISKS = 20  # disks named in a confirmation before "… and N more"


def linked_disks(policy: Policy, volumes: Iterable[Volume]) -> list[Volume]:
    return [v for v in volumes if disk_policy_id(v) in (policy.id, policy.name) and v.id]


def _disk(volume: Volume) -> str:
    return f"{volume.name} ({volume.id})" if volume.name else volume.id


def _named(volumes: Sequence[Volume]) -> list[str]:
    lines = [f"  {_disk(v)}" for v in volumes[:SHOWN_DISKS]]
    if len(volumes) > SHOWN_DISKS:
        lines.append(f"  … and {len(volumes) - SHOWN_DISKS} more")
    return lines


@dataclass(frozen=True)
class Move:
    """A disk to be moved from the policy it is linked to now."""

    volume: Volume
    source: Policy | None  # None: linked to a policy id the listing does not have
    source_id: str


@dataclass
class LinkPlan:
    """Linking disks to `policy`: new ones, moves from other policies, already linked."""

    policy: Policy
    new: list[Volume] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    already: list[Volume] = field(default_factory=list)

    @property
    def to_send(self) -> list[str]:
        return [v.id for v in self.new] + [m.volume.id for m in self.moves]

    def confirmation(self) -> list[str]:
        """What the user confirms: every disk that moves says from which policy."""
        lines = [f"link {plural(len(self.to_send), 'disk')} to policy {self.policy.name}:"]
        lines += [f"  {_disk(v)}" for v in self.new[:SHOWN_DISKS]]
        for move in self.moves[:SHOWN_DISKS]:
            source = move.source.name if move.source is not None else move.source_id
            lines.append(f"  {_disk(move.volume)} moves from policy {source}")
        hidden = max(0, len(self.new) - SHOWN_DISKS) + max(0, len(self.moves) - SHOWN_DISKS)
        if hidden:
            lines.append(f"  … and {hidden} more")
        if self.moves:
            lines.append(f"{plural(len(self.moves), 'disk')} will no longer be backed up by "
                         "the policy it is in now (a disk belongs to one policy)")
        if self.already:
            lines.append(f"already in this policy, left as they are: "
                         f"{', '.join(v.name or v.id for v in self.already[:SHOWN_DISKS])}")
        return lines


def plan_link(policy: Policy, volumes: Sequence[Volume], policies: Sequence[Policy]
              ) -> LinkPlan:
    by_id = {p.id: p for p in policies}
    plan = LinkPlan(policy)
    for volume in volumes:
        current = disk_policy_id(volume)
        if not current:
            plan.new.append(volume)
        elif current in (policy.id, policy.name):
            plan.already.append(volume)
        else:
            source = by_id.get(current) or next((p for p in policies if p.name == current),
                                                None)
            plan.moves.append(Move(volume, source, current))
    return plan


@dataclass
class UnlinkPlan:
    """Unlinking disks from `policy`: those in it, and those given that are not."""

    policy: Policy
    linked: list[Volume] = field(default_factory=list)
    elsewhere: list[Volume] = field(default_factory=list)

    @property
    def to_send(self) -> list[str]:
        return [v.id for v in self.linked]

    def confirmation(self) -> list[str]:
        lines = [f"unlink {plural(len(self.linked), 'disk')} from policy {self.policy.name}; "
                 "they will no longer be backed up on its schedule:"]
        lines += _named(self.linked)
        if self.elsewhere:
            lines.append("not in this policy, left as they are: "
                         + ", ".join(v.name or v.id for v in self.elsewhere[:SHOWN_DISKS]))
        return lines


def plan_unlink(policy: Policy, volumes: Sequence[Volume]) -> UnlinkPlan:
    plan = UnlinkPlan(policy)
    for volume in volumes:
        (plan.linked if disk_policy_id(volume) in (policy.id, policy.name)
         else plan.elsewhere).append(volume)
    return plan


def delete_confirmation(policy: Policy, linked: Sequence[Volume]) -> list[str]:
    """Deleting a policy unlinks its disks: the confirmation names them."""
    if not linked:
        return [f"delete policy {policy.name} ({policy.id}); no disk is linked to it"]
    return [f"delete policy {policy.name} ({policy.id}); its "
            f"{plural(len(linked), 'linked disk')} will no longer be backed up on a "
            f"schedule ({'its' if len(linked) == 1 else 'their'} backups are kept):",
            *_named(linked)]


@dataclass(frozen=True)
class DiskOutcome:
    """One disk of a link or unlink answer, explained."""

    volume_id: str
    name: str
    ok: bool
    code: str = ""
    meaning: str = ""
    action: str = ""
    message: str = ""

    def text(self) -> str:
        disk = f"{self.name} ({self.volume_id})" if self.name else self.volume_id
        if self.ok:
            return f"{disk}: done"
        text = f"{disk}: FAILED"
        if self.code:
            text += f" with {self.code}: {self.meaning}"
        if self.message:
            text += f" (server: {self.message})"
        if self.action:
            text += f" → {self.action}"
        return text


def outcome_lines(action: str, policy_name: str, outcomes: Sequence[DiskOutcome]
                  ) -> list[tuple[bool, str]]:
    """What a link / unlink did, for a log: (ok, line) — one line for the disks it was
    done for (named, the first SHOWN_DISKS), then one per failed disk with its code."""
    done = [o for o in outcomes if o.ok]
    lines: list[tuple[bool, str]] = []
    if done:
        named = ", ".join(o.name or o.volume_id for o in done[:SHOWN_DISKS])
        if len(done) > SHOWN_DISKS:
            named += f" … and {len(done) - SHOWN_DISKS} more"
        where = "to" if action == "link" else "from"
        lines.append((True, f"{plural(len(done), 'disk')} {action}ed {where} policy "
                            f"{policy_name}: {named}"))
    lines += [(False, f"{action} policy {policy_name}: {o.text()}") for o in outcomes
              if not o.ok]
    return lines


def disk_outcomes(result: ResourceResult, sent: Sequence[str],
                  names: Mapping[str, str]) -> list[DiskOutcome]:
    """Every disk that was sent, in order: done, or failed with its code and meaning.
    A disk the answer names in neither list is reported as failed without a code."""
    failed = {r.resource_id: r for r in result.failed}
    done = {r.resource_id for r in result.succeeded}
    outcomes = []
    for volume_id in sent:
        name = names.get(volume_id, "")
        if volume_id in failed:
            entry = failed[volume_id]
            info = explain(entry.error_code, entry.message or None) if entry.error_code else None
            outcomes.append(DiskOutcome(
                volume_id, name, False, entry.error_code, info.meaning if info else "",
                (info.action or "") if info else "", entry.message))
        elif volume_id in done or not result.raw:
            outcomes.append(DiskOutcome(volume_id, name, True))
        else:
            outcomes.append(DiskOutcome(volume_id, name, False,
                                        message="the answer does not mention this disk"))
    return outcomes
