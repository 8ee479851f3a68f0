"""Planning a backup run: what the user typed once becomes one valid request per disk.

Every rule about what may be sent lives here, for the CLI and the backup form alike:
the field rules (through `vbstui.cloud.validation`), a disk named twice is backed up
once, a bulk run's names get a `-NNNN` suffix and so its base name has the tighter
limit, a snapshot belongs to one disk, and only disks in a backupable state are sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vbstui.cloud.models import Volume
from vbstui.cloud.validation import (
    BULK_NAME_MAX,
    NAME_MAX,
    BackupRequest,
    ValidationFailed,
    suggest_name,
)
from vbstui.ops.preflight import ExistingBackups, Preflight

SNAPSHOT_IN_BULK = "a snapshot belongs to one disk; it cannot be used when backing up several"
CBR_NO_TAGS = ("CBR backups carry no tags: remove them (this backup goes into a CBR vault)")
CBR_NO_SNAPSHOT = ("CBR backs up the disk itself, not one of its snapshots: leave it empty "
                   "(this backup goes into a CBR vault)")


@dataclass(frozen=True)
class BackupInput:
    """What the user asked for: the disks, and the fields typed once for all of them."""

    volume_ids: Sequence[str]
    name: str
    description: str = ""
    snapshot_id: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    full_backup: bool = False

    @property
    def disks(self) -> list[str]:
        """The disks in the order given, each once."""
        return list(dict.fromkeys(self.volume_ids))

    @property
    def bulk(self) -> bool:
        return len(self.disks) > 1


@dataclass(frozen=True)
class BackupPlan:
    """Valid requests, one per disk, ready for the tracker; `existing`, when the run's
    backups were listed before (the pre-flight checks), is what already exists."""

    requests: list[BackupRequest]
    existing: ExistingBackups | None = None

    @property
    def bulk(self) -> bool:
        return len(self.requests) > 1

    def route_problems(self, checked: Preflight | None) -> dict[str, list[str]]:
        """`route_problems` of the run, once the pre-flight has routed its disks."""
        if not self.requests:
            return {}
        first = self.requests[0]  # the fields were typed once for every disk
        return route_problems(checked, [r.volume_id for r in self.requests],
                              tags=first.tags, snapshot_id=first.snapshot_id or "")

    def known_ids(self, request: BackupRequest) -> list[str] | None:
        """The backups already named like this request on its disk (None: not listed;
        the tracker lists the disk itself before sending)."""
        if self.existing is None:
            return None
        return self.existing.known_ids(request.volume_id, request.name)


def name_limit(disk_count: int) -> int:
    """The longest base name the user may type: the suffix of a bulk run is ours."""
    return BULK_NAME_MAX if disk_count > 1 else NAME_MAX


def backup_name(base: str, index: int, *, bulk: bool) -> str:
    """The name sent for the `index`-th disk (from 1) of a run."""
    return f"{base}-{index:04d}" if bulk else base


def suggested_name(volumes: Sequence[Volume], stamp: str) -> str:
    """A valid default name for the form; `stamp` is the UTC time as YYYYmmdd-HHMMSS."""
    first = "bulk" if len(volumes) > 1 else (volumes[0].name or volumes[0].id[:8])
    return suggest_name(first, stamp, max_length=name_limit(len(volumes)))


def route_problems(checked: Preflight | None, volume_ids: Iterable[str], *,
                   tags: Sequence[tuple[str, str]], snapshot_id: str) -> dict[str, list[str]]:
    """What the service the pre-flight routed the disks to cannot take: CBR makes a
    checkpoint of the disk itself, without tags or a snapshot."""
    if checked is None or not any(checked.route(d).service == "cbr" for d in volume_ids):
        return {}
    problems: dict[str, list[str]] = {}
    if tags:
        problems["tags"] = [CBR_NO_TAGS]
    if snapshot_id:
        problems["snapshot_id"] = [CBR_NO_SNAPSHOT]
    return problems


def plan_problems(wanted: BackupInput, checked: Preflight | None = None
                  ) -> dict[str, list[str]]:
    """Every problem with what was typed, keyed by field; empty when it can be sent.
    With the pre-flight (`checked`), also what the disks' backup service cannot take."""
    disks = wanted.disks or [""]
    typed = BackupRequest(
        volume_id=disks[0], name=wanted.name, description=wanted.description,
        snapshot_id=wanted.snapshot_id, tags=wanted.tags, full_backup=wanted.full_backup,
    )
    problems = typed.problems(name_max=name_limit(len(disks)))
    for volume_id in disks[1:]:
        for message in BackupRequest(volume_id=volume_id, name="x").problems().get(
                "volume_id", []):
            problems.setdefault("volume_id", []).append(message)
    if wanted.bulk and wanted.snapshot_id:
        problems.setdefault("snapshot_id", []).append(SNAPSHOT_IN_BULK)
    for key, messages in route_problems(checked, disks, tags=wanted.tags,
                                        snapshot_id=wanted.snapshot_id).items():
        problems.setdefault(key, []).extend(messages)
    return problems


def plan_backups(wanted: BackupInput, checked: Preflight | None = None) -> BackupPlan:
    """The requests of a run; raises `ValidationFailed` (nothing sent) when any is invalid."""
    problems = plan_problems(wanted, checked)
    if problems:
        raise ValidationFailed(problems)
    bulk = wanted.bulk
    return BackupPlan([
        BackupRequest(
            volume_id=volume_id, name=backup_name(wanted.name, index, bulk=bulk),
            description=wanted.description, snapshot_id=wanted.snapshot_id,
            tags=wanted.tags, full_backup=wanted.full_backup,
        )
        for index, volume_id in enumerate(wanted.disks, start=1)
    ])


@dataclass(frozen=True)
class Backupable:
    """The disks that can be backed up now, and why the others cannot."""

    volumes: list[Volume]
    refusals: list[str]


def backupable(volumes: Iterable[Volume]) -> Backupable:
    """Pre-flight: only disks in a state VBS backs up are planned."""
    ready: list[Volume] = []
    refusals: list[str] = []
    for volume in volumes:
        reason = volume.why_not_backupable()
        if reason is None:
            ready.append(volume)
        else:
            refusals.append(reason)
    return Backupable(ready, refusals)
