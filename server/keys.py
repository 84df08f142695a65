"""The server's RSA key on disk: created on the first start, loaded on every later one.

The private key lives in ``<data_dir>/server_key.pem`` (PKCS#8 PEM, file mode 0600).
Clients embed the matching *public* key, so the file must never be replaced silently:
this module only ever creates it when it is absent, and a second process starting at
the same moment ends up with the same key (the file appears atomically, see
:func:`_publish`). ``mtserver pubkey`` prints what clients need.

It does not decide anything about the handshake; :mod:`mtproto.crypto.rsa_keys` owns
the key format, fingerprints and the rule about which generated keys are acceptable.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mtproto.crypto import ServerRsaKey

from .logging import get_logger

KEY_FILENAME = "server_key.pem"
KEY_FILE_MODE = 0o600
DATA_DIR_MODE = 0o700

log = get_logger(__name__)


def server_key_path(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / KEY_FILENAME


def load_or_create_server_key(data_dir: str | os.PathLike[str]) -> ServerRsaKey:
    """The key in ``data_dir`` (created with the directory if missing)."""
    path = server_key_path(data_dir)
    if path.exists():
        return _load(path)
    path.parent.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    key = ServerRsaKey.generate()
    if _publish(path, key.private_pem()):
        log.info("server_key_created", path=str(path), fingerprint=key.fingerprint_hex)
        return key
    # Another process created it first; theirs is the key clients will get.
    return _load(path)


def _load(path: Path) -> ServerRsaKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("server_key_readable_by_others", path=str(path), mode=f"{mode:04o}",
                    hint=f"chmod {KEY_FILE_MODE:o} {path}")
    try:
        return ServerRsaKey.from_pem(path.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{path}: not a usable server RSA key: {exc}") from exc


def _publish(path: Path, pem: bytes) -> bool:
    """Write ``pem`` to ``path`` unless it exists; False when someone else was first.

    The key is written and fsynced under a temporary name, then hard-linked into place:
    a link never overwrites, and readers never see a half-written file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_FILE_MODE), "wb") as file:
            os.fchmod(file.fileno(), KEY_FILE_MODE)  # the umask may only remove bits; be exact
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        _fsync_dir(path.parent)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    # Makes the new directory entry durable: a key clients already embed must not
    # vanish in a power cut.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
