"""Corporate networks: TLS with a private CA, HTTPS_PROXY / NO_PROXY through a real
CONNECT proxy, and a SOCKS proxy without its extra package."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
import uvicorn

from vbstui.sim import SimConfig, create_app

PASSWORD = "vbstui-demo"
CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "OS_CACERT",
                "CURL_CA_BUNDLE")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                   "https_proxy", "all_proxy", "no_proxy")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[trustme.CA, Path]]:
    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("ca")
    path = folder / "corporate-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    yield authority, path


@pytest.fixture(scope="module")
def tls_sim(ca: tuple[trustme.CA, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[str]:
    """The simulator behind HTTPS with a certificate from a private CA."""
    authority, _ = ca
    folder = tmp_path_factory.mktemp("tls")
    cert = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert.private_key_pem.write_to_path(str(key_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    port = _free_port()
    config = uvicorn.Config(create_app(SimConfig(volumes=30)), host="127.0.0.1", port=port,
                            ssl_certfile=str(cert_file), ssl_keyfile=str(key_file),
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    yield f"https://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


class ConnectProxy:
    """A minimal HTTP CONNECT proxy that counts the tunnels it opened."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.ready.set()
        self.loop.run_forever()
        server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        self.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    def start(self) -> ConnectProxy:
        self.thread.start()
        self.ready.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def proxy() -> Iterator[ConnectProxy]:
    running = ConnectProxy().start()
    yield running
    running.stop()


def run(tmp_path: Path, url: str, *args: str, profile_extra: str = "",
        env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.corp]\nauth_url = "{url}/v3"\nregion = "eu-de"\nusername = "demo"\n'
        f'user_domain_name = "OTC-EU-DE-DEMO"\nproject_name = "eu-de_demo"\n{profile_extra}')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OS_", "VBSTUI_")) and k not in CA_VARIABLES + PROXY_VARIABLES}
    env.update(VBSTUI_PASSWORD=PASSWORD, VBSTUI_NO_KEYRING="1",
               VBSTUI_STATE_DIR=str(tmp_path / "state"), VBSTUI_CACHE_DIR=str(tmp_path / "c"),
               VBSTUI_LOG_DIR=str(tmp_path / "log"), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "vbstui", "--config", str(config), *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


def volume_count(result: subprocess.CompletedProcess[str]) -> int:
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["count"])


def test_unknown_ca_is_refused_with_advice_not_retried(tls_sim: str, tmp_path: Path) -> None:
    result = run(tmp_path, tls_sim, "volumes", "--json")
    assert result.returncode in (1, 3)
    assert "certificate" in result.stderr and "could not be verified" in result.stderr
    assert "cacert" in result.stderr  # says how to fix it
    assert "retrying" not in result.stderr  # certificate errors never heal by retrying
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_ca_bundle_from_the_profile(tls_sim: str, ca: tuple[trustme.CA, Path],
                                   tmp_path: Path) -> None:
    result = run(tmp_path, tls_sim, "volumes", "--json", profile_extra=f'cacert = "{ca[1]}"\n')
    assert volume_count(result) == 30


@pytest.mark.parametrize("variable", ["OS_CACERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_ca_bundle_from_the_environment(tls_sim: str, ca: tuple[trustme.CA, Path],
                                        tmp_path: Path, variable: str) -> None:
    result = run(tmp_path, tls_sim, "volumes", "--json", env_extra={variable: str(ca[1])})
    assert volume_count(result) == 30


def test_insecure_only_when_asked_and_it_shows(tls_sim: str, tmp_path: Path) -> None:
    result = run(tmp_path, tls_sim, "volumes", "--json", profile_extra="insecure = true\n")
    assert volume_count(result) == 30
    doctor = run(tmp_path, tls_sim, "doctor", "--json", profile_extra="insecure = true\n")
    assert json.loads(doctor.stdout)["tls"]["verification"].startswith("OFF")


def test_https_proxy_is_used_and_no_proxy_bypasses_it(
        tls_sim: str, ca: tuple[trustme.CA, Path], proxy: ConnectProxy, tmp_path: Path) -> None:
    host_port = tls_sim.removeprefix("https://")
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    before = len(proxy.tunnels)
    through = run(tmp_path / "a", tls_sim, "volumes", "--json",
                  env_extra={"OS_CACERT": str(ca[1]), "HTTPS_PROXY": proxy_url})
    assert volume_count(through) == 30
    assert proxy.tunnels[before:] and set(proxy.tunnels[before:]) == {host_port}
    before = len(proxy.tunnels)
    bypass = run(tmp_path / "b", tls_sim, "volumes", "--json",
                 env_extra={"OS_CACERT": str(ca[1]), "HTTPS_PROXY": proxy_url,
                            "NO_PROXY": "127.0.0.1,localhost"})
    assert volume_count(bypass) == 30
    assert len(proxy.tunnels) == before


def test_a_proxy_that_is_down_is_named(tls_sim: str, ca: tuple[trustme.CA, Path],
                                       tmp_path: Path) -> None:
    result = run(tmp_path, tls_sim, "volumes", "--json",
                 env_extra={"OS_CACERT": str(ca[1]),
                            "HTTPS_PROXY": f"http://127.0.0.1:{_free_port()}"})
    assert result.returncode != 0
    assert "proxy" in result.stderr.lower() or "could not connect" in result.stderr
    assert "HTTPS_PROXY" in result.stderr
    assert "Traceback" not in result.stderr


def test_socks_proxy_without_its_package_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ALL_PROXY=socks5://… needs socksio; without it the message names the extra."""
    from vbstui.cloud.client import CloudSession
    from vbstui.cloud.errors import ConnectionSettingsError
    from vbstui.cloud.secret import Secret
    from vbstui.ops.target import demo_profile

    monkeypatch.setitem(sys.modules, "socksio", None)  # as if it were not installed
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")

    async def password() -> Secret:
        return Secret(PASSWORD)

    with pytest.raises(ConnectionSettingsError) as info:
        CloudSession(demo_profile().connection(), password)
    assert "vbstui[socks]" in info.value.describe()
