"""Problems of the app around the cloud layer, each with a message a user can act on."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem the user must fix; the message says where and how."""


class CredentialError(Exception):
    """No usable credential was found, or storing one failed."""
