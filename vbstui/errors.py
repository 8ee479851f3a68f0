"""Exit codes and the errors of the app around the cloud layer, mapped to codes in one place.

Both front ends raise and catch these; the CLI turns them into exit codes with
`exit_code_for`, the TUI into log lines.  Nothing needs the CLI for a constant.
"""

from __future__ import annotations

from enum import IntEnum

from vbstui.cloud.errors import (
    AuthenticationError,
    CloudError,
    ConnectionSettingsError,
    EndpointNotFound,
)
from vbstui.cloud.validation import ValidationFailed


class ExitCode(IntEnum):
    """What a script can tell from a headless run's exit status."""

    OK = 0
    FAILED = 1  # the cloud refused, or a job failed
    USAGE = 2  # bad input or a refusal before sending: nothing was sent
    CONFIG = 3  # configuration or credential problem
    UNKNOWN = 4  # outcome unknown after a network failure: something may have happened
    TIMEOUT = 5  # still running when --timeout expired
    INTERRUPTED = 130


class ConfigError(Exception):
    """A configuration problem the user must fix; the message says where and how."""


class CredentialError(Exception):
    """No usable credential was found, or storing one failed."""


class UsageError(Exception):
    """Bad input from the user; nothing was sent."""


class ReadOnlyRefusal(UsageError):
    """A change to the cloud was asked for in read-only mode; nothing was sent."""


def exit_code_for(exc: BaseException) -> ExitCode:
    """The one mapping from a failure to the exit code a script sees."""
    if isinstance(exc, (ValidationFailed, UsageError)):
        return ExitCode.USAGE
    if isinstance(exc, (ConfigError, CredentialError, ConnectionSettingsError,
                        EndpointNotFound, AuthenticationError)):
        return ExitCode.CONFIG
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.FAILED  # CloudError and anything unexpected


__all__ = ["CloudError", "ConfigError", "CredentialError", "ExitCode", "ReadOnlyRefusal",
           "UsageError", "exit_code_for"]
