"""Backup policies as both front ends use them: which policy is meant, what a change
becomes, why the service refused one, and how a policy is summed up.

There is no "get one policy" call: every lookup lists the project's policies and picks
(`find_policy`).  A POLICY given by a user is an id, or a name only one policy has.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import ApiError, CloudError, Reached
from vbstui.cloud.policies import PolicyClient
from vbstui.cloud.policy_models import Policy
from vbstui.cloud.policy_validation import PolicyDraft
from vbstui.errors import UsageError
from vbstui.ops.policy_schedule import next_run, retention_text, schedule_text, when_text

POLICY_LIMIT = 10  # per project besides the default one (creating_a_backup_policy page)
SHOWN_CANDIDATES = 10


class PolicyRefusal(UsageError):
    """A change the service is known to refuse, refused before sending (exit 2)."""


async def open_policies(session: CloudSession) -> PolicyClient:
    """The policy client; `EndpointNotFound` (with what to do) for a project without VBS:
    backup policies are a VBS feature (CBR has its own, on vaults)."""
    (await session.endpoints()).root("vbs")
    return PolicyClient(session)


def resolve_policy(policies: list[Policy], text: str) -> Policy:
    """The policy whose id is `text`, else the only one named exactly `text`."""
    value = text.strip()
    if not value:
        raise UsageError("POLICY: give a policy id or name")
    by_id = [p for p in policies if p.id == value]
    if by_id:
        return by_id[0]
    named = [p for p in policies if p.name == value]
    if len(named) == 1:
        return named[0]
    if named:
        raise UsageError(f"policy {value!r}: {len(named)} policies have this name; give the "
                         "id of the one you mean:\n" + _candidates(named))
    similar = [p for p in policies if value.lower() in p.name.lower()] or policies
    message = f"policy {value!r}: no policy has this id or name"
    if similar:
        message += "; the project's policies:\n" + _candidates(similar)
    raise UsageError(message)


async def find_policy(client: PolicyClient, text: str) -> tuple[Policy, list[Policy]]:
    """The policy meant by `text`, and every policy of the project (one listing)."""
    policies = await client.list_policies()
    return resolve_policy(policies, text), policies


def _candidates(policies: list[Policy]) -> str:
    lines = [f"  {p.id}  {p.name}  {schedule_text(p)}" for p in policies[:SHOWN_CANDIDATES]]
    if len(policies) > SHOWN_CANDIDATES:
        lines.append(f"  … and {len(policies) - SHOWN_CANDIDATES} more")
    return "\n".join(lines)


# -- drafts: what a create or an update sends ------------------------------------------


def draft_of(policy: Policy) -> PolicyDraft:
    """An existing policy as a draft, the starting point of an update."""
    return PolicyDraft(
        name=policy.name, start_times=policy.start_time,
        frequency="" if policy.week_days or policy.frequency is None else str(policy.frequency),
        week_days=",".join(policy.week_days),
        keep="" if policy.keep is None else str(policy.keep),
        keep_days="" if policy.keep is not None or policy.keep_days is None
        else str(policy.keep_days),
        keep_first_of_month=policy.keep_first_of_month, enabled=policy.enabled,
        time_zone=policy.time_zone,
    )


@dataclass(frozen=True)
class PolicyChanges:
    """What the user asked to change; None leaves a field as it is."""

    name: str | None = None
    start_times: str | None = None
    frequency: str | None = None
    week_days: str | None = None
    keep: str | None = None
    keep_days: str | None = None
    keep_first_of_month: bool | None = None
    enabled: bool | None = None
    time_zone: str | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


def updated_draft(policy: Policy, changes: PolicyChanges) -> PolicyDraft:
    """The policy with the changes applied.  Giving an interval drops the week days and
    the other way round; the same for the two kinds of retention."""
    draft = draft_of(policy)
    fields: dict[str, Any] = {k: v for k, v in vars(changes).items() if v is not None}
    if changes.frequency is not None and changes.week_days is None:
        fields["week_days"] = ""
    if changes.week_days is not None and changes.frequency is None:
        fields["frequency"] = ""
    if changes.keep is not None and changes.keep_days is None:
        fields["keep_days"] = ""
    if changes.keep_days is not None and changes.keep is None:
        fields["keep"] = ""
    return replace(draft, **fields)


def refuse_default_change(policy: Policy, *, renaming: bool = False,
                          deleting: bool = False) -> None:
    """The built-in default policy cannot be renamed or deleted (AutoBackup.0100);
    scheduling, enabling and linking disks are allowed.  Refused before sending."""
    if policy.is_default and (renaming or deleting):
        what = "deleted" if deleting else "renamed"
        raise PolicyRefusal(
            f"policy {policy.name!r} is the project's built-in default policy: it cannot be "
            f"{what} (the service answers AutoBackup.0100). Its schedule and status can be "
            "changed and disks linked to it; for a policy of your own, create one and link "
            "the disks to it (a disk moves from the default policy). Nothing was sent.")


@dataclass(frozen=True)
class Created:
    """What creating a policy did: its id, found again after a lost answer or not known."""

    policy_id: str | None
    recovered: bool = False  # the answer was lost, the new policy was found by its name
    unknown: str = ""  # why it cannot be told whether the policy was created


async def create_once(client: PolicyClient, draft: PolicyDraft) -> Created:
    """Send the create request once (it has no idempotency token).  After an answer that
    may have been lost, look for a policy of that name that was not there before instead
    of sending again.  Raises ValidationFailed (nothing sent) or the service's refusal."""
    draft.to_body()  # the rules first: a broken one sends nothing, not even the listing
    before = {p.id for p in await client.list_policies() if p.name == draft.name}
    try:
        return Created(await client.create_policy(draft))
    except CloudError as exc:
        if exc.reached_server is not Reached.MAYBE:
            raise
        lost = exc
    try:
        new = [p.id for p in await client.list_policies()
               if p.name == draft.name and p.id not in before]
    except CloudError as exc:
        return Created(None, unknown=f"{lost.message}; looking for it failed too "
                                     f"({exc.message})")
    if len(new) == 1:
        return Created(new[0], recovered=True)
    found = (f"no new policy named {draft.name!r} is listed" if not new
             else f"{len(new)} new policies are named {draft.name!r}")
    return Created(None, unknown=f"{lost.message}; {found}")


# -- refusals explained --------------------------------------------------------------


def explain_failure(exc: CloudError, policy: Policy | None = None,
                    policies: list[Policy] | None = None) -> str:
    """Why the service refused a policy request and what to do, in the policy's terms."""
    code = exc.code if isinstance(exc, ApiError) else None
    name = f"policy {policy.name!r}" if policy is not None else "the policy"
    if code == "AutoBackup.0203":
        own = [p for p in policies or [] if not p.is_default]
        count = f" ({len(own)} besides the default policy)" if policies is not None else ""
        return (f"{exc.message} — the project already has the most backup policies it may "
                f"have{count}; a project may have {POLICY_LIMIT} besides the built-in "
                "default. Delete a policy you no longer use, or link the disks to an "
                "existing policy with a similar schedule.")
    if code == "AutoBackup.0100":
        return (f"{exc.message} — {name} is the built-in default policy: it cannot be "
                "renamed or deleted. Create a policy of your own and link the disks to it.")
    if code == "AutoBackup.0225":
        return (f"{exc.message} — {name} is running right now: the backup tasks of its "
                "current run are still waiting or running. Follow them in the policy's "
                "tasks and run it again once they have ended; nothing new was started.")
    if code == "AutoBackup.1700" and policy is not None and not policy.resource_count:
        return (f"{exc.message} — {name} has no disks linked, so there is nothing to back "
                "up. Link disks to it first.")
    return exc.describe()


# -- summaries -------------------------------------------------------------------------


def policy_record(policy: Policy, now: datetime | None = None, *,
                  local: timezone | None = None,
                  tags: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """One policy for `--json` and for the views: words, next run, raw fields."""
    moment = now or datetime.now(timezone.utc)
    upcoming = next_run(policy, moment)
    utc_text, local_text = when_text(upcoming, local=local)
    record: dict[str, Any] = {
        "id": policy.id, "name": policy.name, "status": policy.status,
        "enabled": policy.enabled, "default": policy.is_default,
        "schedule": schedule_text(policy), "start_time_utc": policy.start_time,
        "frequency_days": policy.frequency, "week_days": list(policy.week_days),
        "time_zone": policy.time_zone or None,
        "retention": retention_text(policy), "keep": policy.keep, "keep_days": policy.keep_days,
        "keep_first_of_month": policy.keep_first_of_month,
        "disks": policy.resource_count,
        "next_run_utc": upcoming.isoformat() if upcoming is not None else None,
        "next_run_text": utc_text, "next_run_local": local_text,
    }
    if tags is not None:
        record["tags"] = [{"key": k, "value": v} for k, v in tags]
    return record
