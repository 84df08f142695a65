"""The bus's own Redis client (storage/bus/redis_url.py, redis_connection.py) with every
URL form the bus accepts: TCP with a database, a password and an ACL user, a unix
socket, TLS. These run a Redis server of their own (redis-server on PATH; skipped
without it), since the shared one has no password, socket or TLS port."""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as sync_redis
import trio

from storage.bus import BusUnavailable, open_bus
from storage.bus.redis_url import RedisAddress, parse_redis_url

PASSWORD = "s3cret/pa:ss"  # characters that need quoting in a URL
QUOTED = "s3cret%2Fpa%3Ass"


# -- URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/0", RedisAddress(host="127.0.0.1")),
        ("redis://r", RedisAddress(host="r")),
        ("REDIS://r:7000/3", RedisAddress(host="r", port=7000, db=3)),
        ("redis://r/3?db=4", RedisAddress(host="r", db=4)),
        (f"redis://:{QUOTED}@r", RedisAddress(host="r", password=PASSWORD)),
        ("redis://u:p@r", RedisAddress(host="r", username="u", password="p")),
        ("redis://r?password=p&username=u", RedisAddress(host="r", username="u", password="p")),
        ("redis://r?socket_timeout=1.5", RedisAddress(host="r", timeout=1.5)),
        ("rediss://r", RedisAddress(host="r", tls=True)),
        (
            "rediss://r?ssl_cert_reqs=none&ssl_check_hostname=false",
            RedisAddress(host="r", tls=True, ssl_cert_reqs=ssl.CERT_NONE, ssl_check_hostname=False),
        ),
        ("unix:///run/redis.sock", RedisAddress(path="/run/redis.sock")),
        ("unix://:p@/run/redis.sock?db=2", RedisAddress(path="/run/redis.sock", password="p", db=2)),
        ("redis://[::1]:6380", RedisAddress(host="::1", port=6380)),
    ],
)
def test_url_forms(url: str, expected: RedisAddress) -> None:
    assert parse_redis_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://r",
        "redis://",
        "unix://",
        "redis://r:port",
        "redis://r/x",
        "redis://r?db=-1",
        "redis://r?frobnicate=1",
        "rediss://r?ssl_cert_reqs=maybe",
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_redis_url(url)


def test_the_password_stays_out_of_errors_and_reprs() -> None:
    with pytest.raises(ValueError) as caught:
        parse_redis_url("redis://u:hunter2@r:notaport")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(parse_redis_url("redis://u:hunter2@r"))


# -- a Redis server of our own ------------------------------------------------------------


class OwnRedis:
    def __init__(self, directory: Path):
        self.port = _free_port()
        self.tls_port = _free_port()
        self.socket = str(directory / "redis.sock")
        self.ca = str(directory / "ca.pem")
        _make_certificates(directory)
        self._process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--unixsocket", self.socket, "--unixsocketperm", "700",
                "--requirepass", PASSWORD, "--save", "", "--appendonly", "no",
                "--dir", str(directory),
                "--tls-port", str(self.tls_port), "--tls-auth-clients", "no",
                "--tls-cert-file", str(directory / "server.pem"),
                "--tls-key-file", str(directory / "server.key"),
                "--tls-ca-cert-file", self.ca,
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.admin().ping()
                return
            except sync_redis.RedisError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        pytest.skip("redis-server did not start (built without TLS?)")

    def admin(self) -> Any:
        return sync_redis.Redis(host="127.0.0.1", port=self.port, password=PASSWORD, socket_timeout=2)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server on PATH")
    server = OwnRedis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


async def _round_trip(url: str, **options: Any) -> None:
    prefix = f"test-{os.urandom(4).hex()}:"
    async with open_bus(url, prefix=prefix, **options) as bus:
        async with bus.subscribe("user:1") as sub:
            await bus.publish("user:1", b"through " + url.partition(":")[0].encode())
            with trio.fail_after(2):
                assert await sub.receive() == b"through " + url.partition(":")[0].encode()
            await bus.ping()


def _client(server: OwnRedis, name: str) -> dict[str, Any]:
    clients = [c for c in server.admin().client_list() if c["name"] == name]
    assert len(clients) == 1
    return clients[0]


async def test_tcp_with_password_and_database(own_redis: OwnRedis) -> None:
    url = f"redis://:{QUOTED}@127.0.0.1:{own_redis.port}/3"
    prefix = f"test-{os.urandom(4).hex()}:"
    async with open_bus(url, prefix=prefix) as bus:
        async with bus.subscribe("user:1") as sub:
            await bus.publish("user:1", b"x")
            with trio.fail_after(2):
                assert await sub.receive() == b"x"
            assert _client(own_redis, bus.client_names[0])["db"] == "3"
            assert _client(own_redis, bus.client_names[1])["db"] == "3"


async def test_acl_user(own_redis: OwnRedis) -> None:
    admin = own_redis.admin()
    admin.acl_setuser("bus-user", enabled=True, passwords=["+other-secret"], keys=["*"],
                      channels=["*"], commands=["+@all"])  # fmt: skip
    url = f"redis://bus-user:other-secret@127.0.0.1:{own_redis.port}"
    async with open_bus(url, prefix=f"test-{os.urandom(4).hex()}:") as bus:
        assert _client(own_redis, bus.client_names[0])["user"] == "bus-user"
        assert _client(own_redis, bus.client_names[1])["user"] == "bus-user"
    await _round_trip(url)


async def test_unix_socket(own_redis: OwnRedis) -> None:
    await _round_trip(f"unix://:{QUOTED}@{own_redis.socket}?db=1")


async def test_tls(own_redis: OwnRedis) -> None:
    await _round_trip(f"rediss://:{QUOTED}@localhost:{own_redis.tls_port}/0?ssl_ca_certs={own_redis.ca}")


async def test_tls_refuses_a_certificate_it_cannot_check(own_redis: OwnRedis) -> None:
    with trio.fail_after(5), pytest.raises(BusUnavailable, match="cannot connect"):
        async with open_bus(f"rediss://:{QUOTED}@localhost:{own_redis.tls_port}", socket_timeout=2):
            pass


async def test_a_wrong_password_fails_fast_and_quietly(own_redis: OwnRedis) -> None:
    with trio.fail_after(5), pytest.raises(BusUnavailable, match="cannot connect") as caught:
        async with open_bus(f"redis://:wrong-one@127.0.0.1:{own_redis.port}", socket_timeout=2):
            pass
    assert "wrong-one" not in str(caught.value)


# -- helpers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _make_certificates(directory: Path) -> None:
    """A CA and a server certificate for localhost / 127.0.0.1 signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "server.pem").write_bytes(cert.public_bytes(pem))
    (directory / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL,
                          serialization.NoEncryption())
    )  # fmt: skip


async def test_an_absurd_length_from_the_server_drops_the_connection(nursery: trio.Nursery) -> None:
    """A 'Redis' that claims a reply of a terabyte: refused at its header, nothing kept."""
    from storage.bus.redis_connection import ConnectionLost, open_redis_connection

    async def fake_redis(stream: trio.SocketStream) -> None:
        await stream.receive_some(65536)  # the handshake (CLIENT SETNAME)
        await stream.send_all(b"$1099511627776\r\n" + b"x" * 1000)  # its "reply"
        await trio.sleep_forever()

    listeners = await nursery.start(trio.serve_tcp, fake_redis, 0)
    port = listeners[0].socket.getsockname()[1]
    address = parse_redis_url(f"redis://127.0.0.1:{port}")
    with trio.fail_after(2), pytest.raises(ConnectionLost, match="larger than"):
        await open_redis_connection(address, name="t", timeout=2, max_reply=1 << 20)
