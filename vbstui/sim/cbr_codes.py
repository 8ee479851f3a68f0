"""BackupService error codes the simulator answers with, and their flat envelope.

Status and message are those of `cbr-api/appendix/error_codes.rst`; a request's own
detail is appended to the message so a client has something specific to show.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from vbstui.sim.envelopes import refusals_answered

CODES: dict[str, tuple[int, str]] = {
    "BackupService.0001": (400, "No resource is available for backup."),
    "BackupService.2001": (400, "Restoration cannot be executed because the size of the disk "
                                "on the server is smaller than the backup size."),
    "BackupService.2002": (400, "The resource is being backed up. Restore the resource after "
                                "the backup is complete."),
    "BackupService.2003": (400, "Restoration to a different server is not allowed."),
    "BackupService.2005": (400, "Restoration is not allowed in the current backup status."),
    "BackupService.2010": (400, "The resource is being restored."),
    "BackupService.2011": (400, "Restoration is not allowed in the current disk status."),
    "BackupService.2013": (400, "Backup data of a data disk cannot be restored to a system disk."),
    "BackupService.6000": (404, "The policy does not exist."),
    "BackupService.6002": (404, "The vault is not applied with the policy."),
    "BackupService.6100": (400, "The maximum number of vault resources has been reached."),
    "BackupService.6101": (400, "Invalid vault capacity."),
    "BackupService.6102": (400, "The vault does not support this resource type."),
    "BackupService.6103": (400, "The resource has been associated with a vault."),
    "BackupService.6104": (400, "Duplicate vault resources."),
    "BackupService.6105": (404, "The vault does not exist."),
    "BackupService.6108": (400, "New resources cannot be associated with the vault."),
    "BackupService.6111": (400, "The vault cannot be deleted."),
    "BackupService.6113": (400, "Backup is not allowed in the current vault status."),
    "BackupService.6114": (400, "The used capacity of the vault exceeds the maximum capacity."),
    "BackupService.6116": (400, "Unsupported resource type."),
    "BackupService.6125": (400, "A backup task is in progress."),
    "BackupService.6134": (400, "Resources are being removed from the vault."),
    "BackupService.6135": (400, "The resource does not exist in the vault."),
    "BackupService.6200": (404, "The backup does not exist."),
    "BackupService.6202": (400, "Backups can be used for restoration only when the vault "
                                "status is Available."),
    "BackupService.6216": (400, "The backup cannot be deleted because it is in use."),
    "BackupService.6217": (404, "The backup restore point does not exist."),
    "BackupService.6500": (404, "The operation log does not exist."),
    "BackupService.7000": (404, "The disk does not exist."),
    "BackupService.7003": (400, "Backup is not allowed in the current disk status."),
    "BackupService.7006": (400, "The disk already exists in the vault."),
    "BackupService.7203": (400, "The snapshot is not in the correct status."),
    "BackupService.8300": (400, "Insufficient snapshot quota."),
    "BackupService.9900": (400, "Parameter verification failed."),
    "BackupService.9910": (500, "Unknown error."),
}

# Codes a backup or restore task ends with under the job_fail fault.
BACKUP_FAILURES = ("BackupService.7203", "BackupService.8300", "BackupService.9910")
RESTORE_FAILURES = ("BackupService.9910",)


class CbrError(Exception):
    """A BackupService refusal; routes turn it into the flat envelope."""

    def __init__(self, code: str, detail: str = "") -> None:
        status, message = CODES[code]
        self.code = code
        self.status = status
        self.message = f"{message} {detail}".strip() if detail else message
        super().__init__(f"{code}: {self.message}")


def message_of(code: str) -> str:
    return CODES[code][1]


def bad_parameter(detail: str) -> CbrError:
    return CbrError("BackupService.9900", detail)


def cbr_error(exc: CbrError) -> JSONResponse:
    return JSONResponse({"error_code": exc.code, "error_msg": exc.message},
                        status_code=exc.status)


# A CBR route: its `CbrError`s answered in the flat CBR envelope.
cbr_errors = refusals_answered(CbrError, cbr_error)
