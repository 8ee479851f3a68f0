"""TLS settings: verification always on unless turned off explicitly.

httpx trusts only certifi's bundle by default.  Corporate CAs usually live in the
system store, so without an explicit bundle we verify against the operating
system's trust store (truststore).
"""

from __future__ import annotations

import os
import ssl

from vbstui.cloud.errors import ConnectionSettingsError


def ssl_context(ca_bundle: str | None, insecure: bool) -> ssl.SSLContext | bool:
    """The `verify=` argument for httpx."""
    if insecure:
        return False
    if ca_bundle:
        path = os.path.expanduser(ca_bundle)
        try:
            if os.path.isdir(path):
                return ssl.create_default_context(capath=path)
            return ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectionSettingsError(
                f"cannot load the CA bundle {path!r}: {exc.strerror or exc}",
                hint="check the 'cacert' setting (or OS_CACERT / SSL_CERT_FILE)",
            ) from None
    try:
        import truststore  # noqa: PLC0415 - only needed when a connection is made

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except (ImportError, ssl.SSLError, OSError):
        return ssl.create_default_context()
