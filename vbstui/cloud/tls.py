"""TLS settings: verification always on unless turned off explicitly.

httpx trusts only certifi's bundle by default.  Corporate CAs usually live in the
system store, so without an explicit bundle we verify against the operating
system's trust store (truststore).

Reading a CA bundle file costs 15-25 ms of every start (a system bundle holds ~150
certificates), and a session that only talks plain http to a loopback simulator never
needs it: a bundle file is read just before the first TLS handshake instead.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import Any

from vbstui.cloud.errors import ConnectionSettingsError

_BUNDLE_HINT = "check the 'cacert' setting (or OS_CACERT / SSL_CERT_FILE)"


def ssl_context(ca_bundle: str | None, insecure: bool) -> ssl.SSLContext | bool:
    """The `verify=` argument for httpx."""
    if insecure:
        return False
    if ca_bundle:
        path = os.path.expanduser(ca_bundle)
        if os.path.isdir(path):
            # OpenSSL looks certificates up in a directory only while verifying: cheap.
            return _loaded(lambda: ssl.create_default_context(capath=path), path)
        if not os.access(path, os.R_OK):
            raise _bundle_error(path, "no such file or it cannot be read")
        return CaFileContext(path)
    try:
        import truststore  # noqa: PLC0415 - only needed when a connection is made

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except (ImportError, ssl.SSLError, OSError):
        return ssl.create_default_context()


class CaFileContext(ssl.SSLContext):
    """`ssl.create_default_context(cafile=path)`, except that the file is read just
    before the first TLS handshake (a plain-http session never reads it).

    Set up like create_default_context (tests/unit/test_tls_deferred.py compares the
    two); only the certificates arrive late, so nothing can be verified without them."""

    ca_file: str
    _trust_lock: threading.Lock
    _trust_loaded: bool

    def __new__(cls, ca_file: str) -> CaFileContext:
        context = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)
        # What create_default_context(Purpose.SERVER_AUTH) sets up besides the CAs.
        context.verify_mode = ssl.CERT_REQUIRED
        context.check_hostname = True
        if sys.version_info >= (3, 13):
            context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog and not sys.flags.ignore_environment:
            context.keylog_filename = keylog
        context.ca_file = ca_file
        context._trust_lock = threading.Lock()
        context._trust_loaded = False
        return context

    @property
    def trust_loaded(self) -> bool:
        return self._trust_loaded

    def load_trust(self) -> None:
        """Read the CA file once; a broken one is a settings error, not a network one."""
        with self._trust_lock:
            if self._trust_loaded:
                return
            try:
                self.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise _bundle_error(self.ca_file, exc.strerror or str(exc)) from None
            self._trust_loaded = True

    # Every TLS connection Python makes goes through one of these two.
    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:  # type: ignore[override]
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:  # type: ignore[override]
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)


def _loaded(build: Any, path: str) -> ssl.SSLContext:
    try:
        return build()  # type: ignore[no-any-return]
    except (OSError, ssl.SSLError) as exc:
        raise _bundle_error(path, exc.strerror or str(exc)) from None


def _bundle_error(path: str, why: str) -> ConnectionSettingsError:
    return ConnectionSettingsError(f"cannot load the CA bundle {path!r}: {why}",
                                   hint=_BUNDLE_HINT)
