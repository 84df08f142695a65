"""storage/pgwire logins as deployments meet them: SCRAM-SHA-256 (PostgreSQL's default, and
the docker-compose setup's), MD5, cleartext, TLS (require and verify-full), a Unix socket.

The shared test server trusts every local login, so this module starts a PostgreSQL of its
own (initdb + pg_ctl from PATH, as the postgres user when run as root) with password rules
per role and a self-signed certificate; it skips, saying why, where that cannot be done.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import trio

from storage import pgwire
from storage.interface import StorageError
from storage.postgres import PostgresDatabase

PASSWORD = "s3cret pässword"
ROLES = {"scram_user": "scram-sha-256", "md5_user": "md5", "clear_user": "password"}


def _self_signed_certificate(directory: Path) -> Path:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    (directory / "server.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "server.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    os.chmod(directory / "server.key", 0o600)
    return directory / "server.crt"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("initdb / pg_ctl not on PATH")
    prefix: list[str] = []
    owner = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user")
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="mtserver-pgwire-"))
    os.chmod(base, 0o755)
    data = base / "data"
    certificate_dir = base / "tls"
    certificate_dir.mkdir()
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    try:
        subprocess.run(prefix + [initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
                       check=True, capture_output=True, timeout=120)
        certificate = _self_signed_certificate(certificate_dir)
        if owner is not None:
            for path in (certificate_dir, *certificate_dir.iterdir()):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        rules = ["local all all trust", "host all postgres 127.0.0.1/32 trust",
                 "hostssl all tls_user 127.0.0.1/32 scram-sha-256"]
        rules += [f"host all {role} 127.0.0.1/32 {method}" for role, method in ROLES.items()]
        (data / "pg_hba.conf").write_text("\n".join(rules) + "\n")
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
                       f"ssl = on\nssl_cert_file = '{certificate}'\nssl_key_file = '{certificate_dir / 'server.key'}'\n"
                       "fsync = off\n")
        subprocess.run(prefix + [pg_ctl, "-D", str(data), "-w", "-l", str(base / "log"), "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL of our own: {exc}")
    try:
        async def create_roles():
            admin = await pgwire.connect(pgwire.parse_dsn(f"postgresql:///postgres?host={base}&port={port}&user=postgres"))
            try:
                for role, method in (*ROLES.items(), ("tls_user", "scram-sha-256")):
                    encryption = "md5" if method == "md5" else "scram-sha-256"
                    await admin.script(f"SET password_encryption = '{encryption}'; "
                                       f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}';")
            finally:
                await admin.aclose()

        trio.run(create_roles)
        yield {"port": port, "socket_dir": base, "certificate": certificate}
    finally:
        subprocess.run(prefix + [pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def _url(cluster, user, password=PASSWORD, **query):
    from urllib.parse import quote, urlencode
    credentials = f"{user}:{quote(password)}" if password is not None else user
    return f"postgresql://{credentials}@127.0.0.1:{cluster['port']}/postgres?" + urlencode(
        {"sslmode": "disable", **query})


async def _whoami(url: str) -> tuple:
    connection = await pgwire.connect(pgwire.parse_dsn(url))
    try:
        return (await connection.fetch(
            "SELECT current_user::text, coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
            []))[0]
    finally:
        await connection.aclose()


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_password_logins(cluster, role):
    assert await _whoami(_url(cluster, role)) == (role, False)
    with pytest.raises(pgwire.PostgresError) as info:
        await _whoami(_url(cluster, role, "wrong"))
    assert info.value.sqlstate == "28P01"


async def test_a_login_without_the_password_it_needs_is_refused(cluster):
    with pytest.raises(pgwire.PostgresError, match="password"):
        await _whoami(_url(cluster, "scram_user", None))


async def test_tls_required_and_verified(cluster):
    assert await _whoami(_url(cluster, "tls_user", sslmode="require")) == ("tls_user", True)
    assert await _whoami(_url(cluster, "tls_user", sslmode="prefer")) == ("tls_user", True)
    verified = _url(cluster, "tls_user", sslmode="verify-full", sslrootcert=str(cluster["certificate"]))
    assert await _whoami(verified) == ("tls_user", True)
    with pytest.raises(pgwire.PostgresError):  # hostssl only: no plain login for this role
        await _whoami(_url(cluster, "tls_user"))


async def test_verify_full_refuses_an_unknown_certificate(cluster):
    with pytest.raises(ConnectionRefusedError, match="certificate verify failed"):
        await _whoami(_url(cluster, "tls_user", sslmode="verify-full"))


async def test_unix_socket(cluster):
    url = f"postgresql:///postgres?host={cluster['socket_dir']}&port={cluster['port']}&user=postgres"
    assert await _whoami(url) == ("postgres", False)


async def test_a_refused_login_is_a_storage_error_without_the_password(cluster):
    database = PostgresDatabase(_url(cluster, "scram_user", "not-" + PASSWORD))
    with pytest.raises(StorageError, match="cannot connect") as info:
        await database.connect()
    assert PASSWORD not in str(info.value)
