"""What views, screens and collaborators ask of the app: Textual messages it routes.

Views never call the app; they post one of these and the app hands it to the
collaborator whose job it is (connection, loading, flows, job runner).  Dataclasses:
Textual's `Message.__post_init__` sets its own state after the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from vbstui.cloud.models import Backup, Volume
from vbstui.jobs import TrackedJob
from vbstui.ops.outcome import Decision


@dataclass(eq=False)
class MainReady(Message):
    """The main screen's widgets exist: start connecting."""


@dataclass(eq=False)
class Connected(Message):
    """A session is open (credentials accepted) for this project."""

    project_id: str


@dataclass(eq=False)
class ViewRequested(Message):
    view: str  # "volumes", "backups" or "jobs"


@dataclass(eq=False)
class RefreshRequested(Message):
    view: str


@dataclass(eq=False)
class RawJsonRequested(Message):
    title: str
    data: Any


@dataclass(eq=False)
class BackupRequested(Message):
    volumes: list[Volume]


@dataclass(eq=False)
class BackupsOfDiskRequested(Message):
    volume_id: str | None  # None: the backups of every disk


@dataclass(eq=False)
class RestoreRequested(Message):
    backup: Backup


@dataclass(eq=False)
class DeleteRequested(Message):
    backups: list[Backup]


@dataclass(eq=False)
class DecisionRequested(Message):
    """What to do with a job whose outcome is unknown; None: ask the user."""

    job: TrackedJob
    decision: Decision | None
