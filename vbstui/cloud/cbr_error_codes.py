"""Catalogue of CBR (Cloud Backup and Recovery) error codes: every ``BackupService.*`` code
of ``cbr-api/appendix/error_codes.rst`` with its HTTP status, what it means, its likely
cause, what to do, and whether simply trying again later is sensible.

Data only, standard library only: `error_codes` builds its `ErrorInfo`s from these rows,
so `explain("BackupService.6100")` works like any VBS code (this module must not import
`error_codes`, which imports it).  Texts are plain: no markup, no control characters.
vbstui backs up EVS disks, so codes about cloud servers, images, sharing or replication
say that they concern another kind of backup than the tool makes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

PREFIX = "BackupService"


@dataclass(frozen=True, slots=True)
class CbrCode:
    """One CBR error code of the reference: what it means, what to do."""

    code: str  # "BackupService.6100"
    http_status: int  # the status the reference lists the code under
    meaning: str
    cause: str | None
    action: str | None
    retryable: bool  # True only when trying again later, unchanged, is sensible


# Reused pieces of text.  Kept short: the log pane may show several at once.
_TEMPORARY = "A temporary fault inside CBR or a service it relies on."
_TRY_AGAIN = "Try again in a few minutes. If it keeps failing, contact the administrator."
_SUPPORT = (
    "Contact the administrator or OTC support with the code, the time and the vault or "
    "backup ID."
)
_RULES = "The request breaks one of CBR's rules for this kind of resource."
_SERVER_ONLY = (
    "It concerns cloud server (ECS/BMS) backups, which vbstui does not make; a script or "
    "the console sent this request."
)
_IMAGES = "It concerns creating images from cloud server backups, which vbstui does not do."
_SHARING = "It concerns sharing backups with other projects, which vbstui does not do."
_REPLICATION = "It concerns replicating backups to another region, which vbstui does not do."
_BUCKET = "CBR failed to manage the object storage bucket that holds the vault's data."
_WRONG_PLACE = (
    "The ID is wrong, the resource was deleted, or it belongs to another project or region "
    "than the profile points at."
)
_REFRESH = "Refresh the view and check the ID; pick the resource again from the list."
_WAIT_RUNNING = "Wait until the running task ends (the jobs panel follows it), then try again."
_VAULT_STATE = "The vault is not available (it may be frozen, locked, being deleted or in error)."
_VAULT_STATE_ACTION = (
    "Check the vault's status in the vaults view. A frozen vault usually means the account "
    "has an unpaid bill; otherwise wait until it is available."
)
_DISK_STATE = (
    "A disk can be backed up or restored only when it is available or in-use and no other "
    "operation runs on it."
)
_FULL = "The vault has no free capacity left for the backup data."
_EXPAND = (
    "Expand the vault (its size in GB), delete backups you no longer need, or back the disk "
    "up into another vault with room."
)
_BAD_VALUES = (
    "Check the values you entered. If they look right, report it as a bug in vbstui (or "
    "fix the script that sent the request)."
)


def _rows() -> dict[str, CbrCode]:
    out: dict[str, CbrCode] = {}

    def add(number: str, status: int, meaning: str, cause: str | None = None,
            action: str | None = None, *, retryable: bool = False) -> None:
        code = f"{PREFIX}.{number}"
        if code in out:  # pragma: no cover - guards the table below
            raise ValueError(f"duplicate error code {code}")
        out[code] = CbrCode(code, status, meaning, cause, action, retryable)

    def temporary(number: str, status: int, meaning: str) -> None:
        add(number, status, meaning, _TEMPORARY, _TRY_AGAIN, retryable=True)

    def foreign(number: str, status: int, meaning: str, cause: str, action: str) -> None:
        add(number, status, meaning, cause, action)

    add("0001", 400, "No disk of the request can be backed up now.",
        "Every disk named is already being backed up, or none of them is in the vault.",
        "Check that the disks are in the vault and not being backed up, then try again.")
    foreign("1011", 400, "The destination project does not support replication.",
            _REPLICATION, _SUPPORT)
    add("2001", 400, "The target disk is smaller than the backup: it cannot be restored there.",
        "A backup can be restored only to a disk at least as large as the backed-up disk.",
        "Expand the target disk to at least the backup's size, or pick a larger disk.")
    add("2002", 400, "The disk is being backed up; it cannot be restored until that ends.",
        "A backup of the target disk is still running.", _WAIT_RUNNING, retryable=True)
    foreign("2003", 400, "A server backup cannot be restored to a different server.",
            _SERVER_ONLY, "Restore to the server the backup was made of.")
    add("2005", 400, "The backup cannot be restored in its current status.",
        "Only an available backup can be restored; this one is still being made, deleted, "
        "restored or in error.",
        "Wait until the backup is available (refresh the backups view), then try again.")
    foreign("2007", 400, "A deleted (terminated) cloud server cannot be restored.",
            _SERVER_ONLY, "Restore the backup's disks to other disks instead.")
    foreign("2008", 400, "The cloud server's current status does not allow a restore.",
            _SERVER_ONLY, "Check the server's status; stop it if the restore requires that.")
    add("2009", 400, "This type of disk cannot be restored from a backup.",
        _RULES, "Restore to a disk of another type (a standard EVS disk).")
    add("2010", 400, "The disk is already being restored.",
        "A restore of the target disk is still running.", _WAIT_RUNNING, retryable=True)
    add("2011", 400, "The target disk's current status does not allow a restore.",
        "A disk can be restored only when it is available (detached) and no other operation "
        "runs on it.",
        "Detach the disk from its server (or stop the server) so that it is available, then "
        "try again.")
    add("2012", 400, "Some of the disks cannot be restored.", _RULES, _SUPPORT)
    add("2013", 400, "A data disk backup cannot be restored to a system disk.",
        _RULES, "Pick a data disk as the target, or a backup of a system disk.")
    foreign("2014", 400, "A bare metal server backup cannot be restored to an ECS.",
            _SERVER_ONLY, "Pick a backup of the same kind of server.")
    foreign("2015", 400, "A backup cannot be restored to a server of another architecture.",
            _SERVER_ONLY, "Pick a target of the same architecture (x86 or Arm).")
    add("6001", 400, "The project already has the maximum number of policies of this type.",
        "CBR limits the number of backup policies per project.",
        "Delete a policy you no longer use, or ask the administrator for a higher limit.")
    foreign("6003", 400, "The policy's destination region cannot be changed while the policy "
            "applies to a replication vault.", _REPLICATION,
            "Remove the policy from the vault first, then change it.")
    add("6100", 400, "The vault already holds the maximum number of resources (256 disks).",
        "A vault holds at most 256 resources.",
        "Put further disks into another vault (or create one), or remove disks you no longer "
        "back up.")
    add("6101", 400, "The vault capacity is not valid.",
        "A vault's size is a whole number of GB from 10 to 10485760 (a new size may not be "
        "smaller than the current one).", "Enter a capacity in that range.")
    add("6102", 400, "This vault cannot hold this type of resource.",
        "A disk vault holds only disks (OS::Cinder::Volume); a server vault only servers.",
        "Add disks to a disk vault (object type disk).")
    add("6103", 400, "The resource is already in a vault.",
        "A disk can be in only one vault at a time.",
        "Remove the disk from its current vault first, or back it up in that vault.")
    add("6104", 400, "The request names the same resource more than once.",
        "A disk was listed twice.", _BAD_VALUES)
    add("6105", 404, "The vault does not exist.", _WRONG_PLACE, _REFRESH)
    add("6106", 400, "A vault with these settings already exists.",
        "The vault may already have been created (an earlier attempt did reach CBR).",
        "Refresh the vaults view before creating it again.")
    temporary("6107", 400, "Expanding the vault's capacity failed.")
    temporary("6108", 400, "New resources cannot be added to the vault right now.")
    add("6109", 400, "CBR cannot find the bill (order) of this vault.",
        "The vault's billing record is missing or inconsistent.", _SUPPORT)
    temporary("6110", 400, "The vault cannot be updated right now.")
    temporary("6111", 400, "The vault cannot be deleted right now.")
    add("6112", 400, "The vault's status does not allow this operation.",
        _VAULT_STATE, _VAULT_STATE_ACTION)
    add("6113", 400, "The vault's status does not allow a backup.",
        _VAULT_STATE, _VAULT_STATE_ACTION)
    add("6114", 400, "The vault's used capacity exceeds its size.", _FULL, _EXPAND)
    temporary("6115", 400, "Deleting the backups of the vault's resources failed.")
    add("6116", 400, "The resource type is not supported.",
        "The request named a resource type (protect type) CBR does not know.", _BAD_VALUES)
    add("6117", 400, "The policy type is not known.",
        "The request named an operation type CBR does not know (backup or replication).",
        _BAD_VALUES)
    temporary("6118", 400, "CBR could not check the destination vault.")
    foreign("6119", 400, "The destination vault does not support replication.",
            _REPLICATION, "Pick a replication vault as the destination.")
    foreign("6120", 400, "The destination vault does not exist.",
            _REPLICATION, "Check the destination vault's ID and region.")
    temporary("6121", 400, "Deleting the vault failed.")
    foreign("6122", 400, "This resource type does not support replication.",
            _REPLICATION, "Replicate only resource types that support it.")
    add("6123", 400, "Expanding the vault failed: another expansion is in progress or an "
        "expansion order is unpaid.",
        "An earlier capacity change of the vault has not finished.",
        "Wait for the running expansion (or pay its order), then try again.", retryable=True)
    add("6124", 400, "This type of vault cannot hold this kind of backup.",
        "A disk backup needs a disk backup vault (object type disk).",
        "Back the disk up into a disk vault.")
    add("6125", 400, "A backup task is already running for this resource.",
        "A backup of the disk (manual or by policy) is still being made.",
        _WAIT_RUNNING, retryable=True)
    foreign("6126", 400, "Database backups are not allowed in this vault.",
            "The vault's type does not hold database backups.", "Use a vault of the right type.")
    add("6127", 400, "This policy cannot be applied to this vault.",
        "The policy's type does not fit the vault (a replication policy on a backup vault, "
        "or the reverse).", "Pick a backup policy for a backup vault.")
    foreign("6128", 400, "Replication is not allowed for this type of vault.",
            _REPLICATION, "Replicate from a vault type that supports it.")
    add("6129", 400, "The destination vault is full.", _FULL,
        "Expand the destination vault, then try again.")
    add("6130", 400, "The vault is being replicated.",
        "A replication of the vault is still running.", _WAIT_RUNNING, retryable=True)
    add("6131", 400, "CBR cannot find the vault's traffic record.",
        "The vault's accounting data is missing or inconsistent.", _SUPPORT)
    add("6133", 400, "The project already has the maximum number of vaults.",
        "CBR limits the number of vaults per project.",
        "Delete a vault you no longer use, or ask the administrator for a higher limit.")
    add("6134", 400, "Resources are being removed from the vault.",
        "A removal of disks from the vault is still running.", _WAIT_RUNNING, retryable=True)
    add("6135", 400, "The resource is not in the vault.",
        "The disk was removed from the vault, or was never added to it.",
        "Refresh the vault's disks; add the disk to the vault before backing it up there.")
    foreign("6136", 400, "Backup policies cannot be applied to hybrid cloud backup vaults.",
            "Hybrid cloud vaults take no policies.", "Use a regular backup vault.")
    add("6137", 500, "A disk shared by several cloud servers cannot be backed up in several "
        "vaults.", _RULES, "Put the servers that share the disk into the same vault.")
    add("6138", 500, "CBR could not read the account's language preference from the billing "
        "center.", "Only Chinese and English are supported there.", _TRY_AGAIN, retryable=True)
    temporary("6139", 500, "CBR could not determine the account's domain type.")
    add("6140", 400, "An encrypted disk cannot be used as a system disk.", _RULES,
        "Pick an unencrypted disk as the system disk.")
    add("6141", 400, "A SCSI disk cannot be used as a system disk.", _RULES,
        "Pick a VBD disk as the system disk.")
    add("6142", 400, "All vaults of the project are full.", _FULL, _EXPAND)
    add("6200", 404, "The backup does not exist.",
        f"{_WRONG_PLACE} A deleted backup disappears from the list a little later.",
        "Refresh the backups view.")
    temporary("6201", 400, "The backup cannot be deleted right now.")
    add("6202", 400, "A backup can be restored only while its vault is available.",
        _VAULT_STATE, _VAULT_STATE_ACTION)
    add("6203", 400, "A backup is being made.", "A backup of the resource is still running.",
        _WAIT_RUNNING, retryable=True)
    foreign("6204", 400, "The backup cannot be deleted: an image was created from it.",
            _IMAGES, "Delete the image first, then the backup.")
    add("6206", 400, "The backup's metadata cannot be read in its current status.",
        "The backup is still being made or deleted.", "Try again when the backup is available.",
        retryable=True)
    foreign("6207", 500, "This type of backup cannot be used to create an image.",
            _IMAGES, "Create images only from cloud server backups with a system disk.")
    foreign("6208", 500, "An image cannot be created from the backup in its current status.",
            _IMAGES, "Try again when the backup is available.")
    foreign("6209", 500, "The backup holds no system disk, so no image can be made from it.",
            _IMAGES, "Pick a backup that contains the system disk.")
    foreign("6210", 500, "An image was already created from the backup.",
            _IMAGES, "Use the existing image.")
    foreign("6211", 500, "An image was already created from the backup.",
            _IMAGES, "Use the existing image.")
    foreign("6212", 500, "Creating the image failed.", _IMAGES, _SUPPORT)
    foreign("6213", 500, "The backup and the image do not match.", _IMAGES, _SUPPORT)
    foreign("6214", 500, "Deregistering the image failed.", _IMAGES, _SUPPORT)
    add("6215", 400, "The resource's current status does not allow a backup.", _DISK_STATE,
        "Wait until the disk is available or in-use (refresh the volumes view), then try again.")
    add("6216", 400, "The backup cannot be deleted: it is in use.",
        "The backup is being restored, replicated or used by another task.",
        _WAIT_RUNNING, retryable=True)
    add("6217", 404, "The restore point (checkpoint) does not exist.", _WRONG_PLACE, _REFRESH)
    add("6220", 400, "Automatic backups in a locked vault cannot be deleted by hand.",
        "A locked vault keeps its policy-made backups until they expire; locking cannot be "
        "undone.", "Let the backup expire under the policy's retention rule.")
    add("6300", 400, "The resource type and the backup provider do not match.",
        "The request mixed a disk with a server provider (or the reverse).", _BAD_VALUES)
    add("6301", 400, "The backup provider ID is not valid.",
        "The request named a provider ID CBR does not know.", _BAD_VALUES)
    add("6302", 404, "The resource does not exist.", _WRONG_PLACE, _REFRESH)
    for number, what in (("6400", "Creating the vault's storage bucket failed."),
                         ("6401", "Setting the storage bucket's quota failed."),
                         ("6403", "Reading the storage bucket's usage failed."),
                         ("6404", "Deleting the storage bucket failed."),
                         ("6405", "Deleting objects from the storage bucket failed."),
                         ("6406", "Listing the storage bucket's objects failed."),
                         ("6407", "Setting the storage bucket's access control failed."),
                         ("6408", "Setting the storage bucket's policy failed.")):
        add(number, 400, what, _BUCKET, _TRY_AGAIN, retryable=True)
    add("6402", 404, "The vault's storage bucket is not empty.",
        "The vault still holds backups or has a policy applied.",
        "Delete the vault's backups and remove its policy, then try again.")
    add("6500", 404, "The operation log does not exist.", _WRONG_PLACE,
        "Refresh the task list; old tasks are removed after a while.")
    add("6501", 404, "The task does not exist.", _WRONG_PLACE,
        "Refresh the task list; old tasks are removed after a while.")
    add("6600", 400, "The resource already has the maximum number of tags.",
        "A vault takes at most 20 tags.", "Delete some tags, then try again.")
    add("6601", 404, "The tag key does not exist.", "The tag was deleted or never existed.",
        "Refresh the tags and use an existing key.")
    foreign("6700", 400, "Only cloud server backups can be shared.", _SHARING,
            "Share cloud server backups only.")
    foreign("6701", 400, "The maximum number of shared backups is reached.", _SHARING,
            "Stop sharing backups you no longer share.")
    foreign("6702", 400, "Only available backups can be shared.", _SHARING,
            "Wait until the backup is available.")
    foreign("6703", 400, "The backup is already shared.", _SHARING,
            "Check the backup's share members.")
    foreign("6704", 400, "The project ID to share with is not valid.", _SHARING,
            "Use the project ID of the member you share with.")
    foreign("6705", 404, "The share member does not exist.", _SHARING,
            "Refresh the backup's share members.")
    foreign("6706", 400, "The new status of the share member is not valid.", _SHARING,
            "Use accepted or rejected.")
    foreign("6707", 400, "Sharing this backup is not allowed.", _SHARING,
            "Check whether the backup can be shared.")
    foreign("6708", 400, "Updating the share member's status failed.", _SHARING, _SUPPORT)
    foreign("6709", 400, "Backups of servers with encrypted disks cannot be shared.", _SHARING,
            "Share backups of unencrypted servers only.")
    foreign("6710", 400, "The shared backup was used to register an image.", _SHARING,
            "Delete the image first.")
    foreign("6711", 400, "Deleting the shared backup failed.", _SHARING, _SUPPORT)
    foreign("6712", 400, "The vault's status does not allow sharing.", _SHARING,
            _VAULT_STATE_ACTION)
    foreign("6713", 400, "The receiving vault's type does not match the shared backup.",
            _SHARING, "Accept the backup into a vault of the same resource type.")
    foreign("6714", 400, "The backup is already shared with this member.", _SHARING,
            "Nothing to do: the member already has the backup.")
    add("7000", 404, "The disk does not exist.", _WRONG_PLACE,
        "Refresh the volumes view; the disk may have been deleted.")
    add("7001", 400, "Disks on Dedicated Enterprise Storage Service (DESS) cannot be backed up.",
        _RULES, "Back up only EVS disks that are not on DESS.")
    add("7002", 400, "SCSI disks cannot be backed up.", _RULES,
        "Back up VBD disks only (a SCSI disk cannot be backed up by CBR).")
    add("7003", 400, "The disk's current status does not allow a backup.", _DISK_STATE,
        "Wait until the disk is available or in-use (refresh the volumes view), then try again.")
    add("7004", 400, "This disk cannot be backed up or restored.", _RULES, _SUPPORT)
    add("7006", 400, "The disk is already in the vault.",
        "The disk was added before (perhaps by an earlier attempt that did reach CBR).",
        "Nothing to add: refresh the vault's disks. To move it, remove it first.")
    add("7007", 400, "A disk created this long ago cannot be backed up.",
        "The disk predates the storage features CBR needs.",
        "Copy the data to a new disk and back that one up.")
    add("7008", 400, "Disks at the disaster recovery site cannot be restored.", _RULES,
        "Restore to a disk at the production site.")
    add("7009", 500, "The disk backup is still being lazy-loaded after a deletion.",
        "Data of the backup is still being loaded in the background.",
        "Wait until the load finishes, then try again.", retryable=True)
    foreign("7100", 404, "The cloud server does not exist.", _SERVER_ONLY, _REFRESH)
    foreign("7101", 400, "The server's current status does not allow a backup.", _SERVER_ONLY,
            "Wait until the server is running or stopped, then try again.")
    foreign("7102", 400, "The server has stopped.", _SERVER_ONLY,
            "Start the server, or back up its disks in a disk vault instead.")
    foreign("7103", 400, "The server cannot be backed up.", _SERVER_ONLY, _SUPPORT)
    foreign("7104", 400, "Servers with SCSI disks cannot be backed up.", _SERVER_ONLY,
            "Detach the SCSI disks, then back up the server.")
    add("7105", 400, "The disks are on inconsistent storage backends.", _RULES, _SUPPORT)
    add("7106", 400, "Shared disks cannot be backed up.", _RULES,
        "Back up disks that are not shared between servers.")
    foreign("7107", 400, "The server has the maximum number of shared disks.", _SERVER_ONLY,
            "Exclude the shared disks from the backup.")
    foreign("7108", 400, "A server without disks cannot be backed up.", _SERVER_ONLY,
            "Attach disks to the server first.")
    foreign("7109", 400, "Bare metal servers cannot be backed up.", _SERVER_ONLY,
            "Back up their EVS disks in a disk vault instead.")
    add("7110", 400, "The resource type and the provider ID do not match.",
        "The request mixed a disk with a server provider (or the reverse).", _BAD_VALUES)
    foreign("7111", 400, "Servers with DESS disks cannot be backed up.", _SERVER_ONLY,
            "Detach the DESS disks, then back up the server.")
    foreign("7113", 400, "Local disks of bare metal servers cannot be backed up.", _SERVER_ONLY,
            "Exclude the local disks from the backup.")
    foreign("7114", 400, "A backup cannot be restored to its server once that runs another "
            "operating system.", _SERVER_ONLY, "Restore to a server with the same system.")
    foreign("7115", 400, "The backed-up server and the target server are of different types.",
            _SERVER_ONLY, "Restore to a server of the same type.")
    foreign("7116", 400, "The server is already in a vault.", _SERVER_ONLY,
            "Remove the server from its vault first.")
    foreign("7117", 400, "Servers at the disaster recovery site cannot be restored.",
            _SERVER_ONLY, "Restore to a server at the production site.")
    add("7200", 400, "Cloud databases are being backed up.",
        "A database backup is still running.", _WAIT_RUNNING, retryable=True)
    add("7201", 400, "The disk is not attached to any server.",
        "This operation needs the disk attached to a server.",
        "Attach the disk to a server, then try again.")
    add("7202", 404, "CBR could not find the disk's snapshot.", _WRONG_PLACE,
        "Check the snapshot ID, or back up without naming a snapshot.")
    add("7203", 400, "The snapshot is not in a usable status.",
        "The snapshot is still being created or is in error.",
        "Try again when the snapshot is available.", retryable=True)
    add("7204", 400, "The snapshot does not belong to the disk.",
        "The snapshot was taken of another disk.", "Pick a snapshot of this disk.")
    add("7300", 400, "The vault does not support synchronization.",
        "Only hybrid cloud vaults synchronize backups.", "Use a vault type that does.")
    add("7301", 400, "The vault is not empty.",
        "The operation needs an empty vault (no disks and no backups).",
        "Remove the vault's disks and delete its backups first.")
    add("7302", 400, "Backups are being synchronized.",
        "A synchronization of the vault is still running.", _WAIT_RUNNING, retryable=True)
    add("7303", 400, "The project already has the maximum number of vaults.",
        "CBR limits the number of vaults per project.",
        "Delete a vault you no longer use, or ask the administrator for a higher limit.")
    add("8300", 400, "The snapshot quota is used up.",
        "CBR takes a snapshot of each disk it backs up, and the project's snapshot quota is "
        "exhausted.", "Delete unneeded snapshots or ask the administrator for a higher quota.")
    temporary("8400", 500, "CBR could not get the vault's product from the billing center.")
    add("8600", 403, "The account is not authenticated for this service.",
        "The account has not completed real-name authentication.",
        "Complete the account's real-name authentication in the console.")
    add("9900", 400, "CBR refused a parameter of the request.",
        "A value in the request is missing, too long or of the wrong form.", _BAD_VALUES)
    add("9910", 500, "CBR reported an unknown error.", _TEMPORARY, _TRY_AGAIN, retryable=True)
    add("9998", 500, "CBR could not authenticate the request.",
        "The token was refused by CBR (expired, revoked, or the user lacks CBR rights).",
        "Log in again (the tool fetches a new token by itself). If it persists, check that "
        "the user has CBR permissions in the project.")
    add("0002", 500, "Resources are being backed up.", "A backup of the disk is still running.",
        _WAIT_RUNNING, retryable=True)
    foreign("1005", 500, "The destination region does not support replication.",
            _REPLICATION, "Pick a region that supports replication.")
    foreign("1006", 500, "Importing the replicated backup failed.", _REPLICATION, _SUPPORT)
    add("4001", 404, "The migration record does not exist.",
        "The ID of the migration (from CSBS/VBS to CBR) is wrong or the record expired.",
        "Check the migration record ID in the console.")
    temporary("4004", 500, "Cleaning up data after a migration failed.")
    temporary("4005", 500, "CBR could not check the migration's destination vault.")
    temporary("4006", 500, "A backup in an intermediate status could not be migrated.")
    temporary("4007", 500, "CBR could not check the migration progress in other regions.")
    temporary("6132", 500, "Creating the vault failed.")
    add("6000", 404, "The policy does not exist.", _WRONG_PLACE,
        "Refresh the policies and pick an existing one.")
    add("6002", 404, "The vault has no policy applied.",
        "There is no policy to remove from the vault.",
        "Nothing to remove; apply a policy to the vault first if one is wanted.")
    return out


CBR_CODES: Mapping[str, CbrCode] = MappingProxyType(dict(sorted(_rows().items())))
"""Every BackupService code of the CBR reference, by canonical spelling."""


def http_status(code: str) -> int | None:
    """The HTTP status the reference lists *code* under, or None when it is not a CBR code."""
    row = CBR_CODES.get(code)
    return row.http_status if row is not None else None


def cbr_codes() -> list[str]:
    """Every CBR code, sorted."""
    return list(CBR_CODES)
