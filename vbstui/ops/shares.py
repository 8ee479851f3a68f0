"""Sharing backups with other projects: what may be shared with whom, what a revoke
takes away, and which backups are shared (a shared backup cannot be deleted).

Sharing is a VBS feature (`cloud.shares`); a CBR backup is not shared this way.  Both
front ends call these: they gather the backup and the project ids and show the result.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import NotFound
from vbstui.cloud.models import Backup
from vbstui.cloud.shares import Share, SharesClient, normal_project_id, project_id_problem
from vbstui.errors import UsageError
from vbstui.ops.cbr_service import service_of
from vbstui.ops.resolve import resolve_backup
from vbstui.ops.routing import offers
from vbstui.ops.service import BackupService
from vbstui.textsafe import plural, visible

SHAREABLE = "available"  # VBS shares only a finished backup


def sharing_of(service: BackupService) -> SharesClient | None:
    """VBS's sharing API behind `service`; None when it has none (a CBR-only project,
    or a service without a VBS session)."""
    if not offers(service, "vbs"):
        return None
    vbs = getattr(service, "vbs", service)  # a combined service holds VBS as `.vbs`
    session = getattr(vbs, "session", None)
    return SharesClient(session) if isinstance(session, CloudSession) else None


def _required(service: BackupService) -> SharesClient:
    client = sharing_of(service)
    if client is None:
        raise UsageError("backup sharing is a VBS feature and this project has no VBS "
                         "(CBR backups are shared through their vault in the console)")
    return client


def share_target_problems(to_project_ids: Sequence[str], *, own_project_id: str,
                          already_shared: Collection[str] = ()) -> tuple[list[str], list[str]]:
    """The project ids to send (normalised, in order) and every problem with the list:
    not a project id, this project itself, given twice, shared with already."""
    problems: list[str] = []
    chosen: list[str] = []
    own = normal_project_id(own_project_id)
    already = {normal_project_id(p) for p in already_shared}
    for text in to_project_ids:
        problem = project_id_problem(text)
        value = normal_project_id(text)
        if problem:
            problems.append(problem)
        elif value == own:
            problems.append(f"{value} is this project: a backup is shared with other projects")
        elif value in chosen:
            problems.append(f"{value} is given twice")
        elif value in already:
            problems.append(f"the backup is shared with {value} already")
        else:
            chosen.append(value)
    if not to_project_ids:
        problems.append("give at least one project id to share with")
    return chosen, problems


def backup_share_problem(backup: Backup) -> str | None:
    """Why this backup cannot be shared (None: it can)."""
    label = f"{backup.id} ({visible(backup.name)})"
    if service_of(backup) == "cbr":
        return f"{label} is a CBR backup: only VBS backups are shared this way"
    if backup.status != SHAREABLE:
        return f"{label} is '{backup.status}': only an 'available' backup can be shared"
    return None


@dataclass(frozen=True)
class ShareCheck:
    """A share as it would be sent: the backup, the projects, or why not."""

    backup: Backup
    project_ids: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def check_share(service: BackupService, backup_text: str, to_project_ids: Sequence[str]
                      ) -> ShareCheck:
    """The backup (an id or a name only one backup has) and the projects, checked against
    the server as it is now (this project's id, the backup's current shares)."""
    client = _required(service)
    backup = await resolve_backup(service, backup_text)
    own = await service.project_id()
    current = await client.list_shares(backup_id=backup.id)
    chosen, problems = share_target_problems(
        to_project_ids, own_project_id=own,
        already_shared=[s.to_project_id for s in current if s.backup_id == backup.id])
    problem = backup_share_problem(backup)
    if problem:
        problems.insert(0, problem)
    return ShareCheck(backup, chosen, problems)


async def share_backup(service: BackupService, check: ShareCheck) -> list[Share]:
    """Send a checked share (one request for all its projects)."""
    if not check.ok:
        raise UsageError("; ".join(check.problems))
    return await _required(service).share(check.backup.id, check.project_ids)


async def list_shares(service: BackupService, *, to_me: bool = False) -> list[Share]:
    """The shares of this project's backups, or (`to_me`) the backups shared with it."""
    return await _required(service).list_shares(to_me=to_me)


@dataclass(frozen=True)
class UnshareCheck:
    """What a revoke takes away: `shares` of `backup`; `everything` when all go."""

    backup: Backup
    shares: list[Share]
    everything: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.shares)

    @property
    def project_ids(self) -> list[str]:
        return [s.to_project_id for s in self.shares]

    def confirmation(self) -> str:
        """The question asked first: the backup and every project that loses it."""
        projects = "\n".join(f"  {p}" for p in self.project_ids)
        return (f"Stop sharing backup '{visible(self.backup.name)}' ({self.backup.id}) with "
                f"{plural(len(self.shares), 'project')}?\n{projects}")


async def check_unshare(service: BackupService, backup_text: str,
                        project_ids: Sequence[str] = ()) -> UnshareCheck:
    """The shares of a backup that `project_ids` name (none named: all of them)."""
    client = _required(service)
    backup = await resolve_backup(service, backup_text)
    current = [s for s in await client.list_shares(backup_id=backup.id)
               if s.backup_id == backup.id]
    if not project_ids:
        problems = [] if current else [f"{backup.id} ({visible(backup.name)}) is not shared "
                                       "with any project"]
        return UnshareCheck(backup, current, everything=True, problems=problems)
    by_project = {normal_project_id(s.to_project_id): s for s in current}
    chosen: list[Share] = []
    problems = []
    for text in project_ids:
        problem = project_id_problem(text)
        value = normal_project_id(text)
        if problem:
            problems.append(problem)
        elif value not in by_project:
            problems.append(f"the backup is not shared with {value}")
        elif by_project[value] not in chosen:
            chosen.append(by_project[value])
    return UnshareCheck(backup, chosen, everything=len(chosen) == len(current),
                        problems=problems)


async def unshare_backup(service: BackupService, check: UnshareCheck) -> list[str]:
    """Revoke the checked shares: every share of the backup in one request, or each named
    one; the project ids that lost the backup."""
    if not check.ok:
        raise UsageError("; ".join(check.problems) or "nothing to revoke")
    client = _required(service)
    if check.everything:
        await client.revoke_all(check.backup.id)
    else:
        for share in check.shares:
            await client.revoke(share.id)
    return check.project_ids


async def shared_backup_ids(service: BackupService, backups: Iterable[Backup]
                            ) -> dict[str, list[str]]:
    """Which of these backups are shared, and with whom: one listing of this project's
    shares (none when no VBS backup is among them)."""
    wanted = {b.id for b in backups if service_of(b) == "vbs"}
    client = sharing_of(service) if wanted else None
    if client is None:
        return {}
    try:
        shares = await client.list_shares()
    except NotFound:
        # An endpoint that does not know sharing at all: no backup of it can be shared.
        return {}
    found: dict[str, list[str]] = {}
    for share in shares:
        if share.backup_id in wanted:
            found.setdefault(share.backup_id, []).append(share.to_project_id)
    return found


def shared_problem(backup: Backup, projects: Sequence[str]) -> str:
    """The refusal to delete a shared backup (the service refuses it too)."""
    return (f"{backup.id} ({visible(backup.name)}): shared with "
            f"{plural(len(projects), 'project')} ({', '.join(projects)}) — stop sharing it "
            "first (backup unshare)")
