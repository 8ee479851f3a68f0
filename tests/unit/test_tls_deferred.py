"""The CA bundle is read only when a TLS connection is made, and verification is unchanged.

A real loopback server (plain http, then https with a private CA from trustme) answers
one request from the cloud layer's own client; only the SSL context is observed."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from vbstui.cloud import client as client_module
from vbstui.cloud import http
from vbstui.cloud.client import CloudSession
from vbstui.cloud.errors import ConnectionSettingsError, TransportError
from vbstui.cloud.secret import Secret
from vbstui.cloud.settings import ConnectionSettings
from vbstui.cloud.tls import CaFileContext, ssl_context

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


@asynccontextmanager
async def loopback_server(tls: ssl.SSLContext | None) -> AsyncIterator[int]:
    """Answers every request with `{}`; yields its port."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(ANSWER)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass  # the client refused our certificate
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=tls)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def recording(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every `verify=` value the session builds."""
    built: list[Any] = []

    def spy(ca_bundle: str | None, insecure: bool) -> ssl.SSLContext | bool:
        built.append(ssl_context(ca_bundle, insecure))
        return built[-1]  # type: ignore[no-any-return]

    monkeypatch.setattr(client_module, "ssl_context", spy)
    return built


def session_for(url: str, ca_bundle: str | None, **kwargs: Any) -> CloudSession:
    settings = ConnectionSettings(auth_url=f"{url}/v3", username="alice", ca_bundle=ca_bundle)

    async def password() -> Secret:
        return Secret("unused")

    return CloudSession(settings, password, **kwargs)


async def one_get(session: CloudSession, url: str) -> dict[str, Any]:
    async with session:
        response = await http.send(session.http, "GET", url, authenticated=False)
        return http.json_object(response)


async def test_a_plain_http_session_never_reads_the_ca_bundle(
        authority: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    built = recording(monkeypatch)
    async with loopback_server(None) as port:
        url = f"http://127.0.0.1:{port}"
        assert await one_get(session_for(url, str(authority[1])), f"{url}/ping") == {}
    [context] = built
    assert isinstance(context, CaFileContext)
    assert not context.trust_loaded
    assert context.cert_store_stats()["x509"] == 0


async def test_an_https_session_reads_the_bundle_and_verifies_with_it(
        authority: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    ca, bundle = authority
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    built = recording(monkeypatch)
    async with loopback_server(server_tls) as port:
        url = f"https://127.0.0.1:{port}"
        assert await one_get(session_for(url, str(bundle)), f"{url}/ping") == {}
    [context] = built
    assert context.trust_loaded
    assert context.cert_store_stats()["x509_ca"] == 1


async def test_an_https_server_outside_the_bundle_is_refused(
        authority: tuple[trustme.CA, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority[0].issue_cert("127.0.0.1").configure_cert(server_tls)
    async with loopback_server(server_tls) as port:
        url = f"https://127.0.0.1:{port}"
        with pytest.raises(TransportError) as refused:
            await one_get(session_for(url, str(other)), f"{url}/ping")
    assert refused.value.kind == "tls"
    assert "could not be verified" in str(refused.value)


def test_an_in_process_transport_builds_no_ssl_context(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built = recording(monkeypatch)
    # Even a bundle that could never load is not looked at: nothing will use it.
    session_for("http://demo.localhost", str(tmp_path / "missing.pem"),
                transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    assert built == []


def test_the_deferred_context_is_set_up_like_create_default_context(
        authority: tuple[trustme.CA, Path]) -> None:
    reference = ssl.create_default_context(cafile=str(authority[1]))
    context = ssl_context(str(authority[1]), insecure=False)
    assert isinstance(context, CaFileContext)
    context.load_trust()
    for name in ("protocol", "verify_mode", "check_hostname", "options", "verify_flags",
                 "minimum_version", "maximum_version", "post_handshake_auth",
                 "keylog_filename", "security_level"):
        assert getattr(context, name, None) == getattr(reference, name, None), name
    assert context.get_ciphers() == reference.get_ciphers()
    assert context.get_ca_certs() == reference.get_ca_certs()


def test_a_missing_bundle_is_named_when_the_session_is_set_up(tmp_path: Path) -> None:
    with pytest.raises(ConnectionSettingsError, match="cannot load the CA bundle"):
        ssl_context(str(tmp_path / "missing.pem"), insecure=False)


def test_a_damaged_bundle_is_a_settings_error_at_the_first_handshake(tmp_path: Path) -> None:
    bundle = tmp_path / "damaged.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n", encoding="utf-8")
    context = ssl_context(str(bundle), insecure=False)
    assert isinstance(context, CaFileContext)
    with pytest.raises(ConnectionSettingsError, match="cannot load the CA bundle") as caught:
        context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="iam.example.test")
    assert "cacert" in (caught.value.hint or "")


def test_insecure_is_still_only_an_explicit_choice(authority: tuple[trustme.CA, Path]) -> None:
    assert ssl_context(str(authority[1]), insecure=True) is False
    assert isinstance(ssl_context(str(authority[1].parent), insecure=False), ssl.SSLContext)
