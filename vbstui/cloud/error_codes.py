"""Catalogue of VBS error codes: what each one means, its likely cause, what to do.

Every code of the VBS API reference (``error_codes.rst``: ``common.*``,
``VolumeBackup.*``, ``AutoBackup.*``) is here, plus the two API-gateway codes
the tool meets in practice (``APIGW.0301``, ``APIGW.0308``) and the HTTP status
codes that Cinder-style envelopes (``{"badRequest": {"code": 400, ...}}``) carry.
The advice follows the VBS console guide where it has any (the exception table,
the quota page, the backup and restore procedures).

All texts are plain text: no markup, no control characters.  The UI shows them
literally.  Text that comes from the server (unknown codes, messages) is made
printable before it is put into an :class:`ErrorInfo`.

This module uses only the standard library, so the CLI, the TUI and the
simulator's tests can all import it cheaply.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CATALOGUE",
    "CBR_CATALOGUE",
    "HTTP_STATUS",
    "MODULE_APIGW",
    "MODULE_CBR",
    "MODULE_CREATE",
    "MODULE_DELETE",
    "MODULE_HTTP",
    "MODULE_POLICY",
    "MODULE_RESTORE",
    "MODULE_SHARED",
    "MODULE_UNKNOWN",
    "ErrorInfo",
    "all_codes",
    "explain",
    "lookup",
]

# Module names as error_codes.rst spells them, plus our own for codes from elsewhere.
MODULE_SHARED = "Shared"
MODULE_CREATE = "Creating a Backup"
MODULE_DELETE = "Deleting a Backup"
MODULE_RESTORE = "Restoring a Disk Using a Backup"
MODULE_POLICY = "Backup Policy"
MODULE_APIGW = "API Gateway"
MODULE_CBR = "Cloud Backup and Recovery"
MODULE_HTTP = "HTTP"
MODULE_UNKNOWN = "Unknown"

# EVS disk states (evs_disk_status.rst) named in the explanations below.
DISK_TRANSITIONAL_STATES: tuple[str, ...] = (
    "creating",
    "attaching",
    "detaching",
    "extending",
    "restoring-backup",
    "backing-up",
    "uploading",
    "downloading",
    "deleting",
    "rollbacking",
    "awaiting-transfer",
)
DISK_ERROR_STATES: tuple[str, ...] = (
    "error",
    "error_restoring",
    "error_extending",
    "error_deleting",
    "error_rollbacking",
)

_MAX_CODE_TEXT = 64
_MAX_MESSAGE_TEXT = 500


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """A human explanation of one error code."""

    code: str  # canonical spelling, e.g. "VolumeBackup.0040"
    meaning: str  # what the code means, in plain words
    cause: str | None  # the likely cause, where one can be said
    action: str | None  # what to do about it, where something can be done
    retryable: bool  # True only when simply trying again later is sensible
    module: str  # "Shared", "Creating a Backup", ... (see the MODULE_* constants)

    def describe(self) -> str:
        """One line for a human: code, meaning and, if known, what to do."""
        text = f"{self.code}: {self.meaning}"
        if self.action:
            text += f" → {self.action}"
        return text


# --------------------------------------------------------------------------- texts
# Reused pieces of advice.  Kept short: the UI may show several of them at once.

_INTERNAL = "A temporary fault inside the backup service or a service it relies on."
_RETRY = "Try again in a few minutes. If it keeps failing, contact the administrator."
_BACK_UP_AGAIN = (
    "Back the disk up again in a few minutes. If it fails again, contact the administrator "
    "and do not operate on the backup data until they respond."
)
_MALFORMED_CAUSE = (
    "The request the tool (or your script) sent was malformed or missed a required field."
)
_MALFORMED_ACTION = (
    "Check the values you entered. If they look right, report it as a bug in vbstui "
    "(or fix the script that sent the request)."
)
_NAME_RULES = (
    "A backup name has 1 to 64 characters (at most 59 when several disks are backed up "
    "at once, because a suffix is added per disk): letters, digits, _ and - only, and it "
    "must not start with auto."
)
_HIGHER_QUOTA = (
    "or ask the administrator for a higher quota (it cannot be raised online: customer "
    "service needs your domain, project name and ID, the quota type and the amount you need)"
)
_RELOGIN = (
    "Log in again (the tool fetches a new token by itself). If it persists, check the "
    "profile's user name, domain, project and password."
)
_TAG_RULES = (
    "A tag key has 1 to 36 characters and a value 0 to 43; keys must be unique within a "
    "backup. The console allows only letters, digits, _ and -, and no tag may contain "
    "control characters or any of = * < > \\ , | /."
)
_DESS = "The disk lives on Dedicated Enterprise Storage Service (DESS), which VBS does not support."
_WRONG_PLACE = (
    "The ID is wrong, the resource was deleted, or it belongs to another project or region "
    "than the one the profile points at."
)
_DELETION_FAILED = (
    "Refresh the backup. If it is still there, or shows Deletion failed, contact the "
    "administrator and do not operate on the backup data until they respond."
)


def _build() -> dict[str, ErrorInfo]:
    out: dict[str, ErrorInfo] = {}

    def add(
        code: str,
        module: str,
        meaning: str,
        cause: str | None = None,
        action: str | None = None,
        *,
        retryable: bool = False,
    ) -> None:
        if code in out:  # pragma: no cover - guards the table below
            raise ValueError(f"duplicate error code {code}")
        out[code] = ErrorInfo(code, meaning, cause, action, retryable, module)

    def internal(code: str, module: str, meaning: str, action: str = _RETRY) -> None:
        add(code, module, meaning, _INTERNAL, action, retryable=True)

    def quota(code: str, what: str, cause: str, frees: str) -> None:
        add(
            code,
            MODULE_CREATE,
            f"The project's quota for {what} is used up.",
            cause,
            f"Free some quota by deleting {frees}, {_HIGHER_QUOTA}. Then try again.",
        )

    # ------------------------------------------------------------------ Shared
    add(
        "common.0011",
        MODULE_SHARED,
        "The service could not look up the job.",
        "A temporary fault in the backup service, or the job ID is unknown to it (a job "
        "of another project or region, or one the service no longer keeps).",
        "Query the job again in a little while. If it keeps failing, look at the backup "
        "list instead: the backup or restore may have finished anyway.",
        retryable=True,
    )
    add(
        "VolumeBackup.0014",
        MODULE_SHARED,
        "The service could not start a job for the request.",
        _INTERNAL,
        "Try again in a few minutes. Before sending a backup request again, check the backup "
        "list so that the backup is not created twice.",
        retryable=True,
    )
    internal(
        "VolumeBackup.0041",
        MODULE_SHARED,
        "The service could not check your permissions.",
    )
    add(
        "VolumeBackup.0042",
        MODULE_SHARED,
        "Your user is not allowed to perform this operation.",
        "The user or its groups lack a role that allows backup (VBS) and disk (EVS) "
        "operations in this project, for example because it only has read-only rights.",
        "Ask the administrator for a role that allows VBS and EVS operations in this "
        "project, then log in again so the new token carries the rights.",
    )
    add(
        "VolumeBackup.0044",
        MODULE_SHARED,
        "The permissions in your token are not valid for this operation.",
        "The token is scoped to another project, or your roles changed after the token was issued.",
        "Check that the profile points at the right project, then log in again. If it "
        "persists, contact the administrator.",
    )

    # ------------------------------------------------------- Creating a Backup
    add(
        "VolumeBackup.0002",
        MODULE_CREATE,
        "The backup request is malformed.",
        "The request body is not valid JSON, misses the backup object, or has a field of "
        'the wrong type (for example FullBackup sent as a boolean instead of the string "true").',
        _MALFORMED_ACTION,
    )
    add(
        "VolumeBackup.0003",
        MODULE_CREATE,
        "The backup name is too long.",
        _NAME_RULES,
        "Shorten the name to 64 characters or fewer (59 when backing up several disks at once).",
    )
    add(
        "VolumeBackup.0004",
        MODULE_CREATE,
        "The backup name contains characters that are not allowed.",
        "Only letters, digits, underscores (_) and hyphens (-) are allowed: no spaces, dots "
        "or other special characters.",
        "Remove the other characters or replace them with _ or -.",
    )
    add(
        "VolumeBackup.0005",
        MODULE_CREATE,
        "The backup name starts with auto, which is not allowed.",
        "Names beginning with auto are reserved for backups made by backup policies.",
        "Choose a name that does not begin with auto.",
    )
    add(
        "VolumeBackup.0006",
        MODULE_CREATE,
        "The backup description is too long or contains characters that are not allowed.",
        "A description has at most 64 characters and must not contain < or >.",
        "Shorten the description to 64 characters and remove any < or > characters.",
    )
    add(
        "VolumeBackup.0007",
        MODULE_CREATE,
        "The backup name is missing.",
        "The request had no name or an empty one; every backup needs a name.",
        "Enter a name of 1 to 64 characters: letters, digits, _ and -.",
    )
    internal(
        "VolumeBackup.0008",
        MODULE_CREATE,
        "The service could not obtain the permission it needs to make the backup.",
    )
    add(
        "VolumeBackup.0009",
        MODULE_CREATE,
        "The service could not obtain the encryption key of the disk.",
        "The disk is encrypted and its key in Key Management Service is disabled, scheduled "
        "for deletion or not accessible, or the key service had a temporary fault.",
        "Check in Key Management Service that the disk's key is enabled, then try again. "
        "If it keeps failing, contact the administrator.",
    )
    add(
        "VolumeBackup.0010",
        MODULE_CREATE,
        "The request does not say which disk to back up.",
        "The volume_id field was missing or empty.",
        "Select the disk to back up and try again.",
    )
    add(
        "VolumeBackup.0011",
        MODULE_CREATE,
        "The disk ID in the request is not in the expected format.",
        "volume_id must be the disk's ID, a UUID such as 6f3a1c2e-...; a disk name or a "
        "shortened ID is not accepted.",
        "Use the disk's full ID: pick the disk from the disk list or copy its ID from there.",
    )
    add(
        "VolumeBackup.0012",
        MODULE_CREATE,
        "The disk cannot be backed up in its current status: it must be available or in-use.",
        "The disk is busy with another operation ("
        + ", ".join(DISK_TRANSITIONAL_STATES)
        + ") or in an error status ("
        + ", ".join(DISK_ERROR_STATES)
        + ").",
        "If the disk is busy (for example creating, attaching, detaching or extending), wait "
        "until that operation has finished and the disk shows available or in-use, refresh, "
        "then back it up again. A disk in an error status must be repaired first: contact "
        "the administrator.",
    )
    add(
        "VolumeBackup.0013",
        MODULE_CREATE,
        "A backup of this disk is still being created; a disk can have only one backup in "
        "progress at a time.",
        "An earlier backup of this disk, from this tool, the console or a backup policy, has "
        "not finished yet. Creating a backup can take ten minutes or more.",
        "Wait for the running backup to finish: follow its job, or watch the backup until it "
        "is available. Then back the disk up again if you still need another backup; the "
        "running one may already be the backup you asked for.",
    )
    add(
        "VolumeBackup.0017",
        MODULE_CREATE,
        "The backup job failed: the service could not take a snapshot of the disk.",
        "Usually a temporary fault in the storage system. Sometimes the snapshot quota is used "
        "up, or the disk changed status (detached, expanded, deleted) as the backup started.",
        "Check that the disk is still available or in-use and that snapshot quota is left, "
        "then back it up again. If it fails again, contact the administrator and do not "
        "operate on the backup data until they respond.",
        retryable=True,
    )
    internal(
        "VolumeBackup.0018",
        MODULE_CREATE,
        "The storage system returned no result when the disk snapshot was taken.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0019",
        MODULE_CREATE,
        "The service could not check the disk snapshot while creating the backup.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0020",
        MODULE_CREATE,
        "The storage system returned nothing when the disk snapshot was queried.",
        _BACK_UP_AGAIN,
    )
    add(
        "VolumeBackup.0021",
        MODULE_CREATE,
        "The disk does not exist or has been deleted.",
        _WRONG_PLACE,
        "Refresh the disk list and pick an existing disk. Check that the profile's project "
        "and region are the ones the disk is in.",
    )
    internal(
        "VolumeBackup.0022",
        MODULE_CREATE,
        "The service could not create the temporary disk it uses while backing up.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0023",
        MODULE_CREATE,
        "The storage system returned no result when the temporary backup disk was created.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0024",
        MODULE_CREATE,
        "The service could not check the temporary disk it uses while backing up.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0025",
        MODULE_CREATE,
        "The storage system returned nothing when the temporary backup disk was queried.",
        _BACK_UP_AGAIN,
    )
    add(
        "VolumeBackup.0026",
        MODULE_CREATE,
        "The backup name is too short.",
        _NAME_RULES,
        "Enter a name of at least 1 and at most 64 characters: letters, digits, _ and -.",
    )
    add(
        "VolumeBackup.0027",
        MODULE_CREATE,
        "The backup job failed: the backup could not be created.",
        "Often the backup quota (number or capacity) is used up, the disk was not available "
        "or in-use, or another backup of the disk was still being created; otherwise a "
        "temporary fault in the service.",
        "Check the backup quota (delete backups or ask for more), that the disk is available "
        "or in-use, and that no other backup of the disk is still creating; then back it up "
        "again. If it fails again, contact the administrator and do not operate on the backup "
        "data until they respond.",
        retryable=True,
    )
    internal(
        "VolumeBackup.0028",
        MODULE_CREATE,
        "The storage system returned no result when the backup was created.",
        "Refresh the backup list: if the backup appeared and becomes available, nothing more "
        "is needed. Otherwise back the disk up again; if that fails too, contact the "
        "administrator.",
    )
    internal(
        "VolumeBackup.0029",
        MODULE_CREATE,
        "The service could not check the result of the backup.",
        "Refresh the backup list: if the backup is there and available, nothing more is "
        "needed. Otherwise back the disk up again; if that fails too, contact the "
        "administrator.",
    )
    internal(
        "VolumeBackup.0030",
        MODULE_CREATE,
        "The storage system returned nothing when the backup was queried.",
        "Refresh the backup list: if the backup is there and available, nothing more is "
        "needed. Otherwise back the disk up again; if that fails too, contact the "
        "administrator.",
    )
    internal("VolumeBackup.0035", MODULE_CREATE, "The service could not list your disks.")
    internal("VolumeBackup.0036", MODULE_CREATE, "The service could not list your backups.")
    internal(
        "VolumeBackup.0037",
        MODULE_CREATE,
        "The service could not check the status of the disk snapshot.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0038",
        MODULE_CREATE,
        "The service could not check the status of the temporary backup disk.",
        _BACK_UP_AGAIN,
    )
    internal(
        "VolumeBackup.0039",
        MODULE_CREATE,
        "The service could not check the status of the backup.",
        "Refresh the backup list and look at the backup's status. " + _RETRY,
    )
    add(
        "VolumeBackup.0040",
        MODULE_CREATE,
        "The disk already has 20 backups, the maximum per disk.",
        "Each disk can keep at most 20 VBS backups, whatever the project's total quota.",
        "Delete old backups of this disk (a backup can be deleted when it is available or "
        "in error), then back it up again.",
    )
    add(
        "VolumeBackup.0043",
        MODULE_CREATE,
        "The service could not look up the disk or the backup.",
        "A temporary fault in the service, or the disk or backup was just deleted.",
        "Refresh the lists to check that the disk and backup still exist, then try again. "
        "If it keeps failing, contact the administrator.",
        retryable=True,
    )
    add(
        "VolumeBackup.0049",
        MODULE_CREATE,
        "A tag of the backup is not valid.",
        _TAG_RULES,
        "Correct the tag key or value (or remove the tag) and try again.",
    )
    add(
        "VolumeBackup.0050",
        MODULE_CREATE,
        "The backup has too many tags.",
        "A backup can have at most 10 tags.",
        "Remove tags until there are 10 or fewer, then try again.",
    )
    add(
        "VolumeBackup.0053",
        MODULE_CREATE,
        "Disks on dedicated storage (DESS) cannot be backed up with VBS.",
        _DESS,
        "Protect this disk another way, for example with snapshots, or ask the administrator "
        "which backup service covers DESS disks.",
    )
    internal(
        "VolumeBackup.0062",
        MODULE_CREATE,
        "The snapshot taken for the backup went into error status.",
        "If a backup in error status was left behind, delete it, then back the disk up again. "
        "If it fails again, contact the administrator.",
    )
    internal(
        "VolumeBackup.0063",
        MODULE_CREATE,
        "The temporary disk used for the backup went into error status.",
        "If a backup in error status was left behind, delete it, then back the disk up again. "
        "If it fails again, contact the administrator.",
    )
    add(
        "VolumeBackup.0064",
        MODULE_CREATE,
        "The backup ended in error status, so the backup job failed.",
        "A fault while the data was copied to backup storage; less often a quota or "
        "disk-status problem that appeared during the backup.",
        "Delete the backup that is in error status and create it again. If the new backup "
        "fails too, contact the administrator and do not operate on the backup data until "
        "they respond.",
        retryable=True,
    )
    internal(
        "VolumeBackup.0070",
        MODULE_CREATE,
        "The service could not read the project's quotas.",
    )
    for number, kind, label in (
        ("0071", "SAS", "high I/O"),
        ("0073", "SATA", "common I/O"),
        ("0075", "SSD", "ultra-high I/O"),
    ):
        quota(
            f"VolumeBackup.{number}",
            f"the number of {kind} ({label}) disks",
            f"Creating a backup briefly uses a temporary disk, which counts against the "
            f"project's EVS quota, and no {kind} disk is left in it.",
            f"{kind} disks you no longer need",
        )
    for number, kind, label in (
        ("0072", "SAS", "high I/O"),
        ("0074", "SATA", "common I/O"),
        ("0076", "SSD", "ultra-high I/O"),
    ):
        quota(
            f"VolumeBackup.{number}",
            f"the capacity of {kind} ({label}) disks",
            f"Creating a backup briefly uses a temporary disk, which counts against the "
            f"project's EVS quota, and the capacity left for {kind} disks is not enough.",
            f"{kind} disks you no longer need",
        )
    for number, kind, label in (
        ("0077", "SAS", "high I/O"),
        ("0078", "SATA", "common I/O"),
        ("0079", "SSD", "ultra-high I/O"),
    ):
        quota(
            f"VolumeBackup.{number}",
            f"the number of {kind} ({label}) disk snapshots",
            f"A backup starts with a snapshot of the disk, and the project has no {kind} disk "
            f"snapshot left in its quota.",
            f"snapshots of {kind} disks you no longer need",
        )
    quota(
        "VolumeBackup.0080",
        "the number of backups",
        "The project already has as many backups as its quota allows (all disks together).",
        "backups you no longer need",
    )
    quota(
        "VolumeBackup.0081",
        "the capacity of backups",
        "The backups of the project already use as many gigabytes as its quota allows; the "
        "new backup would exceed it.",
        "backups you no longer need (large ones free the most)",
    )
    quota(
        "VolumeBackup.0082",
        "the number of disks",
        "Creating a backup briefly uses a temporary disk, which counts against the project's "
        "EVS quota, and no disk is left in it.",
        "disks you no longer need",
    )
    quota(
        "VolumeBackup.0083",
        "the capacity of disks",
        "Creating a backup briefly uses a temporary disk, which counts against the project's "
        "EVS quota, and the disk capacity left in it is not enough.",
        "disks you no longer need",
    )
    quota(
        "VolumeBackup.0084",
        "the number of snapshots",
        "A backup starts with a snapshot of the disk, and the project has no snapshot left "
        "in its quota.",
        "snapshots you no longer need",
    )

    # ------------------------------------------------------- Deleting a Backup
    internal(
        "VolumeBackup.0100",
        MODULE_DELETE,
        "The service could not start a part of the deletion.",
        "Refresh the backup list; if the backup is still there and available or in error, "
        "delete it again. If it keeps failing, contact the administrator.",
    )
    add(
        "VolumeBackup.0101",
        MODULE_DELETE,
        "The service could not delete the snapshot that belongs to the backup.",
        _INTERNAL,
        _DELETION_FAILED,
    )
    add(
        "VolumeBackup.0102",
        MODULE_DELETE,
        "The backup could not be deleted.",
        "A fault in the backup storage while the backup data was removed.",
        _DELETION_FAILED,
    )
    internal(
        "VolumeBackup.0103",
        MODULE_DELETE,
        "The service could not read the backup's details while deleting it.",
    )
    internal(
        "VolumeBackup.0104",
        MODULE_DELETE,
        "The service could not check whether an image was made from the backup.",
    )
    add(
        "VolumeBackup.0105",
        MODULE_DELETE,
        "The delete request is malformed.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    internal(
        "VolumeBackup.0109",
        MODULE_DELETE,
        "The service could not check the backup's snapshot while deleting the backup.",
    )
    internal(
        "VolumeBackup.0110",
        MODULE_DELETE,
        "The service could not look up the backup.",
    )
    add(
        "VolumeBackup.0113",
        MODULE_DELETE,
        "The backup cannot be deleted because an image was created from it.",
        "An image (Image Management Service) was made from this backup, and the backup is "
        "kept as long as that image exists.",
        "Delete the image made from this backup first (if you no longer need it), then "
        "delete the backup.",
    )
    internal("VolumeBackup.0123", MODULE_DELETE, "The service could not list the backups.")
    add(
        "VolumeBackup.0125",
        MODULE_DELETE,
        "The backup deletion failed.",
        _INTERNAL,
        _DELETION_FAILED,
    )
    add(
        "VolumeBackup.0900",
        MODULE_DELETE,
        "The backup service is unavailable at the moment.",
        "The service is overloaded or under maintenance.",
        "Wait a few minutes and try again. If it lasts, check the Open Telekom Cloud status "
        "page or contact the administrator.",
        retryable=True,
    )

    # ------------------------------------------ Restoring a Disk Using a Backup
    add(
        "VolumeBackup.0111",
        MODULE_RESTORE,
        "The disk to restore or the backup to restore from does not exist.",
        _WRONG_PLACE + " Backups shared with you cannot restore a disk (they can only be used "
        "to create a new disk).",
        "Refresh the lists and choose an existing backup of your own and an existing disk in "
        "the same project.",
    )
    add(
        "VolumeBackup.0200",
        MODULE_RESTORE,
        "The restore failed: the backup data could not be written to the disk.",
        "A fault in the storage system during the restore.",
        "Check the disk's status. If it shows error_restoring, contact the administrator. "
        "Otherwise make sure the disk is available and the backup available, then restore "
        "again; if that fails too, contact the administrator.",
    )
    internal(
        "VolumeBackup.0201",
        MODULE_RESTORE,
        "The storage system returned no result for the restore.",
        "Check the disk's status: if it is available again the restore may have finished. "
        "Otherwise restore again in a few minutes; if it keeps failing, contact the "
        "administrator.",
    )
    add(
        "VolumeBackup.0202",
        MODULE_RESTORE,
        "The target disk is in error status, so it cannot be restored.",
        "An earlier operation on the disk failed, for example its creation or a previous restore.",
        "Restore to another disk, or create a new disk from the backup instead. To repair "
        "the disk in error, contact the administrator.",
    )
    add(
        "VolumeBackup.0203",
        MODULE_RESTORE,
        "The request does not say which backup to restore from.",
        "The backup ID was missing or empty.",
        "Select the backup to restore from and try again.",
    )
    add(
        "VolumeBackup.0204",
        MODULE_RESTORE,
        "The backup ID in the request is not in the expected format.",
        "The backup ID must be a UUID; a backup name or a shortened ID is not accepted.",
        "Pick the backup from the backup list or copy its full ID from there.",
    )
    add(
        "VolumeBackup.0205",
        MODULE_RESTORE,
        "The target disk is not available; a disk can only be restored while it is available "
        "(not attached to a server, not busy).",
        "The disk is still attached to a server (in-use), or busy with another operation.",
        "Stop the server the disk is attached to and detach the disk, wait until it shows "
        "available, then restore. Afterwards attach the disk again and start the server.",
    )
    add(
        "VolumeBackup.0206",
        MODULE_RESTORE,
        "A backup of the target disk is still being created, so it cannot be restored now.",
        "A backup of this disk, from this tool, the console or a backup policy, has not "
        "finished yet.",
        "Wait until that backup has finished (follow its job or watch the backup until it is "
        "available), then restore again.",
    )
    add(
        "VolumeBackup.0207",
        MODULE_RESTORE,
        "The target disk does not exist.",
        _WRONG_PLACE,
        "Refresh the disk list and choose an existing disk, or create a new disk from the "
        "backup instead.",
    )
    add(
        "VolumeBackup.0208",
        MODULE_RESTORE,
        "The target disk ID is not valid for this restore.",
        "The ID is malformed, or it refers to a disk this backup cannot be restored to.",
        "Choose the target disk from the disk list (its full ID, a UUID). To get the data onto "
        "a new disk, create a disk from the backup instead.",
    )
    add(
        "VolumeBackup.0209",
        MODULE_RESTORE,
        "The target disk is smaller than the backup; it must be at least as large.",
        "A restore needs a disk whose size is greater than or equal to the backup's size "
        "(the size of the disk that was backed up).",
        "Pick a disk at least as large as the backup, expand the target disk first, or create "
        "a new disk from the backup.",
    )
    add(
        "VolumeBackup.0210",
        MODULE_RESTORE,
        "The restore request is malformed.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    add(
        "VolumeBackup.0211",
        MODULE_RESTORE,
        "Disks at the disaster-recovery site cannot be restored.",
        "The disk belongs to a server protected by Storage Disaster Recovery Service and lies "
        "at the disaster-recovery site.",
        "Disable disaster-recovery protection for the server first, then restore; or create a "
        "new disk from the backup instead.",
    )
    add(
        "VolumeBackup.0089",
        MODULE_RESTORE,
        "The backup is not available, so it cannot be used now.",
        "The backup is still being created, is being deleted or used by another restore, or "
        "is in error status.",
        "Wait until the backup shows available, then try again. A backup in error status "
        "cannot be used: delete it and pick another backup.",
    )

    # ------------------------------------------------------------ Backup Policy
    pol = MODULE_POLICY
    add(
        "AutoBackup.0000",
        pol,
        "The backup policy request is empty.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    add(
        "AutoBackup.0001",
        pol,
        "The backup policy request contains no policy object.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    add(
        "AutoBackup.0002",
        pol,
        "The request carried no token.",
        "The request was sent without an X-Auth-Token header.",
        _RELOGIN,
    )
    add(
        "AutoBackup.0003",
        pol,
        "The token in the request has expired.",
        "Tokens are valid for 24 hours and can be revoked earlier, for example by a password "
        "change.",
        _RELOGIN,
    )
    add(
        "AutoBackup.0005",
        pol,
        "The service could not read your account (domain) from the token.",
        "The token is malformed or not scoped to a project.",
        _RELOGIN,
    )
    add(
        "AutoBackup.0006",
        pol,
        "The request does not say which backup policy is meant.",
        "The policy ID was missing or empty.",
        "Select the backup policy and try again.",
    )
    add(
        "AutoBackup.0008",
        pol,
        "The backup policy request is not valid JSON.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    internal("AutoBackup.0009", pol, "An internal error occurred in the backup policy service.")
    add(
        "AutoBackup.0100",
        pol,
        "The built-in default backup policy cannot be changed this way.",
        "The request renames or deletes the project's default policy, which the service "
        "manages: its schedule and status can be changed and disks linked to it, but it "
        "keeps its name and cannot be deleted.",
        "Create a policy of your own with the settings you want and link the disks to it "
        "(a disk moves from the default policy).",
    )
    add(
        "AutoBackup.0101",
        pol,
        "The backup policy name is too short or too long.",
        "The name is empty or longer than 64 characters.",
        "Give the policy a name of 1 to 64 characters and try again.",
    )
    add(
        "AutoBackup.0102",
        pol,
        "The backup policy name is not valid.",
        "The name contains characters other than letters, digits, _ and -, or starts with "
        "default (reserved for the built-in default policy).",
        "Use letters, digits, _ and - only, not starting with default, and try again.",
    )
    add(
        "AutoBackup.0103",
        pol,
        "The start time of the backup policy is not valid.",
        "Start times are full hours in UTC (HH:00), separated by commas, each given once.",
        "Correct the policy's start time (for example 02:00 or 02:00,14:00) and try again.",
    )
    add(
        "AutoBackup.0104",
        pol,
        "The status of the backup policy is not valid.",
        "The policy status must be ON or OFF.",
        "Set the policy status to ON or OFF and try again.",
    )
    add(
        "AutoBackup.0105",
        pol,
        "The setting whether to keep the first backup of each month is not valid.",
        "The setting must be Y or N.",
        "Set it to Y (keep the first backup of the month) or N and try again.",
    )
    add(
        "AutoBackup.0106",
        pol,
        "The backup interval of the policy is not valid.",
        "A policy runs either every 1 to 14 days or on chosen week days (SUN to SAT); the "
        "request had neither, or a value outside these.",
        "Give an interval of 1 to 14 days or one or more week days, and try again.",
    )
    add(
        "AutoBackup.0107",
        pol,
        "The number of backups the policy keeps is not valid.",
        "A policy keeps either 2 to 14 backups per disk (up to 99 when it is created) or "
        "its backups for 2 to 99999 days; the request had neither, or a value outside these.",
        "Give a number of backups (2 to 14) or of days (2 to 99999) to keep, and try again.",
    )
    add(
        "AutoBackup.0203",
        pol,
        "The project already has the maximum number of backup policies.",
        "A project may have 10 backup policies besides the built-in default one, and it "
        "has that many already.",
        "Delete a backup policy you no longer use, or link the disks to an existing policy "
        "with a similar schedule instead of creating a new one.",
    )
    add(
        "AutoBackup.0204",
        pol,
        "The backup policy already has the maximum number of disks associated with it.",
        "The policy protects as many disks as the service allows for one policy.",
        "Disassociate disks that no longer need it, or associate the disk with another policy.",
    )
    add(
        "AutoBackup.0205",
        pol,
        "The backup policy does not exist.",
        _WRONG_PLACE,
        "Refresh the list of backup policies and choose an existing one.",
    )
    add(
        "AutoBackup.1100",
        pol,
        "The backup policy you asked for does not exist.",
        _WRONG_PLACE,
        "Refresh the list of backup policies and choose an existing one.",
    )
    internal("AutoBackup.1300", pol, "The backup policy could not be deleted.")
    add(
        "AutoBackup.1400",
        pol,
        "The resource to associate with the backup policy is not valid.",
        "It is not a disk that backup policies can protect, or its ID is wrong.",
        "Choose an existing EVS disk and try again.",
    )
    internal("AutoBackup.1700", pol, "The backup policy could not be run.")
    add(
        "AutoBackup.0206",
        pol,
        "The disk to associate with the backup policy has an unsuitable status.",
        "Only disks that are available or in-use can be associated.",
        "Wait until the disk shows available or in-use, then try again.",
    )
    add(
        "AutoBackup.0207",
        pol,
        "The request names no resource to associate with the backup policy.",
        _MALFORMED_CAUSE,
        "Select at least one disk and try again.",
    )
    internal(
        "AutoBackup.0208",
        pol,
        "The service could not read the details of a resource to associate with the policy.",
    )
    add(
        "AutoBackup.0209",
        pol,
        "A resource in the request has no ID or name.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    add(
        "AutoBackup.0210",
        pol,
        "HANA disks cannot be associated with a backup policy.",
        "The disk is a HANA disk, which VBS backup policies do not support.",
        "Protect this disk another way, or ask the administrator.",
    )
    add(
        "AutoBackup.0211",
        pol,
        "The resource type is not valid.",
        "Backup policies can only be associated with EVS disks (type volume).",
        "Associate disks only.",
    )
    add(
        "AutoBackup.0213",
        pol,
        "The request is not authorized.",
        "Your user lacks a role that allows managing backup policies in this project, or the "
        "token is not valid for it.",
        "Ask the administrator for VBS rights in this project, then log in again.",
    )
    add(
        "AutoBackup.0214",
        pol,
        "A tag of the backup policy is not valid.",
        _TAG_RULES,
        "Correct the tag key or value and try again.",
    )
    add(
        "AutoBackup.0215",
        pol,
        "The backup policy has too many tags.",
        "A backup policy can carry at most 10 tags.",
        "Remove tags you no longer need, or change an existing tag's value, and try again.",
    )
    add(
        "AutoBackup.0216",
        pol,
        "The tag does not exist.",
        "The tag was already removed, or its key is spelled differently.",
        "Refresh the policy's tags and try again.",
    )
    add(
        "AutoBackup.0217",
        pol,
        "The snapshot quota is not enough for the backup policy to run.",
        "Each backup starts with a snapshot of the disk, and the project's snapshot quota is "
        "used up.",
        f"Delete snapshots you no longer need, {_HIGHER_QUOTA}.",
    )
    add(
        "AutoBackup.0218",
        pol,
        "The backup quota is not enough for the backup policy to run.",
        "The project's quota for the number or capacity of backups is used up.",
        f"Delete backups you no longer need, lower the number of backups the policy keeps, "
        f"{_HIGHER_QUOTA}.",
    )
    add(
        "AutoBackup.0220",
        pol,
        "Disks on dedicated storage (DESS) cannot be associated with a backup policy.",
        _DESS,
        "Protect this disk another way, or ask the administrator.",
    )
    add(
        "AutoBackup.0221",
        pol,
        "The request must not contain < or > characters.",
        "A name, description or tag contains < or >.",
        "Remove the < and > characters and try again.",
    )
    add(
        "AutoBackup.0222",
        pol,
        "The requested action is not supported; only specific actions are.",
        _MALFORMED_CAUSE,
        _MALFORMED_ACTION,
    )
    add(
        "AutoBackup.0225",
        pol,
        "The backup policy is running right now.",
        "The policy's current run (scheduled or started by hand) still has backup tasks "
        "waiting or running; a policy runs once at a time.",
        "Follow the policy's backup tasks and run it again once they have ended. Nothing new "
        "was started.",
        retryable=True,
    )
    add(
        "AutoBackup.0226",
        pol,
        "The time zone of the backup policy is not valid.",
        "The time zone must look like UTC+01:00 or UTC-05:00; it is needed when the start "
        "times fall on different UTC days, together with week days.",
        "Correct the time zone and try again.",
    )
    internal(
        "AutoBackup.9002",
        pol,
        "An internal error occurred while the service checked your authentication.",
    )

    # ------------------------------------------------------------- API gateway
    add(
        "APIGW.0301",
        MODULE_APIGW,
        "The API gateway rejected the token: it is invalid or has expired.",
        "Tokens are valid for 24 hours and can be revoked earlier, for example by a password "
        "change; or the token belongs to another project or region.",
        "The tool fetches a new token and retries once by itself. If this keeps happening, "
        "check the profile's credentials, domain, project and region.",
    )
    add(
        "APIGW.0308",
        MODULE_APIGW,
        "The API gateway throttled the request: too many requests in a short time.",
        "Many requests were sent at once, by this tool or others using the same account.",
        "Wait a moment and try again (the tool backs off by itself). If it persists, run "
        "fewer operations in parallel.",
        retryable=True,
    )
    return out


def _build_http() -> dict[int, ErrorInfo]:
    def http(
        status: int, meaning: str, cause: str | None, action: str | None, *, retry: bool = False
    ) -> tuple[int, ErrorInfo]:
        return status, ErrorInfo(f"HTTP {status}", meaning, cause, action, retry, MODULE_HTTP)

    ambiguous = (
        " Before sending a backup request again, check the backup list: the backup may have "
        "been created anyway."
    )
    return dict(
        [
            http(
                400,
                "The service rejected the request as invalid.",
                "A value in the request is not accepted, or the disk or backup is not in a "
                "status that allows the operation; the server's message says which.",
                "Read the server's message, correct the input or wait for the status to "
                "change, then try again.",
            ),
            http(
                401,
                "The request was not authenticated: the token is missing, invalid or expired.",
                "Tokens are valid for 24 hours and can be revoked earlier.",
                "The tool fetches a new token and retries once by itself. If it persists, "
                "check the profile's credentials, domain and project.",
            ),
            http(
                403,
                "The request is forbidden.",
                "Your user lacks the rights for this operation in this project, or the "
                "project may not use VBS (a legacy service; new projects get Cloud Backup "
                "and Recovery instead).",
                "Ask the administrator for VBS and EVS rights in this project, then log in again.",
            ),
            http(
                404,
                "The requested disk, backup, job or address does not exist.",
                "It was deleted (after a delete, this means the deletion has finished), the ID "
                "is wrong, or it belongs to another project or region. If every request gives "
                "this, the VBS endpoint is wrong or VBS is not offered to this project.",
                "Refresh the list. If everything is not found, check the profile's region, "
                "project and endpoint settings.",
            ),
            http(
                405,
                "The service does not allow this method on this address.",
                "The endpoint or API version is wrong, or the service does not offer the call.",
                "Check the profile's endpoint settings; otherwise report it as a bug in vbstui.",
            ),
            http(
                408,
                "The service timed out waiting for the request.",
                "A slow or interrupted network connection.",
                "Try again." + ambiguous,
                retry=True,
            ),
            http(
                409,
                "The request conflicts with the current state of the disk or backup.",
                "Another operation on the same disk or backup is still running.",
                "Wait until the other operation has finished, refresh, then try again.",
            ),
            http(
                413,
                "The request exceeds a limit: usually a quota, sometimes the request rate.",
                "The backup quota (number or capacity of backups) or another quota is used "
                "up, or too many requests were sent in a short time.",
                f"Check the quota: delete backups you no longer need, {_HIGHER_QUOTA}. If "
                "the server's message speaks of a rate limit, wait and try again.",
            ),
            http(
                429,
                "Too many requests: the service or gateway throttled this one.",
                "Many requests were sent in a short time.",
                "Wait a moment and try again (the tool backs off by itself).",
                retry=True,
            ),
            http(
                500,
                "The service failed with an internal error.",
                _INTERNAL,
                "Try again in a few minutes." + ambiguous,
                retry=True,
            ),
            http(
                501,
                "The service does not support this request.",
                "The region or the service version does not offer this function.",
                "Check the profile's region and endpoint settings.",
            ),
            http(
                502,
                "A gateway in front of the service got no valid answer from it.",
                "The service is restarting, overloaded or unreachable from the gateway.",
                "Try again in a few minutes." + ambiguous,
                retry=True,
            ),
            http(
                503,
                "The service is unavailable at the moment.",
                "The service is overloaded or under maintenance.",
                "Wait a few minutes and try again. If it lasts, check the Open Telekom Cloud "
                "status page.",
                retry=True,
            ),
            http(
                504,
                "A gateway in front of the service timed out waiting for it.",
                "The service is slow or overloaded; it may still finish the request.",
                "Try again in a few minutes." + ambiguous,
                retry=True,
            ),
        ]
    )


# Cinder's fault envelope names, in case a caller passes the envelope key as the code.
_CINDER_FAULTS: Mapping[str, int] = MappingProxyType(
    {
        "badrequest": 400,
        "unauthorized": 401,
        "forbidden": 403,
        "itemnotfound": 404,
        "badmethod": 405,
        "conflictingrequest": 409,
        "overlimit": 413,
        "computefault": 500,
        "notimplemented": 501,
        "serviceunavailable": 503,
    }
)


class _Tables:
    """The catalogues and their indexes, built on the first lookup: several hundred
    explanations that a run without an error (and every first frame) never reads."""

    def __init__(self) -> None:
        from vbstui.cloud.cbr_error_codes import CBR_CODES  # noqa: PLC0415 - with these

        self.catalogue: Mapping[str, ErrorInfo] = MappingProxyType(_build())
        self.http_status: Mapping[int, ErrorInfo] = MappingProxyType(_build_http())
        self.cbr_catalogue: Mapping[str, ErrorInfo] = MappingProxyType({
            code: ErrorInfo(code, row.meaning, row.cause, row.action, row.retryable,
                            MODULE_CBR)
            for code, row in CBR_CODES.items()
        })
        # Every code lookup resolves against, VBS and CBR alike.
        known = self.known = MappingProxyType({**self.catalogue, **self.cbr_catalogue})
        # (prefix in lower case, number) -> canonical code.
        self.by_prefix_and_number: Mapping[tuple[str, int], str] = MappingProxyType(
            {(code.split(".")[0].lower(), int(code.split(".")[1])): code for code in known})
        self.by_lower: Mapping[str, ErrorInfo] = MappingProxyType(
            {code.lower(): info for code, info in known.items()})
        self.prefixes: Mapping[str, str] = MappingProxyType(
            {code.split(".")[0].lower(): code.split(".")[0] for code in known})


@functools.cache
def _tables() -> _Tables:
    return _Tables()


# Declared for readers and type checkers; the values come from `__getattr__` below.
CATALOGUE: Mapping[str, ErrorInfo]
HTTP_STATUS: Mapping[int, ErrorInfo]
CBR_CATALOGUE: Mapping[str, ErrorInfo]

_PUBLIC_TABLES = {
    # Every documented service code (and the API-gateway codes), by canonical spelling.
    "CATALOGUE": "catalogue",
    # Explanations of HTTP status codes, as Cinder-style envelopes carry them.
    "HTTP_STATUS": "http_status",
    # Every BackupService code of the CBR reference (data and HTTP status).
    "CBR_CATALOGUE": "cbr_catalogue",
}


def __getattr__(name: str) -> object:
    """`CATALOGUE`, `HTTP_STATUS` and `CBR_CATALOGUE`, built when first asked for."""
    if name in _PUBLIC_TABLES:
        return getattr(_tables(), _PUBLIC_TABLES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Bare numbers only resolve among the service's own codes, never to gateway codes.
_BARE_NUMBER_PREFIXES = ("common", "volumebackup", "autobackup")

_CODE_RE = re.compile(r"^(?P<prefix>[a-z]+)\s*[._\-\s]\s*(?P<number>\d{1,6})$")
_NUMBER_RE = re.compile(r"^\d{1,6}$")
_HTTP_RE = re.compile(r"^(?:http\s*)?(?P<status>[1-5]\d\d)(?:\s+[a-z][a-z \-]*)?$")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def all_codes() -> list[str]:
    """Every code in the catalogue, sorted (HTTP status codes are not included)."""
    return sorted(_tables().catalogue)


def lookup(code: str | int | None) -> ErrorInfo | None:
    """The catalogued explanation of *code*, or None when it is not known.

    Accepts the same spellings as :func:`explain`; an ambiguous bare number
    (one that exists under several prefixes) gives None.
    """
    info, _candidates = _resolve(code)
    return info


def explain(code: str | int | None, message: str | None = None) -> ErrorInfo:
    """Explain an error code; always returns something a human can read.

    Lookup is tolerant: case and surrounding whitespace do not matter,
    ``VolumeBackup.40`` and ``volumebackup_0040`` work, a bare number (``"0040"``,
    ``40``) resolves when exactly one service code has that number, and HTTP
    statuses (``404``, ``"HTTP 404"``) and Cinder fault names (``"itemNotFound"``)
    map to HTTP explanations.  Codes the catalogue does not know, and a missing
    code, give an :class:`ErrorInfo` whose meaning says so and quotes the code
    and the server's *message*.
    """
    info, candidates = _resolve(code)
    if info is not None:
        return info
    server = _server_message(message)
    if code is None or (isinstance(code, str) and not code.strip()):
        return ErrorInfo(
            code="(none)",
            meaning=f"The server reported an error without an error code. {server}",
            cause=None,
            action="Read the server's message. If the problem persists, contact the "
            "administrator with the message and the time it happened.",
            retryable=False,
            module=MODULE_UNKNOWN,
        )
    shown = _printable(str(code).strip(), _MAX_CODE_TEXT)
    if candidates:
        listed = " or ".join(candidates)
        meaning = f'Error code "{shown}" is ambiguous: it could be {listed}. {server}'
        action = "Look up the full code (with its prefix) to get the explanation."
        module = MODULE_UNKNOWN
    elif shown.lower().startswith("apigw"):
        meaning = (
            f'The API gateway in front of the service rejected the request with code "{shown}", '
            f"which is not in the catalogue. {server}"
        )
        action = (
            "Read the server's message. If it speaks of authentication, check the profile's "
            "credentials; if of limits, wait and try again."
        )
        module = MODULE_APIGW
    else:
        meaning = (f'Error code "{shown}" is not in the catalogue of known VBS and CBR codes. '
                   f"{server}")
        action = (
            "Read the server's message. If the problem persists, contact the administrator "
            "with the code, the message and the time it happened."
        )
        module = MODULE_UNKNOWN
    return ErrorInfo(shown, meaning, None, action, False, module)


# --------------------------------------------------------------------- helpers


def _resolve(code: str | int | None) -> tuple[ErrorInfo | None, list[str]]:
    """The info for *code* if it resolves, else the candidate codes of an ambiguous number."""
    if code is None or isinstance(code, bool):
        return None, []
    tables = _tables()
    if isinstance(code, int):
        if 400 <= code <= 599 and code in tables.http_status:
            return tables.http_status[code], []
        return _by_number(code)
    if not isinstance(code, str):
        return None, []
    text = " ".join(code.split()).lower()
    if not text:
        return None, []
    if text in tables.by_lower:
        return tables.by_lower[text], []
    if text in _CINDER_FAULTS:
        return tables.http_status[_CINDER_FAULTS[text]], []
    match = _CODE_RE.match(text)
    if match and match["prefix"] in tables.prefixes:
        canonical = tables.by_prefix_and_number.get((match["prefix"], int(match["number"])))
        return (tables.known[canonical] if canonical else None), []
    match = _HTTP_RE.match(text)
    if match and not text.startswith("0"):
        status = int(match["status"])
        if status in tables.http_status:
            return tables.http_status[status], []
        if not _NUMBER_RE.match(text):
            return None, []
    if _NUMBER_RE.match(text):
        return _by_number(int(text))
    return None, []


def _by_number(number: int) -> tuple[ErrorInfo | None, list[str]]:
    tables = _tables()
    candidates = [
        code
        for prefix in _BARE_NUMBER_PREFIXES
        if (code := tables.by_prefix_and_number.get((prefix, number))) is not None
    ]
    if len(candidates) == 1:
        return tables.catalogue[candidates[0]], []
    return None, candidates


def _server_message(message: str | None) -> str:
    if message is None or not str(message).strip():
        return "The server gave no message."
    return f'Server message: "{_printable(str(message), _MAX_MESSAGE_TEXT)}"'


def _printable(text: str, limit: int) -> str:
    """*text* on one line, control and bidi characters shown as escapes, cut to *limit*."""
    parts: list[str] = []
    for ch in " ".join(text.split()):
        if ch in _BIDI or (not ch.isprintable() and ch != " "):
            parts.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            parts.append(ch)
    out = "".join(parts)
    return out if len(out) <= limit else out[: limit - 1] + "…"
