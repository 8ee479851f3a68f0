"""Which disk the user means by `--volume` (its id, or a name only one disk has), and
which backup by a BACKUP argument (the same, for backups).

One place for the rule, so every command taking `--volume` accepts the same things and
refuses an unknown or ambiguous name the same way (a `UsageError`: exit 2, nothing sent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vbstui.cloud.models import Backup, Volume
from vbstui.errors import UsageError
from vbstui.ops.service import BackupService

# An EVS disk id is a UUID; anything else given to --volume is taken for a name.
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")
SHOWN_CANDIDATES = 10


@dataclass(frozen=True)
class DiskChoice:
    """The disk a `--volume` value stands for; `volume` is known when found by name."""

    id: str
    volume: Volume | None = None


def looks_like_id(text: str) -> bool:
    return bool(_UUID.match(text))


async def resolve_volume(service: BackupService, text: str) -> DiskChoice:
    """A disk id as given (no call), or the one disk whose name is exactly `text`
    (one filtered listing); an unknown or ambiguous name is a `UsageError` naming the
    candidates."""
    value = text.strip()
    if not value:
        raise UsageError("--volume: give a disk id or name")
    if looks_like_id(value):
        return DiskChoice(value.lower())
    found = await service.list_volumes(name=value)
    exact = [v for v in found if v.name == value]
    if len(exact) == 1:
        return DiskChoice(exact[0].id, exact[0])
    if not exact:
        similar = [v for v in found if v.name.lower() == value.lower()] or found
        message = f"--volume {value!r}: no disk has this name"
        if similar:
            message += "; disks with a similar name:\n" + _candidates(similar)
        raise UsageError(message)
    raise UsageError(f"--volume {value!r}: {len(exact)} disks have this name; give the id "
                     "of the one you mean:\n" + _candidates(exact))


async def resolve_volumes(service: BackupService, texts: list[str]) -> list[DiskChoice]:
    """Each `--volume` of a command, in order; every problem is reported at once."""
    choices: list[DiskChoice] = []
    problems: list[str] = []
    for text in texts:
        try:
            choices.append(await resolve_volume(service, text))
        except UsageError as exc:
            problems.append(str(exc))
    if problems:
        raise UsageError("\n".join(problems))
    return choices


async def resolve_backup(service: BackupService, text: str) -> Backup:
    """The backup a BACKUP argument stands for: its id (one fresh read), or the one
    backup whose name is exactly `text` (one filtered listing); unknown or ambiguous is
    a `UsageError` naming the candidates."""
    value = text.strip()
    if not value:
        raise UsageError("BACKUP: give a backup id or name")
    if looks_like_id(value):
        backup = await service.get_backup(value.lower())
        if backup is None:
            raise UsageError(f"{value}: no such backup")
        return backup
    exact = [b for b in await service.list_backups(name=value) if b.name == value]
    if len(exact) == 1:
        return exact[0]
    if not exact:
        raise UsageError(f"{value!r}: no backup has this name")
    lines = [f"  {b.id}  {b.status}  {'?' if b.size_gb is None else b.size_gb} GB  "
             f"{b.created_at.strftime('%Y-%m-%d %H:%M') if b.created_at else '?'}  "
             f"disk {b.volume_id}" for b in exact[:SHOWN_CANDIDATES]]
    if len(exact) > SHOWN_CANDIDATES:
        lines.append(f"  … and {len(exact) - SHOWN_CANDIDATES} more")
    raise UsageError(f"{value!r}: {len(exact)} backups have this name; give the id of the "
                     "one you mean:\n" + "\n".join(lines))


def _candidates(volumes: list[Volume]) -> str:
    lines = [f"  {v.id}  {v.name}  {v.status}  "
             f"{'?' if v.size_gb is None else v.size_gb} GB  {v.availability_zone}"
             for v in volumes[:SHOWN_CANDIDATES]]
    if len(volumes) > SHOWN_CANDIDATES:
        lines.append(f"  … and {len(volumes) - SHOWN_CANDIDATES} more")
    return "\n".join(lines)
